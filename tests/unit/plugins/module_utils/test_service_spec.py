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
