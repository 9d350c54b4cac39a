"""Stand-in for `docker build && docker push` on the local emulator (there is no Docker engine here).

python scripts/push_image.py --repository local-web --tag 1.0.0 [--tag 2.0.0 ...] --endpoint-url http://localhost:5000

It puts an image manifest under each tag in the emulator's ECR, as the pipeline's build would on
AWS, so the release module finds the tags. Pushing a tag that exists is a no-op (tags are
immutable). Prints one JSON object:
{"changed": bool, "images": [{"tag": ..., "image": "<uri>", "digest": "sha256:...", "changed": bool}]}.

Credentials: the emulator's, as the local inventory sets them (aws_access_key/aws_secret_key: testing),
whatever the machine has configured. So it works on a fresh machine with no AWS configuration, and a
real key is never sent, even to the emulator. --access-key/--secret-key override them.
"""

import argparse
import hashlib
import json
import sys

import boto3

# The local inventory's aws_access_key / aws_secret_key (inventories/local/group_vars/all/main.yml).
EMULATOR_KEY = "testing"
MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG_TYPE = "application/vnd.docker.container.image.v1+json"


def manifest(repository, tag):
    """A schema 2 manifest whose config digest depends on repository and tag, so each tag is its own image."""
    config = hashlib.sha256(f"{repository}:{tag}".encode()).hexdigest()
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": {"mediaType": CONFIG_TYPE, "size": 1, "digest": f"sha256:{config}"},
            "layers": [],
        },
        sort_keys=True,
    )


def push(ecr, repository, tag):
    """Put ``tag`` in ``repository`` unless it is there: {"tag", "image", "digest", "changed"}."""
    repo = ecr.describe_repositories(repositoryNames=[repository])["repositories"][0]
    uri = f"{repo['repositoryUri']}:{tag}"
    found = ecr.batch_get_image(repositoryName=repository, imageIds=[{"imageTag": tag}])["images"]
    if found:
        return {"tag": tag, "image": uri, "digest": found[0]["imageId"]["imageDigest"], "changed": False}
    image = ecr.put_image(
        repositoryName=repository,
        imageManifest=manifest(repository, tag),
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
    args = parser.parse_args(argv)
    ecr = ecr_client(args)
    images = [push(ecr, args.repository, tag) for tag in args.tag]
    print(json.dumps({"changed": any(image["changed"] for image in images), "images": images}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
