"""Fixtures: one patched emulator for the whole session, served from this process on a free 127.0.0.1 port."""

import os
import urllib.request

import boto3
import pytest

from emulator.server import EmulatorServer

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def emulator():
    # Emulated time runs at AWS's pace here, whatever the caller's EMULATOR_MINUTE_SECONDS (make local
    # speeds it up); the engine tests speed it up themselves with set_minute_seconds.
    saved = os.environ.pop("EMULATOR_MINUTE_SECONDS", None)
    server = EmulatorServer(port=0, quiet=True)
    server.start()
    yield server
    server.stop()
    if saved is not None:
        os.environ["EMULATOR_MINUTE_SECONDS"] = saved


def post_reset(endpoint: str) -> None:
    req = urllib.request.Request(f"{endpoint}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()


@pytest.fixture
def reset(emulator):
    """Call to clear all emulated state (what POST /moto-api/reset does)."""
    return lambda: post_reset(emulator.endpoint)


@pytest.fixture
def aws(emulator):
    """A factory of boto3 clients on a freshly reset emulator: aws("ecs"), aws("codedeploy", config=...)."""
    post_reset(emulator.endpoint)

    def client(service: str, region: str = "us-east-1", **kwargs):
        return boto3.client(service, endpoint_url=emulator.endpoint, region_name=region, **CREDENTIALS, **kwargs)

    return client


# The ECS-native engine's fixtures. Their builders live beside the tests that describe them; the fixtures are here so
# that every test module can use them without importing a fixture by name.
@pytest.fixture
def stack(aws):
    """A VPC, an ALB with production (80) and test (8080) listeners on blue/green target groups, their default rules,
    the load-balancer role and a cluster (tests/emulator/test_ecs_native_engine.py, ``build_stack``)."""
    from tests.emulator.test_ecs_native_engine import build_stack  # noqa: PLC0415

    yield from build_stack(aws)


@pytest.fixture
def no_health(monkeypatch):
    """SCALE_UP lasts its fixed time: for tests where the tasks are not the point (their images have no recipe)."""
    from tests.emulator.test_ecs_native_engine import without_health  # noqa: PLC0415

    without_health(monkeypatch)


@pytest.fixture
def service(stack, request):
    """The CANARY service on 1.0.0 serving on the production listener (tests/emulator/test_release_ecs_native.py)."""
    from tests.emulator.test_release_ecs_native import build_service  # noqa: PLC0415

    return build_service(stack, request)
