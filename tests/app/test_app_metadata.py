"""/version with the ECS task metadata endpoint (a fake one on 127.0.0.1)."""

from __future__ import annotations

import time

import pytest
from app_test_helpers import FakeMetadata, free_port

from app import metadata as metadata_mod
from app.metadata import TaskMetadata

TASK_ID = "0123456789abcdef0123456789abcdef"


def test_version_reports_task_and_zone_and_fetches_once(make_client, fake_metadata):
    client = make_client(metadata_uri=fake_metadata.uri, build_time="t0")
    assert fake_metadata.hits == 0  # lazy: nothing fetched at start-up
    first = client.get("/version").json
    second = client.get("/version").json
    assert (
        first
        == second
        == {
            "version": "1.2.3",
            "git_commit": "abc1234",
            "build_time": "t0",
            "task_id": TASK_ID,
            "availability_zone": "eu-west-1b",
        }
    )
    assert fake_metadata.hits == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b"oops"),
        (200, b"not json"),
        (200, b"[1, 2]"),
        (200, b'{"TaskARN": 42, "AvailabilityZone": ["x"]}'),
    ],
)
def test_version_survives_bad_metadata(make_client, status, body):
    with FakeMetadata(status=status, body=body) as fake:
        resp = make_client(metadata_uri=fake.uri).get("/version")
    assert resp.status_int == 200
    assert resp.json["task_id"] is None
    assert resp.json["availability_zone"] is None
    assert resp.json["version"] == "1.2.3"


def test_version_survives_unreachable_metadata(make_client):
    uri = f"http://127.0.0.1:{free_port()}/v4/gone"  # nothing listens there
    started = time.monotonic()
    resp = make_client(metadata_uri=uri, metadata_timeout=0.5).get("/version")
    assert resp.status_int == 200
    assert resp.json["task_id"] is None
    assert time.monotonic() - started < 5


def test_failed_lookup_is_not_retried_on_every_request(monkeypatch):
    with FakeMetadata(status=500) as fake:
        meta = TaskMetadata(fake.uri, timeout=1)
        assert meta.get() == {"task_id": None, "availability_zone": None}
        assert meta.get() == {"task_id": None, "availability_zone": None}
        assert fake.hits == 1
        # after the retry delay it tries again and then caches the good answer
        fake.status, fake.body = 200, b'{"TaskARN": "arn:aws:ecs:r:1:task/c/tid", "AvailabilityZone": "az1"}'
        monkeypatch.setattr(metadata_mod, "RETRY_AFTER", 0.0)
        assert meta.get() == {"task_id": "tid", "availability_zone": "az1"}
        assert meta.get() == {"task_id": "tid", "availability_zone": "az1"}
        assert fake.hits == 2


def test_no_uri_means_no_lookup():
    assert TaskMetadata(None).get() == {"task_id": None, "availability_zone": None}


def test_lookup_ignores_proxy_settings(monkeypatch, fake_metadata):
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{free_port()}")  # a proxy that is not there
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert TaskMetadata(fake_metadata.uri).get()["task_id"] == TASK_ID
