"""The emulated clock (emulator/clock.py): how long an emulated minute lasts."""

import pytest

from emulator import clock


@pytest.mark.parametrize(("value", "expected"), [(None, 60.0), ("0.2", 0.2), ("-1", 0.0), ("soon", 60.0)])
def test_minute_seconds(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("EMULATOR_MINUTE_SECONDS", raising=False)
    else:
        monkeypatch.setenv("EMULATOR_MINUTE_SECONDS", value)
    assert clock.minute_seconds() == expected


def test_minute_seconds_override(monkeypatch):
    monkeypatch.setenv("EMULATOR_MINUTE_SECONDS", "5")
    clock.set_minute_seconds(0.1)
    try:
        assert clock.minute_seconds() == 0.1
    finally:
        clock.set_minute_seconds(None)
    assert clock.minute_seconds() == 5.0
