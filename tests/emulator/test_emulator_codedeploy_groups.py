"""CodeDeploy patch: applications, deployment groups, tags (emulator/patches/codedeploy/groups.py)."""

import pytest
from botocore.exceptions import ClientError

from emulator.patches import iam as iam_patch
from tests.emulator.codedeploy_setup import TRUST, age_role, code_deploy_service, codedeploy_role

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
    assert codedeploy_role(aws) == ROLE
    code_deploy_service(aws)
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


def _create(codedeploy, name="dg", **changes):
    return codedeploy.create_deployment_group(
        applicationName="app", deploymentGroupName=name, **dict(BLUE_GREEN, **changes)
    )


def _refused(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return _code(err)


def _pair(**changes) -> dict:
    pair = dict(BLUE_GREEN["loadBalancerInfo"]["targetGroupPairInfoList"][0], **changes)
    return {"targetGroupPairInfoList": [pair]}


def test_role_must_exist_and_trust_codedeploy(aws, codedeploy):
    missing = "arn:aws:iam::123456789012:role/nobody"
    assert _refused(_create, codedeploy=codedeploy, serviceRoleArn=missing) == "InvalidRoleException"
    ecs_trust = TRUST.replace("codedeploy.amazonaws.com", "ecs-tasks.amazonaws.com")
    untrusted = codedeploy_role(aws, name="tasks", trust=ecs_trust)
    assert _refused(_create, codedeploy=codedeploy, serviceRoleArn=untrusted) == "InvalidRoleException"
    _create(codedeploy)
    assert (
        _refused(
            codedeploy.update_deployment_group,
            applicationName="app",
            currentDeploymentGroupName="dg",
            serviceRoleArn=untrusted,
        )
        == "InvalidRoleException"
    )
    assert _info(codedeploy)["serviceRoleArn"] == ROLE


def test_new_role_is_invalid_until_iam_propagates_it(aws, codedeploy):
    iam_patch.set_propagation_seconds(30)
    try:
        fresh = codedeploy_role(aws, name="fresh", propagated=False)
        # AWS: IAM changes are eventually consistent; CodeDeploy cannot assume a role created a moment ago.
        assert _refused(_create, codedeploy=codedeploy, serviceRoleArn=fresh) == "InvalidRoleException"
        age_role(fresh, hours=29 / 3600)  # 29 s old: still not visible
        assert _refused(_create, codedeploy=codedeploy, serviceRoleArn=fresh) == "InvalidRoleException"
        age_role(fresh, hours=2 / 3600)  # 31 s old
        _create(codedeploy, serviceRoleArn=fresh)
        assert _info(codedeploy)["serviceRoleArn"] == fresh
    finally:
        iam_patch.set_propagation_seconds(None)


def test_ecs_service_must_exist_and_use_code_deploy(aws, codedeploy):
    code_deploy_service(aws, service="rolling", controller="ECS")
    for service in ("missing", "rolling"):
        ecs_services = [{"serviceName": service, "clusterName": "main"}]
        assert _refused(_create, codedeploy=codedeploy, ecsServices=ecs_services) == "InvalidECSServiceException"
    code_deploy_service(aws, service="api")
    two = [{"serviceName": "web", "clusterName": "main"}, {"serviceName": "api", "clusterName": "main"}]
    assert _refused(_create, codedeploy=codedeploy, ecsServices=two) == "InvalidECSServiceException"
    _create(codedeploy)
    assert (
        _refused(
            codedeploy.update_deployment_group,
            applicationName="app",
            currentDeploymentGroupName="dg",
            ecsServices=[{"serviceName": "rolling", "clusterName": "main"}],
        )
        == "InvalidECSServiceException"
    )


def test_one_deployment_group_per_ecs_service(aws, codedeploy):
    _create(codedeploy)
    code = _refused(_create, codedeploy=codedeploy, name="dg2")
    assert code == "ECSServiceMappingLimitExceededException"
    codedeploy.create_application(applicationName="other", computePlatform="ECS")
    code = _refused(codedeploy.create_deployment_group, applicationName="other", deploymentGroupName="dg", **BLUE_GREEN)
    assert code == "ECSServiceMappingLimitExceededException"
    # the group itself may be updated with its own service, and renamed
    codedeploy.update_deployment_group(
        applicationName="app",
        currentDeploymentGroupName="dg",
        newDeploymentGroupName="dg3",
        **{k: v for k, v in BLUE_GREEN.items() if k in ("ecsServices", "serviceRoleArn", "loadBalancerInfo")},
    )
    codedeploy.delete_deployment_group(applicationName="app", deploymentGroupName="dg3")
    _create(codedeploy, name="dg2")  # free again once its group is gone


def test_target_group_pair_has_two_groups_and_one_listener_per_route(codedeploy):
    one_group = _pair(targetGroups=[{"name": "web-blue"}])
    three = _pair(targetGroups=[{"name": "web-blue"}, {"name": "web-green"}, {"name": "web-extra"}])
    two_prod = _pair(prodTrafficRoute={"listenerArns": [LISTENER + "prod", LISTENER + "other"]})
    two_test = _pair(testTrafficRoute={"listenerArns": [LISTENER + "test", LISTENER + "other"]})
    for info in (one_group, three, two_prod, two_test):
        assert _refused(_create, codedeploy=codedeploy, loadBalancerInfo=info) == "InvalidTargetGroupPairException"
    _create(codedeploy, loadBalancerInfo=_pair(testTrafficRoute={"listenerArns": []}))
    assert (
        _refused(
            codedeploy.update_deployment_group,
            applicationName="app",
            currentDeploymentGroupName="dg",
            loadBalancerInfo=two_prod,
        )
        == "InvalidTargetGroupPairException"
    )
