"""Children of the emulator never outlive it (emulator/dataplane/processes.py)."""

import os
import signal
import sys
import time

from emulator.dataplane import processes


def test_what_a_killed_emulator_left_running_is_reaped():
    # A "server" whose worker is a grandchild: it gets no PDEATHSIG, only the inherited EMULATOR_OWNER.
    script = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)"
    child = processes.spawn([sys.executable, "-c", script], env=dict(os.environ))
    try:
        deadline = time.monotonic() + 10
        while len(processes.owned_by(os.getpid())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(processes.owned_by(os.getpid())) == 2
        os.kill(child.pid, signal.SIGKILL)  # the worker is orphaned, still running
        child.wait()
        assert len(processes.owned_by(os.getpid())) == 1
        assert processes.reap(os.getpid()) == 1
        deadline = time.monotonic() + 5
        while processes.owned_by(os.getpid()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes.owned_by(os.getpid()) == []
    finally:
        processes.reap(os.getpid())
        if child.poll() is None:
            child.kill()
