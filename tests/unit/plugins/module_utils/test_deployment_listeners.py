# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which listeners a deployment uses: by the alb role's port tags (once), then from the deployment group."""

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import deployment_listeners as dl

PROD = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/prod"
TEST = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/test"
LB = {
    "load_balancer_name": "prd-demo-web-alb",
    "tags": {"ProductionListenerPort": "80", "TestListenerPort": "8080"},
    "listeners": [
        {"port": 80, "protocol": "HTTP", "listener_arn": PROD},
        {"port": 8080, "protocol": "HTTPS", "listener_arn": TEST},
    ],
}


def _group(camel=True, prod=(PROD,), test=(TEST,)):
    pair = {"prodTrafficRoute": {"listenerArns": list(prod)}, "testTrafficRoute": {"listenerArns": list(test)}}
    group = {"deploymentGroupName": "prd-demo-web-dg", "loadBalancerInfo": {"targetGroupPairInfoList": [pair]}}
    if camel:
        return group
    return {
        "deployment_group_name": "prd-demo-web-dg",
        "load_balancer_info": {
            "target_group_pair_info_list": [
                {
                    "prod_traffic_route": {"listener_arns": list(prod)},
                    "test_traffic_route": {"listener_arns": list(test)},
                }
            ]
        },
    }


def test_tagged_listeners_by_port():
    assert dl.tagged_listeners(LB) == {"production": PROD, "test": TEST}


def test_no_load_balancer_gives_no_listeners():
    assert dl.tagged_listeners({}) == {"production": "", "test": ""}
    assert dl.tagged_listeners(None) == {"production": "", "test": ""}


def test_a_tag_without_its_listener_or_a_missing_tag_gives_an_empty_arn():
    lb = dict(LB, tags={"ProductionListenerPort": "80", "TestListenerPort": "9999"})
    assert dl.tagged_listeners(lb) == {"production": PROD, "test": ""}
    assert dl.tagged_listeners(dict(LB, tags={})) == {"production": "", "test": ""}


@pytest.mark.parametrize("camel", [True, False], ids=["GetDeploymentGroup", "module return"])
def test_group_names_both_listeners_in_either_case(camel):
    assert dl.group_listener_arn(_group(camel), "test") == TEST
    assert dl.group_listener_arn(_group(camel), "production") == PROD


@pytest.mark.parametrize("camel", [True, False])
def test_group_without_the_listener_is_an_error_naming_the_group_and_route(camel):
    with pytest.raises(dl.ListenerError, match="'prd-demo-web-dg' names no test listener.*testTrafficRoute"):
        dl.group_listener_arn(_group(camel, test=()), "test")


def test_group_without_load_balancer_info():
    with pytest.raises(dl.ListenerError, match="names no production listener"):
        dl.group_listener_arn({}, "production")


def test_unknown_route_is_refused():
    with pytest.raises(dl.ListenerError, match="route must be one of production, test"):
        dl.group_listener_arn(_group(), "blue")


def test_listener_by_arn():
    assert dl.listener_by_arn(LB, TEST)["port"] == 8080


def test_listener_the_load_balancer_does_not_have():
    with pytest.raises(dl.ListenerError, match="'prd-demo-web-alb' has no listener arn:.*/gone"):
        dl.listener_by_arn(LB, PROD + "/gone")
