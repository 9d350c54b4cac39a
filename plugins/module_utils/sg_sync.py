# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether amazon.aws.ec2_security_group (purge_rules, purge_rules_egress and purge_tags on) would change a group the
roles read with DescribeSecurityGroups (issue 15, converge time).

The rules are expanded as the module expands them (one rule per port range and source) and compared with the
group's permissions, descriptions included (the module updates a rule whose description differs). Only the rule
forms the roles write are understood (tcp/udp ports, cidr_ip, group_id); any other form answers "write": the writer
keeps its own comparison. Inputs are snake_case (aws_batch_info ``snake: true`` or ec2_security_group_info).
Plain functions, exposed as filters (plugins/filter/sg_sync.py)."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync

_KNOWN_KEYS = {"proto", "ports", "from_port", "to_port", "cidr_ip", "group_id", "rule_desc"}
_PROTOCOLS = {"tcp": "tcp", "udp": "udp", "6": "tcp", "17": "udp"}


class UnknownRule(ValueError):
    """A rule form this module does not compare (the writer decides)."""


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _port_ranges(rule):
    if rule.get("from_port") is not None or rule.get("to_port") is not None:
        return [(int(rule["from_port"]), int(rule["to_port"]))]
    ranges = []
    for port in _as_list(rule.get("ports")):
        text = str(port).strip()
        low, _sep, high = text.partition("-")
        ends = sorted((int(low), int(high or low)))
        ranges.append((ends[0], ends[1]))
    return ranges


def expand(rules):
    """The set of ``(protocol, from, to, kind, source, description)`` the module makes of ``rules``; raises
    UnknownRule for a form it does not compare."""
    expanded = set()
    for rule in rules or []:
        rule = {key: value for key, value in rule.items() if value is not None}
        protocol = _PROTOCOLS.get(str(rule.get("proto", "")).lower())
        if set(rule) - _KNOWN_KEYS or protocol is None or ("ports" not in rule and "from_port" not in rule):
            raise UnknownRule(repr(rule))
        sources = [("cidr", cidr) for cidr in _as_list(rule.get("cidr_ip", []))]
        sources += [("group", group) for group in _as_list(rule.get("group_id", []))]
        if not sources:
            raise UnknownRule(repr(rule))
        for low, high in _port_ranges(rule):
            for kind, source in sources:
                expanded.add((protocol, low, high, kind, str(source), rule.get("rule_desc") or ""))
    return expanded


def permissions(ip_permissions):
    """The same tuples for a group's live permissions (snake_case); protocols other than tcp/udp stay as AWS names
    them, so they never equal a wanted rule."""
    live = set()
    for perm in ip_permissions or []:
        protocol = _PROTOCOLS.get(str(perm.get("ip_protocol")), str(perm.get("ip_protocol")))
        ports = (perm.get("from_port"), perm.get("to_port"))
        for cidr in perm.get("ip_ranges") or []:
            live.add((protocol, *ports, "cidr", cidr.get("cidr_ip"), cidr.get("description") or ""))
        for other in perm.get("ipv6_ranges") or []:
            live.add((protocol, *ports, "cidr6", other.get("cidr_ipv6"), other.get("description") or ""))
        for prefix in perm.get("prefix_list_ids") or []:
            live.add((protocol, *ports, "prefix", prefix.get("prefix_list_id"), prefix.get("description") or ""))
        for pair in perm.get("user_id_group_pairs") or []:
            live.add((protocol, *ports, "group", pair.get("group_id"), pair.get("description") or ""))
    return live


def find(groups, name, vpc_id):
    """The group called ``name`` in ``vpc_id`` among ``groups`` (a DescribeSecurityGroups answer's list), or None."""
    return next(
        (group for group in groups or [] if group.get("group_name") == name and group.get("vpc_id") == vpc_id),
        None,
    )


def security_group_in_sync(group, rules, rules_egress, tags):
    """ec2_security_group with ``rules``, ``rules_egress`` (both purged) and ``tags`` (purged) would change nothing on
    ``group`` (None when it does not exist). The group's description is set only on creation, so it is not compared."""
    if not group:
        return False
    try:
        wanted_in, wanted_out = expand(rules), expand(rules_egress)
    except (UnknownRule, ValueError, TypeError, KeyError):
        return False
    return (
        permissions(group.get("ip_permissions")) == wanted_in
        and permissions(group.get("ip_permissions_egress")) == wanted_out
        and tag_sync.in_sync(group.get("tags"), tags)
    )


def group_id(groups, name, vpc_id, result=None):
    """The group's ID: the writer's where it ran (``result``, its registered result), the read's otherwise; '' when
    neither has one (check mode, a group about to be created)."""
    if result and not result.get("skipped") and result.get("group_id"):
        return result["group_id"]
    return (find(groups, name, vpc_id) or {}).get("group_id", "")
