"""The alb role's target group check: the writer is skipped only when both groups already match."""

import pytest

from ansible_collections.bluegreen.ecs.plugins.filter import alb_sync as alb_sync_filters
from ansible_collections.bluegreen.ecs.plugins.filter.alb_sync import FilterModule
from ansible_collections.bluegreen.ecs.plugins.module_utils import alb_sync, listener_plan

TAGS = {"Environment": "stg", "Project": "p", "ManagedBy": "bluegreen.ecs"}
WANTED = {
    "health_check_path": "/health",
    "interval": 30,
    "timeout": 5,
    "healthy_threshold": 2,
    "unhealthy_threshold": 3,
    "matcher": "200",
    "deregistration_delay": 30,
}


def group(name, **changes):
    live = {
        "target_group_name": name,
        "target_group_arn": f"arn:tg/{name}",
        "target_type": "ip",
        "protocol": "HTTP",
        "port": 8080,
        "vpc_id": "vpc-1",
        "health_check_enabled": True,
        "health_check_protocol": "HTTP",
        "health_check_port": "traffic-port",
        "health_check_path": "/health",
        "health_check_interval_seconds": 30,
        "health_check_timeout_seconds": 5,
        "healthy_threshold_count": 2,
        "unhealthy_threshold_count": 3,
        "matcher": {"http_code": "200"},
        "deregistration_delay_timeout_seconds": "30",
        "tags": dict(TAGS, Name=name),
    }
    live.update(changes)
    return live


def plan(*groups, names=("blue", "green")):
    return listener_plan.target_group_plan(alb_sync.target_groups_by_name(list(groups), list(names)), WANTED)


def test_matching_groups_need_no_writer_and_keep_their_arns():
    converged = plan(group("blue"), group("green"))
    assert alb_sync.target_groups_to_write(converged, WANTED, 8080, "vpc-1", TAGS) == []
    assert alb_sync.target_group_arns(converged, []) == {"blue": "arn:tg/blue", "green": "arn:tg/green"}


def test_a_missing_group_reads_as_missing_and_the_writer_gives_its_arn():
    # One call naming both returns nothing when one is missing (TargetGroupNotFound): both are written.
    missing = plan()
    assert alb_sync.target_groups_to_write(missing, WANTED, 8080, "vpc-1", TAGS) == ["blue", "green"]
    results = [{"item": "blue", "target_group_arn": "arn:new/blue"}, {"item": "green", "skipped": True}]
    assert alb_sync.target_group_arns(missing, results) == {"blue": "arn:new/blue", "green": ""}


@pytest.mark.parametrize(
    "changes",
    [
        {"health_check_interval_seconds": 25},
        {"matcher": {"http_code": "200-299"}},
        {"port": 9090},
        {"vpc_id": "vpc-2"},
        {"health_check_port": "8081"},
        {"target_type": "instance"},
        {"tags": dict(TAGS)},
        {"tags": dict(TAGS, Name="green", Extra="x")},
    ],
    ids=["interval", "matcher", "port", "vpc", "health-port", "target-type", "no-name", "extra-tag"],
)
def test_a_group_differing_in_what_the_writer_manages_is_written(changes):
    drifted = plan(group("blue"), group("green", **changes))
    assert alb_sync.target_groups_to_write(drifted, WANTED, 8080, "vpc-1", TAGS) == ["green"]


def test_the_filters_are_exposed_and_name_themselves_on_bad_input():
    filters = FilterModule().filters()
    assert {"alb_target_groups_by_name", "alb_target_groups_to_write", "alb_target_group_arns"} <= set(filters)
    assert set(filters) == set(alb_sync_filters.FILTERS)
    with pytest.raises(Exception, match="^alb_target_group_arns: "):
        filters["alb_target_group_arns"]([{}], [])
