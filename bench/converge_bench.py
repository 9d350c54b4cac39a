"""Converge time per managed resource: python bench/converge_bench.py [--rounds 3] [--profile].

Builds inventories/prd on a private emulator (free port, temporary state dir), counts what it manages
(scripts/leftovers.py: every resource tagged for the environment), then times, in interleaved rounds
(this machine is noisy: each round measures all three within a minute):

- floor: bench/floor.yml, ansible-playbook with one AWS module task, the price of any Ansible command
  against AWS (start-up, inventory, one module run);
- no-op: playbooks/site.yml on the converged environment (it must report 0 changed);
- plan: the same with --check --diff.

Per resource = run / managed resources; the target is at most 0.5 s per managed resource for the no-op
and the plan. Each run is also given as a multiple of its round's floor, which moves with the machine's
load while the multiple does not. --profile adds one no-op run under ansible.posix.profile_tasks and
prints its slowest tasks and the time per role. The CPU seconds of the no-op and the plan (Ansible and its module
processes, not the emulator) compare runs made under different loads. A run that changes something fails the
benchmark, listing the tasks that changed.
"""

import argparse
import json
import re
import resource
import statistics
import sys
import tempfile
from collections import Counter

import boto3
from benchlib import ANSIBLE_PLAYBOOK, ROOT, emulator, run, timed

sys.path.insert(0, str(ROOT / "scripts"))
import leftovers  # noqa: E402  (scripts/ is not a package)

ENV = "prd"
TARGET = 0.5  # seconds per managed resource
MINUTE_SECONDS = 0.05


def playbook(path, env, *extra):
    """inventories/prd as it is, pointed at the emulator by extra vars (the local inventory's three settings)."""
    endpoint = {
        "aws_endpoint_url": f"http://127.0.0.1:{env['EMULATOR_PORT']}",
        "aws_access_key": "testing",
        "aws_secret_key": "testing",
    }
    return [ANSIBLE_PLAYBOOK, "-i", f"inventories/{ENV}", path, "-e", json.dumps(endpoint), *extra]


def site(env, *extra):
    return playbook("playbooks/site.yml", env, *extra)


# CPU seconds of each kind of run, Ansible and its module processes (not the emulator): unlike the wall time, it does
# not grow with the load other work puts on the machine, so it compares runs made at different times.
CPU = {"no-op": [], "plan": []}


def cpu_timed(cmd, env, kind):
    """(seconds, output) of ``cmd``; its CPU seconds go to CPU[kind]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, output = timed(cmd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[kind].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return seconds, output


def unchanged(cmd, env, kind):
    """Seconds of a run that must change nothing; exits when its recap says otherwise."""
    seconds, recap = cpu_timed(cmd, env, kind)
    changed = [int(n) for n in re.findall(r"changed=(\d+)", recap)]
    if not changed or any(changed):
        raise SystemExit(f"not a no-op: {' '.join(cmd)}\n{changed_tasks(recap)}\n{recap[-3000:]}")
    return seconds


def changed_tasks(output):
    """The tasks that reported a change, with the lines after each (a diff when --diff), for the failure message."""
    blocks = re.split(r"\n(?=TASK \[)", output)
    found = [block[:1500] for block in blocks if re.search(r"^changed: ", block, re.M)]
    return "changed tasks:\n" + ("\n".join(found) or "(none found in the output)")


def managed(env):
    session = boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    make_client = session.client
    session.client = lambda name: make_client(name, endpoint_url=f"http://127.0.0.1:{env['EMULATOR_PORT']}")
    return len(leftovers.leftovers(session, ENV))


def profile(env):
    """Time per role and the slowest tasks of one no-op run (ansible.posix.profile_tasks)."""
    penv = dict(env, ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks", PROFILE_TASKS_TASK_OUTPUT_LIMIT="1000")
    out = timed(site(env), penv)[1]
    rows = re.findall(r"^(.+?) -+ (\d+\.\d+)s$", out, re.M)
    per_role = Counter()
    for task, seconds in rows:
        per_role[task.split(" : ")[0] if " : " in task else "(play)"] += float(seconds)
    lines = [f"profile of one no-op run: {len(rows)} tasks, {sum(float(s) for _t, s in rows):.1f} s in tasks"]
    lines += [f"  {role:<40} {seconds:6.1f} s" for role, seconds in per_role.most_common()]
    lines.append("  slowest tasks:")
    lines += [f"    {seconds:>7} s  {task}" for task, seconds in rows[:12]]
    return "\n".join(lines)


def measure(rounds, state_dir, with_profile):
    with emulator(state_dir, MINUTE_SECONDS) as env:
        first = run(site(env), env)
        resources = managed(env)
        samples = []
        for _round in range(rounds):
            floor = run(playbook("bench/floor.yml", env), env)
            samples.append(
                (floor, unchanged(site(env), env, "no-op"), unchanged(site(env, "--check", "--diff"), env, "plan"))
            )
        report_profile = profile(env) if with_profile else ""
    return first, resources, samples, report_profile


def report(first, resources, samples):
    floors, noops, plans = (list(column) for column in zip(*samples, strict=True))

    def line(label, values, cpu):
        per = statistics.median(values) / resources
        times = statistics.median(v / f for v, f in zip(values, floors, strict=True))
        runs = ", ".join(f"{v:.1f}" for v in values)
        verdict = "met" if per <= TARGET else "NOT met"
        return (
            f"{label:<22} median {statistics.median(values):6.1f} s = {per:.2f} s/resource = {times:.1f} x floor"
            f"  (runs {runs}; target <= {TARGET} s/resource: {verdict}); CPU median {statistics.median(cpu):.1f} s"
        )

    return "\n".join(
        [
            f"inventories/{ENV} on the emulator: {resources} managed resources; first converge {first:.1f} s"
            f" = {first / resources:.2f} s/resource",
            f"{'floor (one AWS task)':<22} median {statistics.median(floors):6.1f} s (runs {', '.join(f'{v:.1f}' for v in floors)})",
            line("no-op site.yml", noops, CPU["no-op"]),
            line("plan (--check --diff)", plans, CPU["plan"]),
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also print where one no-op run spends its time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="converge-bench-") as state_dir:
        first, resources, samples, profiled = measure(args.rounds, state_dir, args.profile)
    print(report(first, resources, samples))
    if profiled:
        print(profiled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
