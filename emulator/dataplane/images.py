"""What an image runs on this machine: the recipe ``scripts/push_image.py`` pushed with it.

There is no container engine here. ``scripts/push_image.py`` (the stand-in for ``docker push``) puts an
OCI image manifest into the emulated ECR whose ``annotations`` hold ``RECIPE_ANNOTATION``: JSON
``{"argv": [...], "env": {...}, "cwd": "..."}``, how to run that image locally (for this repository's
Dockerfile: its CMD ``python -m app`` from the checkout, with the Dockerfile's ENV and the tag as APP_VERSION).

``recipe_for(account, region, image_uri)`` reads it back for a task. An image without one is refused the way
ECS reports an image it cannot pull (stoppedReason ``CannotPullContainerError: ...``,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html), never faked.

One public image has a built-in recipe: the collection's bootstrap placeholder (busybox ``nc`` answering 200
``bootstrap`` on every path, plugins/module_utils/task_definition.py ``BOOTSTRAP_IMAGE``), emulated by a few lines
of Python that answer the same, so a service's first task set runs before any image of ours is pushed.

``argv[0]`` ``python``/``python3`` is the emulator's own interpreter (``sys.executable``): the image's Python
and the app's dependencies are the emulator's virtualenv.
"""

from __future__ import annotations

import json
import re
import sys

RECIPE_ANNOTATION = "org.bluegreen.local.recipe"

# plugins/module_utils/task_definition.py BOOTSTRAP_IMAGE (kept equal by tests/emulator/test_dataplane_images.py).
BOOTSTRAP_IMAGE = "public.ecr.aws/docker/library/busybox:1.37"
_BOOTSTRAP_SERVER = """\
import http.server, os
class Reply(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"bootstrap\\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_HEAD = do_POST = do_GET
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Reply).serve_forever()
"""
BUILT_IN = {BOOTSTRAP_IMAGE: {"argv": ["python", "-c", _BOOTSTRAP_SERVER], "env": {}, "cwd": None}}

# <registry>.dkr.ecr.<region>.amazonaws.com/<repository>(:<tag>|@<digest>)
_ECR_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repository>[a-z0-9._/-]+?)(?::(?P<tag>[\w][\w.-]{0,127})|@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
_HINT = "has no local recipe (push it with scripts/push_image.py)"


class NoRecipe(Exception):
    """The image cannot run here; ``str()`` is the task's stoppedReason, as ECS words a failed pull."""

    def __init__(self, image_uri: str, detail: str = _HINT):
        super().__init__(
            f"CannotPullContainerError: pull image manifest has been retried 1 time(s): {image_uri} {detail}"
        )
        self.image_uri = image_uri


def recipe_for(account: str, region: str, image_uri: str) -> dict:
    """``{"argv", "env", "cwd"}`` to run ``image_uri``; raise NoRecipe when there is none.

    ``account``/``region`` are the task's; an ECR URI names its own registry account and region (a task may pull
    from another account's repository), which is where the image is looked up.
    """
    if image_uri in BUILT_IN:
        return _resolved(BUILT_IN[image_uri])
    match = _ECR_URI.match(image_uri or "")
    if match is None:
        raise NoRecipe(image_uri, f"is not in the emulated ECR: {_HINT}")
    image = _find_image(match["account"] or account, match["region"] or region, match)
    if image is None:
        raise NoRecipe(image_uri, "not found: manifest unknown")
    return _resolved(parse_recipe(image_uri, image.image_manifest))


def _find_image(account: str, region: str, match):
    from moto.ecr.models import ecr_backends  # pylint: disable=import-outside-toplevel

    if account not in ecr_backends or region not in ecr_backends[account]:
        return None
    repository = ecr_backends[account][region].repositories.get(match["repository"])
    if repository is None:
        return None
    tag, digest = match["tag"], match["digest"]
    for image in repository.images:
        if digest and image.get_image_digest() == digest:
            return image
        if not digest and (tag or "latest") in (image.image_tags or []):
            return image
    return None


def parse_recipe(image_uri: str, manifest: str) -> dict:
    """The recipe in a manifest's annotations, validated; NoRecipe when absent or malformed."""
    try:
        annotations = json.loads(manifest).get("annotations") or {}
        raw = annotations.get(RECIPE_ANNOTATION)
        recipe = json.loads(raw) if raw else None
    except (TypeError, ValueError, AttributeError):
        recipe = None
    if recipe is None:
        raise NoRecipe(image_uri)
    argv, env, cwd = recipe.get("argv"), recipe.get("env") or {}, recipe.get("cwd")
    valid = (
        isinstance(argv, list)
        and argv
        and all(isinstance(a, str) for a in argv)
        and isinstance(env, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
        and (cwd is None or isinstance(cwd, str))
    )
    if not valid:
        raise NoRecipe(image_uri, f"has a malformed {RECIPE_ANNOTATION} annotation: {_HINT}")
    return {"argv": list(argv), "env": dict(env), "cwd": cwd}


def _resolved(recipe: dict) -> dict:
    """The image's Python is the emulator's interpreter (document: no per-image Python here)."""
    argv = list(recipe["argv"])
    if argv[0] in ("python", "python3"):
        argv[0] = sys.executable
    return {"argv": argv, "env": dict(recipe["env"]), "cwd": recipe.get("cwd")}


def recipe_manifest(argv: list[str], env: dict | None = None, cwd: str | None = None, name: str = "") -> str:
    """An OCI image manifest carrying a recipe (for tests that push an image with ECR PutImage)."""
    import hashlib  # pylint: disable=import-outside-toplevel

    recipe = json.dumps({"argv": argv, "env": env or {}, "cwd": cwd}, sort_keys=True)
    config = hashlib.sha256(f"{name}:{recipe}".encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "size": 1,
                "digest": f"sha256:{config}",
            },
            "layers": [],
            "annotations": {RECIPE_ANNOTATION: recipe},
        },
        sort_keys=True,
    )
