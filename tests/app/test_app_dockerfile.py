"""The Dockerfile: static checks, and its start command run the way the image would run it."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from importlib import metadata
from pathlib import Path

import pytest
from app_test_helpers import ROOT, free_port, running_server, wait_healthy

DOCKERFILE = ROOT / "Dockerfile"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    out, buf = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        keyword, _sep, rest = (buf + line).partition(" ")
        out.append((keyword.upper(), rest.strip()))
        buf = ""
    return out


def final_stage() -> list[tuple[str, str]]:
    steps = instructions(DOCKERFILE.read_text())
    last_from = max(i for i, step in enumerate(steps) if step[0] == "FROM")
    return steps[last_from:]


def only(stage, keyword: str) -> list[str]:
    return [args for kw, args in stage if kw == keyword]


def env_of(stage) -> dict[str, str]:
    env = {}
    for args in only(stage, "ENV"):
        for item in shlex.split(args):
            key, _sep, value = item.partition("=")
            env[key] = value
    return env


def _ignore_regex(pattern: str) -> re.Pattern:
    """A .dockerignore pattern as a regex (``*``, ``?``, ``[...]``, ``**``; a matched folder covers its contents)."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] in "*?":
            out, i = out + ("[^/]*" if pattern[i] == "*" else "[^/]"), i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + "(?:/.*)?")


def dockerignored(rel: str) -> bool:
    """Whether the build context leaves ``rel`` out (last matching line wins, ``!`` re-includes)."""
    ignored = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if _ignore_regex(line.lstrip("!").strip("/")).fullmatch(rel):
            ignored = not negate
    return ignored


def test_hadolint_passes():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not os.access(hadolint, os.X_OK):
        pytest.skip("hadolint is not installed")
    proc = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ignore" not in DOCKERFILE.read_text().lower()


# Docker's official images, from their ECR Public mirror (not Docker Hub, whose anonymous pull rate limit
# CodeBuild's shared addresses hit): an exact version tag, optionally pinned further by digest.
BASE_IMAGE = re.compile(
    r"public\.ecr\.aws/docker/library/(?P<ref>python:3\.1[12]\.\d+-slim-bookworm(?:@sha256:[0-9a-f]{64})?) AS \w+"
)


def test_multistage_pinned_slim_bases_from_the_ecr_public_mirror():
    froms = only(instructions(DOCKERFILE.read_text()), "FROM")
    assert len(froms) >= 2
    refs = set()
    for args in froms:
        match = BASE_IMAGE.fullmatch(args)
        assert match, f"FROM {args}: not public.ecr.aws/docker/library/python:<exact version>-slim-bookworm"
        refs.add(match.group("ref"))
    assert len(refs) == 1, f"the build and runtime stages use different bases: {sorted(refs)}"


def test_runtime_stage_settings():
    stage = final_stage()
    user = only(stage, "USER")[-1]
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", user), "a numeric, non-root user"
    assert only(stage, "EXPOSE") == ["8000"]
    assert json.loads(only(stage, "CMD")[-1]) == ["python", "-m", "app"]
    env = env_of(stage)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    for name in ("APP_VERSION", "GIT_COMMIT", "BUILD_TIME"):
        assert any(args.split("=")[0] == name for args in only(stage, "ARG")), name
        assert env[name] == "${%s}" % name  # noqa: UP031 - a Dockerfile variable, not Python
    assert any(args.startswith("--from=build ") for args in only(stage, "COPY"))
    assert not any("pip install" in args for args in only(stage, "RUN")), "no pip in the runtime stage"


def volumes_of(stage) -> list[str]:
    """The paths the stage's VOLUME instructions declare (JSON or plain form)."""
    paths = []
    for args in only(stage, "VOLUME"):
        paths += json.loads(args) if args.startswith("[") else args.split()
    return paths


def test_tmp_is_a_volume_the_app_user_owns():
    """On Fargate the task's /tmp bind mount takes the owner and mode of the image's VOLUME /tmp.

    Without the VOLUME it is root-owned 0755 and user 10001 cannot write (ECS developer guide, "Use
    bind mounts with Amazon ECS", considerations); a change after VOLUME would not be in the image.
    """
    stage = final_stage()
    assert "/tmp" in volumes_of(stage)
    volume_at = next(i for i, (kw, args) in enumerate(stage) if kw == "VOLUME" and "/tmp" in args)
    before = " && ".join(args for kw, args in stage[:volume_at] if kw == "RUN")
    owner = re.search(r"chown\s+(\S+)\s+/tmp(?:\s|$)", before)
    assert owner, "the runtime stage chowns /tmp before declaring it"
    user = only(stage, "USER")[-1]
    assert owner.group(1).split(":") == user.split(":"), f"/tmp belongs to {owner.group(1)}, the app runs as {user}"
    mode = re.search(r"chmod\s+([0-7]{3,4})\s+/tmp(?:\s|$)", before)
    assert mode is None or int(mode.group(1), 8) & 0o700 == 0o700, "the owner can read, write and enter /tmp"


def test_the_task_definitions_tmp_mount_is_writable_on_fargate():
    """The task definition's /tmp mount is one the image declares, for the user the image owns it to."""
    from ansible_collections.bluegreen.ecs.plugins.module_utils import naming, service_spec, task_definition

    stage = final_stage()
    spec = service_spec.normalize({}, "web")
    td = task_definition.task_definition(
        spec, naming.service_names("prd", "demo", "web"), "repo:tag", "eu-west-1", "arn:exec", "arn:task"
    )
    assert task_definition.unwritable_mounts(td, volumes_of(stage)) == []
    assert task_definition.unwritable_mounts(td, ()) != [], "without the VOLUME, /tmp would not be writable"
    assert spec["user"] == only(stage, "USER")[-1].split(":")[0]


def test_healthcheck_needs_no_curl():
    check = only(final_stage(), "HEALTHCHECK")[-1]
    assert "curl" not in check and "wget" not in check
    assert json.loads(check.split(" CMD ", 1)[1])[:2] == ["python", "-c"]


def test_build_stage_installs_pinned_requirements():
    text = DOCKERFILE.read_text()
    assert re.search(r"COPY app/requirements\.txt \S+", text)
    assert re.search(r"pip install [^\n]*-r \S*requirements\.txt", text)
    pins = [
        line.split("#")[0].strip()
        for line in (ROOT / "app" / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    ]
    assert pins
    for pin in pins:
        name, _sep, version = pin.partition("==")
        assert re.fullmatch(r"[A-Za-z0-9._-]+", name) and re.fullmatch(r"\d[\w.]*", version), pin
        assert metadata.version(name) == version, f"the test venv runs {name} {metadata.version(name)}, not {version}"


def test_dockerignore_keeps_only_the_app():
    assert not dockerignored("app/web.py")
    assert not dockerignored("app/requirements.txt")
    assert dockerignored("app/__pycache__/web.cpython-312.pyc")
    assert dockerignored("app/__pycache__")
    assert dockerignored("app/web.pyc")
    assert dockerignored("tests/app/test_app_routes.py")
    assert dockerignored(".venv/bin/python")
    assert dockerignored(".git/config")


def _emulate_copies(stage, root: Path) -> Path:
    """Copy what the runtime stage's COPY lines copy from the build context; return the WORKDIR."""
    for args in only(stage, "COPY"):
        if args.startswith("--from="):
            continue
        parts = [p for p in shlex.split(args) if not p.startswith("--")]
        *sources, dest = parts
        for src in sources:
            target = root / dest.lstrip("/")
            shutil.copytree(
                ROOT / src,
                target,
                ignore=lambda d, names: [n for n in names if dockerignored(os.path.relpath(os.path.join(d, n), ROOT))],
            )
    workdir = root / only(stage, "WORKDIR")[-1].lstrip("/")
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_image_start_command_serves_health(tmp_path):
    stage = final_stage()
    image_root = tmp_path / "image"
    workdir = _emulate_copies(stage, image_root)
    assert (workdir / "app" / "__main__.py").is_file()
    assert not list(image_root.rglob("__pycache__"))
    before = _tree(image_root)

    port = free_port()
    env = {k: v for k, v in env_of(stage).items() if k != "PATH" and "$" not in v}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        PORT=str(port),
        HOST="127.0.0.1",
        APP_VERSION="9.8.7",  # what --build-arg APP_VERSION=9.8.7 turns into
        GIT_COMMIT="feedbeef",
        BUILD_TIME="2024-05-01T12:00:00Z",
    )
    assert "HOME" not in env and "PYTHONPATH" not in env
    cmd = json.loads(only(stage, "CMD")[-1])
    cmd[0] = sys.executable if cmd[0] == "python" else cmd[0]
    with running_server(cmd, env, cwd=workdir) as proc:
        wait_healthy(port, proc)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/version", timeout=5) as resp:
            doc = json.loads(resp.read())
        assert (doc["version"], doc["git_commit"], doc["build_time"]) == ("9.8.7", "feedbeef", "2024-05-01T12:00:00Z")
        probe = json.loads(only(stage, "HEALTHCHECK")[-1].split(" CMD ", 1)[1])
        probe[0] = sys.executable
        assert subprocess.run(probe, env=env, cwd=workdir, timeout=10, check=False).returncode == 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    assert _tree(image_root) == before, "the app wrote into its (read-only in production) directory"

    # and the probe fails once nothing answers
    assert subprocess.run(probe, env=env, cwd=workdir, timeout=10, check=False, capture_output=True).returncode != 0
