# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import copy

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import lambda_zip, resource_sync

TAGS = {"Environment": "prd", "Project": "demo"}
NAME = "/aws/lambda/prd-demo-web-validation"


# -- log groups ------------------------------------------------------------------------------------------------------


def log_groups(retention=30, name=NAME):
    # DescribeLogGroups by prefix also answers longer names.
    return {"logGroups": [{"logGroupName": name + "-other"}, {"logGroupName": name, "retentionInDays": retention}]}


def test_converged_log_group_is_in_sync():
    assert resource_sync.log_group_in_sync(log_groups(), {"tags": dict(TAGS)}, NAME, 30, TAGS)


@pytest.mark.parametrize(
    ("groups", "tags"),
    [
        (log_groups(retention=7), {"tags": TAGS}),
        (log_groups(retention=None), {"tags": TAGS}),
        (log_groups(name=NAME + "-x"), {"tags": TAGS}),
        ({"logGroups": []}, None),
        (log_groups(), {"tags": dict(TAGS, Extra="1")}),
        (log_groups(), {"tags": {"Environment": "prd"}}),
        (log_groups(), None),
    ],
)
def test_log_group_differences_make_the_writer_run(groups, tags):
    assert not resource_sync.log_group_in_sync(groups, tags, NAME, 30, TAGS)


# -- security groups -------------------------------------------------------------------------------------------------

EGRESS = [
    {"proto": "tcp", "ports": [8080], "rule_desc": "Test listener", "group_id": "sg-alb"},
    {"proto": "tcp", "ports": [443], "cidr_ip": "0.0.0.0/0", "rule_desc": "APIs"},
]
SG_TAGS = dict(TAGS, Name="validation")


def groups(**change):
    group = {
        "GroupName": "validation",
        "GroupId": "sg-1",
        "Description": "Validation function",
        "IpPermissions": [],
        "IpPermissionsEgress": [
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "APIs"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "IpRanges": [],
                "UserIdGroupPairs": [{"GroupId": "sg-alb", "UserId": "123456789012", "Description": "Test listener"}],
            },
        ],
        "Tags": [{"Key": k, "Value": v} for k, v in SG_TAGS.items()],
    }
    group.update(change)
    return {"SecurityGroups": [{"GroupName": "alb", "GroupId": "sg-alb"}, group]}


def test_security_group_by_name():
    assert resource_sync.security_group(groups(), "validation")["GroupId"] == "sg-1"
    assert resource_sync.security_group(None, "validation") == {}


def test_converged_security_group_is_in_sync():
    assert resource_sync.security_group_in_sync(groups(), "validation", "Validation function", EGRESS, SG_TAGS)


@pytest.mark.parametrize(
    "change",
    [
        {"Description": "old"},
        {"IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
        {"IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},  # AWS's default rule
        {"Tags": [{"Key": "Name", "Value": "validation"}]},
    ],
)
def test_security_group_differences_make_the_writer_run(change):
    assert not resource_sync.security_group_in_sync(
        groups(**change), "validation", "Validation function", EGRESS, SG_TAGS
    )


@pytest.mark.parametrize(
    "egress",
    [
        [dict(EGRESS[0], ports=[8443]), EGRESS[1]],
        [dict(EGRESS[0], rule_desc="other"), EGRESS[1]],
        [EGRESS[1]],
        [dict(EGRESS[0], ports=["8000-8100"]), EGRESS[1]],  # a range: the writer decides
        [dict(EGRESS[0], cidr_ipv6="::/0"), EGRESS[1]],
    ],
)
def test_other_egress_rules_make_the_writer_run(egress):
    assert not resource_sync.security_group_in_sync(groups(), "validation", "Validation function", egress, SG_TAGS)


def test_missing_security_group_makes_the_writer_run():
    assert not resource_sync.security_group_in_sync({"SecurityGroups": []}, "validation", "d", EGRESS, SG_TAGS)


# -- Lambda functions ------------------------------------------------------------------------------------------------

WANTED = {
    "role": "arn:aws:iam::123456789012:role/validation",
    "handler": "validation_hook.handler",
    "description": "AfterAllowTestTraffic hook",
    "timeout": 60,
    "memory_size": 128,
    "runtime": "python3.12",
    "environment": {"URL": "http://lb:8080/version"},
    "subnet_ids": ["subnet-b", "subnet-a"],
    "security_group_ids": ["sg-1"],
    "tags": TAGS,
}


def function(**change):
    configuration = {
        "Role": WANTED["role"],
        "Handler": WANTED["handler"],
        "Description": WANTED["description"],
        "Timeout": 60,
        "MemorySize": 128,
        "Runtime": "python3.12",
        "Environment": {"Variables": {"URL": "http://lb:8080/version"}},
        "VpcConfig": {"SubnetIds": ["subnet-a", "subnet-b"], "SecurityGroupIds": ["sg-1"], "VpcId": "vpc-1"},
        "CodeSha256": "sha",
    }
    configuration.update(change)
    return {"Configuration": configuration, "Tags": dict(TAGS)}


def test_converged_function_is_in_sync():
    assert resource_sync.lambda_function_in_sync(function(), WANTED, "sha")


@pytest.mark.parametrize(
    "change",
    [
        {"Role": "arn:aws:iam::123456789012:role/other"},
        {"Handler": "other.handler"},
        {"Description": "old"},
        {"Timeout": 30},
        {"MemorySize": 256},
        {"Runtime": "python3.11"},
        {"Environment": {"Variables": {"URL": "http://lb:8443/version"}}},
        {"Environment": None},
        {"VpcConfig": {"SubnetIds": ["subnet-a"], "SecurityGroupIds": ["sg-1"]}},
        {"VpcConfig": {"SubnetIds": ["subnet-a", "subnet-b"], "SecurityGroupIds": ["sg-2"]}},
        {"CodeSha256": "older"},
    ],
)
def test_function_differences_make_the_writer_run(change):
    assert not resource_sync.lambda_function_in_sync(function(**change), WANTED, "sha")


def test_function_tags_missing_function_and_unknown_code_make_the_writer_run():
    untagged = function()
    untagged["Tags"] = {"Environment": "prd"}
    assert not resource_sync.lambda_function_in_sync(untagged, WANTED, "sha")
    assert not resource_sync.lambda_function_in_sync(None, WANTED, "sha")
    assert not resource_sync.lambda_function_in_sync(function(), WANTED, "")


def test_an_empty_description_is_not_compared_as_the_module_does():
    assert resource_sync.lambda_function_in_sync(function(Description="any"), dict(WANTED, description=""), "sha")


# -- the package's CodeSha256 ----------------------------------------------------------------------------------------


def test_bundle_sha256_is_the_sha_of_the_zip_lambda_bundle_writes(tmp_path):
    (tmp_path / "hook.py").write_bytes(b"import check\n")
    (tmp_path / "check.py").write_bytes(b"X = 1\n")
    files = [
        {"src": str(tmp_path / "hook.py"), "name": "hook.py"},
        {"src": str(tmp_path / "check.py"), "name": "check.py"},
    ]
    data = lambda_zip.build([("hook.py", b"import check\n"), ("check.py", b"X = 1\n")])
    assert lambda_zip.bundle_sha256(files) == lambda_zip.code_sha256(data)
    (tmp_path / "check.py").write_bytes(b"X = 2\n")
    assert lambda_zip.bundle_sha256(copy.deepcopy(files)) != lambda_zip.code_sha256(data)
