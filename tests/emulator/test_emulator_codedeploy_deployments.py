"""CodeDeploy patch: deployments, stop/continue, ECS targets (emulator/patches/codedeploy/deployments.py)."""

import hashlib
import re

import pytest
from botocore.exceptions import ClientError

from tests.emulator.codedeploy_setup import code_deploy_service, codedeploy_role

ROLE = "arn:aws:iam::123456789012:role/codedeploy"
APPSPEC = '{"version": 0.0, "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {}}}]}'
REVISION = {"revisionType": "AppSpecContent", "appSpecContent": {"content": APPSPEC}}


@pytest.fixture
def codedeploy(aws):
    codedeploy_role(aws)  # CreateDeploymentGroup checks the role and the service, as AWS does
    code_deploy_service(aws)
    client = aws("codedeploy")
    client.create_application(applicationName="app", computePlatform="ECS")
    client.create_deployment_group(
        applicationName="app",
        deploymentGroupName="dg",
        serviceRoleArn=ROLE,
        deploymentConfigName="CodeDeployDefault.ECSCanary10Percent5Minutes",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        ecsServices=[{"serviceName": "web", "clusterName": "main"}],
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"]},
    )
    return client


def _code(err) -> str:
    return err.value.response["Error"]["Code"]


def _deploy(codedeploy, **extra) -> str:
    return codedeploy.create_deployment(applicationName="app", deploymentGroupName="dg", revision=REVISION, **extra)[
        "deploymentId"
    ]


def test_create_and_get_deployment(codedeploy):
    deployment_id = _deploy(codedeploy, description="release 1")
    assert re.fullmatch(r"d-[A-Z0-9]{9}", deployment_id)
    info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Created"
    assert info["deploymentConfigName"] == "CodeDeployDefault.ECSCanary10Percent5Minutes"
    # GetDeployment shows an inline revision by its digest; GetApplicationRevision has the content.
    digest = hashlib.sha256(APPSPEC.encode()).hexdigest()
    assert info["revision"] == {"revisionType": "AppSpecContent", "appSpecContent": {"sha256": digest}}
    found = codedeploy.get_application_revision(applicationName="app", revision=info["revision"])
    assert found["revision"]["appSpecContent"] == {"content": APPSPEC, "sha256": digest}
    assert found["revisionInfo"]["deploymentGroups"] == ["dg"]
    assert info["computePlatform"] == "ECS"
    assert info["creator"] == "user"
    assert info["description"] == "release 1"
    assert "rollbackInfo" not in info and "errorInformation" not in info
    assert codedeploy.list_deployments(applicationName="app", deploymentGroupName="dg")["deployments"] == [
        deployment_id
    ]
    group = codedeploy.get_deployment_group(applicationName="app", deploymentGroupName="dg")["deploymentGroupInfo"]
    assert group["lastAttemptedDeployment"]["deploymentId"] == deployment_id


def test_create_deployment_with_unknown_config(codedeploy):
    with pytest.raises(ClientError) as err:
        _deploy(codedeploy, deploymentConfigName="CodeDeployDefault.Nope")
    assert _code(err) == "DeploymentConfigDoesNotExistException"


def test_stop_deployment(codedeploy):
    deployment_id = _deploy(codedeploy)
    answer = codedeploy.stop_deployment(deploymentId=deployment_id)
    assert answer["status"] in ("Pending", "Succeeded") and answer["statusMessage"]
    info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Stopped"
    assert info["errorInformation"]["code"] == "MANUAL_STOP"
    assert "completeTime" in info and "rollbackInfo" not in info
    with pytest.raises(ClientError) as err:
        codedeploy.stop_deployment(deploymentId=deployment_id)
    assert _code(err) == "DeploymentAlreadyCompletedException"


def test_stop_with_auto_rollback_links_a_rollback_deployment(codedeploy):
    deployment_id = _deploy(codedeploy)
    codedeploy.stop_deployment(deploymentId=deployment_id, autoRollbackEnabled=True)
    info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Stopped"
    rollback_id = info["rollbackInfo"]["rollbackDeploymentId"]
    rollback = codedeploy.get_deployment(deploymentId=rollback_id)["deploymentInfo"]
    assert rollback["creator"] == "codeDeployRollback"
    assert rollback["rollbackInfo"] == {"rollbackTriggeringDeploymentId": deployment_id}


def test_stop_unknown_deployment(codedeploy):
    with pytest.raises(ClientError) as err:
        codedeploy.stop_deployment(deploymentId="d-AAAAAAAAA")
    assert _code(err) == "DeploymentDoesNotExistException"


def test_continue_needs_a_waiting_deployment(codedeploy):
    deployment_id = _deploy(codedeploy)
    for wait_type in ("READY_WAIT", "TERMINATION_WAIT"):
        with pytest.raises(ClientError) as err:
            codedeploy.continue_deployment(deploymentId=deployment_id, deploymentWaitType=wait_type)
        assert _code(err) == "DeploymentIsNotInReadyStateException"
    with pytest.raises(ClientError) as err:
        codedeploy.continue_deployment(deploymentId=deployment_id, deploymentWaitType="SOMETIME")
    assert _code(err) == "InvalidDeploymentWaitTypeException"
    codedeploy.stop_deployment(deploymentId=deployment_id)
    with pytest.raises(ClientError) as err:
        codedeploy.continue_deployment(deploymentId=deployment_id)
    assert _code(err) == "DeploymentAlreadyCompletedException"


def test_ecs_deployment_targets(codedeploy):
    deployment_id = _deploy(codedeploy)
    assert codedeploy.list_deployment_targets(deploymentId=deployment_id)["targetIds"] == ["main:web"]
    target = codedeploy.get_deployment_target(deploymentId=deployment_id, targetId="main:web")["deploymentTarget"]
    assert target["deploymentTargetType"] == "ECSTarget"
    ecs_target = target["ecsTarget"]
    assert ecs_target["deploymentId"] == deployment_id
    assert ecs_target["targetArn"] == "arn:aws:ecs:us-east-1:123456789012:service/main/web"
    assert [e["lifecycleEventName"] for e in ecs_target["lifecycleEvents"]][:3] == [
        "BeforeInstall",
        "Install",
        "AfterInstall",
    ]
    assert ecs_target["taskSetsInfo"] == []
    batch = codedeploy.batch_get_deployment_targets(deploymentId=deployment_id, targetIds=["main:web"])[
        "deploymentTargets"
    ]
    assert batch == [target]
    with pytest.raises(ClientError) as err:
        codedeploy.get_deployment_target(deploymentId=deployment_id, targetId="main:other")
    assert _code(err) == "DeploymentTargetDoesNotExistException"


def test_get_application_revision_of_a_revision_never_deployed(codedeploy):
    other = {"revisionType": "AppSpecContent", "appSpecContent": {"sha256": "0" * 64}}
    with pytest.raises(ClientError) as err:
        codedeploy.get_application_revision(applicationName="app", revision=other)
    assert _code(err) == "RevisionDoesNotExistException"
    with pytest.raises(ClientError) as err:
        codedeploy.get_application_revision(applicationName="nope", revision=REVISION)
    assert _code(err) == "ApplicationDoesNotExistException"


def test_auto_rollback_enabled_without_events_is_refused(codedeploy):
    with pytest.raises(ClientError) as err:
        _deploy(codedeploy, autoRollbackConfiguration={"enabled": True, "events": []})
    assert _code(err) == "InvalidAutoRollbackConfigException"
    assert "no event types" in err.value.response["Error"]["Message"]


def test_stop_without_the_flag_follows_stop_on_request(codedeploy):
    on_request = {"enabled": True, "events": ["DEPLOYMENT_STOP_ON_REQUEST"]}
    deployment_id = _deploy(codedeploy, autoRollbackConfiguration=on_request)
    codedeploy.stop_deployment(deploymentId=deployment_id)
    info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    assert info["status"] == "Stopped" and info["rollbackInfo"]["rollbackDeploymentId"]
