# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.bluegreen.ecs.plugins.modules import aws_batch_info
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import AwsStubs, run_module

SUBNET = {
    "SubnetId": "subnet-1",
    "AvailabilityZone": "us-east-1a",
    "VpcId": "vpc-1",
    "Tags": [{"Key": "ManagedBy", "Value": "bluegreen.ecs"}, {"Key": "Name", "Value": "prd-demo-app-a"}],
}


@pytest.fixture(autouse=True)
def one_worker(monkeypatch):
    # Stubber answers one client's calls in the order queued: one thread keeps that order.
    monkeypatch.setattr(aws_batch_info, "WORKERS", 1)


def test_reads_every_kind_in_one_run_and_shapes_snake_answers(capsys):
    stubs = AwsStubs("ec2", "iam")
    stubs.ec2.add_response(
        "describe_subnets", {"Subnets": [SUBNET]}, {"Filters": [{"Name": "vpc-id", "Values": ["vpc-1"]}]}
    )
    stubs.iam.add_client_error("get_role", "NoSuchEntity", expected_params={"RoleName": "gone"})
    reads = [
        {
            "name": "subnets",
            "service": "ec2",
            "operation": "DescribeSubnets",
            "snake": True,
            "params": {"Filters": [{"Name": "vpc-id", "Values": ["vpc-1"]}]},
        },
        {
            "name": "role",
            "service": "iam",
            "operation": "GetRole",
            "params": {"RoleName": "gone"},
            "missing": ["NoSuchEntity"],
        },
    ]
    failed, result = run_module(aws_batch_info, {"reads": reads}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["answers"]["role"] is None
    # Keys snake_cased, tags a dict with the user's keys as written (ManagedBy, not managed_by).
    assert result["answers"]["subnets"] == {
        "subnets": [
            {
                "subnet_id": "subnet-1",
                "availability_zone": "us-east-1a",
                "vpc_id": "vpc-1",
                "tags": {"ManagedBy": "bluegreen.ecs", "Name": "prd-demo-app-a"},
            }
        ]
    }


def test_raw_answer_without_metadata(capsys):
    stubs = AwsStubs("ec2")
    stubs.ec2.add_response("describe_subnets", {"Subnets": [SUBNET]}, {})
    reads = [{"name": "subnets", "service": "ec2", "operation": "DescribeSubnets"}]
    failed, result = run_module(aws_batch_info, {"reads": reads}, stubs, capsys)
    assert not failed, result
    assert result["answers"] == {"subnets": {"Subnets": [SUBNET]}}


def test_an_error_not_named_missing_fails_naming_the_read(capsys):
    stubs = AwsStubs("iam")
    stubs.iam.add_client_error("get_role", "AccessDenied", expected_params={"RoleName": "r"})
    reads = [
        {
            "name": "role",
            "service": "iam",
            "operation": "GetRole",
            "params": {"RoleName": "r"},
            "missing": ["NoSuchEntity"],
        }
    ]
    failed, result = run_module(aws_batch_info, {"reads": reads}, stubs, capsys)
    assert failed
    assert "GetRole (iam) for role" in result["msg"]


@pytest.mark.parametrize(
    ("operation", "field"),
    [
        ("CreateVpc", "reads[0].operation: 'CreateVpc' is not a read"),
        ("GetSecretValue", "reads[0].operation: GetSecretValue answers with a secret"),
        ("GetAuthorizationToken", "reads[0].operation: GetAuthorizationToken answers with a secret"),
    ],
)
def test_refuses_writes_and_secrets_before_any_call(capsys, operation, field):
    # No answer queued: a call would fail the Stubber, so passing proves none was made.
    stubs = AwsStubs("ec2")
    failed, result = run_module(
        aws_batch_info, {"reads": [{"name": "x", "service": "ec2", "operation": operation}]}, stubs, capsys
    )
    assert failed
    assert field in result["msg"]


def test_unknown_operation_fails_naming_the_field(capsys):
    stubs = AwsStubs("ec2")
    reads = [{"name": "x", "service": "ec2", "operation": "DescribeNothing"}]
    failed, result = run_module(aws_batch_info, {"reads": reads}, stubs, capsys)
    assert failed
    assert "reads[0].operation: ec2 has no operation DescribeNothing" in result["msg"]
