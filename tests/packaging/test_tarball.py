"""What `ansible-galaxy collection build` ships: what a user needs, no development file.

And what galaxy.yml and meta/runtime.yml promise: dependency ranges and the ansible-core range that hold
the versions this checkout is tested with.
"""

import json
import tarfile
from importlib import metadata
from pathlib import Path

import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from .conftest import ROOT, galaxy

# The top level of the tarball: galaxy's own MANIFEST.json/FILES.json and what users run or read.
TOP_LEVEL = {
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "CHANGELOG.md",
    "execution-environment.yml",
    "meta",
    "changelogs",
    "plugins",
    "roles",
    "playbooks",
    "inventories",
    "docs",
    "scripts",
}
# Development files: lint and test runner configs, the checkout's ansible.cfg (collections_path = .collections),
# the image build, the tool pins, and what only this checkout can run.
DEVELOPMENT = {
    ".ansible-lint",
    ".yamllint",
    ".gitignore",
    ".dockerignore",
    "ruff.toml",
    "plugins/ruff.toml",
    "pytest.ini",
    "ansible.cfg",
    "Makefile",
    "Dockerfile",
    "requirements.txt",
    "constraints.txt",
    "galaxy.yml",
    "playbooks/local.yml",  # needs scripts/push_image.py, app/ and the emulator
    "playbooks/templates/local_summary.j2",
    "scripts/push_image.py",
    "scripts/molecule_all.py",
    "scripts/sanity.sh",
    "scripts/get_pip_offline.py",
}
DEVELOPMENT_DIRS = ("tests/", "emulator/", "molecule/", "app/", "bench/", ".ci/", ".config/", "changelogs/fragments/")
# Users run the tool that lists what an environment left behind (README.md, Tests).
USER_SCRIPTS = set()


def on_disk(*folders, suffixes=None):
    """Files under ``folders`` in this checkout, caches and hidden files left out."""
    found = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*"):
            rel = path.relative_to(ROOT)
            hidden = any(part.startswith(".") or part == "__pycache__" for part in rel.parts)
            if path.is_file() and not hidden and (suffixes is None or path.suffix in suffixes):
                found.add(rel.as_posix())
    return found


def test_no_development_file(tarball_files):
    assert {name.split("/", 1)[0] for name in tarball_files} <= TOP_LEVEL
    assert not tarball_files & DEVELOPMENT
    assert not [name for name in tarball_files if name.startswith(DEVELOPMENT_DIRS)]
    hidden = [name for name in tarball_files if any(part.startswith(".") for part in Path(name).parts)]
    assert not hidden, hidden
    caches = [name for name in tarball_files if "__pycache__" in name or name.endswith((".pyc", ".pyo"))]
    assert not caches, caches
    assert {name for name in tarball_files if name.startswith("scripts/")} == USER_SCRIPTS


def test_user_facing_files_are_all_there(tarball_files):
    expected = on_disk("roles", "inventories", "docs")
    expected |= on_disk("plugins/modules", "plugins/module_utils", "plugins/filter", suffixes={".py", ".yml"})
    expected |= on_disk("playbooks") - DEVELOPMENT
    expected |= {
        "README.md",
        "CHANGELOG.md",
        "execution-environment.yml",
        "meta/runtime.yml",
        "changelogs/changelog.yaml",
        "changelogs/config.yaml",
    }
    missing = sorted(expected - tarball_files)
    assert not missing, missing
    # The role layers, the release and the example inventories, named, so an empty checkout cannot pass.
    for name in ("roles/vpc/tasks/main.yml", "roles/codedeploy/files/validation_hook.py", "playbooks/release.yml"):
        assert name in tarball_files
    assert {"inventories/local/hosts.yml", "inventories/prd/hosts.yml", "inventories/stg/hosts.yml"} <= tarball_files


def test_execution_environment_requirements_ship(tarball_files):
    meta = yaml.safe_load((ROOT / "meta/execution-environment.yml").read_text())
    files = set(meta["dependencies"].values())
    assert files == {"meta/ee-requirements.txt", "meta/ee-bindep.txt"}
    assert {"meta/execution-environment.yml", *files} <= tarball_files


def test_manifest_declares_the_tested_dependency_ranges(tarball):
    with tarfile.open(tarball) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))["collection_info"]
    assert manifest["version"] == galaxy()["version"]
    ranges = manifest["dependencies"]
    assert set(ranges) == {"amazon.aws", "community.aws"}
    for name, spec in ranges.items():
        tested = Version(installed_collection_version(name))
        allowed = SpecifierSet(spec)
        assert tested in allowed, f"{name} {tested} is outside galaxy.yml's {spec}"
        # Up to the next major version: where the dependency's semantic versioning allows breaking changes.
        assert Version(f"{tested.major + 1}.0.0") not in allowed, spec
        assert Version(f"{tested.major - 1}.99.0") not in allowed, spec


def test_requires_ansible_holds_the_tested_core():
    runtime = yaml.safe_load((ROOT / "meta/runtime.yml").read_text())
    assert Version(metadata.version("ansible-core")) in SpecifierSet(runtime["requires_ansible"])


def installed_collection_version(name):
    """The version of amazon.aws / community.aws the venv has (the ansible package's), from its MANIFEST.json."""
    import ansible_collections

    namespace, collection = name.split(".")
    for base in ansible_collections.__path__:
        manifest = Path(base) / namespace / collection / "MANIFEST.json"
        if manifest.is_file():
            return json.loads(manifest.read_text())["collection_info"]["version"]
    raise AssertionError(f"{name} is not installed")
