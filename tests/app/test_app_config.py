"""Start-up validation of the environment variables."""

from __future__ import annotations

import subprocess
import sys

import pytest
from app_test_helpers import ROOT, base_env

from app.config import ConfigError, Settings, load_settings


def test_defaults():
    settings = load_settings({})
    assert settings == Settings()
    assert settings.port == 8000
    assert settings.host == "0.0.0.0"
    assert settings.log_level == "INFO"
    assert settings.shutdown_timeout == 25
    assert settings.metadata_uri is None
    assert settings.test_slow_ms == 0
    assert settings.access_log is True


def test_all_variables_read():
    settings = load_settings(
        {
            "PORT": "9000",
            "HOST": "127.0.0.1",
            "APP_VERSION": "1.2.3",
            "GIT_COMMIT": "abc1234",
            "BUILD_TIME": "2024-05-01T12:00:00Z",
            "LOG_LEVEL": "warning",
            "SERVER_THREADS": "8",
            "SERVER_BACKLOG": "256",
            "SHUTDOWN_TIMEOUT": "110",
            "KEEPALIVE_TIMEOUT": "30",
            "ECS_CONTAINER_METADATA_URI_V4": "http://169.254.170.2/v4/abc/",
            "METADATA_TIMEOUT": "0.5",
            "APP_TEST_SLOW_MS": "250",
        }
    )
    assert settings.port == 9000
    assert settings.host == "127.0.0.1"
    assert (settings.app_version, settings.git_commit) == ("1.2.3", "abc1234")
    assert settings.build_time == "2024-05-01T12:00:00Z"
    assert settings.log_level == "WARNING"
    assert settings.access_log is False
    assert (settings.threads, settings.backlog) == (8, 256)
    assert (settings.shutdown_timeout, settings.keepalive_timeout) == (110, 30)
    assert settings.metadata_uri == "http://169.254.170.2/v4/abc"
    assert settings.metadata_timeout == 0.5
    assert settings.test_slow_ms == 250


def test_blank_values_mean_default():
    assert load_settings({"PORT": "", "LOG_LEVEL": " ", "APP_VERSION": ""}) == Settings()


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("PORT", "abc", "an integer from 1 to 65535"),
        ("PORT", "0", "an integer from 1 to 65535"),
        ("PORT", "70000", "an integer from 1 to 65535"),
        ("PORT", "80.5", "an integer from 1 to 65535"),
        ("LOG_LEVEL", "verbose", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("SERVER_THREADS", "0", "an integer from 1 to 64"),
        ("SERVER_THREADS", "many", "an integer from 1 to 64"),
        ("SERVER_BACKLOG", "1", "an integer from 16 to 65535"),
        ("SHUTDOWN_TIMEOUT", "0", "an integer from 1 to 1800"),
        ("SHUTDOWN_TIMEOUT", "2.5", "an integer from 1 to 1800"),
        ("KEEPALIVE_TIMEOUT", "601", "an integer from 1 to 600"),
        ("METADATA_TIMEOUT", "nan", "a number of seconds from 0.05 to 30"),
        ("METADATA_TIMEOUT", "0", "a number of seconds from 0.05 to 30"),
        ("APP_TEST_SLOW_MS", "-1", "an integer from 0 to 600000"),
        ("HOST", "example.com", "an IPv4 or IPv6 address"),
        ("ECS_CONTAINER_METADATA_URI_V4", "169.254.170.2/v4", "an http:// or https:// URL"),
        ("APP_VERSION", "x" * 129, "printable text of at most 128 characters"),
        ("GIT_COMMIT", "abc\x1b[31m", "printable text of at most 128 characters"),
    ],
)
def test_invalid_values_name_the_variable_and_allowed_values(name, value, allowed):
    with pytest.raises(ConfigError) as err:
        load_settings({name: value})
    assert err.value.name == name
    message = str(err.value)
    assert name in message
    assert repr(value) in message
    assert allowed in message


def test_python_m_app_exits_2_with_message_on_stderr():
    proc = subprocess.run(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env=base_env(PORT="eighty"),
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "PORT" in proc.stderr
    assert "'eighty'" in proc.stderr
    assert "an integer from 1 to 65535" in proc.stderr
    assert "Traceback" not in proc.stderr
