"""The execution environment: `ansible-builder create` (no container engine here) writes a build context whose
Containerfile, Python requirements, bindep file and collections are the ones tested (constraints.txt, the
ansible package's collections). And ansible-builder's introspection of the installed tarball finds what
meta/execution-environment.yml declares, as the image build does."""

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from .conftest import BIN, ROOT, galaxy, run
from .test_tarball import installed_collection_version

# RPM-based, as ansible-builder requires, with the Python the collection is tested on from its packages.
BASE_IMAGE = "quay.io/centos/centos:stream9"


def constraints():
    """{normalized name: version} of constraints.txt."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            pins[normalize(req.name)] = str(next(iter(req.specifier)).version)
    return pins


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(path):
    return [Requirement(line) for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def bindep_names(path):
    return {line.split()[0] for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")}


def dependency_requirements(name):
    """amazon.aws / community.aws requirements.txt, as ansible-builder reads them when they have no meta file."""
    import ansible_collections

    namespace, collection = name.split(".")
    for base in ansible_collections.__path__:
        path = Path(base) / namespace / collection / "requirements.txt"
        if path.is_file():
            return requirements(path)
    raise AssertionError(f"{name} has no requirements.txt")


@pytest.fixture(scope="module")
def context(tarball, tmp_path_factory):
    """The build context, made beside a copy of execution-environment.yml and the tarball (its additional file)."""
    work = tmp_path_factory.mktemp("ee")
    shutil.copy(ROOT / "execution-environment.yml", work)
    shutil.copy(tarball, work)
    run(
        BIN / "ansible-builder",
        "create",
        "-f",
        work / "execution-environment.yml",
        "-c",
        work / "context",
        "--output-filename",
        "Containerfile",
        cwd=work,
    )
    return work / "context"


def build_args(containerfile):
    return dict(re.findall(r'^ARG (\w+)="(.*)"$', containerfile, re.M))


def test_containerfile_base_image_and_python(context):
    containerfile = (context / "Containerfile").read_text()
    args = build_args(containerfile)
    assert args["EE_BASE_IMAGE"] == BASE_IMAGE
    assert "FROM $EE_BASE_IMAGE AS base" in containerfile
    tested = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert args["PYPKG"] == tested
    assert args["PYCMD"] == f"/usr/bin/{tested}"


def test_ansible_core_and_runner_are_the_constrained_versions(context):
    refs = dict(
        ref.split("==") for ref in build_args((context / "Containerfile").read_text())["ANSIBLE_INSTALL_REFS"].split()
    )
    pins = constraints()
    assert refs == {"ansible-core": pins["ansible-core"], "ansible-runner": pins["ansible-runner"]}


def test_every_python_requirement_is_pinned_as_tested(context):
    pinned = {normalize(r.name): r for r in requirements(context / "_build" / "requirements.txt")}
    pins = constraints()
    needed = requirements(ROOT / "meta" / "ee-requirements.txt")
    needed += dependency_requirements("amazon.aws") + dependency_requirements("community.aws")
    for req in needed:
        name = normalize(req.name)
        assert name in pinned, f"{req.name} (from a collection's requirements) is missing from the EE"
        version = Version(pins[name])
        assert str(pinned[name].specifier) == f"=={version}", f"{pinned[name]} is not constraints.txt's {version}"
        assert version in req.specifier, f"{req} does not admit the tested {version}"


def test_every_bindep_entry_is_there(context):
    assert bindep_names(ROOT / "meta" / "ee-bindep.txt") <= bindep_names(context / "_build" / "bindep.txt")


def test_collections_are_this_tarball_and_the_tested_dependencies(context, tarball):
    collections = yaml.safe_load((context / "_build" / "requirements.yml").read_text())["collections"]
    by_name = {c["name"]: c for c in collections}
    ours = by_name.pop(f"collections/{tarball.name}")
    assert ours["type"] == "file"
    assert (context / "_build" / "collections" / tarball.name).is_file()
    assert {name: c["version"] for name, c in by_name.items()} == {
        name: installed_collection_version(name) for name in galaxy()["dependencies"]
    }


def test_introspection_of_the_installed_tarball_finds_its_requirements(installed):
    """What the image build's builder stage runs on the installed collections (introspect.py)."""
    found = yaml.safe_load(run(BIN / "ansible-builder", "introspect", installed, cwd=installed))
    ours = "# from collection bluegreen.ecs"
    python = {line.split(ours)[0].strip() for line in found["python"] if line.endswith(ours)}
    system = {line.split(ours)[0].strip() for line in found["system"] if line.endswith(ours)}
    assert python == {str(r) for r in requirements(ROOT / "meta" / "ee-requirements.txt")}
    assert {line.split()[0] for line in system} == bindep_names(ROOT / "meta" / "ee-bindep.txt")
