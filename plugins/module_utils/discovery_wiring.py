# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service discovery across the inventory, for the ecs role: every service host's spec, and the security group rules
between a service and its discovery peers (its callees and, when it declares discovery, its callers).

The rules name the peer's group by name (amazon.aws.ec2_security_group ``group_name``) with the description the peer's
own run gives it (``group_desc``): when the peer's group does not exist yet, the module creates it in the same VPC, and
the peer's run adopts it (same name) and sets its tags and rules. So the first run of a caller and its callee ends
with both sides' rules in place, in either order and with ``--limit`` (roles/ecs/README.md, "Service discovery").
"""

from __future__ import annotations

from . import discovery, naming
from .service_spec import normalize


def inventory_specs(services):
    """The normalized spec of each service host: ``services`` maps a host to its ``bluegreen_service``."""
    return [normalize(spec, host) for host, spec in sorted((services or {}).items())]


def security_group_description(service, port):
    """A service's security group description (the ecs role creates the group with it; AWS cannot change it)."""
    return f"{service} tasks: {port}/tcp from the load balancer only; HTTPS out"


def _by_name(rules, peers):
    """Rules whose target is a peer's group name (with its description, to create it when missing)."""
    found = []
    for rule in rules:
        peer = peers[rule.pop("group_id")]
        found.append({**rule, "group_name": peer["group_name"], "group_desc": peer["group_desc"]})
    return found


def security_group_rules(spec, specs, env, project):
    """``{"ingress": [...], "egress": [...]}``: the callee's port from each caller, the caller's egress to each callee."""
    by_name = {s["name"]: s for s in specs}
    peers = {}
    for name, peer in by_name.items():
        names = naming.service_names(env, project, name)
        peers[name] = {
            "group_name": names["service_security_group"],
            "group_desc": security_group_description(names["service"], peer["port"]),
            "port": peer["port"],
        }
    callers = {name: name for name in discovery.callers_of(spec["name"], specs)}
    callees = {
        name: {"port": peers[name]["port"], "group_id": name} for name in spec.get("calls") or [] if name in peers
    }
    return {
        "ingress": _by_name(discovery.ingress_rules(spec, callers), peers),
        "egress": _by_name(discovery.egress_rules(spec, callees), peers),
    }
