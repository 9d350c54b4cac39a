"""The environments share one definition of each service (inventories/shared/host_vars), as README.md says."""

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(ROOT, "inventories", "shared", "host_vars")
ENVIRONMENTS = ("local", "stg", "prd")


def host_vars(inventory, host="web"):
    """The variables Ansible resolves for ``host`` from the inventory directory (ansible-inventory --host)."""
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", str(inventory), "--host", host]
    return json.loads(subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout)


def shared(service="web"):
    with open(os.path.join(SHARED, f"{service}.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_resolves_the_shared_definition(env):
    resolved = host_vars(os.path.join(ROOT, "inventories", env))
    assert resolved["bluegreen_env"] == env
    for name, value in shared().items():
        assert resolved[name] == value


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_environment_keeps_its_own_copy(env):
    for name in os.listdir(SHARED):
        link = os.path.join(ROOT, "inventories", env, "host_vars", name)
        assert os.path.islink(link), f"{link} must be a link to inventories/shared/host_vars/{name}"
        # Relative, so it resolves in a clone, a molecule ephemeral inventory and the collection tarball alike.
        assert os.readlink(link) == f"../../shared/host_vars/{name}"


def test_an_environment_overrides_what_differs_with_a_directory(tmp_path):
    """The README's recipe: host_vars/web/0-shared.yml (the link) then 1-<env>.yml, read in name order."""
    shutil.copytree(os.path.join(ROOT, "inventories", "shared"), tmp_path / "shared")
    env = tmp_path / "prd"
    (env / "host_vars" / "web").mkdir(parents=True)
    shutil.copy(os.path.join(ROOT, "inventories", "prd", "hosts.yml"), env / "hosts.yml")
    (env / "host_vars" / "web" / "0-shared.yml").symlink_to("../../../shared/host_vars/web.yml")
    (env / "host_vars" / "web" / "1-prd.yml").write_text("---\npipeline_branch: release\n")
    resolved = host_vars(str(env))
    assert resolved["pipeline_branch"] == "release"
    assert resolved["bluegreen_service"] == shared()["bluegreen_service"]
