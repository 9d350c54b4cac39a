# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.bluegreen.ecs.plugins.modules import ecr_tag
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

ARN = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/prd-web"
TAGS = {"Environment": "prd", "Application": "web"}


def live(stubs, tags):
    stubs.ecr.add_response(
        "describe_repositories",
        {"repositories": [{"repositoryArn": ARN, "repositoryName": "prd-web"}]},
        {"repositoryNames": ["prd-web"]},
    )
    stubs.ecr.add_response(
        "list_tags_for_resource", {"tags": [{"Key": k, "Value": v} for k, v in tags.items()]}, {"resourceArn": ARN}
    )


def test_converged_repository_makes_no_write_call(capsys):
    stubs = AwsStubs("ecr")
    live(stubs, TAGS)
    failed, result = run_module(ecr_tag, {"repository": "prd-web", "tags": TAGS, "purge_tags": True}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["tags"] == TAGS


def test_purge_removes_foreign_tags_and_sets_missing_ones(capsys):
    stubs = AwsStubs("ecr")
    live(stubs, {"Environment": "stg", "Owner": "someone"})
    stubs.ecr.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": ["Owner"]})
    stubs.ecr.add_response(
        "tag_resource",
        {},
        {"resourceArn": ARN, "tags": [{"Key": "Application", "Value": "web"}, {"Key": "Environment", "Value": "prd"}]},
    )
    failed, result = run_module(ecr_tag, {"repository": "prd-web", "tags": TAGS, "purge_tags": True}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["tags"] == TAGS
    assert result["removed_tags"] == ["Owner"]


def test_without_purge_foreign_tags_stay(capsys):
    stubs = AwsStubs("ecr")
    live(stubs, dict(TAGS, Owner="someone"))
    failed, result = run_module(ecr_tag, {"repository": "prd-web", "tags": TAGS}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["tags"]["Owner"] == "someone"


def test_check_mode_reports_without_writing(capsys):
    stubs = AwsStubs("ecr")
    live(stubs, {})
    failed, result = run_module(ecr_tag, {"repository": "prd-web", "tags": TAGS}, stubs, capsys, check_mode=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["added_tags"] == TAGS


def test_missing_repository_fails_naming_it(capsys):
    stubs = AwsStubs("ecr")
    stubs.ecr.add_client_error("describe_repositories", "RepositoryNotFoundException")
    failed, result = run_module(ecr_tag, {"repository": "prd-web", "tags": TAGS}, stubs, capsys)
    assert failed
    assert "prd-web does not exist" in result["msg"]
