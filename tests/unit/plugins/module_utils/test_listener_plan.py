import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import listener_plan
from ansible_collections.bluegreen.ecs.plugins.module_utils.listener_plan import plan_listeners

BLUE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/1"
GREEN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/2"
OTHER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/other/3"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/new"
POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
GROUPS = {"blue": BLUE, "green": GREEN}
PORTS = {"http_port": 80, "test_http_port": 8080, "https_port": 443, "test_https_port": 8443}
HTTP = {"https": False, "ssl_policy": POLICY, "certificate_arn": "", **PORTS}
HTTPS = {"https": True, "ssl_policy": POLICY, "certificate_arn": CERT, **PORTS}


def live(port, action, protocol="HTTP", policy=None, cert=None):
    listener = {"port": port, "protocol": protocol, "default_actions": [action]}
    if protocol == "HTTPS":
        listener.update(ssl_policy=policy or POLICY, certificates=[{"certificate_arn": cert or CERT}])
    return listener


def forward(arn):
    # DescribeListeners returns a plain forward with both TargetGroupArn and a one-group ForwardConfig.
    return {
        "type": "forward",
        "target_group_arn": arn,
        "forward_config": {"target_groups": [{"target_group_arn": arn, "weight": 1}]},
    }


def weighted(*pairs):
    return {
        "type": "forward",
        "forward_config": {"target_groups": [{"target_group_arn": arn, "weight": weight} for arn, weight in pairs]},
    }


def sent(plan):
    return {listener["Port"]: listener for listener in plan["listeners"]}


def action_of(listener):
    return listener["DefaultActions"][0]


def test_no_live_load_balancer_gets_production_on_blue_and_test_on_green():
    plan = plan_listeners([], GROUPS, HTTP)
    assert plan == {
        "listeners": [
            {"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": BLUE}]},
            {"Port": 8080, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": GREEN}]},
        ],
        "purge": False,
        "stale": [],
        "keep": {},
    }


def test_live_listeners_on_our_groups_are_not_sent_again():
    plan = plan_listeners([live(80, forward(BLUE)), live(8080, forward(GREEN))], GROUPS, HTTP)
    assert plan["listeners"] == []
    assert plan["purge"] is False
    assert plan["keep"]["prod"] == {"port": 80, "primary": BLUE, "action": {"Type": "forward", "TargetGroupArn": BLUE}}


def test_swapped_target_groups_after_a_release_are_kept():
    plan = plan_listeners([live(80, forward(GREEN)), live(8080, forward(BLUE))], GROUPS, HTTP)
    assert plan["listeners"] == []
    assert plan["keep"]["prod"]["primary"] == GREEN
    assert plan["keep"]["test"]["primary"] == BLUE


def test_a_missing_test_listener_serves_the_group_production_does_not():
    plan = plan_listeners([live(80, forward(GREEN))], GROUPS, HTTP)
    assert [listener["Port"] for listener in plan["listeners"]] == [8080]
    assert action_of(sent(plan)[8080]) == {"Type": "forward", "TargetGroupArn": BLUE}


def test_a_codedeploy_weighted_forward_is_kept_with_its_weights():
    plan = plan_listeners([live(80, weighted((BLUE, 10), (GREEN, 90))), live(8080, forward(GREEN))], GROUPS, HTTP)
    assert plan["listeners"] == []
    assert plan["keep"]["prod"]["primary"] == GREEN
    assert plan["keep"]["prod"]["action"] == {
        "Type": "forward",
        "ForwardConfig": {
            "TargetGroups": [{"TargetGroupArn": BLUE, "Weight": 10}, {"TargetGroupArn": GREEN, "Weight": 90}]
        },
    }


def test_a_weighted_forward_without_weights_counts_each_as_one_and_the_first_is_primary_on_a_tie():
    action = {
        "type": "forward",
        "forward_config": {"target_groups": [{"target_group_arn": GREEN}, {"target_group_arn": BLUE, "weight": None}]},
    }
    plan = plan_listeners([live(80, action)], GROUPS, HTTP)
    assert plan["keep"]["prod"]["primary"] == GREEN
    assert [group["Weight"] for group in plan["keep"]["prod"]["action"]["ForwardConfig"]["TargetGroups"]] == [1, 1]
    # The fresh test listener serves the group production's primary does not.
    assert action_of(sent(plan)[8080]) == {"Type": "forward", "TargetGroupArn": BLUE}


@pytest.mark.parametrize(
    "action",
    [
        forward(OTHER),
        weighted((BLUE, 50), (OTHER, 50)),
        {"type": "fixed-response", "fixed_response_config": {"status_code": "503"}},
        {"type": "forward"},
    ],
    ids=["foreign group", "weighted with a foreign group", "not a forward", "forward without groups"],
)
def test_a_listener_not_forwarding_only_to_our_groups_is_replaced(action):
    plan = plan_listeners([live(80, action), live(8080, forward(GREEN))], GROUPS, HTTP)
    assert [listener["Port"] for listener in plan["listeners"]] == [80]
    assert action_of(sent(plan)[80]) == {"Type": "forward", "TargetGroupArn": BLUE}
    assert "prod" not in plan["keep"]


def test_a_listener_without_actions_is_replaced():
    plan = plan_listeners([{"port": 80, "protocol": "HTTP"}], GROUPS, HTTP)
    assert action_of(sent(plan)[80]) == {"Type": "forward", "TargetGroupArn": BLUE}


def test_https_on_carries_the_live_forwards_to_the_https_ports_and_purges_the_old_test_port():
    plan = plan_listeners([live(80, forward(GREEN)), live(8080, forward(BLUE))], GROUPS, HTTPS)
    assert plan["purge"] is True
    assert plan["stale"] == [8080]
    listeners = sent(plan)
    assert sorted(listeners) == [80, 443, 8443]
    assert listeners[443] == {
        "Port": 443,
        "Protocol": "HTTPS",
        "SslPolicy": POLICY,
        "Certificates": [{"CertificateArn": CERT}],
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": GREEN}],
    }
    assert action_of(listeners[8443]) == {"Type": "forward", "TargetGroupArn": BLUE}
    assert listeners[80] == {
        "Port": 80,
        "Protocol": "HTTP",
        "DefaultActions": [
            {
                "Type": "redirect",
                "RedirectConfig": {
                    "Protocol": "HTTPS",
                    "Port": "443",
                    "Host": "#{host}",
                    "Path": "/#{path}",
                    "Query": "#{query}",
                    "StatusCode": "HTTP_301",
                },
            }
        ],
    }


def test_https_converged_sends_only_the_redirect():
    listeners = [live(443, forward(BLUE), "HTTPS"), live(8443, forward(GREEN), "HTTPS"), live(80, {"type": "redirect"})]
    plan = plan_listeners(listeners, GROUPS, HTTPS)
    # The redirect is never a kept forward: elb_application_lb compares it and reports no change.
    assert [listener["Port"] for listener in plan["listeners"]] == [80]
    assert plan["purge"] is False


@pytest.mark.parametrize(
    "field", [{"policy": "ELBSecurityPolicy-2016-08"}, {"cert": "arn:aws:acm:us-east-1:123456789012:certificate/old"}]
)
def test_a_tls_change_sends_the_listener_with_its_live_forward(field):
    listeners = [
        live(443, weighted((BLUE, 0), (GREEN, 100)), "HTTPS", **field),
        live(8443, forward(BLUE), "HTTPS"),
        live(80, {"type": "redirect"}),
    ]
    plan = plan_listeners(listeners, GROUPS, HTTPS)
    assert sorted(sent(plan)) == [80, 443]
    assert sent(plan)[443]["SslPolicy"] == POLICY
    assert sent(plan)[443]["Certificates"] == [{"CertificateArn": CERT}]
    assert action_of(sent(plan)[443])["ForwardConfig"]["TargetGroups"] == [
        {"TargetGroupArn": BLUE, "Weight": 0},
        {"TargetGroupArn": GREEN, "Weight": 100},
    ]


def test_https_off_carries_the_forwards_back_and_drops_the_https_ports():
    listeners = [live(443, forward(GREEN), "HTTPS"), live(8443, forward(BLUE), "HTTPS"), live(80, {"type": "redirect"})]
    plan = plan_listeners(listeners, GROUPS, HTTP)
    assert plan["purge"] is True
    assert sorted(plan["stale"]) == [443, 8443]
    assert sent(plan) == {
        80: {"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": GREEN}]},
        8080: {"Port": 8080, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": BLUE}]},
    }


def test_a_protocol_change_on_a_kept_port_sends_the_listener():
    plan = plan_listeners([live(80, forward(BLUE), "HTTPS"), live(8080, forward(GREEN))], GROUPS, HTTP)
    assert [listener["Port"] for listener in plan["listeners"]] == [80]
    assert sent(plan)[80]["Protocol"] == "HTTP"


def test_a_new_test_port_gets_a_fresh_listener_and_the_old_one_is_purged():
    plan = plan_listeners(
        [live(80, forward(BLUE)), live(8080, forward(GREEN))], GROUPS, {**HTTP, "test_http_port": 9090}
    )
    assert plan["purge"] is True
    assert plan["stale"] == [8080]
    assert sent(plan) == {
        80: {"Port": 80, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": BLUE}]},
        9090: {"Port": 9090, "Protocol": "HTTP", "DefaultActions": [{"Type": "forward", "TargetGroupArn": GREEN}]},
    }


def test_ports_given_as_strings_are_numbers():
    layout = {**HTTP, "http_port": "80", "test_http_port": "8080"}
    assert plan_listeners([live(80, forward(BLUE)), live("8080", forward(GREEN))], GROUPS, layout)["listeners"] == []


def test_an_unknown_controller_is_refused():
    with pytest.raises(listener_plan.PlanError, match="controller: 'EXTERNAL' is not one of CODE_DEPLOY, ECS"):
        plan_listeners([], GROUPS, HTTP, controller="EXTERNAL")


# -- the ECS-native controller (weights on the listeners' default rules) ------------------------------------------


def pair(primary, idle):
    groups = [{"TargetGroupArn": primary, "Weight": 100}, {"TargetGroupArn": idle, "Weight": 0}]
    return {"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}


def with_default_rule(listener, action):
    """A listener as elb_application_lb_info returns it with include_listener_rules: its default rule's actions."""
    return {
        **listener,
        "rules": [{"is_default": False, "actions": [forward(OTHER)]}, {"is_default": True, "actions": [action]}],
    }


def test_ecs_fresh_listeners_name_both_groups_production_on_blue_test_on_green():
    plan = plan_listeners([], GROUPS, HTTP, controller="ECS")
    assert [action_of(listener) for listener in plan["listeners"]] == [pair(BLUE, GREEN), pair(GREEN, BLUE)]
    assert plan["keep"] == {}


def test_ecs_weights_in_flight_are_kept_and_nothing_is_sent():
    listeners = [live(80, weighted((BLUE, 90), (GREEN, 10))), live(8080, weighted((BLUE, 0), (GREEN, 100)))]
    plan = plan_listeners(listeners, GROUPS, HTTP, controller="ECS")
    assert plan["listeners"] == []
    assert plan["keep"]["prod"]["primary"] == BLUE
    assert plan["keep"]["test"]["primary"] == GREEN
    assert plan["keep"]["prod"]["action"]["ForwardConfig"]["TargetGroups"] == [
        {"TargetGroupArn": BLUE, "Weight": 90},
        {"TargetGroupArn": GREEN, "Weight": 10},
    ]


def test_ecs_after_a_release_production_on_green_is_kept_and_a_missing_test_listener_serves_blue():
    plan = plan_listeners([live(80, weighted((BLUE, 0), (GREEN, 100)))], GROUPS, HTTP, controller="ECS")
    assert [listener["Port"] for listener in plan["listeners"]] == [8080]
    assert action_of(sent(plan)[8080]) == pair(BLUE, GREEN)


def test_ecs_reads_the_default_rule_when_the_rules_are_given():
    listener = with_default_rule(live(80, forward(OTHER)), weighted((BLUE, 0), (GREEN, 100)))
    plan = plan_listeners([listener, live(8080, forward(GREEN))], GROUPS, HTTP, controller="ECS")
    assert plan["listeners"] == []
    assert plan["keep"]["prod"]["primary"] == GREEN


def test_ecs_keeps_a_plain_forward_left_by_codedeploy_before_a_migration():
    plan = plan_listeners([live(80, forward(GREEN)), live(8080, forward(BLUE))], GROUPS, HTTP, controller="ECS")
    assert plan["listeners"] == []
    assert plan["keep"]["prod"]["action"] == {"Type": "forward", "TargetGroupArn": GREEN}


def test_ecs_replaces_a_listener_forwarding_elsewhere_with_the_pair():
    plan = plan_listeners([live(80, forward(OTHER)), live(8080, forward(GREEN))], GROUPS, HTTP, controller="ECS")
    assert [listener["Port"] for listener in plan["listeners"]] == [80]
    assert action_of(sent(plan)[80]) == pair(BLUE, GREEN)


def test_ecs_https_on_carries_the_weights_to_the_https_ports():
    listeners = [live(80, weighted((BLUE, 0), (GREEN, 100))), live(8080, weighted((BLUE, 100), (GREEN, 0)))]
    plan = plan_listeners(listeners, GROUPS, HTTPS, controller="ECS")
    assert plan["keep"]["prod"]["port"] == 80
    assert action_of(sent(plan)[443])["ForwardConfig"]["TargetGroups"][1] == {"TargetGroupArn": GREEN, "Weight": 100}
    assert plan["stale"] == [8080]


def test_both_target_groups_are_needed():
    with pytest.raises(listener_plan.PlanError, match="blue and green"):
        plan_listeners([], {"blue": BLUE, "green": ""}, HTTP)


@pytest.mark.parametrize(
    ("ports", "https", "expected"),
    [
        (PORTS, False, []),
        (PORTS, True, []),
        (
            {**PORTS, "alb_test_http_port": 80},
            False,
            ["alb_test_http_port: 80 is also alb_http_port; each listener needs its own port"],
        ),
        # Without HTTPS the HTTPS ports are not in use, so they may equal the HTTP ones.
        ({**PORTS, "alb_https_port": 80}, False, []),
        (
            {**PORTS, "alb_http_port": 443},
            True,
            ["alb_http_port: 443 is also alb_https_port; each listener needs its own port"],
        ),
        (
            {**PORTS, "alb_test_https_port": 443},
            True,
            ["alb_test_https_port: 443 is also alb_https_port; each listener needs its own port"],
        ),
        # With HTTPS the test HTTP port is not in use.
        ({**PORTS, "alb_test_http_port": 443}, True, []),
        ({**PORTS, "alb_https_port": 0}, False, ["alb_https_port: 0 is not a TCP port (allowed 1-65535)"]),
        ({**PORTS, "alb_http_port": 65536}, False, ["alb_http_port: 65536 is not a TCP port (allowed 1-65535)"]),
    ],
)
def test_port_errors(ports, https, expected):
    ports = {key if key.startswith("alb_") else f"alb_{key}": value for key, value in ports.items()}
    assert listener_plan.port_errors(ports, https) == expected


@pytest.mark.parametrize(
    ("cidrs", "expected"),
    [
        (["0.0.0.0/0", "203.0.113.0/24", "198.51.100.7/32"], []),
        ([], []),
        (None, []),
        (
            ["10.70.0.0/33"],
            ["alb_test_ingress_cidrs: 10.70.0.0/33 is not a valid IPv4 CIDR with a /0 to /32 prefix (the AWS limits)"],
        ),
        (
            ["256.0.0.0/8"],
            ["alb_test_ingress_cidrs: 256.0.0.0/8 is not a valid IPv4 CIDR with a /0 to /32 prefix (the AWS limits)"],
        ),
        (["10.0.0.0"], ["alb_test_ingress_cidrs: 10.0.0.0 is not an IPv4 CIDR such as 10.0.0.0/16"]),
        (["10.0.0.1/24"], ["alb_test_ingress_cidrs: 10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?"]),
    ],
)
def test_cidr_errors(cidrs, expected):
    assert listener_plan.cidr_errors("alb_test_ingress_cidrs", cidrs) == expected


WANTED = {
    "health_check_path": "/health",
    "interval": 15,
    "timeout": 5,
    "healthy_threshold": 2,
    "unhealthy_threshold": 3,
    "matcher": "200",
    "deregistration_delay": "30",
}
LIVE_GROUP = {
    "target_group_arn": BLUE,
    "health_check_path": "/health",
    "health_check_interval_seconds": 15,
    "health_check_timeout_seconds": 5,
    "healthy_threshold_count": 2,
    "unhealthy_threshold_count": 3,
    "matcher": {"http_code": "200"},
    "deregistration_delay_timeout_seconds": 30,
}


def test_target_group_plan_of_a_missing_and_a_matching_group():
    results = [{"item": "blue", "target_groups": [LIVE_GROUP]}, {"item": "green", "target_groups": []}]
    assert listener_plan.target_group_plan(results, WANTED) == [
        {"name": "blue", "group": LIVE_GROUP, "arn": BLUE, "differs": False},
        {"name": "green", "group": None, "arn": "", "differs": False},
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"health_check_path": "/"},
        {"health_check_interval_seconds": 30},
        {"health_check_timeout_seconds": 6},
        {"healthy_threshold_count": 3},
        {"unhealthy_threshold_count": 2},
        {"matcher": {"http_code": "200-299"}},
        {"deregistration_delay_timeout_seconds": 0},
    ],
)
def test_target_group_plan_notices_each_setting(change):
    results = [{"item": "blue", "target_groups": [{**LIVE_GROUP, **change}]}]
    assert listener_plan.target_group_plan(results, WANTED)[0]["differs"] is True
