import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import validation_wiring as vw

GOOD = {
    "codedeploy_validation_path": "/version",
    "codedeploy_validation_expected_status": 200,
    "codedeploy_validation_body_pattern": '"version":\\s*"{image_tag}"',
    "codedeploy_validation_attempts": 5,
    "codedeploy_validation_interval_seconds": 5,
    "codedeploy_validation_timeout_seconds": 10,
}


def test_good_settings_have_no_errors():
    assert vw.settings_errors(GOOD) == []


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("codedeploy_validation_path", "version", ["codedeploy_validation_path", "starting with '/'"]),
        ("codedeploy_validation_expected_status", 99, ["codedeploy_validation_expected_status", "100 to 599"]),
        ("codedeploy_validation_attempts", 0, ["codedeploy_validation_attempts", "from 1 to 100"]),
        ("codedeploy_validation_attempts", "x", ["codedeploy_validation_attempts", "whole number"]),
        ("codedeploy_validation_interval_seconds", -1, ["codedeploy_validation_interval_seconds", "0 to 300"]),
        ("codedeploy_validation_timeout_seconds", 61, ["codedeploy_validation_timeout_seconds", "1 to 60"]),
        ("codedeploy_validation_body_pattern", "(", ["codedeploy_validation_body_pattern", "regular expression"]),
    ],
)
def test_each_bad_setting_is_named_with_what_is_allowed(name, value, words):
    errors = vw.settings_errors(dict(GOOD, **{name: value}))
    assert len(errors) == 1
    assert all(word in errors[0] for word in words)


def test_settings_that_outlast_lambdas_limit_are_refused():
    settings = dict(GOOD, codedeploy_validation_attempts=20, codedeploy_validation_timeout_seconds=60)
    (error,) = vw.settings_errors(settings)
    assert "900 s" in error and "codedeploy_validation_attempts" in error


def test_lambda_timeout_has_room_for_every_attempt():
    assert vw.lambda_timeout(5, 5, 10) == 5 * 10 + 4 * 5 + vw.LAMBDA_MARGIN_SECONDS


def test_internet_facing_admits_the_nat_gateways_public_addresses():
    plan = vw.test_ingress("internet-facing", ["203.0.113.7", "198.51.100.9"], ["10.70.10.0/24"], ["192.0.2.0/24"])
    assert plan["cidrs"] == ["192.0.2.0/24", "198.51.100.9/32", "203.0.113.7/32"]
    assert plan["sources"]["203.0.113.7/32"].startswith("NAT gateway")
    assert "10.70.10.0/24" not in plan["cidrs"]  # private sources never reach a public balancer
    assert plan["warning"] == ""


def test_internal_admits_the_app_subnets():
    plan = vw.test_ingress("internal", ["203.0.113.7"], ["10.70.11.0/24", "10.70.10.0/24"])
    assert plan["cidrs"] == ["10.70.10.0/24", "10.70.11.0/24"]


def test_no_nat_gateway_warns_that_validation_cannot_reach_the_listener():
    plan = vw.test_ingress("internet-facing", [], [], ["192.0.2.0/24"])
    assert plan["cidrs"] == ["192.0.2.0/24"]
    assert "no NAT gateway" in plan["warning"]


@pytest.mark.parametrize("world", ["0.0.0.0/0", "::/0"])
def test_the_world_is_refused_naming_the_variable(world):
    with pytest.raises(vw.IngressError, match="alb_test_ingress_cidrs.*world"):
        vw.test_ingress("internal", [], ["10.70.10.0/24"], [world])


def test_a_bad_cidr_is_refused_naming_the_variable():
    with pytest.raises(vw.IngressError, match="alb_test_ingress_cidrs"):
        vw.test_ingress("internal", [], [], ["10.70.0.1/16"])
