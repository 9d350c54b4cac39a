"""The alb role's two reads of its layer, the records built from them (the *_info modules' shapes) and whether
elb_application_lb would change anything."""

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import alb_sync

NAMES = {
    "alb": "stub-alb",
    "alb_security_group": "stub-alb-sg",
    "target_group_blue": "stub-b",
    "target_group_green": "stub-g",
}
TAGS = {"ManagedBy": "bluegreen.ecs", "Environment": "prd", "Project": "demo"}
LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/stub-alb/1"


def first_answers(groups=True, balancer=True):
    return {
        "target_groups": {
            "target_groups": [
                {"target_group_name": name, "target_group_arn": f"arn:tg/{name}", "port": 8000}
                for name in ("stub-b", "stub-g")
            ]
        }
        if groups
        else None,
        "load_balancer": {
            "load_balancers": [
                {
                    "load_balancer_name": "stub-alb",
                    "load_balancer_arn": LB_ARN,
                    "scheme": "internet-facing",
                    "security_groups": ["sg-1"],
                    "availability_zones": [{"subnet_id": "subnet-a"}, {"subnet_id": "subnet-b"}],
                }
            ]
        }
        if balancer
        else None,
    }


def second_answers():
    return {
        "tg_attributes_0": {"Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]},
        "tg_attributes_1": {"Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "10"}]},
        "elb_tags": {
            "tag_descriptions": [
                {"resource_arn": "arn:tg/stub-b", "tags": {"Name": "stub-b"}},
                {"resource_arn": LB_ARN, "tags": {"Name": "stub-alb", "ProductionListenerPort": "80"}},
            ]
        },
        "lb_attributes": {
            "Attributes": [
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": "logs"},
                {"Key": "access_logs.s3.prefix", "Value": "stub-alb"},
                {"Key": "deletion_protection.enabled", "Value": "false"},
                {"Key": "idle_timeout.timeout_seconds", "Value": "60"},
                {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
            ]
        },
        "listeners": {"listeners": [{"port": 80, "listener_arn": "arn:listener/80"}]},
    }


def test_the_first_read_names_the_layer_and_the_validation_sources_by_scheme():
    public = {
        read["name"]: read for read in alb_sync.layer_reads(NAMES, "vpc-1", "public", TAGS, "internet-facing", True)
    }
    assert set(public) == {"subnets", "security_groups", "target_groups", "load_balancer", "nat_gateways", "caller"}
    assert public["target_groups"]["params"] == {"Names": ["stub-b", "stub-g"]}
    assert "TargetGroupNotFound" in public["target_groups"]["missing"]
    assert "LoadBalancerNotFound" in public["load_balancer"]["missing"]
    assert {"Name": "state", "Values": ["available"]} in public["nat_gateways"]["params"]["Filter"]
    assert public["caller"]["operation"] == "GetCallerIdentity"
    internal = {read["name"] for read in alb_sync.layer_reads(NAMES, "vpc-1", "app", TAGS, "internal", False)}
    assert internal == {"subnets", "security_groups", "target_groups", "load_balancer", "app_subnets"}


def test_the_second_read_follows_what_the_first_found():
    assert alb_sync.followup_reads(first_answers(False, False), "") == []
    names = [read["name"] for read in alb_sync.followup_reads(first_answers(), "logs")]
    assert names[:5] == ["tg_attributes_0", "tg_attributes_1", "elb_tags", "lb_attributes", "listeners"]
    assert set(names[5:]) == set(alb_sync.BUCKET_READS)
    tags = next(read for read in alb_sync.followup_reads(first_answers(), "") if read["name"] == "elb_tags")
    assert tags["params"]["ResourceArns"] == ["arn:tg/stub-b", "arn:tg/stub-g", LB_ARN]
    bucket = next(
        read for read in alb_sync.followup_reads(first_answers(False, False), "logs") if read["name"] == "bucket_policy"
    )
    assert bucket["params"] == {"Bucket": "logs"} and bucket["missing"] == ["NoSuchBucket", "NoSuchBucketPolicy"]


def test_the_records_have_the_info_modules_shapes():
    answers = {**first_answers(), **second_answers()}
    groups = alb_sync.target_group_records(answers)
    assert groups[0]["deregistration_delay_timeout_seconds"] == "30" and groups[0]["tags"] == {"Name": "stub-b"}
    assert groups[1]["deregistration_delay_timeout_seconds"] == "10" and groups[1]["tags"] == {}
    balancer = alb_sync.load_balancer_record(answers)
    assert balancer["idle_timeout_timeout_seconds"] == "60"
    assert balancer["listeners"] == [{"port": 80, "listener_arn": "arn:listener/80"}]
    assert balancer["tags"]["ProductionListenerPort"] == "80"
    assert alb_sync.load_balancer_record(first_answers(balancer=False)) == {}


def test_the_bucket_record_is_s3_bucket_info_s_and_empty_when_missing():
    assert alb_sync.bucket_record({fact: None for fact in alb_sync.BUCKET_READS}, "logs") == {}
    record = alb_sync.bucket_record({"bucket_tagging": {"TagSet": [{"Key": "Name", "Value": "logs"}]}}, "logs")
    assert record["name"] == "logs" and record["bucket_tagging"] == {"Name": "logs"} and record["bucket_policy"] is None


WANTED = {
    "subnets": ["subnet-b", "subnet-a"],
    "security_groups": ["sg-1"],
    "idle_timeout": "60",
    "deletion_protection": False,
    "access_logs": True,
    "bucket": "logs",
    "prefix": "stub-alb",
    "tags": {"Name": "stub-alb", "ProductionListenerPort": "80"},
    "listener_plan": {"listeners": [], "purge": False},
}


def balancer(**changes):
    record = alb_sync.load_balancer_record({**first_answers(), **second_answers()})
    record.update(changes)
    return record


def test_a_converged_balancer_is_in_sync():
    assert alb_sync.load_balancer_in_sync(balancer(), WANTED)
    assert alb_sync.load_balancer_in_sync(balancer(tags={**WANTED["tags"], "aws:x": "y"}), WANTED)


@pytest.mark.parametrize(
    "changes, wanted",
    [
        ({"availability_zones": [{"subnet_id": "subnet-a"}]}, {}),
        ({"security_groups": ["sg-2"]}, {}),
        ({"idle_timeout_timeout_seconds": "61"}, {}),
        ({"deletion_protection_enabled": "true"}, {}),
        ({"access_logs_s3_enabled": "false"}, {}),
        ({"access_logs_s3_bucket": "other"}, {}),
        ({"access_logs_s3_prefix": "other"}, {}),
        ({"routing_http_drop_invalid_header_fields_enabled": "false"}, {}),
        ({"tags": {"Name": "stub-alb"}}, {}),
        ({"tags": {**WANTED["tags"], "Extra": "x"}}, {}),
        ({}, {"listener_plan": {"listeners": [{"Port": 8080}], "purge": False}}),
        ({}, {"listener_plan": {"listeners": [], "purge": True}}),
        ({}, {"listener_plan": None}),
    ],
    ids=[
        "subnets",
        "security-groups",
        "idle-timeout",
        "deletion-protection",
        "logs-off",
        "logs-bucket",
        "logs-prefix",
        "drop-invalid-headers",
        "tag-missing",
        "tag-extra",
        "listener-to-send",
        "listener-to-purge",
        "no-plan",
    ],
)
def test_each_managed_difference_writes_the_balancer(changes, wanted):
    assert not alb_sync.load_balancer_in_sync(balancer(**changes), {**WANTED, **wanted})


def test_a_missing_balancer_writes():
    assert not alb_sync.load_balancer_in_sync({}, WANTED)
