# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.bluegreen.ecs.plugins.modules import ecs_cluster_settings
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prd-demo-cluster"
TAGS = {"Environment": "prd", "Project": "demo"}


def cluster(insights="disabled", tags=None, status="ACTIVE"):
    return {
        "clusterArn": ARN,
        "clusterName": "prd-demo-cluster",
        "status": status,
        "settings": [{"name": "containerInsights", "value": insights}],
        "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()],
    }


def describe(stubs, *clusters):
    stubs.ecs.add_response(
        "describe_clusters",
        {"clusters": list(clusters), "failures": []},
        {"clusters": ["prd-demo-cluster"], "include": ["SETTINGS", "TAGS"]},
    )


ARGS = {"cluster": "prd-demo-cluster", "container_insights": "enabled", "tags": TAGS, "purge_tags": True}


def test_converged_cluster_makes_no_write_call(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, cluster("enabled", TAGS))
    failed, result = run_module(ecs_cluster_settings, ARGS, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert result["tags"] == TAGS


def test_sets_insights_and_tags(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, cluster("disabled", {"Owner": "someone"}))
    stubs.ecs.add_response(
        "update_cluster",
        {"cluster": cluster("enabled")},
        {"cluster": ARN, "settings": [{"name": "containerInsights", "value": "enabled"}]},
    )
    stubs.ecs.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": ["Owner"]})
    stubs.ecs.add_response(
        "tag_resource",
        {},
        {"resourceArn": ARN, "tags": [{"key": "Environment", "value": "prd"}, {"key": "Project", "value": "demo"}]},
    )
    failed, result = run_module(ecs_cluster_settings, ARGS, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert result["tags"] == TAGS


def test_check_mode_reports_without_writing(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, cluster("disabled", TAGS))
    failed, result = run_module(ecs_cluster_settings, ARGS, stubs, capsys, check_mode=True)
    assert not failed, result
    assert result["changed"] is True


def test_missing_cluster_is_a_change_in_check_mode_and_an_error_otherwise(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, cluster(status="INACTIVE"))
    failed, result = run_module(ecs_cluster_settings, ARGS, stubs, capsys, check_mode=True)
    assert not failed, result
    assert result["changed"] is True

    stubs = AwsStubs("ecs")
    describe(stubs)
    failed, result = run_module(ecs_cluster_settings, ARGS, stubs, capsys)
    assert failed
    assert "prd-demo-cluster does not exist" in result["msg"]


def test_unset_options_are_left_alone(capsys):
    stubs = AwsStubs("ecs")
    describe(stubs, cluster("enhanced", {"Owner": "someone"}))
    failed, result = run_module(ecs_cluster_settings, {"cluster": "prd-demo-cluster"}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["tags"] == {"Owner": "someone"}
