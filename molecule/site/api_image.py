"""The api service's image on the emulator: push it (a stand-in for its pipeline's build) or serve it (its task).

    python api_image.py push --repository local-demo-api --tag 1.0.0 --endpoint-url http://localhost:5100
    python api_image.py serve      # what the emulator runs as each task (HOST, PORT, APP_VERSION set)

The api (host_vars/api.yml) is not the Python app: another image, another port and health path (/healthz) and
a container health check by wget. The emulator runs an image by the recipe in its manifest
(emulator/dataplane/images.py), so this pushes one whose task is ``serve`` below: 200 on /healthz and on every
path, and /version as JSON naming the tag, as the app's /version does (what a release's validation and traffic
sample read). Prints push_image.py's JSON: {"changed": bool, "images": [...]}.
"""

import argparse
import http.server
import json
import os
import sys
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import push_image  # noqa: E402 - scripts/ is not a package

EMULATOR_KEY = push_image.EMULATOR_KEY


class Api(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        version = os.environ["APP_VERSION"]
        body = json.dumps({"version": version}) if self.path == "/version" else "ok"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if self.path == "/version" else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def serve():
    http.server.ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Api).serve_forever()


def push(args):
    ecr = boto3.client(
        "ecr",
        region_name=args.region,
        endpoint_url=args.endpoint_url,
        aws_access_key_id=EMULATOR_KEY,
        aws_secret_access_key=EMULATOR_KEY,
    )
    images = []
    for tag in args.tag:
        repo = ecr.describe_repositories(repositoryNames=[args.repository])["repositories"][0]
        uri = f"{repo['repositoryUri']}:{tag}"
        if ecr.batch_get_image(repositoryName=args.repository, imageIds=[{"imageTag": tag}])["images"]:
            images.append({"tag": tag, "image": uri, "changed": False})
            continue
        recipe = {"argv": ["python", str(Path(__file__).resolve()), "serve"], "env": {"APP_VERSION": tag}, "cwd": None}
        ecr.put_image(
            repositoryName=args.repository,
            imageManifest=push_image.manifest(args.repository, tag, recipe),
            imageManifestMediaType=push_image.MANIFEST_TYPE,
            imageTag=tag,
        )
        images.append({"tag": tag, "image": uri, "changed": True})
    print(json.dumps({"changed": any(i["changed"] for i in images), "images": images}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("serve")
    pushing = verbs.add_parser("push")
    pushing.add_argument("--repository", required=True)
    pushing.add_argument("--tag", required=True, action="append")
    pushing.add_argument("--region", default="us-east-1")
    pushing.add_argument("--endpoint-url", required=True)
    args = parser.parse_args(argv)
    if args.verb == "serve":
        serve()
    else:
        push(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
