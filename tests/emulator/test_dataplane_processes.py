"""Children of the emulator never outlive it (emulator/dataplane/processes.py)."""

import os
import subprocess
import sys
import time

from emulator.dataplane import processes


def _until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_what_a_killed_emulator_left_running_is_reaped():
    # An emulator stand-in of its own (this test process may own other tests' children: pytest workers run many
    # files). It starts a "server" (PDEATHSIG) whose worker is a grandchild: no PDEATHSIG, only EMULATOR_OWNER.
    server = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)"
    stand_in = (
        "import os, sys, time; from emulator.dataplane import processes; "
        f"processes.spawn([sys.executable, '-c', {server!r}], env=dict(os.environ)); time.sleep(60)"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    emulator = subprocess.Popen([sys.executable, "-c", stand_in], cwd=root)
    try:
        assert _until(lambda: len(processes.owned_by(emulator.pid)) == 2, 15)
        emulator.kill()  # the server dies with it (PDEATHSIG); its worker is orphaned, still running
        emulator.wait()
        assert _until(lambda: len(processes.owned_by(emulator.pid)) == 1, 5)
        assert processes.reap(emulator.pid) == 1
        assert _until(lambda: processes.owned_by(emulator.pid) == [], 5)
    finally:
        processes.reap(emulator.pid)
        if emulator.poll() is None:
            emulator.kill()
