"""Overhead of a blue/green canary release on the emulator, on both controllers: python bench/release_bench.py [--rounds 5].

Builds one environment with two services on a private emulator (free port, temporary state dir): ``web``
(inventories/local) released through CodeDeploy, and ``api``, the same app and spec on the ECS controller
(ECS-native blue/green, ``bluegreen_deployment_controller: ecs``, an inventory of its own written beside the
state dir). Both run the same canary: 10 % for CANARY_MINUTES, then 100 % and a bake of BAKE_MINUTES. Then
times, in interleaved rounds (this machine is noisy: each round measures all five within seconds):

- floor: bench/floor.yml, ansible-playbook with one AWS module task, the price of any Ansible
  command against AWS (start-up, inventory, one module run);
- per controller, a no-op release of the live tag (nothing to do) and a canary release of a new tag through
  playbooks/release.yml. Each is validated once, by the same validation function from inside the VPC
  (release_validation_from=hook, the default): CodeDeploy runs it as the deployment's AfterAllowTestTraffic hook;
  on ECS the release invokes it while the PAUSE hook holds after test traffic. (=controller would add a second
  check from this machine on one side only.) The traffic sample is off (release_traffic_sample=0): it measures the
  listener, not the release.

waits = what the deployment is configured to wait (canary step + bake) plus the emulator's own step times
(the instant steps: 8 of 0.05 emulated minutes on either engine), in emulated minutes. Green's start (a real
process, until its port answers) and the validation take real time that no emulated-minute setting shrinks:
they count as overhead here, as they would on AWS.
overhead = canary - waits, the whole command, also given as a ratio to the floor of its round.
above the floor = canary - waits - floor, per round: what the release adds to any Ansible AWS command. The
target, under 2 seconds, applies to it on each controller.
"""

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import yaml
from benchlib import ANSIBLE_PLAYBOOK, PYTHON, ROOT, emulator, run

MINUTE_SECONDS = 0.05
CANARY_MINUTES = 1
BAKE_MINUTES = 1
WAIT_MINUTES = 600  # CodeDeploy's ready wait and ECS's PAUSE timeout: never reached, the release continues at once
# Minutes each engine spends on its instant steps besides the configured waits: CodeDeploy
# (emulator/bluegreen/deployment.py) 8 steps from Created to Succeeded; ECS (service_deployment.py) PENDING,
# PRE_SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, the 100 % step,
# POST_PRODUCTION_TRAFFIC_SHIFT, CLEAN_UP. Green's start (Install / SCALE_UP) is real time on both.
ENGINE_STEP_MINUTES = 8 * 0.05
# How often the module polls: 0.4 emulated minute (on AWS the default 5 s is a twelfth of a minute).
POLL_SECONDS = 0.02
TARGET_SECONDS = 2.0
ENV, PROJECT = "local", "demo"  # inventories/local
CONTROLLERS = {"codedeploy": "web", "ecs": "api"}  # controller -> the service released through it
# Both services are built with the same canary, each on its own controller's settings.
GROUP = {
    "codedeploy_strategy": "canary",
    "codedeploy_percent": 10,
    "codedeploy_interval_minutes": CANARY_MINUTES,
    "codedeploy_termination_wait_minutes": BAKE_MINUTES,
    "codedeploy_ready_wait_minutes": WAIT_MINUTES,
    "ecs_deployment_strategy": "canary",
    "ecs_canary_percent": 10,
    "ecs_canary_bake_minutes": CANARY_MINUTES,
    "ecs_bake_minutes": BAKE_MINUTES,
    "ecs_validation_timeout_minutes": WAIT_MINUTES,
}
# How each controller's release validates: the validation function on both (roles/release, release_validation_from).
VALIDATION = {"codedeploy": "hook", "ecs": "hook"}


def write_inventory(where):
    """An inventory that adds ``api`` on the ECS controller to inventories/local (web's spec, its own names)."""
    web = yaml.safe_load((ROOT / "inventories/local/host_vars/web.yml").read_text())
    api = {
        "bluegreen_service": {**web["bluegreen_service"], "name": "api"},
        "bluegreen_deployment_controller": "ecs",
        "pipeline_repository": web["pipeline_repository"],
        "pipeline_branch": web["pipeline_branch"],
    }
    (where / "host_vars").mkdir(parents=True)
    (where / "hosts.yml").write_text(yaml.safe_dump({"all": {"children": {"services": {"hosts": {"api": None}}}}}))
    (where / "host_vars" / "api.yml").write_text(yaml.safe_dump(api))
    return ["-i", "inventories/local", "-i", str(where)]


def release(inventory, controller, tag, env):
    settings = {
        "app_image_tag": tag,
        "release_poll_interval": POLL_SECONDS,
        "release_traffic_sample": 0,
        "release_validation_from": VALIDATION[controller],
    }
    limit = ["--limit", CONTROLLERS[controller]]
    return run([ANSIBLE_PLAYBOOK, *inventory, "playbooks/release.yml", *limit, "-e", json.dumps(settings)], env)


def floor(inventory, env):
    return run([ANSIBLE_PLAYBOOK, *inventory, "bench/floor.yml", "--limit", "web"], env)


def push(service, tags, env):
    repository = f"{ENV}-{PROJECT}-{service}"  # naming.service_names(...)["repository"]
    endpoint = f"http://127.0.0.1:{env['EMULATOR_PORT']}"
    args = [PYTHON, "scripts/push_image.py", "--repository", repository, "--endpoint-url", endpoint]
    run(args + [arg for tag in tags for arg in ("--tag", tag)], env)


def measure(rounds, state_dir):
    """Seconds: (stack build, {controller: first release}, [{floor, <controller>: (no-op, canary)} per round])."""
    tags = [f"1.0.{n}" for n in range(rounds + 1)]
    inventory = write_inventory(Path(state_dir) / "inventory")
    with emulator(Path(state_dir) / "emulator", MINUTE_SECONDS) as env:
        build = run([ANSIBLE_PLAYBOOK, *inventory, "playbooks/site.yml", "-e", json.dumps(GROUP)], env)
        for service in CONTROLLERS.values():
            push(service, tags, env)
        first = {controller: release(inventory, controller, tags[0], env) for controller in CONTROLLERS}
        samples = []
        for number, (live, new) in enumerate(zip(tags, tags[1:], strict=False)):
            sample = {"floor": floor(inventory, env)}
            # Alternate which controller goes first, so neither always runs right after the floor.
            order = list(CONTROLLERS) if number % 2 == 0 else list(reversed(CONTROLLERS))
            for controller in order:
                sample[controller] = (
                    release(inventory, controller, live, env),
                    release(inventory, controller, new, env),
                )
            samples.append(sample)
    return build, first, samples


def _runs(values):
    return f"median {statistics.median(values):.2f} s  runs {', '.join(f'{v:.2f}' for v in values)}"


def controller_lines(controller, samples, waits):
    floors = [s["floor"] for s in samples]
    noops = [s[controller][0] for s in samples]
    canaries = [s[controller][1] for s in samples]
    overhead = statistics.median(canaries) - waits
    ratio = statistics.median((canary - waits) / fl for fl, canary in zip(floors, canaries, strict=True))
    above = statistics.median(canary - waits - fl for fl, canary in zip(floors, canaries, strict=True))
    return [
        f"{controller} ({CONTROLLERS[controller]}, validation: {VALIDATION[controller]}):",
        f"  no-op release:                  {_runs(noops)}",
        f"  canary release (wall):          {_runs(canaries)}",
        f"  release overhead (wall - waits): {overhead:.2f} s = {ratio:.2f} x the floor",
        f"  of which above the floor:        {above:.2f} s",
        f"  target < {TARGET_SECONDS:.2f} s above the floor: {'met' if above < TARGET_SECONDS else 'NOT met'}"
        f" (whole command: {'under' if overhead < TARGET_SECONDS else 'over'} {TARGET_SECONDS:.2f} s)",
    ]


def report(build, first, samples):
    waits = (CANARY_MINUTES + BAKE_MINUTES + ENGINE_STEP_MINUTES) * MINUTE_SECONDS
    firsts = ", ".join(f"{controller} {seconds:.2f} s" for controller, seconds in first.items())
    lines = [
        f"stack (two services) built in {build:.1f} s; first releases (bootstrap -> 1.0.0): {firsts}",
        f"canary 10 % / {CANARY_MINUTES} min, bake {BAKE_MINUTES} min, emulated minute {MINUTE_SECONDS} s, "
        f"polling every {POLL_SECONDS} s, {len(samples)} interleaved rounds",
        f"configured waits + engine steps: {waits:.2f} s (either controller)",
        f"floor (one AWS module task):      {_runs([s['floor'] for s in samples])}",
    ]
    for controller in CONTROLLERS:
        lines += controller_lines(controller, samples, waits)
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="release-bench-") as state_dir:
        build, first, samples = measure(args.rounds, state_dir)
    print(report(build, first, samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
