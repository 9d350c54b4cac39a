# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import copy

import pytest
from ansible._internal._datatag._tags import Origin

from ansible_collections.bluegreen.ecs.plugins.module_utils import codepipeline, pipeline_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.naming import service_names

NAMES = service_names("prd", "demo", "web", "123456789012", "us-east-1")
TAGS = {"Environment": "prd", "Project": "demo"}
PIPELINE_ARN = "arn:aws:codepipeline:us-east-1:123456789012:" + NAMES["pipeline"]


def test_reads_cover_the_layer_and_the_database_only_when_named():
    names = [read["name"] for read in pipeline_sync.layer_reads(NAMES, PIPELINE_ARN)]
    assert "db" not in names and len(names) == len(set(names))
    assert {"execution_role_role", "task_role_role", "bucket_versioning", "public_access_block", "project"} <= set(
        names
    )
    assert {"build_role", "build_policy", "pipeline_role", "pipeline_policy", "pipeline", "pipeline_tags"} <= set(names)
    reads = pipeline_sync.layer_reads(NAMES, PIPELINE_ARN, "prd-demo-app")
    db = next(read for read in reads if read["name"] == "db")
    assert db["params"] == {"DBInstanceIdentifier": "prd-demo-app"} and db["missing"] == ["DBInstanceNotFound"]
    assert all("NoSuchBucket" in read["missing"] for read in reads if read["service"] == "s3")


# -- the bucket ------------------------------------------------------------------------------------------------------


def test_bucket_record_has_the_shape_s3_sync_reads():
    answers = {
        "bucket_versioning": {"Status": "Enabled"},
        "bucket_encryption": {"ServerSideEncryptionConfiguration": {"Rules": []}},
        "bucket_lifecycle_configuration": None,
        "bucket_tagging": {"TagSet": [{"Key": "Project", "Value": "demo"}]},
    }
    record = pipeline_sync.bucket_record(answers)
    assert record["bucket_versioning"] == {"Status": "Enabled"}
    assert record["bucket_lifecycle_configuration"] == {}
    assert record["bucket_policy"] == {}
    assert record["bucket_tagging"] == {"Project": "demo"}


def test_a_missing_bucket_has_no_record():
    assert pipeline_sync.bucket_record({"bucket_versioning": None}) == {}
    assert pipeline_sync.bucket_record(None) == {}


# -- the build project -----------------------------------------------------------------------------------------------

PROJECT_PARAMS = {
    "description": "Builds web",
    "service_role": "arn:aws:iam::123456789012:role/build",
    "source": {"type": "CODEPIPELINE", "buildspec": "version: 0.2\n"},
    "artifacts": {"type": "CODEPIPELINE"},
    "environment": {
        "type": "LINUX_CONTAINER",
        "image": "aws/codebuild/standard:7.0",
        "compute_type": "BUILD_GENERAL1_SMALL",
        "image_pull_credentials_type": "CODEBUILD",
        "privileged_mode": True,
        "environment_variables": [],
    },
    "timeout_in_minutes": 20,
    "encryption_key": None,
}


def project(**change):
    """The project as BatchGetProjects answers it: AWS's defaults where the request left a field out."""
    live = {
        "name": NAMES["codebuild_project"],
        "description": "Builds web",
        "serviceRole": "arn:aws:iam::123456789012:role/build",
        "source": {"type": "CODEPIPELINE", "buildspec": "version: 0.2\n", "insecureSsl": False},
        # CodeBuild answers a name and packaging for CodePipeline artifacts, which it ignores.
        "artifacts": {
            "type": "CODEPIPELINE",
            "name": NAMES["codebuild_project"],
            "packaging": "NONE",
            "encryptionDisabled": False,
        },
        "environment": {
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
            "imagePullCredentialsType": "CODEBUILD",
            "privilegedMode": True,
            "environmentVariables": [],
        },
        "timeoutInMinutes": 20,
        "queuedTimeoutInMinutes": 480,
        "encryptionKey": "arn:aws:kms:us-east-1:123456789012:alias/aws/s3",
        "tags": [{"key": k, "value": v} for k, v in TAGS.items()],
    }
    live.update(change)
    return {"projects": [live], "projectsNotFound": []}


def test_converged_project_is_in_sync():
    assert pipeline_sync.codebuild_project_in_sync(project(), PROJECT_PARAMS, TAGS)


class LazyDict(dict):
    """Like ansible-core 2.19's lazy template dict: it cannot be built empty, as the dict transformations build it."""

    def __init__(self, contents):
        super().__init__(contents)


def test_template_output_is_compared_as_plain_data():
    tagged = Origin(path="/roles/pipeline/vars/main.yml").tag
    params = copy.deepcopy(PROJECT_PARAMS)
    params["environment"] = LazyDict({tagged(k): v for k, v in params["environment"].items()})
    assert pipeline_sync.codebuild_project_in_sync(project(), LazyDict(params), TAGS)


@pytest.mark.parametrize(
    "change",
    [
        {"description": "old"},
        {"serviceRole": "arn:aws:iam::123456789012:role/other"},
        {"source": {"type": "CODEPIPELINE", "buildspec": "version: 0.1\n"}},
        {"source": {"type": "CODEPIPELINE", "buildspec": "version: 0.2\n", "reportBuildStatus": True}},
        {"environment": dict(project()["projects"][0]["environment"], privilegedMode=False)},
        {"environment": dict(project()["projects"][0]["environment"], image="aws/codebuild/standard:6.0")},
        {"timeoutInMinutes": 60},
        {"artifacts": {"type": "S3", "name": NAMES["codebuild_project"], "packaging": "NONE"}},
        {"tags": [{"key": "Environment", "value": "prd"}]},
    ],
)
def test_project_differences_make_the_writer_run(change):
    assert not pipeline_sync.codebuild_project_in_sync(project(**change), PROJECT_PARAMS, TAGS)


def test_missing_project_a_new_key_or_an_option_it_cannot_compare_make_the_writer_run():
    assert not pipeline_sync.codebuild_project_in_sync({"projects": []}, PROJECT_PARAMS, TAGS)
    assert not pipeline_sync.codebuild_project_in_sync(project(), dict(PROJECT_PARAMS, encryption_key="arn:k"), TAGS)
    assert not pipeline_sync.codebuild_project_in_sync(project(), dict(PROJECT_PARAMS, cache={"type": "S3"}), TAGS)


# -- the pipeline ----------------------------------------------------------------------------------------------------

PIPELINE_PARAMS = {
    "name": NAMES["pipeline"],
    "role_arn": "arn:aws:iam::123456789012:role/pipeline",
    "artifact_store": {"type": "S3", "location": NAMES["artifact_bucket"]},
    "stages": [
        {
            "name": "Source",
            "actions": [
                {
                    "name": "Source",
                    "action_type_id": {
                        "category": "Source",
                        "owner": "AWS",
                        "provider": "CodeStarSourceConnection",
                        "version": "1",
                    },
                    "configuration": {"ConnectionArn": "arn:c", "FullRepositoryId": "o/r", "DetectChanges": "true"},
                    "output_artifacts": [{"name": "SourceArtifact"}],
                }
            ],
        },
        {
            "name": "Build",
            "actions": [
                {
                    "name": "Build",
                    "action_type_id": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                    "configuration": {"ProjectName": NAMES["codebuild_project"]},
                    "input_artifacts": [{"name": "SourceArtifact"}],
                }
            ],
        },
    ],
}


def pipeline_answers(**change):
    live = codepipeline.build_declaration(copy.deepcopy(PIPELINE_PARAMS))
    live["version"] = 3
    live.update(change)
    return {
        "pipeline": {"pipeline": live, "metadata": {"pipelineArn": PIPELINE_ARN}},
        "pipeline_tags": {"tags": [{"key": k, "value": v} for k, v in TAGS.items()]},
    }


def test_converged_pipeline_is_in_sync():
    assert pipeline_sync.pipeline_in_sync(pipeline_answers(), PIPELINE_PARAMS, TAGS)


@pytest.mark.parametrize(
    ("answers", "params"),
    [
        (pipeline_answers(roleArn="arn:aws:iam::123456789012:role/other"), PIPELINE_PARAMS),
        (
            pipeline_answers(),
            dict(PIPELINE_PARAMS, stages=PIPELINE_PARAMS["stages"][:1] * 2),
        ),  # invalid: module names it
        (pipeline_answers(), dict(PIPELINE_PARAMS, artifact_store={"type": "S3", "location": "other"})),
        (dict(pipeline_answers(), pipeline=None), PIPELINE_PARAMS),
        (dict(pipeline_answers(), pipeline_tags={"tags": []}), PIPELINE_PARAMS),
        (dict(pipeline_answers(), pipeline_tags=None), PIPELINE_PARAMS),
    ],
)
def test_pipeline_differences_make_the_writer_run(answers, params):
    assert not pipeline_sync.pipeline_in_sync(answers, params, TAGS)
