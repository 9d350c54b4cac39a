"""Offline stand-in for ansible-test's get-pip bootstrap (ansible/ansible#77304).

ansible-test downloads get-pip from ci-files.testing.ansible.com, which is out of reach here.
This does the same job with the interpreter's bundled ensurepip, then 'pip install ARGS'.
"""

import ensurepip
import os
import runpy
import sys

ARGS = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
ensurepip.bootstrap(upgrade=True)
os.environ.pop("PIP_CONFIG_FILE", None)  # ensurepip points it at os.devnull, hiding /etc/pip.conf
sys.argv = ["pip", "install"] + ARGS
runpy.run_module("pip", run_name="__main__", alter_sys=True)
