"""What an image runs here (emulator/dataplane/images.py): the recipe pushed with it, or a clear refusal."""

import json
import os
import sys

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import task_definition
from emulator.dataplane import images

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture
def ecr(aws):
    client = aws("ecr")
    uri = client.create_repository(repositoryName="team/web")["repository"]["repositoryUri"]
    return client, uri


def put(client, tag, manifest):
    return client.put_image(repositoryName="team/web", imageTag=tag, imageManifest=manifest)["image"]["imageId"]


def test_recipe_by_tag_and_by_digest(ecr):
    client, uri = ecr
    image = put(client, "1.0.0", images.recipe_manifest(["python", "-m", "app"], {"APP_VERSION": "1.0.0"}, ROOT))
    by_tag = images.recipe_for(ACCOUNT, REGION, f"{uri}:1.0.0")
    assert by_tag == {"argv": [sys.executable, "-m", "app"], "env": {"APP_VERSION": "1.0.0"}, "cwd": ROOT}
    assert images.recipe_for(ACCOUNT, REGION, f"{uri}@{image['imageDigest']}") == by_tag


@pytest.mark.parametrize(
    "manifest, words",
    [
        (
            json.dumps({"schemaVersion": 2, "layers": [], "mediaType": "application/vnd.oci.image.manifest.v1+json"}),
            "has no local recipe (push it with scripts/push_image.py)",
        ),
        (
            json.dumps(
                {
                    "schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "layers": [],
                    "annotations": {images.RECIPE_ANNOTATION: json.dumps({"argv": "python -m app"})},
                }
            ),
            "malformed org.bluegreen.local.recipe annotation",
        ),
    ],
)
def test_an_image_without_a_usable_recipe_is_refused(ecr, manifest, words):
    client, uri = ecr
    put(client, "x", manifest)
    with pytest.raises(images.NoRecipe) as refused:
        images.recipe_for(ACCOUNT, REGION, f"{uri}:x")
    assert str(refused.value).startswith(
        f"CannotPullContainerError: pull image manifest has been retried 1 time(s): {uri}:x "
    )
    assert words in str(refused.value)


def test_missing_tags_and_foreign_images_are_refused(ecr):
    _client, uri = ecr
    for image in (f"{uri}:9.9.9", "nginx:latest", f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/nothing:1"):
        with pytest.raises(images.NoRecipe, match="CannotPullContainerError"):
            images.recipe_for(ACCOUNT, REGION, image)


def test_the_bootstrap_placeholder_has_a_built_in_recipe():
    """The collection's first-deploy image (plugins/module_utils/task_definition.py) runs without a push."""
    recipe = images.recipe_for(ACCOUNT, REGION, task_definition.BOOTSTRAP_IMAGE)
    assert recipe["argv"][0] == sys.executable
