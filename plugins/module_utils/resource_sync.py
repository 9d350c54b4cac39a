# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether amazon.aws.cloudwatchlogs_log_group, ec2_security_group and lambda would change a resource read raw with
bluegreen.ecs.aws_batch_info (issue 15, converge time). Each compares exactly what its writer compares, with the
writer's defaults (purge_tags on, purge_rules and purge_rules_egress on); when in doubt the answer is "write": the
writer keeps its own comparison. Plain functions, exposed as filters (plugins/filter/resource_sync.py)."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync


def log_group_in_sync(groups_answer, tags_answer, name, retention, tags):
    """cloudwatchlogs_log_group (state present, ``retention`` days, purge_tags on) would change nothing: DescribeLogGroups
    (by prefix) finds ``name`` with that retention, and ListTagsLogGroup has exactly ``tags``."""
    found = [group for group in (groups_answer or {}).get("logGroups") or [] if group.get("logGroupName") == name]
    if not found or tags_answer is None:
        return False
    return found[0].get("retentionInDays") == int(retention) and tag_sync.in_sync(tags_answer.get("tags"), tags)


def security_group(groups_answer, name):
    """The security group called ``name`` in a DescribeSecurityGroups answer (raw), or {}."""
    return next((g for g in (groups_answer or {}).get("SecurityGroups") or [] if g.get("GroupName") == name), {})


def _wanted_rules(rules):
    """ec2_security_group rules (proto, ports as ints, cidr_ip or group_id, rule_desc) as comparable tuples; None when
    a rule uses anything else (port ranges, IPv6, prefix lists): then the writer decides."""
    flat = []
    for rule in rules or []:
        extra = set(rule) - {"proto", "ports", "cidr_ip", "group_id", "rule_desc"}
        target = ("cidr", rule["cidr_ip"]) if rule.get("cidr_ip") else ("group", rule.get("group_id"))
        if extra or not target[1] or "cidr_ip" in rule and "group_id" in rule:
            return None
        for port in rule.get("ports") or []:
            if isinstance(port, bool) or not str(port).isdigit():
                return None
            flat.append((str(rule["proto"]), int(port), int(port), *target, rule.get("rule_desc")))
    return sorted(flat, key=lambda rule: tuple(str(part) for part in rule))


def _live_rules(permissions):
    flat = []
    for permission in permissions or []:
        if permission.get("Ipv6Ranges") or permission.get("PrefixListIds"):
            return None
        head = (permission.get("IpProtocol"), permission.get("FromPort"), permission.get("ToPort"))
        flat += [(*head, "cidr", r.get("CidrIp"), r.get("Description")) for r in permission.get("IpRanges") or []]
        flat += [
            (*head, "group", p.get("GroupId"), p.get("Description")) for p in permission.get("UserIdGroupPairs") or []
        ]
    return sorted(flat, key=lambda rule: tuple(str(part) for part in rule))


def security_group_in_sync(groups_answer, name, description, egress, tags):
    """ec2_security_group (no ingress rules, exactly the ``egress`` rules, purge on, purge_tags on) would change
    nothing on the group ``name``: it exists with ``description``, no ingress rule, exactly those egress rules (each
    port a rule, descriptions included) and exactly ``tags``."""
    group = security_group(groups_answer, name)
    wanted = _wanted_rules(egress)
    return (
        bool(group)
        and wanted is not None
        and group.get("Description") == description
        and not group.get("IpPermissions")
        and _live_rules(group.get("IpPermissionsEgress")) == wanted
        and tag_sync.in_sync(group.get("Tags"), tags)
    )


def lambda_function_in_sync(function_answer, wanted, code_sha256):
    """amazon.aws.lambda (state present, zip_file, purge_tags on) would change nothing on the function GetFunction
    answered: the same ``wanted`` role, handler, description, timeout, memory_size, runtime, environment (dict),
    subnet_ids and security_group_ids (as sets), exactly ``tags``, and code whose CodeSha256 is ``code_sha256``."""
    config = (function_answer or {}).get("Configuration")
    if not config or not code_sha256:
        return False
    vpc = config.get("VpcConfig") or {}
    return (
        config.get("Role") == wanted["role"]
        and config.get("Handler") == wanted["handler"]
        and (not wanted.get("description") or config.get("Description") == wanted["description"])
        and config.get("Timeout") == int(wanted["timeout"])
        and config.get("MemorySize") == int(wanted["memory_size"])
        and config.get("Runtime") == wanted["runtime"]
        and (config.get("Environment") or {}).get("Variables", {}) == wanted["environment"]
        and sorted(vpc.get("SubnetIds") or []) == sorted(wanted["subnet_ids"])
        and sorted(vpc.get("SecurityGroupIds") or []) == sorted(wanted["security_group_ids"])
        and config.get("CodeSha256") == code_sha256
        and tag_sync.in_sync(function_answer.get("Tags"), wanted["tags"])
    )
