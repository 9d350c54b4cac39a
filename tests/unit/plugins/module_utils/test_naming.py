import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming


def test_names_follow_env_name_thing():
    names = naming.service_names("prd", "demo", "web")
    assert names["vpc"] == "prd-demo-vpc"
    assert names["cluster"] == "prd-demo-cluster"
    assert names["target_group_blue"] == "prd-web-blue"
    assert names["deployment_group"] == "prd-web-dg"
    assert names["container"] == "web"
    assert "artifact_bucket" not in names


def test_bucket_name_needs_account_and_region():
    names = naming.service_names("prd", "demo", "web", account_id="123456789012", region="us-east-1")
    assert names["artifact_bucket"] == "prd-web-artifacts-123456789012-us-east-1"


def test_target_group_name_over_32_characters_is_refused_naming_the_field():
    service = "a-very-long-service-name-x"  # prd-<26>-green = 36 characters
    with pytest.raises(naming.NamingError) as err:
        naming.service_names("prd", "demo", service)
    msg = str(err.value)
    assert "bluegreen_service.name" in msg
    assert "at most 32" in msg


def test_longest_service_name_that_fits():
    service = "s" * (32 - len("prd--green"))
    assert len(naming.service_names("prd", "demo", service)["target_group_green"]) == 32


@pytest.mark.parametrize("bad", ["Prd", "1env", "env-", "", "e_v", None])
def test_labels_must_be_lowercase_dns_style(bad):
    with pytest.raises(naming.NamingError, match="bluegreen_env"):
        naming.platform_names(bad, "demo")


def test_deployment_config_name_carries_its_settings():
    assert naming.deployment_config_name("prd", "web", "canary", 10, 1) == "prd-web-canary10pct-1min"
    assert naming.deployment_config_name("prd", "web", "all_at_once") == "CodeDeployDefault.ECSAllAtOnce"


def test_standard_tags_win_over_user_tags():
    tags = naming.resource_tags("prd", "demo", "web", {"ManagedBy": "me", "Team": "x"})
    assert tags == {
        "Environment": "prd",
        "Project": "demo",
        "Application": "web",
        "ManagedBy": "bluegreen.ecs",
        "Team": "x",
    }
