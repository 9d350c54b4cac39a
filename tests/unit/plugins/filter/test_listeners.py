# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The listener filters: the deployment group's listener, and its errors as Ansible filter errors."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.filter.listeners import FilterModule

FILTERS = FilterModule().filters()
TEST = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/test"
LB = {
    "load_balancer_name": "lb",
    "tags": {"TestListenerPort": "8080"},
    "listeners": [{"port": 8080, "protocol": "HTTP", "listener_arn": TEST}],
}
GROUP = {"load_balancer_info": {"target_group_pair_info_list": [{"test_traffic_route": {"listener_arns": [TEST]}}]}}


def test_deployment_group_listener_returns_the_listener():
    assert FILTERS["deployment_group_listener"](GROUP, "test", LB)["port"] == 8080


def test_deployment_group_listener_fails_as_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="names no production listener"):
        FILTERS["deployment_group_listener"](GROUP, "production", LB)


def test_tagged_listeners_filter():
    assert FILTERS["tagged_listeners"](LB) == {"production": "", "test": TEST}


def test_tagged_listener_returns_the_listener_on_the_tagged_port():
    assert FILTERS["tagged_listener"](LB, "test") == LB["listeners"][0]


@pytest.mark.parametrize(
    "route, message", [("production", "has no production listener on the port"), ("blue", "route must be one of")]
)
def test_tagged_listener_fails_as_a_filter_error(route, message):
    with pytest.raises(AnsibleFilterError, match=message):
        FILTERS["tagged_listener"](LB, route)
