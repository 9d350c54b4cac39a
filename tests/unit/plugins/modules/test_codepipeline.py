# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import copy
import datetime

from ansible_collections.bluegreen.ecs.plugins.modules import codepipeline as module
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

NAME = "prd-web-pipeline"
ARN = f"arn:aws:codepipeline:us-east-1:{ACCOUNT}:{NAME}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/prd-web-pipeline-role"

# Task input: snake_case keys, YAML booleans in configuration.
STAGES = [
    {
        "name": "Source",
        "actions": [
            {
                "name": "Source",
                "action_type_id": {"category": "Source", "owner": "ThirdParty", "provider": "GitHub", "version": "1"},
                "configuration": {
                    "Owner": "example",
                    "Repo": "web",
                    "Branch": "main",
                    "OAuthToken": "ghp_secret",
                    "PollForSourceChanges": False,
                },
                "output_artifacts": [{"name": "SourceArtifact"}],
            }
        ],
    },
    {
        "name": "Deploy",
        "actions": [
            {
                "name": "Deploy",
                "action_type_id": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeployToECS", "version": "1"},
                "configuration": {"ApplicationName": "prd-web", "DeploymentGroupName": "prd-web-dg"},
                "input_artifacts": [{"name": "SourceArtifact"}],
                "run_order": 1,
            }
        ],
    },
]
ARGS = {"name": NAME, "role_arn": ROLE, "artifact_store": {"location": "prd-web-artifacts"}, "stages": STAGES}

# What CreatePipeline must receive.
DECLARATION = {
    "name": NAME,
    "roleArn": ROLE,
    "artifactStore": {"type": "S3", "location": "prd-web-artifacts"},
    "stages": [
        {
            "name": "Source",
            "actions": [
                {
                    "name": "Source",
                    "actionTypeId": {"category": "Source", "owner": "ThirdParty", "provider": "GitHub", "version": "1"},
                    "configuration": {
                        "Owner": "example",
                        "Repo": "web",
                        "Branch": "main",
                        "OAuthToken": "ghp_secret",
                        "PollForSourceChanges": "false",
                    },
                    "outputArtifacts": [{"name": "SourceArtifact"}],
                }
            ],
        },
        {
            "name": "Deploy",
            "actions": [
                {
                    "name": "Deploy",
                    "actionTypeId": {
                        "category": "Deploy",
                        "owner": "AWS",
                        "provider": "CodeDeployToECS",
                        "version": "1",
                    },
                    "configuration": {"ApplicationName": "prd-web", "DeploymentGroupName": "prd-web-dg"},
                    "inputArtifacts": [{"name": "SourceArtifact"}],
                    "runOrder": 1,
                }
            ],
        },
    ],
}


def live(version=3, **changes):
    """GetPipeline as AWS answers for DECLARATION: version, metadata, defaults, masked token."""
    pipeline = copy.deepcopy(DECLARATION)
    source = pipeline["stages"][0]["actions"][0]
    source["configuration"]["OAuthToken"] = "****"
    source.update(runOrder=1, inputArtifacts=[])
    pipeline["stages"][1]["actions"][0]["outputArtifacts"] = []
    pipeline.update(version=version, pipelineType="V1", executionMode="SUPERSEDED")
    pipeline.update(changes)
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    return {"pipeline": pipeline, "metadata": {"pipelineArn": ARN, "created": now, "updated": now}}


def missing(stubs):
    stubs.codepipeline.add_client_error("get_pipeline", "PipelineNotFoundException", expected_params={"name": NAME})


def found(stubs, answer=None):
    stubs.codepipeline.add_response("get_pipeline", answer or live(), {"name": NAME})


def test_create_sends_the_api_shape(capsys):
    stubs = AwsStubs("codepipeline")
    missing(stubs)
    stubs.codepipeline.add_response(
        "create_pipeline",
        {"pipeline": DECLARATION, "tags": [{"key": "Environment", "value": "prd"}]},
        {"pipeline": DECLARATION, "tags": [{"key": "Environment", "value": "prd"}]},
    )
    found(stubs, live(version=1))
    failed, result = run_module(module, dict(ARGS, tags={"Environment": "prd"}), stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["pipeline"]["version"] == 1
    assert result["pipeline"]["metadata"]["pipeline_arn"] == ARN
    assert result["pipeline"]["tags"] == {"Environment": "prd"}
    # configuration keys are data: kept as AWS spells them
    assert result["pipeline"]["stages"][1]["actions"][0]["configuration"]["DeploymentGroupName"] == "prd-web-dg"
    # the secret never shows in the diff
    assert result["diff"]["after"]["stages"][0]["actions"][0]["configuration"]["OAuthToken"] == "****"


def test_unchanged_pipeline_makes_no_update_call(capsys):
    stubs = AwsStubs("codepipeline")
    found(stubs)
    stubs.codepipeline.add_response(
        "list_tags_for_resource", {"tags": [{"key": "Environment", "value": "prd"}]}, {"resourceArn": ARN}
    )
    failed, result = run_module(module, dict(ARGS, tags={"Environment": "prd"}), stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is False
    assert result["pipeline"]["version"] == 3
    assert result["diff"]["before"] == result["diff"]["after"]
    assert "changed_paths" not in result


def test_camel_case_input_is_the_same_pipeline(capsys):
    stubs = AwsStubs("codepipeline")
    found(stubs)
    args = dict(ARGS, stages=DECLARATION["stages"], artifact_store={"type": "S3", "location": "prd-web-artifacts"})
    failed, result = run_module(module, args, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False


def test_update_keeps_live_version_and_unset_fields(capsys):
    stubs = AwsStubs("codepipeline")
    found(stubs, live(pipelineType="V2", executionMode="QUEUED", variables=[{"name": "ENV", "defaultValue": "prd"}]))
    stages = copy.deepcopy(STAGES)
    stages[1]["actions"][0]["configuration"]["DeploymentGroupName"] = "prd-web-dg2"
    update = copy.deepcopy(DECLARATION)
    update["stages"][1]["actions"][0]["configuration"]["DeploymentGroupName"] = "prd-web-dg2"
    update.update(
        version=3, pipelineType="V2", executionMode="QUEUED", variables=[{"name": "ENV", "defaultValue": "prd"}]
    )
    stubs.codepipeline.add_response("update_pipeline", {"pipeline": update}, {"pipeline": update})
    found(stubs, live(version=4))
    failed, result = run_module(module, dict(ARGS, stages=stages), stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["changed_paths"] == ["stages[Deploy].actions[Deploy].configuration.DeploymentGroupName"]
    assert result["pipeline"]["version"] == 4


def test_check_mode_update_makes_no_write_call(capsys):
    stubs = AwsStubs("codepipeline")
    found(stubs)
    failed, result = run_module(module, dict(ARGS, pipeline_type="V2"), stubs, capsys, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["changed_paths"] == ["pipelineType"]
    assert result["diff"]["before"]["pipeline_type"] == "V1"
    assert result["diff"]["after"]["pipeline_type"] == "V2"


def test_check_mode_create_makes_no_write_call(capsys):
    stubs = AwsStubs("codepipeline")
    missing(stubs)
    failed, result = run_module(module, ARGS, stubs, capsys, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["before"] == {}
    assert result["pipeline"]["name"] == NAME


def test_tag_change_only(capsys):
    stubs = AwsStubs("codepipeline")
    found(stubs)
    stubs.codepipeline.add_response(
        "list_tags_for_resource",
        {"tags": [{"key": "Environment", "value": "stg"}, {"key": "Old", "value": "x"}]},
        {"resourceArn": ARN},
    )
    stubs.codepipeline.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": ["Old"]})
    stubs.codepipeline.add_response(
        "tag_resource", {}, {"resourceArn": ARN, "tags": [{"key": "Environment", "value": "prd"}]}
    )
    failed, result = run_module(module, dict(ARGS, tags={"Environment": "prd"}), stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["pipeline"]["tags"] == {"Environment": "prd"}


def test_delete(capsys):
    stubs = AwsStubs("codepipeline")
    found(stubs)
    stubs.codepipeline.add_response("delete_pipeline", {}, {"name": NAME})
    failed, result = run_module(module, {"name": NAME, "state": "absent"}, stubs, capsys, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["stages"][0]["actions"][0]["configuration"]["OAuthToken"] == "****"


def test_delete_missing_and_check_mode_make_no_write_call(capsys):
    stubs = AwsStubs("codepipeline")
    missing(stubs)
    failed, result = run_module(module, {"name": NAME, "state": "absent"}, stubs, capsys)
    assert not failed and result["changed"] is False

    stubs = AwsStubs("codepipeline")
    found(stubs)
    failed, result = run_module(module, {"name": NAME, "state": "absent"}, stubs, capsys, check_mode=True)
    assert not failed and result["changed"] is True


def test_bad_stages_fail_before_any_call(capsys):
    stubs = AwsStubs("codepipeline")
    failed, result = run_module(module, dict(ARGS, stages=STAGES[:1]), stubs, capsys)
    assert failed
    assert result["msg"] == "stages: a pipeline needs at least 2 stages, got 1"

    stages = copy.deepcopy(STAGES)
    del stages[1]["actions"][0]["action_type_id"]
    failed, result = run_module(module, dict(ARGS, stages=stages), stubs, capsys)
    assert failed
    assert result["msg"] == "stages[1].actions[0]: actionTypeId is required"


def test_v2_only_options_on_v1_are_refused(capsys):
    stubs = AwsStubs("codepipeline")
    failed, result = run_module(module, dict(ARGS, execution_mode="QUEUED"), stubs, capsys)
    assert failed
    assert "pipeline_type: V2" in result["msg"]


def test_required_with_state_present(capsys):
    failed, result = run_module(module, {"name": NAME}, AwsStubs("codepipeline"), capsys)
    assert failed
    assert "role_arn, artifact_store, stages" in result["msg"]
