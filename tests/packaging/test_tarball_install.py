"""The tarball installed into an empty collections path and run by FQCN, as a user runs it: from a directory
outside this checkout, with no ansible.cfg and its own inventory (the shipped example, inventories/local, copied
from the installed collection), against an emulator of its own.

E2E (marker ``e2e``): bluegreen.ecs.site builds the stack, then changes nothing when run again;
bluegreen.ecs.release releases 1.0.0 blue/green (from the bootstrap task definition), then changes nothing
when run again. The image is pushed with this checkout's scripts/push_image.py: the emulator's stand-in for
the pipeline's build, which is not part of the collection.
"""

import json
import os
import re
import shutil
import sys
import urllib.request

import boto3
import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming

from .conftest import BIN, ROOT, clean_env, run

pytestmark = pytest.mark.e2e

# The brief's port for this suite; PACKAGING_EMULATOR_PORT moves it.
PORT = int(os.environ.get("PACKAGING_EMULATOR_PORT", "5360"))
MINUTE_SECONDS = 0.05
ENV, PROJECT, SERVICE = "local", "demo", "web"  # inventories/local
NAMES = naming.service_names(ENV, PROJECT, SERVICE)
PLATFORM = naming.platform_names(ENV, PROJECT)
TAG = "1.0.0"
# Time for the hook and the alarm check in Ready on a busy machine (the local inventory's 60 minutes are 3 s here).
SITE_VARS = ["-e", "codedeploy_ready_wait_minutes=600"]


def recap(stdout):
    """{host: {ok, changed, failed, ...}} from PLAY RECAP."""
    found = {}
    for line in stdout.split("PLAY RECAP", 1)[1].splitlines():
        match = re.match(r"^(\S+)\s*:\s*(.*)$", line.strip())
        if match:
            found[match.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(2))}
    return found


class User:
    """A user's directory and shell: the installed collection only, the emulator's endpoint and keys."""

    def __init__(self, collections, home, state_dir):
        self.home = home
        self.state_dir = state_dir
        self.endpoint = f"http://127.0.0.1:{PORT}"
        self.env = clean_env(
            ANSIBLE_COLLECTIONS_PATH=str(collections),
            ANSIBLE_LOCAL_TEMP=str(state_dir / "ansible-tmp"),
            ANSIBLE_NOCOLOR="1",
            EMULATOR_PORT=str(PORT),
            EMULATOR_STATE_DIR=str(state_dir),
            EMULATOR_MINUTE_SECONDS=str(MINUTE_SECONDS),
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION="us-east-1",
        )
        self.env.pop("AWS_PROFILE", None)
        self.env.pop("AWS_ENDPOINT_URL", None)

    def playbook(self, name, *extra):
        return run(BIN / "ansible-playbook", "-i", "inventory", name, *extra, cwd=self.home, env=self.env)

    def emulator(self, verb):
        # The emulator is this checkout's (it is not part of the collection), run from here.
        return run(
            sys.executable,
            "-m",
            "emulator",
            verb,
            "--port",
            PORT,
            "--state-dir",
            self.state_dir,
            cwd=ROOT,
            env=self.env,
        )

    def client(self, service):
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


@pytest.fixture(scope="module")
def user(installed, tmp_path_factory):
    home = tmp_path_factory.mktemp("user")
    assert not (home / "ansible.cfg").exists() and ROOT not in home.parents
    # The example as a user copies it: links followed (host_vars/web.yml links to inventories/shared).
    shutil.copytree(
        installed / "ansible_collections" / "bluegreen" / "ecs" / "inventories" / "local", home / "inventory"
    )
    user = User(installed, home, tmp_path_factory.mktemp("emulator"))
    user.emulator("start")
    try:
        yield user
    finally:
        user.emulator("stop")


@pytest.fixture(scope="module")
def converged(user):
    return user.playbook("bluegreen.ecs.site", *SITE_VARS)


def test_ansible_resolves_the_installed_copy(user, installed):
    listed = json.loads(
        run(
            BIN / "ansible-galaxy",
            "collection",
            "list",
            "bluegreen.ecs",
            "--format",
            "json",
            cwd=user.home,
            env=user.env,
        )
    )
    assert list(listed) == [str(installed / "ansible_collections")], listed


def test_site_converges_then_changes_nothing(user, converged):
    assert recap(converged)["web"]["failed"] == 0
    assert recap(converged)["web"]["changed"] > 0
    ecs = user.client("ecs")
    service = ecs.describe_services(cluster=PLATFORM["cluster"], services=[NAMES["service"]])["services"][0]
    assert service["deploymentController"]["type"] == "CODE_DEPLOY"

    again = user.playbook("bluegreen.ecs.site", *SITE_VARS)

    assert recap(again)["web"]["changed"] == 0, again[-4000:]


def test_release_then_its_repeat_changes_nothing(user, converged):
    run(
        sys.executable,
        "scripts/push_image.py",
        "--repository",
        NAMES["repository"],
        "--tag",
        TAG,
        "--endpoint-url",
        user.endpoint,
        cwd=ROOT,
        env=user.env,
    )

    out = user.playbook("bluegreen.ecs.release", "-e", f"app_image_tag={TAG}")

    assert recap(out)["web"]["changed"] == 1, out[-4000:]
    assert re.search(rf"web: release {re.escape(TAG)} -> done", out), out[-4000:]
    assert re.search(r"deployment: d-\w+ status Succeeded", out), out[-4000:]
    assert answer(user, "/version")["version"] == TAG

    repeat = user.playbook("bluegreen.ecs.release", "-e", f"app_image_tag={TAG}")

    assert recap(repeat)["web"]["changed"] == 0, repeat[-4000:]
    assert f"release {TAG} -> nothing to do" in repeat


def answer(user, path):
    """GET the production listener on the load balancer's DNSName, as anyone would."""
    elbv2 = user.client("elbv2")
    lb = elbv2.describe_load_balancers(Names=[NAMES["alb"]])["LoadBalancers"][0]
    tags = elbv2.describe_tags(ResourceArns=[lb["LoadBalancerArn"]])["TagDescriptions"][0]["Tags"]
    port = {t["Key"]: t["Value"] for t in tags}["ProductionListenerPort"]
    with urllib.request.urlopen(f"http://{lb['DNSName']}:{port}{path}", timeout=10) as response:  # noqa: S310 - the emulated ALB
        return json.loads(response.read())
