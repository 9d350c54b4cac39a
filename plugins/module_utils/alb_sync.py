# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of the alb role's target group writers a converged service still needs (issue 15, converge time).

Both groups are read with one elb_target_group_info call; the writer (community.aws.elb_target_group) runs only for a
group that is missing or differs in something it manages. When in doubt the answer is "write": the writer keeps its
own comparison. Plain functions, exposed as filters (plugins/filter/alb_sync.py)."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import listener_plan

# ELBv2 reserves the aws: tag prefix (ELB User Guide, "Tag your target group"); elb_target_group leaves them alone.
_RESERVED_TAG_PREFIX = "aws:"


def target_groups_by_name(groups, names):
    """One ``{item: name, target_groups: [...]}`` per name, the shape of a loop of elb_target_group_info over
    ``names`` (what listener_plan.target_group_plan reads), from one call that named them all. That call returns
    nothing when any name is missing (TargetGroupNotFound): then every group reads as missing."""
    by_name = {group.get("target_group_name"): group for group in groups or []}
    return [{"item": name, "target_groups": [by_name[name]] if name in by_name else []} for name in names]


def _tags_equal(live, wanted):
    own = {key: value for key, value in (live or {}).items() if not str(key).startswith(_RESERVED_TAG_PREFIX)}
    return own == {str(key): str(value) for key, value in (wanted or {}).items()}


def target_group_in_sync(group, wanted, port, vpc_id, tags):
    """elb_target_group (IP targets, HTTP on ``port`` in ``vpc_id``, HTTP health check on the traffic port, the
    ``wanted`` settings of listener_plan.target_group_plan, exactly ``tags``) would change nothing on ``group``."""
    return (
        group is not None
        and group.get("target_type") == "ip"
        and group.get("protocol") == "HTTP"
        and int(group.get("port") or 0) == int(port)
        and group.get("vpc_id") == vpc_id
        and group.get("health_check_protocol") == "HTTP"
        and str(group.get("health_check_port")) == "traffic-port"
        and group.get("health_check_enabled", True) is not False
        and not listener_plan.target_group_plan([{"item": "", "target_groups": [group]}], wanted)[0]["differs"]
        and _tags_equal(group.get("tags"), tags)
    )


def target_groups_to_write(plan, wanted, port, vpc_id, tags):
    """The names in ``plan`` (listener_plan.target_group_plan) whose group is missing or differs; each group's
    tags are ``tags`` with its Name."""
    return [
        entry["name"]
        for entry in plan
        if not target_group_in_sync(entry["group"], wanted, port, vpc_id, dict(tags, Name=entry["name"]))
    ]


def target_group_arns(plan, results):
    """``{name: arn}``: the writer's where it ran (loop ``results`` over names), the plan's otherwise ('' when none)."""
    written = {
        result["item"]: result.get("target_group_arn", "")
        for result in results or []
        if not result.get("skipped") and result.get("target_group_arn")
    }
    return {entry["name"]: written.get(entry["name"], entry["arn"]) for entry in plan}
