# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import datetime

from ansible_collections.bluegreen.ecs.plugins.modules import ecr_image_info
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

REPO = {
    "repositoryArn": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/prd-web",
    "registryId": ACCOUNT,
    "repositoryName": "prd-web",
    "repositoryUri": f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/prd-web",
    "imageTagMutability": "IMMUTABLE",
    "imageScanningConfiguration": {"scanOnPush": True},
    "encryptionConfiguration": {"encryptionType": "AES256"},
}


def image(tag):
    return {
        "registryId": ACCOUNT,
        "repositoryName": "prd-web",
        "imageDigest": "sha256:" + "a" * 64,
        "imageTags": [tag],
        "imagePushedAt": datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    }


def test_missing_repository_reports_every_tag_missing(capsys):
    stubs = AwsStubs("ecr")
    stubs.ecr.add_client_error(
        "describe_repositories", "RepositoryNotFoundException", expected_params={"repositoryNames": ["prd-web"]}
    )
    failed, result = run_module(ecr_image_info, {"repository": "prd-web", "image_tags": ["1.0.0"]}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert result["repository"] == {}
    assert result["images"] == []
    assert result["missing_tags"] == ["1.0.0"]


def test_found_and_missing_tags(capsys):
    stubs = AwsStubs("ecr")
    stubs.ecr.add_response("describe_repositories", {"repositories": [REPO]}, {"repositoryNames": ["prd-web"]})
    stubs.ecr.add_response(
        "describe_images",
        {"imageDetails": [image("1.0.0")]},
        {"repositoryName": "prd-web", "imageIds": [{"imageTag": "1.0.0"}]},
    )
    stubs.ecr.add_client_error(
        "describe_images",
        "ImageNotFoundException",
        expected_params={"repositoryName": "prd-web", "imageIds": [{"imageTag": "9.9.9"}]},
    )
    failed, result = run_module(
        ecr_image_info, {"repository": "prd-web", "image_tags": ["1.0.0", "9.9.9", "1.0.0"]}, stubs, capsys
    )
    assert not failed, result
    assert result["repository"]["repository_uri"] == REPO["repositoryUri"]
    assert result["repository"]["encryption_configuration"] == {"encryption_type": "AES256"}
    assert [img["image_tags"] for img in result["images"]] == [["1.0.0"]]
    assert result["missing_tags"] == ["9.9.9"]


def test_without_tags_only_the_repository_is_read(capsys):
    stubs = AwsStubs("ecr")
    stubs.ecr.add_response("describe_repositories", {"repositories": [REPO]}, {"repositoryNames": ["prd-web"]})
    failed, result = run_module(ecr_image_info, {"repository": "prd-web"}, stubs, capsys)
    assert not failed, result
    assert result["repository"]["image_tag_mutability"] == "IMMUTABLE"
    assert result["missing_tags"] == []
