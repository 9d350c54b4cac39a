"""Run every molecule scenario, several at a time, each on its own emulator port; print the time of each.

``make molecule`` runs this. Scenarios never share state: each starts its own emulator (molecule/default/create.yml)
on ``EMULATOR_PORT``, which this script sets to ``BASE + 10 * slot``, and each emulator takes its own block of
loopback addresses (emulator/dataplane/network.py). Output goes to ``tests/output/molecule/<scenario>.log``; a
failed scenario's log is printed (its last lines). The longest scenarios start first, so the slowest one does not start last.

    python scripts/molecule_all.py [--jobs N] [--base-port P] [scenario ...]
"""

from __future__ import annotations

import argparse
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "tests" / "output" / "molecule"
# Longest first (measured): the whole site, then the layers that build the most before they start.
# A failed scenario's log is printed from here to its end (the failure and molecule's recap).
TAIL = 400
ORDER = ("site", "ecs", "pipeline", "codedeploy", "db", "alb", "vpc", "ecr", "default")


def scenarios(wanted: list[str]) -> list[str]:
    found = sorted(p.parent.name for p in (ROOT / "molecule").glob("*/molecule.yml"))
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        sys.exit(f"unknown scenario(s) {unknown}; allowed {found}")
    chosen = wanted or found
    return sorted(chosen, key=lambda s: ORDER.index(s) if s in ORDER else len(ORDER))


def run(scenario: str, port: int) -> tuple[int, float]:
    env = dict(os.environ, EMULATOR_PORT=str(port))
    log = LOGS / f"{scenario}.log"
    started = time.monotonic()
    with log.open("w") as out:
        code = subprocess.call(
            ["molecule", "test", "-s", scenario], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return code, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MOLECULE_JOBS", "2")))
    parser.add_argument("--base-port", type=int, default=int(os.environ.get("EMULATOR_PORT", "5100")))
    parser.add_argument("scenario", nargs="*")
    args = parser.parse_args()
    todo: queue.Queue[str] = queue.Queue()
    for name in scenarios(args.scenario):
        todo.put(name)
    LOGS.mkdir(parents=True, exist_ok=True)
    results: dict[str, tuple[int, float]] = {}
    lock = threading.Lock()

    def worker(slot: int) -> None:
        while True:
            try:
                name = todo.get_nowait()
            except queue.Empty:
                return
            code, seconds = run(name, args.base_port + 10 * slot)
            with lock:
                results[name] = (code, seconds)
                print(f"molecule {name}: {'passed' if code == 0 else 'FAILED'} in {seconds:.0f} s", flush=True)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(max(args.jobs, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = sorted(name for name, (code, _seconds) in results.items() if code != 0)
    for name in failed:
        lines = (LOGS / f"{name}.log").read_text(errors="replace").splitlines()
        print(
            f"\n===== molecule {name} (FAILED): the last {TAIL} of {len(lines)} lines of {LOGS / (name + '.log')} ====="
        )
        print("\n".join(lines[-TAIL:]))
    passed = len(results) - len(failed)
    print(f"molecule: {args.jobs} at a time, {time.monotonic() - started:.0f} s in all")
    print(f"molecule: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
