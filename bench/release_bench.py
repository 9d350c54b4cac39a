"""Overhead of a blue/green canary release on the emulator: python bench/release_bench.py [--runs 3].

Builds the stack on a private emulator (free port, temporary state dir), then times canary releases
of new tags through playbooks/release.yml, validated against a stand-in for the new version.

- wall: the whole `ansible-playbook playbooks/release.yml -e app_image_tag=<new tag>` command.
- waits: what the deployment is configured to wait (canary interval + termination wait) plus the
  emulator's own step times (green start-up and the instant steps), in emulated minutes.
- overhead = wall - waits: what the release costs beyond waiting; target under 2 seconds.
- baseline, measured in the same run: a release of the tag that is already live (nothing to do), the
  floor every release pays (ansible-playbook start-up, inventory, the module's reads). The overhead is
  also given as a ratio to it, and as the part above it (overhead - baseline: the deployment's own
  polling, validation and reads).
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ANSIBLE_PLAYBOOK = str(Path(PYTHON).parent / "ansible-playbook")
MINUTE_SECONDS = 0.05
CANARY_INTERVAL_MINUTES = 1
TERMINATION_WAIT_MINUTES = 1
READY_WAIT_MINUTES = 600  # never reached: the release validates and continues at once
# Minutes the emulator spends on the steps of a deployment besides the configured waits
# (emulator/bluegreen/run.py: INSTALL 0.5 and 8 steps of 0.05 from Created to Succeeded).
ENGINE_STEP_MINUTES = 0.5 + 8 * 0.05
TARGET_SECONDS = 2.0
REPOSITORY = "local-web"  # inventories/local: env local, service web


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Green(BaseHTTPRequestHandler):
    """Stands in for the new version behind the test listener: answers /version with the tag asked for."""

    version = ""

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = json.dumps({"version": Green.version}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):  # pylint: disable=arguments-differ
        pass


def run(cmd, env):
    """Seconds ``cmd`` took; exits with its output when it fails."""
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-2000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return elapsed


def playbook(name, *extra):
    return [ANSIBLE_PLAYBOOK, "-i", "inventories/local", f"playbooks/{name}", *extra]


def release(tag, env, green_url):
    Green.version = tag
    settings = {
        "app_image_tag": tag,
        "release_local_app": False,
        "release_validation_url": green_url,
        "release_poll_interval": 0.1,
    }
    return run(playbook("release.yml", "-e", json.dumps(settings)), env)


def measure(runs, state_dir):
    port = free_port()
    env = dict(
        os.environ,
        EMULATOR_PORT=str(port),
        EMULATOR_STATE_DIR=state_dir,
        EMULATOR_MINUTE_SECONDS=str(MINUTE_SECONDS),
        ANSIBLE_COLLECTIONS_PATH=str(ROOT / ".collections"),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    green = ThreadingHTTPServer(("127.0.0.1", 0), Green)
    threading.Thread(target=green.serve_forever, daemon=True).start()
    green_url = f"http://127.0.0.1:{green.server_address[1]}/version"
    tags = [f"1.0.{n}" for n in range(runs + 1)]
    run([PYTHON, "-m", "emulator", "start"], env)
    try:
        group = {
            "codedeploy_interval_minutes": CANARY_INTERVAL_MINUTES,
            "codedeploy_termination_wait_minutes": TERMINATION_WAIT_MINUTES,
            "codedeploy_ready_wait_minutes": READY_WAIT_MINUTES,
        }
        build = run(playbook("site.yml", "-e", json.dumps(group)), env)
        push = [
            PYTHON,
            "scripts/push_image.py",
            "--repository",
            REPOSITORY,
            "--endpoint-url",
            f"http://127.0.0.1:{port}",
        ]
        run(push + [arg for tag in tags for arg in ("--tag", tag)], env)
        first = release(tags[0], env, green_url)
        baseline = [release(tags[0], env, green_url) for _run in range(runs)]
        walls = [release(tag, env, green_url) for tag in tags[1:]]
    finally:
        run([PYTHON, "-m", "emulator", "stop"], env)
        green.shutdown()
    return build, first, baseline, walls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="release-bench-") as state_dir:
        build, first, baseline, walls = measure(args.runs, state_dir)
    waits = (CANARY_INTERVAL_MINUTES + TERMINATION_WAIT_MINUTES + ENGINE_STEP_MINUTES) * MINUTE_SECONDS
    base = statistics.median(baseline)
    wall = statistics.median(walls)
    overhead = wall - waits
    print(f"stack built in {build:.1f} s; first release (bootstrap -> 1.0.0) {first:.2f} s")
    print(
        f"canary 10 % / {CANARY_INTERVAL_MINUTES} min, bake {TERMINATION_WAIT_MINUTES} min, emulated minute {MINUTE_SECONDS} s"
    )
    print(f"configured waits + emulator steps: {waits:.2f} s")
    print(f"no-op release (baseline):   median {base:.2f} s  runs {', '.join(f'{b:.2f}' for b in baseline)}")
    print(f"canary release (wall):      median {wall:.2f} s  runs {', '.join(f'{w:.2f}' for w in walls)}")
    print(f"release overhead (wall - waits): {overhead:.2f} s = {overhead / base:.2f} x the baseline")
    print(f"  of which above the baseline:   {overhead - base:.2f} s")
    print(f"target overhead < {TARGET_SECONDS:.2f} s: {'met' if overhead < TARGET_SECONDS else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
