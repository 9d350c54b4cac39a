"""Stand-in for `docker build && docker push` on the local emulator (there is no Docker engine here).

python scripts/push_image.py --repository local-web --tag 1.0.0 [--tag 2.0.0 ...] --endpoint-url http://localhost:5000
                             [--broken health|version]

It puts an image manifest under each tag in the emulator's ECR, as the pipeline's build would on
AWS, so the release module finds the tags. Pushing a tag that exists is a no-op (tags are
immutable). Prints one JSON object:
{"changed": bool, "images": [{"tag": ..., "image": "<uri>", "digest": "sha256:...", "changed": bool}]}.

The manifest (OCI image manifest) carries the annotation org.bluegreen.local.recipe: how the emulator runs
the image as an ECS task, read from this repository's Dockerfile (its final stage's CMD and ENV, with
APP_VERSION = the tag, GIT_COMMIT = this checkout's HEAD, BUILD_TIME = now), from this checkout
(emulator/dataplane/images.py). --broken makes a bad version for demos and tests, the app unchanged:
"health" answers 503 on /health, "version" answers another version (<tag>-wrong).

Credentials: the emulator's, as the local inventory sets them (aws_access_key/aws_secret_key: testing),
whatever the machine has configured. So it works on a fresh machine with no AWS configuration, and a
real key is never sent, even to the emulator. --access-key/--secret-key override them.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

import boto3

# The local inventory's aws_access_key / aws_secret_key (inventories/local/group_vars/all/main.yml).
EMULATOR_KEY = "testing"
# OCI image manifests carry annotations (https://github.com/opencontainers/image-spec/blob/main/manifest.md);
# ECR stores and serves them as pushed.
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_TYPE = "application/vnd.oci.image.config.v1+json"
RECIPE_ANNOTATION = "org.bluegreen.local.recipe"  # emulator/dataplane/images.py reads it
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCKERFILE = os.path.join(ROOT, "Dockerfile")
BROKEN = ("health", "version")


def _instructions(text):
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    logical, pending = [], ""
    for line in text.splitlines():
        if not pending and line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined = (pending + line).strip()
        pending = ""
        if joined:
            word, _sep, rest = joined.partition(" ")
            logical.append((word.upper(), rest.strip()))
    return logical


def _expand(value, known):
    """${NAME} / $NAME from the stage's ARG and ENV values; unknown names stay unset (None)."""
    missing = []

    def one(match):
        name = match.group(1) or match.group(2)
        if name not in known:
            missing.append(name)
            return ""
        return known[name]

    expanded = re.sub(r"\$\{(\w+)\}|\$(\w+)", one, value)
    return None if missing else expanded


def dockerfile_recipe(text, build_args):
    """{"argv", "env"} of the Dockerfile's final stage: its CMD (exec form) and ENV (key=value form).

    ENV values naming a variable the machine provides (PATH=/opt/venv/bin:$PATH) are left out: the
    local interpreter already has the image's dependencies (the emulator's virtualenv)."""
    stage = []
    for word, rest in _instructions(text):
        if word == "FROM":
            stage = []
        stage.append((word, rest))
    known, env, argv = {}, {}, None
    for word, rest in stage:
        if word == "ARG":
            name, _sep, default = rest.partition("=")
            known[name] = build_args.get(name, default)
        elif word == "ENV":
            for pair in shlex.split(rest):
                name, _sep, raw = pair.partition("=")
                value = _expand(raw, known)
                if value is not None:
                    env[name] = known[name] = value
        elif word == "CMD":
            argv = json.loads(rest)
    if not argv:
        raise SystemExit(f"{DOCKERFILE}: no CMD in exec form in the final stage")
    return {"argv": argv, "env": env}


def git_commit():
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def recipe(tag, broken=None, dockerfile=DOCKERFILE):
    """How the emulator runs this checkout's image at version ``tag`` (``broken``: health / version)."""
    with open(dockerfile, encoding="utf-8") as handle:
        text = handle.read()
    build_time = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    build_args = {"APP_VERSION": tag, "GIT_COMMIT": git_commit(), "BUILD_TIME": build_time}
    found = dockerfile_recipe(text, build_args)
    if broken == "version":
        found["env"]["APP_VERSION"] = f"{tag}-wrong"
    elif broken == "health":
        found["argv"] = ["python", "-m", "emulator.dataplane.broken_app", "health"]
    return {"argv": found["argv"], "env": found["env"], "cwd": ROOT}


def manifest(repository, tag, run=None):
    """An OCI manifest whose config digest depends on repository, tag and recipe, so each push is its own image."""
    annotation = json.dumps(run, sort_keys=True) if run is not None else ""
    config = hashlib.sha256(f"{repository}:{tag}:{annotation}".encode()).hexdigest()
    document = {
        "schemaVersion": 2,
        "mediaType": MANIFEST_TYPE,
        "config": {"mediaType": CONFIG_TYPE, "size": 1, "digest": f"sha256:{config}"},
        "layers": [],
    }
    if run is not None:
        document["annotations"] = {RECIPE_ANNOTATION: annotation}
    return json.dumps(document, sort_keys=True)


def push(ecr, repository, tag, broken=None):
    """Put ``tag`` in ``repository`` unless it is there: {"tag", "image", "digest", "changed"}."""
    repo = ecr.describe_repositories(repositoryNames=[repository])["repositories"][0]
    uri = f"{repo['repositoryUri']}:{tag}"
    found = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}])["images"]
    if found:
        return {"tag": tag, "image": uri, "digest": found[0]["imageId"]["imageDigest"], "changed": False}
    image = ecr.put_image(
        repositoryName=repository,
        imageManifest=manifest(repository, tag, recipe(tag, broken)),
        imageManifestMediaType=MANIFEST_TYPE,
        imageTag=tag,
    )["image"]
    return {"tag": tag, "image": uri, "digest": image["imageId"]["imageDigest"], "changed": True}


def ecr_client(args):
    """An ECR client on the emulator with explicit keys: boto3 then reads no credential chain, so neither
    a missing configuration (NoCredentialsError) nor a real profile changes anything."""
    session = boto3.session.Session(
        aws_access_key_id=args.access_key, aws_secret_access_key=args.secret_key, region_name=args.region
    )
    return session.client("ecr", endpoint_url=args.endpoint_url)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repository", required=True)
    parser.add_argument("--tag", required=True, action="append", help="repeat for several tags")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--endpoint-url", required=True, help="the emulator; this script never talks to real AWS")
    parser.add_argument("--access-key", default=EMULATOR_KEY, help="default: the local inventory's (testing)")
    parser.add_argument("--secret-key", default=EMULATOR_KEY, help="default: the local inventory's (testing)")
    parser.add_argument("--broken", choices=BROKEN, help="a bad version: /health fails, or another version answers")
    args = parser.parse_args(argv)
    ecr = ecr_client(args)
    images = [push(ecr, args.repository, tag, args.broken) for tag in args.tag]
    print(json.dumps({"changed": any(image["changed"] for image in images), "images": images}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
