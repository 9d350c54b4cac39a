"""CodeDeploy patch: deployment configurations (emulator/patches/codedeploy/configs.py)."""

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.emulator.codedeploy_setup import codedeploy_role


@pytest.fixture
def codedeploy(aws):
    return aws("codedeploy")


def _code(err) -> str:
    return err.value.response["Error"]["Code"]


@pytest.mark.parametrize(
    ("name", "routing"),
    [
        ("CodeDeployDefault.ECSAllAtOnce", {"type": "AllAtOnce"}),
        (
            "CodeDeployDefault.ECSCanary10Percent5Minutes",
            {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 5}},
        ),
        (
            "CodeDeployDefault.ECSCanary10Percent15Minutes",
            {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 15}},
        ),
        (
            "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
            {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 1}},
        ),
        (
            "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
            {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 3}},
        ),
    ],
)
def test_predefined_ecs_configs(codedeploy, name, routing):
    info = codedeploy.get_deployment_config(deploymentConfigName=name)["deploymentConfigInfo"]
    assert info["computePlatform"] == "ECS"
    assert info["trafficRoutingConfig"] == routing
    assert info["deploymentConfigName"] == name
    with pytest.raises(ClientError) as err:
        codedeploy.delete_deployment_config(deploymentConfigName=name)
    assert _code(err) == "InvalidOperationException"


def test_custom_canary_config_lifecycle(codedeploy):
    routing = {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 20, "canaryInterval": 2}}
    config_id = codedeploy.create_deployment_config(
        deploymentConfigName="canary-20", computePlatform="ECS", trafficRoutingConfig=routing
    )["deploymentConfigId"]
    info = codedeploy.get_deployment_config(deploymentConfigName="canary-20")["deploymentConfigInfo"]
    assert info["deploymentConfigId"] == config_id
    assert info["trafficRoutingConfig"] == routing
    assert "minimumHealthyHosts" not in info
    names = codedeploy.list_deployment_configs()["deploymentConfigsList"]
    assert "canary-20" in names and "CodeDeployDefault.ECSAllAtOnce" in names
    with pytest.raises(ClientError) as err:
        codedeploy.create_deployment_config(
            deploymentConfigName="canary-20", computePlatform="ECS", trafficRoutingConfig=routing
        )
    assert _code(err) == "DeploymentConfigAlreadyExistsException"
    codedeploy.delete_deployment_config(deploymentConfigName="canary-20")
    with pytest.raises(ClientError) as err:
        codedeploy.get_deployment_config(deploymentConfigName="canary-20")
    assert _code(err) == "DeploymentConfigDoesNotExistException"


def test_linear_and_all_at_once(codedeploy):
    linear = {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 25, "linearInterval": 1}}
    codedeploy.create_deployment_config(
        deploymentConfigName="linear", computePlatform="ECS", trafficRoutingConfig=linear
    )
    codedeploy.create_deployment_config(
        deploymentConfigName="all", computePlatform="ECS", trafficRoutingConfig={"type": "AllAtOnce"}
    )
    assert (
        codedeploy.get_deployment_config(deploymentConfigName="linear")["deploymentConfigInfo"]["trafficRoutingConfig"]
        == linear
    )
    assert codedeploy.get_deployment_config(deploymentConfigName="all")["deploymentConfigInfo"][
        "trafficRoutingConfig"
    ] == {"type": "AllAtOnce"}


@pytest.mark.parametrize(
    "routing",
    [
        {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 0, "canaryInterval": 5}},
        {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 100, "canaryInterval": 5}},
        {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": "10", "canaryInterval": 5}},
        {"type": "TimeBasedCanary", "timeBasedCanary": {"canaryPercentage": 10, "canaryInterval": 1.5}},
        {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": 10, "linearInterval": 0}},
        {"type": "TimeBasedCanary"},
        {"type": "Sometimes"},
    ],
)
def test_invalid_traffic_routing(aws, routing):
    # parameter_validation off so the types reach the server as sent, as from any non-boto3 client
    codedeploy = aws("codedeploy", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as err:
        codedeploy.create_deployment_config(
            deploymentConfigName="bad", computePlatform="ECS", trafficRoutingConfig=routing
        )
    assert _code(err) == "InvalidTrafficRoutingConfigurationException"


def test_server_config_needs_minimum_healthy_hosts(codedeploy):
    with pytest.raises(ClientError) as err:
        codedeploy.create_deployment_config(deploymentConfigName="srv", computePlatform="Server")
    assert _code(err) == "InvalidMinimumHealthyHostValueException"
    codedeploy.create_deployment_config(
        deploymentConfigName="srv", minimumHealthyHosts={"type": "HOST_COUNT", "value": 1}
    )
    info = codedeploy.get_deployment_config(deploymentConfigName="srv")["deploymentConfigInfo"]
    assert (info["computePlatform"], info["minimumHealthyHosts"]) == ("Server", {"type": "HOST_COUNT", "value": 1})


def test_config_in_use_cannot_be_deleted(aws, codedeploy):
    codedeploy_role(aws, name="cd")  # CreateDeploymentGroup checks the role, as AWS does
    codedeploy.create_deployment_config(
        deploymentConfigName="all", computePlatform="ECS", trafficRoutingConfig={"type": "AllAtOnce"}
    )
    codedeploy.create_application(applicationName="app", computePlatform="ECS")
    codedeploy.create_deployment_group(
        applicationName="app",
        deploymentGroupName="dg",
        deploymentConfigName="all",
        serviceRoleArn="arn:aws:iam::123456789012:role/cd",
    )
    with pytest.raises(ClientError) as err:
        codedeploy.delete_deployment_config(deploymentConfigName="all")
    assert _code(err) == "DeploymentConfigInUseException"
