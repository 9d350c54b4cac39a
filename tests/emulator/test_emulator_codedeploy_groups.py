"""CodeDeploy patch: applications, deployment groups, tags (emulator/patches/codedeploy/groups.py)."""

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/codedeploy"
LISTENER = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/alb/1/"
BLUE_GREEN = {
    "deploymentConfigName": "CodeDeployDefault.ECSCanary10Percent5Minutes",
    "serviceRoleArn": ROLE,
    "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    "blueGreenDeploymentConfiguration": {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 5},
        "deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT", "waitTimeInMinutes": 0},
    },
    "loadBalancerInfo": {
        "targetGroupPairInfoList": [
            {
                "targetGroups": [{"name": "web-blue"}, {"name": "web-green"}],
                "prodTrafficRoute": {"listenerArns": [LISTENER + "prod"]},
                "testTrafficRoute": {"listenerArns": [LISTENER + "test"]},
            }
        ]
    },
    "ecsServices": [{"serviceName": "web", "clusterName": "main"}],
    "alarmConfiguration": {"enabled": True, "ignorePollAlarmFailure": False, "alarms": [{"name": "web-5xx"}]},
    "autoRollbackConfiguration": {"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]},
    "triggerConfigurations": [
        {
            "triggerName": "notify",
            "triggerTargetArn": "arn:aws:sns:us-east-1:123456789012:deploys",
            "triggerEvents": ["DeploymentFailure"],
        }
    ],
}


@pytest.fixture
def codedeploy(aws):
    client = aws("codedeploy")
    client.create_application(applicationName="app", computePlatform="ECS", tags=[{"Key": "env", "Value": "test"}])
    return client


def _code(err) -> str:
    return err.value.response["Error"]["Code"]


def _info(codedeploy, name="dg"):
    return codedeploy.get_deployment_group(applicationName="app", deploymentGroupName=name)["deploymentGroupInfo"]


def test_get_returns_every_field_create_accepted(codedeploy):
    group_id = codedeploy.create_deployment_group(applicationName="app", deploymentGroupName="dg", **BLUE_GREEN)[
        "deploymentGroupId"
    ]
    info = _info(codedeploy)
    for field, value in BLUE_GREEN.items():
        assert info[field] == value, field
    assert info["deploymentGroupId"] == group_id
    assert info["computePlatform"] == "ECS"
    # lists AWS always returns; structures it omits when unset
    assert (
        info["ec2TagFilters"] == [] and info["autoScalingGroups"] == [] and info["onPremisesInstanceTagFilters"] == []
    )
    assert "ec2TagSet" not in info and "targetRevision" not in info and "lastAttemptedDeployment" not in info


def test_minimal_ecs_group_gets_aws_defaults(codedeploy):
    codedeploy.create_deployment_group(applicationName="app", deploymentGroupName="dg", serviceRoleArn=ROLE)
    info = _info(codedeploy)
    assert info["deploymentConfigName"] == "CodeDeployDefault.ECSAllAtOnce"
    assert info["alarmConfiguration"] == {"enabled": False, "ignorePollAlarmFailure": False, "alarms": []}
    assert info["triggerConfigurations"] == [] and info["ecsServices"] == []


def test_create_validates_like_aws(codedeploy):
    with pytest.raises(ClientError) as err:
        codedeploy.create_deployment_group(
            applicationName="app", deploymentGroupName="dg", serviceRoleArn=ROLE, deploymentConfigName="nope"
        )
    assert _code(err) == "DeploymentConfigDoesNotExistException"
    with pytest.raises(ClientError) as err:
        codedeploy.create_deployment_group(applicationName="other", deploymentGroupName="dg", serviceRoleArn=ROLE)
    assert _code(err) == "ApplicationDoesNotExistException"


def test_update_renames_and_replaces_fields(codedeploy):
    codedeploy.create_deployment_group(
        applicationName="app", deploymentGroupName="dg", tags=[{"Key": "team", "Value": "a"}], **BLUE_GREEN
    )
    new_bg = {
        "terminateBlueInstancesOnDeploymentSuccess": {"action": "TERMINATE", "terminationWaitTimeInMinutes": 0},
        "deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT", "waitTimeInMinutes": 30},
    }
    answer = codedeploy.update_deployment_group(
        applicationName="app",
        currentDeploymentGroupName="dg",
        newDeploymentGroupName="dg2",
        deploymentConfigName="CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        blueGreenDeploymentConfiguration=new_bg,
        autoRollbackConfiguration={"enabled": False, "events": []},
    )
    assert answer["hooksNotCleanedUp"] == []
    info = _info(codedeploy, "dg2")
    assert info["deploymentConfigName"] == "CodeDeployDefault.ECSLinear10PercentEvery1Minutes"
    assert info["blueGreenDeploymentConfiguration"] == new_bg
    assert info["autoRollbackConfiguration"] == {"enabled": False, "events": []}
    assert info["loadBalancerInfo"] == BLUE_GREEN["loadBalancerInfo"]  # untouched fields stay
    assert codedeploy.list_deployment_groups(applicationName="app")["deploymentGroups"] == ["dg2"]
    with pytest.raises(ClientError) as err:
        _info(codedeploy, "dg")
    assert _code(err) == "DeploymentGroupDoesNotExistException"
    arn = "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app/dg2"
    assert codedeploy.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    with pytest.raises(ClientError) as err:
        codedeploy.update_deployment_group(
            applicationName="app", currentDeploymentGroupName="dg2", deploymentConfigName="nope"
        )
    assert _code(err) == "DeploymentConfigDoesNotExistException"


def test_delete_group_and_application(codedeploy):
    codedeploy.create_deployment_group(applicationName="app", deploymentGroupName="dg", **BLUE_GREEN)
    codedeploy.create_deployment_group(applicationName="app", deploymentGroupName="dg2", serviceRoleArn=ROLE)
    assert (
        codedeploy.delete_deployment_group(applicationName="app", deploymentGroupName="dg")["hooksNotCleanedUp"] == []
    )
    codedeploy.delete_deployment_group(applicationName="app", deploymentGroupName="dg")  # already gone: still fine
    assert codedeploy.list_deployment_groups(applicationName="app")["deploymentGroups"] == ["dg2"]
    codedeploy.delete_application(applicationName="app")
    assert codedeploy.list_applications()["applications"] == []
    codedeploy.create_application(applicationName="app", computePlatform="ECS")
    assert codedeploy.list_deployment_groups(applicationName="app")["deploymentGroups"] == []  # groups went with it


def test_update_application_renames(codedeploy):
    codedeploy.create_deployment_group(applicationName="app", deploymentGroupName="dg", serviceRoleArn=ROLE)
    codedeploy.update_application(applicationName="app", newApplicationName="app2")
    assert codedeploy.list_applications()["applications"] == ["app2"]
    assert (
        codedeploy.get_deployment_group(applicationName="app2", deploymentGroupName="dg")["deploymentGroupInfo"][
            "applicationName"
        ]
        == "app2"
    )
    app_arn = "arn:aws:codedeploy:us-east-1:123456789012:application:app2"
    assert codedeploy.list_tags_for_resource(ResourceArn=app_arn)["Tags"] == [{"Key": "env", "Value": "test"}]


def test_tagging_application_and_group(codedeploy):
    codedeploy.create_deployment_group(applicationName="app", deploymentGroupName="dg", serviceRoleArn=ROLE)
    app_arn = "arn:aws:codedeploy:us-east-1:123456789012:application:app"
    group_arn = "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app/dg"
    codedeploy.tag_resource(ResourceArn=app_arn, Tags=[{"Key": "owner", "Value": "me"}])
    codedeploy.tag_resource(ResourceArn=group_arn, Tags=[{"Key": "tier", "Value": "web"}])
    assert {t["Key"] for t in codedeploy.list_tags_for_resource(ResourceArn=app_arn)["Tags"]} == {"env", "owner"}
    assert codedeploy.list_tags_for_resource(ResourceArn=group_arn)["Tags"] == [{"Key": "tier", "Value": "web"}]
    codedeploy.untag_resource(ResourceArn=app_arn, TagKeys=["env"])
    assert codedeploy.list_tags_for_resource(ResourceArn=app_arn)["Tags"] == [{"Key": "owner", "Value": "me"}]
    with pytest.raises(ClientError) as err:
        codedeploy.list_tags_for_resource(
            ResourceArn="arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app/none"
        )
    assert _code(err) == "DeploymentGroupDoesNotExistException"


def test_batch_get_deployment_groups(codedeploy):
    codedeploy.create_deployment_group(applicationName="app", deploymentGroupName="dg", **BLUE_GREEN)
    answer = codedeploy.batch_get_deployment_groups(applicationName="app", deploymentGroupNames=["dg", "missing"])
    assert [g["deploymentGroupName"] for g in answer["deploymentGroupsInfo"]] == ["dg"]
    assert "missing" in answer["errorMessage"]
