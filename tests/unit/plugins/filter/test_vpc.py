import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.filter.vpc import FilterModule

FILTER = FilterModule().filters()


def test_every_layout_filter_is_exposed():
    assert sorted(FILTER) == [
        "vpc_cidr_plan",
        "vpc_nat_count",
        "vpc_nat_per_az",
        "vpc_network_names",
        "vpc_subnet_ids",
        "vpc_subnet_plan",
    ]


def test_cidr_plan_takes_the_tiers_as_positional_arguments():
    result = FILTER["vpc_cidr_plan"]("10.70.0.0/16", 2, [], ["10.70.200.0/24", "10.70.201.0/24"], [])
    assert result["errors"] == []
    assert result["subnets"]["app"] == ["10.70.200.0/24", "10.70.201.0/24"]


def test_a_bad_argument_is_a_filter_error_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match="^vpc_nat_count: vpc_nat_gateway_mode: 'both'"):
        FILTER["vpc_nat_count"](2, "both")


def test_a_plan_without_the_tier_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="^vpc_subnet_plan: "):
        FILTER["vpc_subnet_plan"]({"public": []}, ["az-a"], "vpc")


def test_network_names_take_the_azs_and_endpoints_as_positional_arguments():
    names = FILTER["vpc_network_names"]("local-demo-vpc", ["az-a"], ["logs"])
    assert names["nat_gateways"] == ["local-demo-vpc-nat-az-a"]
    assert names["endpoints"]["logs"] == "local-demo-vpc-logs"


def test_a_network_name_too_long_is_a_filter_error_naming_the_variable():
    with pytest.raises(AnsibleFilterError, match="^vpc_network_names: bluegreen_project: .* at most 256"):
        FILTER["vpc_network_names"]("v" * 250, ["us-east-1a"])
