# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The release role refuses bad input before it reads or changes anything in AWS.

playbooks/release.yml runs against the local inventory with an AWS endpoint nothing listens on: a check that let
bad input through would reach AWS and fail with a connection error instead of the message asserted here.
"""

import os
import socket
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.path.dirname(sys.executable)


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def release(*extra_vars):
    env = dict(
        os.environ,
        PATH=f"{BIN}:{os.environ.get('PATH', '')}",
        ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".collections"),
        EMULATOR_PORT=str(_closed_port()),
        ANSIBLE_NOCOLOR="1",
    )
    argv = [os.path.join(BIN, "ansible-playbook"), "-i", "inventories/local", "playbooks/release.yml"]
    for value in extra_vars:
        argv += ["-e", value]
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    return proc.returncode, " ".join((proc.stdout + proc.stderr).split())


@pytest.mark.parametrize(
    ("extra_vars", "message"),
    [
        (
            (),
            "app_image_tag: a release needs the image tag to deploy (-e app_image_tag=<tag>)",
        ),
        (
            ("app_image_tag=.hidden",),
            "app_image_tag: ''.hidden'' is not an image tag; allowed: up to 128 letters",
        ),
        (
            ("release_action=deploy",),
            "value of release_action must be one of: release, rollback, stop, continue, got: deploy",
        ),
        (
            ("app_image_tag=2.0.0", "release_traffic_sample=-1"),
            "release_traffic_sample: -1 is not a number of requests; allowed: 0 (no sample) to 1000",
        ),
        (
            ("app_image_tag=2.0.0", "release_timeout=0"),
            "release_timeout: 0 is not allowed; allowed: a whole number of seconds, at least 1",
        ),
        (
            ("app_image_tag=2.0.0", "release_validation_from=laptop"),
            "value of release_validation_from must be one of: hook, controller, got: laptop",
        ),
    ],
    ids=["no tag", "bad tag", "bad action", "negative sample", "zero timeout", "bad validation_from"],
)
def test_bad_input_fails_naming_the_variable_before_any_aws_call(extra_vars, message):
    returncode, out = release(*extra_vars)

    assert returncode != 0
    assert message in out, out[-3000:]
    assert "Could not connect" not in out and "EndpointConnectionError" not in out  # AWS was never asked
