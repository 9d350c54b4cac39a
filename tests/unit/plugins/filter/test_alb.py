import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.filter.alb import FilterModule

FILTER = FilterModule().filters()


def test_every_alb_filter_is_exposed():
    assert sorted(FILTER) == [
        "alb_cidr_errors",
        "alb_listener_plan",
        "alb_logs_bucket",
        "alb_port_errors",
        "alb_target_group_plan",
    ]


def test_the_listener_plan_takes_the_live_listeners_as_input():
    plan = FILTER["alb_listener_plan"](
        [],
        {"blue": "b", "green": "g"},
        {"https": False, "http_port": 80, "test_http_port": 8080, "https_port": 443, "test_https_port": 8443},
    )
    assert [listener["Port"] for listener in plan["listeners"]] == [80, 8080]


def test_a_bad_argument_is_a_filter_error_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match="^alb_listener_plan: target_groups"):
        FILTER["alb_listener_plan"]([], {}, {"https": False})


def test_cidr_errors_take_the_cidrs_as_input_and_the_variable_as_argument():
    assert FILTER["alb_cidr_errors"](["10.0.0.1/24"], "alb_ingress_cidrs") == [
        "alb_ingress_cidrs: 10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?"
    ]


def test_a_too_long_log_bucket_is_a_filter_error_naming_the_variable():
    with pytest.raises(AnsibleFilterError, match="^alb_logs_bucket: alb_access_logs_bucket: "):
        FILTER["alb_logs_bucket"]("prd", "demo", "checkout-service-x", "123456789012", "ap-southeast-3")
