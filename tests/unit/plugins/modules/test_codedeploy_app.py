# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import datetime

from ansible_collections.bluegreen.ecs.plugins.modules import codedeploy_app
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

ARN = f"arn:aws:codedeploy:us-east-1:{ACCOUNT}:application:prd-web"
TAGS = {"Environment": "prd", "Application": "web"}


def app(platform="ECS"):
    return {
        "application": {
            "applicationId": "5d2d4a0e-0000-0000-0000-000000000001",
            "applicationName": "prd-web",
            "createTime": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            "linkedToGitHub": False,
            "computePlatform": platform,
        }
    }


def missing(stubs):
    stubs.codedeploy.add_client_error(
        "get_application", "ApplicationDoesNotExistException", expected_params={"applicationName": "prd-web"}
    )


def live_tags(stubs, tags):
    stubs.codedeploy.add_response(
        "list_tags_for_resource",
        {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]},
        {"ResourceArn": ARN},
    )


def test_create_sends_platform_and_tags(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    missing(stubs)
    stubs.codedeploy.add_response(
        "create_application",
        {"applicationId": "id"},
        {
            "applicationName": "prd-web",
            "computePlatform": "ECS",
            "tags": [{"Key": "Application", "Value": "web"}, {"Key": "Environment", "Value": "prd"}],
        },
    )
    stubs.codedeploy.add_response("get_application", app(), {"applicationName": "prd-web"})
    failed, result = run_module(codedeploy_app, {"name": "prd-web", "tags": TAGS}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["application"]["application_name"] == "prd-web"
    assert result["application"]["compute_platform"] == "ECS"
    assert result["application"]["tags"] == TAGS


def test_converged_application_makes_no_write_call(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    stubs.codedeploy.add_response("get_application", app(), {"applicationName": "prd-web"})
    stubs.caller_identity()
    live_tags(stubs, TAGS)
    failed, result = run_module(codedeploy_app, {"name": "prd-web", "tags": TAGS}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["application"]["tags"] == TAGS


def test_without_tags_option_tags_are_not_read(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    stubs.codedeploy.add_response("get_application", app(), {"applicationName": "prd-web"})
    failed, result = run_module(codedeploy_app, {"name": "prd-web"}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert "tags" not in result["application"]


def test_update_tags_adds_and_purges(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    stubs.codedeploy.add_response("get_application", app(), {"applicationName": "prd-web"})
    stubs.caller_identity()
    live_tags(stubs, {"Environment": "stg", "Old": "x", "aws:cloudformation:stack-name": "s"})
    stubs.codedeploy.add_response("untag_resource", {}, {"ResourceArn": ARN, "TagKeys": ["Old"]})
    stubs.codedeploy.add_response(
        "tag_resource",
        {},
        {"ResourceArn": ARN, "Tags": [{"Key": "Application", "Value": "web"}, {"Key": "Environment", "Value": "prd"}]},
    )
    failed, result = run_module(codedeploy_app, {"name": "prd-web", "tags": TAGS}, stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["application"]["tags"] == dict(TAGS, **{"aws:cloudformation:stack-name": "s"})
    assert result["diff"]["before"]["tags"]["Environment"] == "stg"
    assert result["diff"]["after"]["tags"]["Environment"] == "prd"
    assert "Old" not in result["diff"]["after"]["tags"]


def test_purge_false_keeps_other_tags(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    stubs.codedeploy.add_response("get_application", app(), {"applicationName": "prd-web"})
    stubs.caller_identity()
    live_tags(stubs, dict(TAGS, Owner="team"))
    failed, result = run_module(codedeploy_app, {"name": "prd-web", "tags": TAGS, "purge_tags": False}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["application"]["tags"]["Owner"] == "team"


def test_check_mode_create_makes_no_write_call(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    missing(stubs)
    failed, result = run_module(
        codedeploy_app, {"name": "prd-web", "tags": TAGS}, stubs, capsys, check_mode=True, diff=True
    )
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"] == {
        "before": {},
        "after": {"application_name": "prd-web", "compute_platform": "ECS", "tags": TAGS},
    }


def test_check_mode_tag_change_makes_no_write_call(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    stubs.codedeploy.add_response("get_application", app(), {"applicationName": "prd-web"})
    stubs.caller_identity()
    live_tags(stubs, {})
    failed, result = run_module(codedeploy_app, {"name": "prd-web", "tags": TAGS}, stubs, capsys, check_mode=True)
    assert not failed, result
    assert result["changed"] is True


def test_other_compute_platform_fails_naming_the_live_one(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    stubs.codedeploy.add_response("get_application", app("Server"), {"applicationName": "prd-web"})
    failed, result = run_module(codedeploy_app, {"name": "prd-web"}, stubs, capsys)
    assert failed
    assert "compute platform Server" in result["msg"]
    assert "cannot change it to ECS" in result["msg"]


def test_delete(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    stubs.codedeploy.add_response("get_application", app(), {"applicationName": "prd-web"})
    stubs.codedeploy.add_response("delete_application", {}, {"applicationName": "prd-web"})
    failed, result = run_module(codedeploy_app, {"name": "prd-web", "state": "absent"}, stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["application_name"] == "prd-web"


def test_delete_missing_is_a_no_op(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    missing(stubs)
    failed, result = run_module(codedeploy_app, {"name": "prd-web", "state": "absent"}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False


def test_delete_in_check_mode_makes_no_write_call(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    stubs.codedeploy.add_response("get_application", app(), {"applicationName": "prd-web"})
    failed, result = run_module(codedeploy_app, {"name": "prd-web", "state": "absent"}, stubs, capsys, check_mode=True)
    assert not failed, result
    assert result["changed"] is True


def test_invalid_compute_platform_is_refused_before_any_call(capsys):
    stubs = AwsStubs("codedeploy", "sts")
    failed, result = run_module(codedeploy_app, {"name": "prd-web", "compute_platform": "Fargate"}, stubs, capsys)
    assert failed
    assert "compute_platform" in result["msg"]
