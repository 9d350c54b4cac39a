# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ecs role's service discovery wiring (vars/main.yml): from the inventory's specs, the caller's DiscoverInstances
statement and egress to the callee's group, the callee's ingress from the caller's, rendered by Ansible's templar."""

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import normalize
from tests.unit.roles.test_ecs_database_vars import HTTPS, render

BASE = {"cpu": 256, "memory": 512, "health_check_path": "/health"}
INVENTORY = {
    "web": {**BASE, "port": 8000, "calls": ["api"]},
    "api": {**BASE, "port": 9000, "discovery": True},
}
API = naming.service_names("prd", "demo", "api")
WEB = naming.service_names("prd", "demo", "web")


def render_for(host, names):
    service = {
        "spec": normalize(INVENTORY[host], host),
        "names": naming.service_names("prd", "demo", host),
        "platform": naming.platform_names("prd", "demo"),
        "tags": {},
        "platform_tags": {},
    }
    return render(
        names,
        _common_service=service,
        groups={"services": sorted(INVENTORY)},
        hostvars={host: {"bluegreen_service": spec} for host, spec in INVENTORY.items()},
    )


def test_the_caller_may_discover_its_callee_and_reach_its_group_on_its_port():
    found = render_for(
        "web", ["_ecs_task_statements", "_ecs_service_egress", "_ecs_discovery_rules", "_ecs_discovery_used"]
    )
    [statement] = found["_ecs_task_statements"]
    assert statement["Action"] == "servicediscovery:DiscoverInstances"
    assert statement["Condition"]["StringEquals"] == {
        "servicediscovery:NamespaceName": "prd.demo.internal",
        "servicediscovery:ServiceName": ["api"],
    }
    assert found["_ecs_service_egress"][0] == HTTPS
    [egress] = found["_ecs_service_egress"][1:]
    assert (egress["group_name"], egress["ports"]) == (API["service_security_group"], [9000])
    assert found["_ecs_discovery_rules"]["ingress"] == []
    assert found["_ecs_discovery_used"] is True


def test_the_callee_admits_the_caller_and_discovers_nothing():
    found = render_for("api", ["_ecs_task_statements", "_ecs_service_egress", "_ecs_discovery_rules"])
    assert found["_ecs_task_statements"] == []
    assert found["_ecs_service_egress"] == [HTTPS]
    [ingress] = found["_ecs_discovery_rules"]["ingress"]
    assert (ingress["group_name"], ingress["ports"]) == (WEB["service_security_group"], [9000])
