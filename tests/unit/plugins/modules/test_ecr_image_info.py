# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import datetime

from ansible_collections.bluegreen.ecs.plugins.modules import ecr_image_info
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

REPO = {
    "repositoryArn": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/prd-demo-web",
    "registryId": ACCOUNT,
    "repositoryName": "prd-demo-web",
    "repositoryUri": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/prd-demo-web",
    "imageTagMutability": "IMMUTABLE",
    "imageScanningConfiguration": {"scanOnPush": True},
    "encryptionConfiguration": {"encryptionType": "AES256"},
}


def image(tag):
    return {
        "registryId": ACCOUNT,
        "repositoryName": "prd-demo-web",
        "imageDigest": "sha256:" + "a" * 64,
        "imageTags": [tag],
        "imagePushedAt": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    }


def test_missing_repository_reports_every_tag_missing(capsys):
    stubs = AwsStubs("ecr")
    stubs.ecr.add_client_error(
        "describe_repositories", "RepositoryNotFoundException", expected_params={"repositoryNames": ["prd-demo-web"]}
    )
    failed, result = run_module(ecr_image_info, {"repository": "prd-demo-web", "image_tags": ["1.0.0"]}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["repository"] == {}
    assert result["images"] == []
    assert result["missing_tags"] == ["1.0.0"]


def add_tags(stubs, tags=None):
    if tags is None:
        tags = [{"Key": "Project", "Value": "demo"}, {"Key": "ManagedBy", "Value": "bluegreen.ecs"}]
    stubs.ecr.add_response("list_tags_for_resource", {"tags": tags}, {"resourceArn": REPO["repositoryArn"]})


def test_found_and_missing_tags(capsys):
    stubs = AwsStubs("ecr")
    stubs.ecr.add_response("describe_repositories", {"repositories": [REPO]}, {"repositoryNames": ["prd-demo-web"]})
    add_tags(stubs)
    stubs.ecr.add_response(
        "describe_images",
        {"imageDetails": [image("1.0.0")]},
        {"repositoryName": "prd-demo-web", "imageIds": [{"imageTag": "1.0.0"}]},
    )
    stubs.ecr.add_client_error(
        "describe_images",
        "ImageNotFoundException",
        expected_params={"repositoryName": "prd-demo-web", "imageIds": [{"imageTag": "9.9.9"}]},
    )
    failed, result = run_module(
        ecr_image_info, {"repository": "prd-demo-web", "image_tags": ["1.0.0", "9.9.9", "1.0.0"]}, stubs, capsys
    )
    assert not failed, result
    assert result["repository"]["repository_uri"] == REPO["repositoryUri"]
    assert result["repository"]["encryption_configuration"] == {"encryption_type": "AES256"}
    assert [img["image_tags"] for img in result["images"]] == [["1.0.0"]]
    assert result["missing_tags"] == ["9.9.9"]


def test_without_tags_only_the_repository_is_read(capsys):
    stubs = AwsStubs("ecr")
    stubs.ecr.add_response("describe_repositories", {"repositories": [REPO]}, {"repositoryNames": ["prd-demo-web"]})
    add_tags(stubs, [{"Key": "Project", "Value": "other"}, {"Key": "CostCenter", "Value": "x"}])
    failed, result = run_module(ecr_image_info, {"repository": "prd-demo-web"}, stubs, capsys)
    assert not failed, result
    assert result["repository"]["image_tag_mutability"] == "IMMUTABLE"
    # Tag keys keep their case (the role tells whose repository it is from them).
    assert result["repository"]["tags"] == {"Project": "other", "CostCenter": "x"}
    assert result["missing_tags"] == []
