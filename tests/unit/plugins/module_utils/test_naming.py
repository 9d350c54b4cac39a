import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming


def test_names_follow_env_project_service_thing():
    names = naming.service_names("prd", "demo", "web")
    assert names["vpc"] == "prd-demo-vpc"
    assert names["cluster"] == "prd-demo-cluster"
    assert names["target_group_blue"] == "prd-demo-web-blue"
    assert names["deployment_group"] == "prd-demo-web-dg"
    assert names["repository"] == "prd-demo-web"
    assert names["execution_role"] == "prd-demo-web-exec-role"
    assert names["ecs_lb_role"] == "prd-demo-web-ecs-lb-role"
    assert names["container"] == "web"
    assert "artifact_bucket" not in names


def test_bucket_name_needs_account_and_region():
    names = naming.service_names("prd", "demo", "web", account_id="123456789012", region="us-east-1")
    assert names["artifact_bucket"] == "prd-demo-web-artifacts-123456789012-us-east-1"


def test_target_group_name_over_32_characters_is_refused_naming_the_field():
    service = "a-very-long-service-name"  # prd-demo-<24>-green = 39 characters
    with pytest.raises(naming.NamingError) as err:
        naming.service_names("prd", "demo", service)
    msg = str(err.value)
    assert "bluegreen_service.name" in msg
    assert "at most 32" in msg


def test_longest_service_name_that_fits():
    service = "s" * (32 - len("prd-demo--green"))
    assert len(naming.service_names("prd", "demo", service)["target_group_green"]) == 32


@pytest.mark.parametrize("bad", ["Prd", "1env", "env-", "", "e_v", None])
def test_labels_must_be_lowercase_dns_style(bad):
    with pytest.raises(naming.NamingError, match="bluegreen_env"):
        naming.platform_names(bad, "demo")


def test_deployment_config_name_carries_its_settings():
    assert naming.deployment_config_name("prd", "demo", "web", "canary", 10, 1) == "prd-demo-web-canary10pct-1min"
    assert naming.deployment_config_name("prd", "demo", "web", "all_at_once") == "CodeDeployDefault.ECSAllAtOnce"


def test_two_projects_with_a_web_service_get_different_names():
    ours = naming.service_names("prd", "shop", "web")
    theirs = naming.service_names("prd", "blog", "web")
    shared = {k for k in ours if ours[k] == theirs[k]}
    # Only the container name (inside each task definition) may repeat.
    assert shared == {"container"}


def test_a_resource_tagged_for_another_project_is_not_adopted():
    # prd-ab-cd-web-alb is both project ab / service cd-web and project ab-cd / service web.
    assert naming.service_names("prd", "ab", "cd-web")["alb"] == naming.service_names("prd", "ab-cd", "web")["alb"]
    tags = naming.resource_tags("prd", "ab", "cd-web")
    msg = naming.foreign_owner(tags, "prd", "ab-cd", "load balancer prd-ab-cd-web-alb")
    assert "Project=ab, not ab-cd" in msg
    assert "load balancer prd-ab-cd-web-alb" in msg
    # AWS's list shapes (Key/Value, key/value) read the same.
    as_list = [{"Key": k, "Value": v} for k, v in tags.items()]
    assert naming.foreign_owner(as_list, "prd", "ab-cd")
    assert naming.foreign_owner([{"key": k, "value": v} for k, v in tags.items()], "prd", "ab-cd")


def test_own_untagged_or_unmanaged_resources_are_adopted():
    assert naming.foreign_owner(naming.resource_tags("prd", "ab", "web"), "prd", "ab") == ""
    assert naming.foreign_owner({}, "prd", "ab") == ""
    assert naming.foreign_owner({"Project": "other"}, "prd", "ab") == ""
    other_env = naming.resource_tags("stg", "ab", "web")
    assert "Environment=stg, not prd" in naming.foreign_owner(other_env, "prd", "ab")


def test_standard_tags_win_over_user_tags():
    tags = naming.resource_tags("prd", "demo", "web", {"ManagedBy": "me", "Team": "x"})
    assert tags == {
        "Environment": "prd",
        "Project": "demo",
        "Application": "web",
        "ManagedBy": "bluegreen.ecs",
        "Team": "x",
    }


def test_validation_function_is_named_for_the_codedeploy_limited_policy():
    names = naming.service_names("prd", "demo", "web")
    # AWSCodeDeployRoleForECSLimited allows lambda:InvokeFunction on function:CodeDeployHook_* only.
    assert names["validation_function"] == "CodeDeployHook_prd-demo-web-validate"
    assert names["validation_role"] == "prd-demo-web-validate-role"
    assert names["validation_security_group"] == "prd-demo-web-validate-sg"
    # Lambda writes a function's log to /aws/lambda/<function name>.
    assert names["validation_log_group"] == "/aws/lambda/" + names["validation_function"]


def test_validation_function_name_over_64_characters_is_refused(monkeypatch):
    # Target groups (32) keep service names short enough today; the function's own limit is still checked.
    monkeypatch.setitem(naming.LIMITS, "target_group", 255)
    monkeypatch.setitem(naming.LIMITS, "alb", 255)
    monkeypatch.setitem(naming.LIMITS, "connection", 255)
    service = "s" * (64 - len("CodeDeployHook_prd-demo--validate") + 1)
    with pytest.raises(naming.NamingError, match="validation_function.*at most 64"):
        naming.service_names("prd", "demo", service)


def test_network_names_per_tier_and_az():
    names = naming.network_names("prd-demo-vpc", ["us-east-1a", "us-east-1b"], ["ecr.api", "logs"])
    assert names["subnets"] == {
        "public": ["prd-demo-vpc-public-us-east-1a", "prd-demo-vpc-public-us-east-1b"],
        "app": ["prd-demo-vpc-app-us-east-1a", "prd-demo-vpc-app-us-east-1b"],
        "data": ["prd-demo-vpc-data-us-east-1a", "prd-demo-vpc-data-us-east-1b"],
    }
    assert names["nat_gateways"] == ["prd-demo-vpc-nat-us-east-1a", "prd-demo-vpc-nat-us-east-1b"]
    assert names["route_tables"] == {
        "public": "prd-demo-vpc-public",
        "app": ["prd-demo-vpc-app-us-east-1a", "prd-demo-vpc-app-us-east-1b"],
        "data": "prd-demo-vpc-data",
    }
    assert names["endpoints"] == {
        "s3": "prd-demo-vpc-s3",
        "ecr.api": "prd-demo-vpc-ecr.api",
        "logs": "prd-demo-vpc-logs",
    }
    assert all(name.startswith(names["nat_gateway_prefix"]) for name in names["nat_gateways"])


def test_network_names_without_azs_still_give_the_nat_prefix():
    # vpc_state=absent knows no AZs: the elastic IPs are found by the prefix alone.
    names = naming.network_names("prd-demo-vpc", [])
    assert names["nat_gateway_prefix"] == "prd-demo-vpc-nat-"
    assert names["subnets"] == {"public": [], "app": [], "data": []}
    assert names["endpoints"] == {"s3": "prd-demo-vpc-s3"}


def test_network_name_over_the_tag_limit_is_refused():
    vpc = "p" * (256 - len("-public-us-east-1a") + 1)
    with pytest.raises(naming.NamingError, match="public-us-east-1a name .* AWS allows at most 256"):
        naming.network_names(vpc, ["us-east-1a"])


def test_vpc_level_names():
    names = naming.platform_names("prd", "demo")
    assert names["flow_logs_stack"] == "prd-demo-vpc-flow-logs"
    assert names["flow_log"] == "prd-demo-vpc-flow-log"
    assert names["default_security_group"] == "prd-demo-vpc-default"


def test_flow_logs_stack_name_over_128_characters_is_refused(monkeypatch):
    # The flow logs role (64) keeps project names short enough today; the stack's own limit is still checked.
    monkeypatch.setitem(naming.LIMITS, "role", 255)
    project = "p" * (128 - len("prd--vpc-flow-logs") + 1)
    with pytest.raises(naming.NamingError, match="flow_logs_stack name .* at most 128"):
        naming.platform_names("prd", project)


def test_codebuild_log_group_is_codebuilds_default_for_the_project():
    names = naming.service_names("prd", "demo", "web")
    assert names["codebuild_log_group"] == "/aws/codebuild/" + names["codebuild_project"]


def test_deploy_step_names():
    names = naming.service_names("prd", "demo", "web")
    assert names["deploy_project"] == "prd-demo-web-deploy"
    assert names["deploy_log_group"] == "/aws/codebuild/" + names["deploy_project"]
    assert names["deploy_role"] == "prd-demo-web-deploy-role"
    assert names["deploy_security_group"] == "prd-demo-web-deploy-sg"


def test_deployment_config_prefix_matches_the_services_configs_only():
    names = naming.service_names("prd", "demo", "web")
    assert names["deployment_config_prefix"] == "prd-demo-web-"
    for strategy in ("canary", "linear"):
        assert naming.deployment_config_name("prd", "demo", "web", strategy, 10, 1).startswith(
            names["deployment_config_prefix"]
        )
    # Another project's web service (same env, same service name) is outside the prefix.
    other = naming.deployment_config_name("prd", "blog", "web", "canary", 10, 1)
    assert not other.startswith(names["deployment_config_prefix"])


def test_alb_logs_bucket_is_the_alb_name_with_account_and_region():
    names = naming.service_names("prd", "demo", "web")
    bucket = naming.alb_logs_bucket("prd", "demo", "web", "123456789012", "us-east-1")
    assert bucket == names["alb"] + "-logs-123456789012-us-east-1"


def test_alb_logs_bucket_over_63_characters_names_the_override():
    with pytest.raises(naming.NamingError, match=r"^alb_access_logs_bucket: .* is 64 characters; .* 63"):
        naming.alb_logs_bucket("prd", "demo", "checkout-service-x", "123456789012", "ap-southeast-3")


def test_database_names_are_env_project_database_and_the_subnet_group_is_the_environments():
    names = naming.database_names("prd", "demo", "app")
    assert names == {
        "instance": "prd-demo-app-db",
        "security_group": "prd-demo-app-db-sg",
        "final_snapshot_prefix": "prd-demo-app-db-final",
    }
    assert naming.platform_names("prd", "demo")["db_subnet_group"] == "prd-demo-db-subnets"


def test_a_db_instance_identifier_over_63_characters_names_the_database_field():
    with pytest.raises(
        naming.NamingError,
        match=r"^db_instances\[2\].name: the instance name .* is 64 characters; AWS allows at most 63",
    ):
        naming.database_names("prd", "demo", "a" * 52, "db_instances[2].name")
    assert len(naming.database_names("prd", "demo", "a" * 51)["instance"]) == 63


@pytest.mark.parametrize("database", ["a--b", "app-", "App"])
def test_a_database_name_rds_refuses_fails(database):
    with pytest.raises(naming.NamingError, match=r"^db_instances\[\]\.name: "):
        naming.database_names("prd", "demo", database)
