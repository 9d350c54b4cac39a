# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# (Named *_utils so its basename differs from tests/unit/plugins/modules/test_codepipeline.py: plain pytest
# without __init__.py files cannot collect two test modules of the same name.)

import copy

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import codepipeline as cp


def action(name="Build", **extra):
    result = {
        "name": name,
        "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
        "configuration": {"ProjectName": "prd-web-build"},
        "inputArtifacts": [{"name": "Src"}],
        "outputArtifacts": [{"name": "Out"}],
    }
    result.update(extra)
    return result


def declaration(**extra):
    result = {
        "name": "p",
        "roleArn": "arn:aws:iam::1:role/r",
        "artifactStore": {"type": "S3", "location": "bucket"},
        "stages": [
            {"name": "Source", "actions": [action("Source")]},
            {"name": "Build", "actions": [action("Build")]},
        ],
    }
    result.update(extra)
    return result


def test_snake_case_becomes_api_shape_but_configuration_keys_stay():
    stages = [
        {
            "name": "Deploy",
            "actions": [
                {
                    "name": "Deploy",
                    "action_type_id": {
                        "category": "Deploy",
                        "owner": "AWS",
                        "provider": "CodeDeployToECS",
                        "version": 1,
                    },
                    "run_order": 2,
                    "input_artifacts": [{"name": "Out"}],
                    "configuration": {
                        "Image1ContainerName": "IMAGE1_NAME",
                        "some_key": "v",
                        "DetectChanges": False,
                        "N": 3,
                    },
                    "on_failure": None,
                }
            ],
            "on_failure": {"result": "ROLLBACK", "retry_configuration": {"retry_mode": "FAILED_ACTIONS"}},
        }
    ]
    assert cp.to_api_shape(stages) == [
        {
            "name": "Deploy",
            "actions": [
                {
                    "name": "Deploy",
                    "actionTypeId": {"category": "Deploy", "owner": "AWS", "provider": "CodeDeployToECS", "version": 1},
                    "runOrder": 2,
                    "inputArtifacts": [{"name": "Out"}],
                    "configuration": {
                        "Image1ContainerName": "IMAGE1_NAME",
                        "some_key": "v",
                        "DetectChanges": "false",
                        "N": "3",
                    },
                }
            ],
            "onFailure": {"result": "ROLLBACK", "retryConfiguration": {"retryMode": "FAILED_ACTIONS"}},
        }
    ]


def test_artifact_stores_keep_region_keys():
    shape = cp.to_api_shape(
        {"artifact_stores": {"eu_west_1": {"type": "S3", "encryption_key": {"id": "k", "type": "KMS"}}}}
    )
    assert shape == {"artifactStores": {"eu_west_1": {"type": "S3", "encryptionKey": {"id": "k", "type": "KMS"}}}}


def test_snake_shape_for_return_values_leaves_configuration_alone():
    assert cp.to_snake_shape({"stages": [{"actions": [action()]}], "pipelineType": "V2"}) == {
        "stages": [
            {
                "actions": [
                    {
                        "name": "Build",
                        "action_type_id": {
                            "category": "Build",
                            "owner": "AWS",
                            "provider": "CodeBuild",
                            "version": "1",
                        },
                        "configuration": {"ProjectName": "prd-web-build"},
                        "input_artifacts": [{"name": "Src"}],
                        "output_artifacts": [{"name": "Out"}],
                    }
                ]
            }
        ],
        "pipeline_type": "V2",
    }


def test_build_declaration_sends_only_what_is_set():
    params = {
        "name": "p",
        "role_arn": "r",
        "artifact_store": {"type": "S3", "location": "b", "encryption_key": None},
        "stages": [],
        "pipeline_type": "V2",
        "execution_mode": None,
        "variables": [{"name": "ENV", "default_value": "prd", "description": None}],
        "triggers": None,
    }
    assert cp.build_declaration(params) == {
        "name": "p",
        "roleArn": "r",
        "artifactStore": {"type": "S3", "location": "b"},
        "stages": [],
        "pipelineType": "V2",
        "variables": [{"name": "ENV", "defaultValue": "prd"}],
    }


def test_valid_declaration_passes():
    cp.validate_declaration(declaration())
    cp.validate_declaration(declaration(pipelineType="V2", executionMode="PARALLEL", variables=[{"name": "A"}]))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["stages"].pop(), "stages: a pipeline needs at least 2 stages, got 1"),
        (lambda d: d["stages"][1].update(name="Source"), "stages[1]: stage name 'Source' is used twice"),
        (
            lambda d: d["stages"][1]["actions"].append(action("Build")),
            "stages[1].actions[1]: action name 'Build' is used twice",
        ),
        (lambda d: d["stages"][0]["actions"][0].pop("actionTypeId"), "stages[0].actions[0]: actionTypeId is required"),
        (
            lambda d: d["stages"][0]["actions"][0]["actionTypeId"].pop("provider"),
            "action_type_id: provider is required",
        ),
        (lambda d: d["stages"][0]["actions"][0].update(runOrder=1000), "stages[0].actions[0].run_order: 1000"),
        (lambda d: d["stages"][0].update(actions=[]), "stages[0]: actions is required"),
        (lambda d: d["artifactStore"].pop("location"), "artifact_store: location is required"),
        (lambda d: d.update(triggers=[{"providerType": "CodeStarSourceConnection"}]), "triggers: only V2 pipelines"),
        (lambda d: d.update(variables=[{"name": "A"}], pipelineType="V1"), "variables: only V2 pipelines"),
        (lambda d: d.update(executionMode="QUEUED"), "execution_mode: QUEUED needs pipeline_type: V2"),
    ],
)
def test_validation_errors_name_the_path(mutate, message):
    wanted = declaration()
    mutate(wanted)
    with pytest.raises(cp.PipelineError) as err:
        cp.validate_declaration(wanted)
    assert message in str(err.value)


def aws_view(wanted, version=7):
    """What GetPipeline returns: version, default runOrder, empty lists, masked secrets, default type/mode."""
    live = copy.deepcopy(wanted)
    live.update(version=version, pipelineType="V1", executionMode="SUPERSEDED")
    for stage in live["stages"]:
        for act in stage["actions"]:
            act.setdefault("runOrder", 1)
            act.setdefault("inputArtifacts", [])
            act.setdefault("outputArtifacts", [])
            act.setdefault("configuration", {})
            for key in act["configuration"]:
                if key == "OAuthToken":
                    act["configuration"][key] = "****"
    return live


def test_live_pipeline_with_aws_additions_compares_equal():
    source = action("Source", configuration={"Owner": "o", "OAuthToken": "ghp_x", "PollForSourceChanges": False})
    del source["inputArtifacts"]
    wanted = declaration(stages=[{"name": "Source", "actions": [source]}, {"name": "Build", "actions": [action()]}])
    before, after = cp.compare_pipeline(cp.to_api_shape(wanted), aws_view(cp.to_api_shape(wanted)))
    assert before == after


def test_version_bump_alone_is_no_change():
    wanted = declaration()
    assert cp.compare_pipeline(wanted, aws_view(wanted, 1)) == cp.compare_pipeline(wanted, aws_view(wanted, 99))
    before, after = cp.compare_pipeline(wanted, aws_view(wanted, 99))
    assert before == after


@pytest.mark.parametrize(
    "mutate, path",
    [
        (
            lambda d: d["stages"][1]["actions"][0]["configuration"].update(ProjectName="other"),
            "stages[Build].actions[Build].configuration.ProjectName",
        ),
        (lambda d: d["stages"][1]["actions"][0].update(runOrder=2), "stages[Build].actions[Build].runOrder"),
        (lambda d: d.update(roleArn="arn:aws:iam::1:role/other"), "roleArn"),
        (lambda d: d["artifactStore"].update(encryptionKey={"id": "k", "type": "KMS"}), "artifactStore.encryptionKey"),
        (lambda d: d["stages"].reverse(), "stages"),
    ],
)
def test_real_differences_are_seen_and_located(mutate, path):
    wanted = declaration()
    live = aws_view(wanted)
    mutate(live)
    before, after = cp.compare_pipeline(wanted, live)
    assert before != after
    assert cp.changed_paths(before, after) == [path]


def test_optional_fields_compared_only_when_set():
    wanted = declaration()
    live = aws_view(wanted)
    live.update(pipelineType="V2", executionMode="QUEUED", triggers=[{"providerType": "CodeStarSourceConnection"}])
    before, after = cp.compare_pipeline(wanted, live)
    assert before == after
    before, after = cp.compare_pipeline(declaration(pipelineType="V2", executionMode="PARALLEL"), live)
    assert cp.changed_paths(before, after) == ["executionMode"]


def test_masked_secret_differs_only_if_the_key_is_gone():
    wanted = declaration()
    wanted["stages"][0]["actions"][0]["configuration"] = {"OAuthToken": "ghp_new"}
    live = aws_view(wanted)
    assert live["stages"][0]["actions"][0]["configuration"]["OAuthToken"] == "****"
    before, after = cp.compare_pipeline(wanted, live)
    assert before == after
    wanted["stages"][0]["actions"][0]["configuration"] = {}
    before, after = cp.compare_pipeline(wanted, live)
    assert before != after


def test_missing_pipeline_compares_as_empty():
    assert cp.compare_pipeline(declaration(), None)[0] == {}


def test_update_declaration_carries_live_version_and_unset_optional_fields():
    wanted = declaration(executionMode="SUPERSEDED")
    live = aws_view(wanted, version=5)
    live.update(pipelineType="V2", variables=[{"name": "A"}])
    update = cp.update_declaration(wanted, live)
    assert update["version"] == 5
    assert update["pipelineType"] == "V2"
    assert update["variables"] == [{"name": "A"}]
    assert update["executionMode"] == "SUPERSEDED"
    assert "version" not in wanted


def test_mask_secrets_for_output():
    wanted = declaration()
    wanted["stages"][0]["actions"][0]["configuration"] = {"OAuthToken": "ghp", "WebhookSecret": "s", "Owner": "o"}
    masked = cp.mask_secrets(wanted)
    assert masked["stages"][0]["actions"][0]["configuration"] == {
        "OAuthToken": "****",
        "WebhookSecret": "****",
        "Owner": "o",
    }
    assert wanted["stages"][0]["actions"][0]["configuration"]["OAuthToken"] == "ghp"


@pytest.mark.parametrize(
    "architecture, expected",
    [
        ("X86_64", {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0"}),
        ("ARM64", {"type": "ARM_CONTAINER", "image": "aws/codebuild/amazonlinux-aarch64-standard:3.0"}),
    ],
)
def test_build_environment_follows_the_architecture(architecture, expected):
    assert cp.build_environment(architecture) == expected
    assert cp.build_environment(architecture, "") == expected
    assert cp.curated_image_architecture(expected["image"]) == architecture


def test_build_environment_keeps_an_image_of_the_right_architecture():
    ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com/builder:arm"
    assert cp.build_environment("ARM64", ecr) == {"type": "ARM_CONTAINER", "image": ecr}
    assert cp.build_environment("ARM64", "aws/codebuild/amazonlinux2-aarch64-standard:3.0")["type"] == "ARM_CONTAINER"
    assert cp.build_environment("X86_64", "aws/codebuild/amazonlinux-x86_64-standard:5.0") == {
        "type": "LINUX_CONTAINER",
        "image": "aws/codebuild/amazonlinux-x86_64-standard:5.0",
    }


@pytest.mark.parametrize(
    "architecture, image, other",
    [
        ("ARM64", "aws/codebuild/standard:7.0", "X86_64"),
        ("ARM64", "aws/codebuild/amazonlinux2-x86_64-standard:5.0", "X86_64"),
        ("X86_64", "aws/codebuild/amazonlinux-aarch64-standard:3.0", "ARM64"),
    ],
)
def test_build_environment_refuses_a_curated_image_of_the_other_architecture(architecture, image, other):
    with pytest.raises(cp.PipelineError) as err:
        cp.build_environment(architecture, image)
    message = str(err.value)
    assert message.startswith("pipeline_build_image: ")
    assert f"for {other}" in message and cp.BUILD_ENVIRONMENTS[architecture]["image"] in message


def test_build_environment_refuses_an_unknown_architecture():
    with pytest.raises(cp.PipelineError, match=r"bluegreen_service.architecture: 'arm'; allowed ARM64, X86_64"):
        cp.build_environment("arm")


@pytest.mark.parametrize("image", ["python:3.12", "aws/codebuild/windows-base:2019-3.0", "", None])
def test_architecture_of_other_images_is_unknown(image):
    assert cp.curated_image_architecture(image) is None
