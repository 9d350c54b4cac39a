"""The collection as a user gets it: the tarball `ansible-galaxy collection build` writes, and that tarball installed.

Built once per session from this checkout (galaxy.yml's manifest decides what goes in), into pytest's tmp dir.
"""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "e2e: end to end through ansible-playbook and a private emulator (minutes); -m 'not e2e' skips",
    )


def galaxy():
    return yaml.safe_load((ROOT / "galaxy.yml").read_text())


def clean_env(**extra):
    """The environment of a user's shell: no ANSIBLE_* setting and no PYTHONPATH from this checkout's tools."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_") and k != "PYTHONPATH"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def run(*args, cwd, env=None, timeout=600):
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env or clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-6000:]
    return result.stdout


@pytest.fixture(scope="session")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    run(BIN / "ansible-galaxy", "collection", "build", "--output-path", out, ROOT, cwd=out)
    info = galaxy()
    path = out / f"{info['namespace']}-{info['name']}-{info['version']}.tar.gz"
    assert path.is_file(), sorted(p.name for p in out.iterdir())
    return path


@pytest.fixture(scope="session")
def tarball_files(tarball):
    """Every file in the tarball (symlinks to files included: the inventories link host_vars), by its path."""
    with tarfile.open(tarball) as tar:
        return {m.name for m in tar.getmembers() if m.isfile() or m.issym()}


@pytest.fixture(scope="session")
def installed(tarball, tmp_path_factory):
    """An empty collections path with the tarball installed; amazon.aws and community.aws stay where the venv has
    them (the ansible package, in site-packages), which is how ansible-galaxy finds them installed, offline."""
    collections = tmp_path_factory.mktemp("collections")
    run(BIN / "ansible-galaxy", "collection", "install", tarball, "-p", collections, cwd=collections)
    return collections
