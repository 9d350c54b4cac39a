import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import SpecError, normalize

ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/db-password"


def test_defaults_are_filled():
    spec = normalize({}, default_name="web")
    assert spec["name"] == "web"
    assert (spec["port"], spec["cpu"], spec["memory"]) == (8000, 256, 512)
    assert spec["readonly_root_filesystem"] is True


@pytest.mark.parametrize(
    ("cpu", "memory"), [(256, 512), (256, 2048), (512, 4096), (1024, 8192), (4096, 30720), (16384, 122880)]
)
def test_valid_fargate_sizes(cpu, memory):
    assert normalize({"cpu": cpu, "memory": memory}, "web")["memory"] == memory


@pytest.mark.parametrize(
    ("cpu", "memory", "field"),
    [(256, 4096, "memory"), (512, 512, "memory"), (300, 512, "cpu"), (8192, 18000, "memory")],
)
def test_fargate_rejects_pair_naming_field_and_allowed_values(cpu, memory, field):
    with pytest.raises(SpecError) as err:
        normalize({"cpu": cpu, "memory": memory}, "web")
    msg = str(err.value)
    assert msg.startswith(f"bluegreen_service.{field}")
    assert "allowed" in msg


def test_numbers_given_as_strings_are_accepted():
    assert normalize({"cpu": "512", "memory": "1024", "port": "8080"}, "web")["port"] == 8080


@pytest.mark.parametrize(
    ("service", "needle"),
    [
        ({"port": 70000}, "bluegreen_service.port"),
        ({"port": True}, "bluegreen_service.port"),
        ({"health_check_path": "health"}, "health_check_path"),
        ({"environment": {"1BAD": "x"}}, "bluegreen_service.environment"),
        ({"secrets": {"DB": "plain-text-password"}}, "bluegreen_service.secrets.DB"),
        ({"environment": {"DB": "x"}, "secrets": {"DB": ARN}}, "set both"),
        ({"colour": "blue"}, "unknown field"),
        ({"name": "Web"}, "bluegreen_service.name"),
        ({"architecture": "arm"}, "architecture"),
    ],
)
def test_bad_input_names_the_field(service, needle):
    with pytest.raises(SpecError, match=needle):
        normalize(service, "web")


def test_secret_message_does_not_echo_a_valid_arn_elsewhere():
    spec = normalize({"secrets": {"DB_PASSWORD": ARN}}, "web")
    assert spec["secrets"] == {"DB_PASSWORD": ARN}


# --- health_check (issue 10, item 17) -----------------------------------------------------------


def test_health_check_defaults_to_the_apps_probe_and_timings():
    assert normalize({}, "web")["health_check"] == {
        "command": None,
        "interval": 15,
        "timeout": 5,
        "retries": 3,
        "start_period": 10,
    }


@pytest.mark.parametrize("value", ["none", "NONE", {"command": []}])
def test_health_check_none(value):
    assert normalize({"health_check": value}, "web")["health_check"]["command"] == []


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "wget -q -O /dev/null http://127.0.0.1:8000/health",
            ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8000/health"],
        ),
        (["CMD", "/app/healthcheck", "--port", "8000"], ["CMD", "/app/healthcheck", "--port", "8000"]),
        (["CMD-SHELL", "curl -f http://localhost/ || exit 1"], ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]),
    ],
)
def test_health_check_command(command, expected):
    assert normalize({"health_check": {"command": command}}, "web")["health_check"]["command"] == expected


@pytest.mark.parametrize(
    ("key", "low", "high"), [("interval", 5, 300), ("timeout", 2, 60), ("retries", 1, 10), ("start_period", 0, 300)]
)
def test_health_check_limits_are_the_ecs_apis(key, low, high):
    for good in (low, high, str(high)):
        assert normalize({"health_check": {key: good}}, "web")["health_check"][key] == int(good)
    for bad in (low - 1, high + 1):
        with pytest.raises(SpecError) as err:
            normalize({"health_check": {key: bad}}, "web")
        assert str(err.value) == f"bluegreen_service.health_check.{key}: {bad} is out of range; allowed {low}..{high}"


@pytest.mark.parametrize(
    ("value", "needle"),
    [
        ({"command": ["curl", "-f", "http://localhost/"]}, r"health_check\.command: .*starting with CMD or CMD-SHELL"),
        ({"command": ["CMD"]}, r"health_check\.command: .*at least one more element"),
        ({"command": ["CMD", ""]}, r"health_check\.command"),
        ({"command": 5}, r"health_check\.command"),
        ({"command": "  "}, r"health_check\.command: an empty string"),
        ({"interval": "often"}, r"health_check\.interval: 'often' is not a whole number"),
        ({"retries": True}, r"health_check\.retries"),
        ({"grace": 10}, r"health_check: unknown field\(s\) \['grace'\]; allowed \['command', 'interval'"),
        (
            "off",
            r"health_check: 'off'; allowed a mapping \(command, interval, timeout, retries, start_period\) or 'none'",
        ),
        (["CMD", "true"], r"health_check: .*allowed a mapping"),
    ],
)
def test_bad_health_check_names_the_field_and_allowed_values(value, needle):
    with pytest.raises(SpecError, match=needle):
        normalize({"health_check": value}, "web")


def test_database_is_none_by_default_and_a_label_when_given():
    assert normalize({}, "web")["database"] == ""
    assert normalize({"database": None}, "web")["database"] == ""
    assert normalize({"database": "app"}, "web")["database"] == "app"


@pytest.mark.parametrize("value", ["App", "app_db", 3, "-app"])
def test_a_database_that_is_not_a_name_names_the_field(value):
    with pytest.raises(SpecError, match=r"^bluegreen_service\.database: .* is not a valid name"):
        normalize({"database": value}, "web")
