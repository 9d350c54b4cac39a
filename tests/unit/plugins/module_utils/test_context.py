import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import context
from ansible_collections.bluegreen.ecs.plugins.module_utils.naming import NamingError
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import SpecError


def test_service_context_resolves_spec_names_and_tags_of_the_host():
    ctx = context.service_context({"port": 9000}, "api", "prd", "demo", {"Owner": "team"})
    assert ctx["spec"]["name"] == "api"
    assert ctx["spec"]["port"] == 9000
    assert ctx["names"]["alb"].startswith("prd-demo-api")
    assert ctx["platform"]["cluster"] == "prd-demo-cluster"
    assert ctx["tags"]["Application"] == "api"
    assert ctx["tags"]["Owner"] == "team"
    assert ctx["platform_tags"]["Application"] == "demo"


def test_vpc_filters_separate_projects_and_environments():
    ours = context.service_context({}, "web", "prd", "demo")["vpc_filters"]
    other = context.service_context({}, "web", "prd", "shop")["vpc_filters"]
    assert ours["tag:Project"] == "demo" and other["tag:Project"] == "shop"
    assert ours["tag:Environment"] == "prd"
    assert ours["tag:Name"] == "prd-demo-vpc"
    assert ours["tag:ManagedBy"] == "bluegreen.ecs"


def test_bad_spec_fails_naming_the_field():
    with pytest.raises(SpecError, match="cpu"):
        context.service_context({"cpu": 3}, "web", "prd", "demo")


def test_name_too_long_fails_naming_the_field():
    with pytest.raises(NamingError, match="bluegreen_service.name"):
        context.service_context({}, "a-very-long-service-name", "prd", "demo")


@pytest.mark.parametrize(
    ("arn", "partition"),
    [
        ("arn:aws:iam::123456789012:user/ci", "aws"),
        ("arn:aws-cn:sts::123456789012:assumed-role/r/s", "aws-cn"),
        ("arn:aws-us-gov:iam::123456789012:root", "aws-us-gov"),
    ],
)
def test_caller_context_reads_the_partition(arn, partition):
    assert context.caller_context(arn, 123456789012) == {"partition": partition, "account": "123456789012"}


def test_caller_context_refuses_what_is_not_an_arn():
    with pytest.raises(ValueError, match="not an ARN"):
        context.caller_context("123456789012", "123456789012")
