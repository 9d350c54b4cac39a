# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import discovery_wiring as wiring
from ansible_collections.bluegreen.ecs.plugins.module_utils.naming import service_names
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import SpecError

BASE = {"cpu": 256, "memory": 512, "health_check_path": "/health"}
INVENTORY = {
    "web": {**BASE, "port": 8000, "calls": ["api"]},
    "api": {**BASE, "port": 9000, "discovery": True},
    "worker": {**BASE, "port": 7000},
}
API = service_names("prd", "demo", "api")
WEB = service_names("prd", "demo", "web")


def specs():
    return wiring.inventory_specs(INVENTORY)


def spec(name):
    return next(s for s in specs() if s["name"] == name)


def test_inventory_specs_are_normalized_by_host():
    assert [s["name"] for s in specs()] == ["api", "web", "worker"]
    assert spec("api")["discovery"] == {"ttl": 10}


def test_inventory_specs_fail_naming_the_field():
    with pytest.raises(SpecError, match="calls"):
        wiring.inventory_specs({"web": {**BASE, "port": 8000, "calls": "api"}})


def test_the_caller_reaches_the_callee_group_by_name_on_the_callee_port():
    rules = wiring.security_group_rules(spec("web"), specs(), "prd", "demo")
    assert rules["ingress"] == []
    assert rules["egress"] == [
        {
            "proto": "tcp",
            "ports": [9000],
            "group_name": API["service_security_group"],
            "group_desc": f"{API['service']} tasks: 9000/tcp from the load balancer only; HTTPS out",
            "rule_desc": "Service discovery: web calls api",
        }
    ]


def test_the_callee_admits_its_callers_only():
    rules = wiring.security_group_rules(spec("api"), specs(), "prd", "demo")
    assert rules["egress"] == []
    assert [(r["group_name"], r["ports"]) for r in rules["ingress"]] == [(WEB["service_security_group"], [9000])]
    assert rules["ingress"][0]["group_desc"] == wiring.security_group_description(WEB["service"], 8000)


def test_a_service_outside_discovery_gets_no_rules():
    assert wiring.security_group_rules(spec("worker"), specs(), "prd", "demo") == {"ingress": [], "egress": []}
