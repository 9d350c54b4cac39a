"""CodeBuild patch: CODEPIPELINE sources, UpdateProject, full project documents (emulator/patches/codebuild.py)."""

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/codebuild"
ENVIRONMENT = {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"}
SOURCE = {"type": "CODEPIPELINE", "buildspec": "version: 0.2\nphases: {build: {commands: [make]}}\n"}


@pytest.fixture
def codebuild(aws):
    return aws("codebuild")


def _create(codebuild, **extra):
    return codebuild.create_project(
        name="build",
        source=SOURCE,
        artifacts={"type": "CODEPIPELINE"},
        environment={**ENVIRONMENT, "privilegedMode": True},
        serviceRole=ROLE,
        **extra,
    )["project"]


def test_codepipeline_source_needs_no_location(codebuild):
    project = _create(codebuild, timeoutInMinutes=20, tags=[{"key": "env", "value": "test"}])
    assert project["source"]["type"] == "CODEPIPELINE"
    assert "location" not in project["source"]


def test_batch_get_returns_what_was_set_with_aws_defaults(codebuild):
    _create(
        codebuild,
        encryptionKey="arn:aws:kms:us-east-1:123456789012:key/abc",
        logsConfig={"cloudWatchLogs": {"status": "ENABLED", "groupName": "/build"}},
        tags=[{"key": "env", "value": "test"}],
    )
    found = codebuild.batch_get_projects(names=["build", "missing"])
    assert found["projectsNotFound"] == ["missing"]
    project = found["projects"][0]
    assert project["source"]["buildspec"] == SOURCE["buildspec"]
    assert project["environment"]["privilegedMode"] is True
    assert project["environment"]["image"] == ENVIRONMENT["image"]
    assert project["artifacts"] == {
        "type": "CODEPIPELINE",
        "name": "build",
        "packaging": "NONE",
        "encryptionDisabled": False,
    }
    assert project["serviceRole"] == ROLE
    assert project["encryptionKey"] == "arn:aws:kms:us-east-1:123456789012:key/abc"
    assert project["logsConfig"]["cloudWatchLogs"] == {"status": "ENABLED", "groupName": "/build"}
    assert project["timeoutInMinutes"] == 60 and project["queuedTimeoutInMinutes"] == 480
    assert project["tags"] == [{"key": "env", "value": "test"}]
    assert "lastModified" in project and "created" in project


def test_update_project_changes_only_what_is_sent(codebuild):
    _create(codebuild)
    before = codebuild.batch_get_projects(names=["build"])["projects"][0]
    updated = codebuild.update_project(name="build", timeoutInMinutes=15, environment=ENVIRONMENT)["project"]
    assert updated["timeoutInMinutes"] == 15
    assert updated["environment"]["privilegedMode"] is False
    assert updated["source"] == before["source"]
    after = codebuild.batch_get_projects(names=["build"])["projects"][0]
    assert after["timeoutInMinutes"] == 15


def test_no_op_update_matches_batch_get(codebuild):
    """community.aws.codebuild_project compares the two (minus lastModified and tags) to decide 'changed'."""
    _create(codebuild)
    before = codebuild.batch_get_projects(names=["build"])["projects"][0]
    updated = codebuild.update_project(name="build", source=SOURCE, serviceRole=ROLE)["project"]
    for doc in (before, updated):
        doc.pop("lastModified")
    assert updated == before


def test_location_still_required_for_s3_sources(codebuild):
    with pytest.raises(ClientError) as err:
        codebuild.create_project(
            name="build",
            source={"type": "S3"},
            artifacts={"type": "NO_ARTIFACTS"},
            environment=ENVIRONMENT,
            serviceRole=ROLE,
        )
    assert err.value.response["Error"]["Code"] == "InvalidInputException"


def test_update_unknown_project(codebuild):
    with pytest.raises(ClientError) as err:
        codebuild.update_project(name="nope", timeoutInMinutes=5)
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_duplicate_project(codebuild):
    _create(codebuild)
    with pytest.raises(ClientError) as err:
        _create(codebuild)
    assert err.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"


ARM_IMAGE = "aws/codebuild/amazonlinux-aarch64-standard:3.0"


@pytest.mark.parametrize(
    "environment",
    [
        {"type": "ARM_CONTAINER", "image": "aws/codebuild/standard:7.0"},
        {"type": "ARM_CONTAINER", "image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0"},
        {"type": "LINUX_CONTAINER", "image": ARM_IMAGE},
        {"type": "LINUX_CONTAINER", "image": "aws/codebuild/amazonlinux2-aarch64-standard:3.0"},
    ],
)
def test_curated_image_on_the_other_architecture_is_refused(codebuild, environment):
    """AWS: 'AWS CodeBuild curated image ... is not supported for projects with environment type ...'."""
    environment = {**environment, "computeType": "BUILD_GENERAL1_SMALL"}
    with pytest.raises(ClientError) as err:
        codebuild.create_project(
            name="build", source=SOURCE, artifacts={"type": "CODEPIPELINE"}, environment=environment, serviceRole=ROLE
        )
    assert err.value.response["Error"]["Code"] == "InvalidInputException"
    assert err.value.response["Error"]["Message"] == (
        f"AWS CodeBuild curated image {environment['image']} is not supported for projects with environment type "
        f"{environment['type']} and compute type BUILD_GENERAL1_SMALL"
    )
    assert codebuild.batch_get_projects(names=["build"])["projects"] == []


def test_update_to_the_other_architecture_is_refused_and_changes_nothing(codebuild):
    _create(codebuild)
    with pytest.raises(ClientError) as err:
        codebuild.update_project(name="build", environment={**ENVIRONMENT, "image": ARM_IMAGE})
    assert err.value.response["Error"]["Code"] == "InvalidInputException"
    assert codebuild.batch_get_projects(names=["build"])["projects"][0]["environment"]["image"] == ENVIRONMENT["image"]


@pytest.mark.parametrize(
    "environment",
    [
        {"type": "ARM_CONTAINER", "image": ARM_IMAGE},
        {"type": "LINUX_CONTAINER", "image": "aws/codebuild/amazonlinux-x86_64-standard:5.0"},
        # Not curated: the architecture is not in the name, AWS accepts it on either type.
        {"type": "ARM_CONTAINER", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/builder:1"},
    ],
)
def test_matching_or_custom_images_are_accepted(codebuild, environment):
    project = codebuild.create_project(
        name="build",
        source=SOURCE,
        artifacts={"type": "CODEPIPELINE"},
        environment={**environment, "computeType": "BUILD_GENERAL1_SMALL"},
        serviceRole=ROLE,
    )["project"]
    assert (project["environment"]["type"], project["environment"]["image"]) == (
        environment["type"],
        environment["image"],
    )
