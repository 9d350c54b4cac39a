"""Ansible resolves a collection filter in each task's worker process by importing the collection's filter files in
name order up to the one that defines it, so whatever a filter file imports is paid by every task that uses any
filter after it (issue 15). botocore alone cost ~0.5 s per such task: no filter file may import it."""

import os
import pathlib
import subprocess
import sys

FILTER_DIR = pathlib.Path(__file__).resolve().parents[4] / "plugins" / "filter"

PROBE = """
import importlib, json, sys
import ansible.errors  # loaded in every worker anyway
names = sys.argv[1:]
heavy = {}
for name in names:
    before = {m for m in sys.modules if m.split('.')[0] in ('botocore', 'boto3')}
    importlib.import_module('ansible_collections.bluegreen.ecs.plugins.filter.' + name)
    after = {m for m in sys.modules if m.split('.')[0] in ('botocore', 'boto3')}
    if after - before:
        heavy[name] = sorted(after - before)[:3]
print(json.dumps(heavy))
"""


def test_no_filter_file_imports_botocore():
    names = sorted(path.stem for path in FILTER_DIR.glob("*.py") if path.stem != "__init__")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *names], capture_output=True, text=True, env=env, check=True, timeout=120
    )
    assert result.stdout.strip() == "{}", f"filter files that import botocore/boto3: {result.stdout}"
