"""The CodeDeploy engine seam (emulator/codedeploy_seam.py): CodeDeploy calls reach the engine through its hooks."""

import pytest
from botocore.exceptions import ClientError

from emulator import codedeploy_seam as seam
from tests.emulator.codedeploy_setup import code_deploy_service, codedeploy_role

ROLE = "arn:aws:iam::123456789012:role/codedeploy"
REVISION = {"revisionType": "AppSpecContent", "appSpecContent": {"content": "{}"}}


class RecordingEngine(seam.DeploymentEngine):
    """Moves new deployments to Ready and reports one task set, recording every hook call."""

    calls: list[tuple] = []

    def on_create_deployment(self, deployment):
        trigger = getattr(deployment, "rollback_info", {}).get("rollbackTriggeringDeploymentId")
        self.calls.append(("create", deployment.deployment_id, trigger))
        deployment.status = "Ready"

    def stop_deployment(self, deployment, auto_rollback):
        self.calls.append(("stop", deployment.deployment_id, auto_rollback))
        return super().stop_deployment(deployment, auto_rollback)

    def continue_deployment(self, deployment, wait_type):
        self.calls.append(("continue", deployment.deployment_id, wait_type))
        super().continue_deployment(deployment, wait_type)
        if wait_type == "READY_WAIT":
            deployment.status = "Baking"  # pretend traffic moved; now in the termination wait

    def ecs_target(self, deployment, target_id):
        target = super().ecs_target(deployment, target_id)
        target["taskSetsInfo"] = [
            {"identifer": "ecs-svc/1", "taskSetLabel": "Green", "trafficWeight": 100.0, "desiredCount": 1}
        ]
        return target

    def reset(self):
        self.calls.append(("reset",))


@pytest.fixture
def recording(aws, reset):
    RecordingEngine.calls = []
    previous = seam.get_engine_class()
    seam.reset_all()
    seam.set_engine_class(RecordingEngine)
    codedeploy_role(aws)  # CreateDeploymentGroup checks the role and the service, as AWS does
    code_deploy_service(aws)
    client = aws("codedeploy")
    client.create_application(applicationName="app", computePlatform="ECS")
    client.create_deployment_group(
        applicationName="app",
        deploymentGroupName="dg",
        serviceRoleArn=ROLE,
        ecsServices=[{"serviceName": "web", "clusterName": "main"}],
    )
    yield client
    seam.set_engine_class(previous)
    reset()


def test_hooks_are_wired(recording, reset):
    deployment_id = recording.create_deployment(applicationName="app", deploymentGroupName="dg", revision=REVISION)[
        "deploymentId"
    ]
    assert RecordingEngine.calls == [("create", deployment_id, None)]
    assert recording.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "Ready"

    recording.continue_deployment(deploymentId=deployment_id, deploymentWaitType="READY_WAIT")
    assert recording.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "Baking"
    target = recording.get_deployment_target(deploymentId=deployment_id, targetId="main:web")["deploymentTarget"][
        "ecsTarget"
    ]
    assert target["taskSetsInfo"][0]["taskSetLabel"] == "Green"
    recording.continue_deployment(deploymentId=deployment_id, deploymentWaitType="TERMINATION_WAIT")
    assert recording.get_deployment(deploymentId=deployment_id)["deploymentInfo"]["status"] == "Succeeded"

    second = recording.create_deployment(applicationName="app", deploymentGroupName="dg", revision=REVISION)[
        "deploymentId"
    ]
    recording.stop_deployment(deploymentId=second, autoRollbackEnabled=True)
    rollback = recording.get_deployment(deploymentId=second)["deploymentInfo"]["rollbackInfo"]["rollbackDeploymentId"]
    assert ("stop", second, True) in RecordingEngine.calls
    # the rollback is a deployment the engine drives too, and it can tell what it rolls back
    assert ("create", rollback, second) in RecordingEngine.calls

    reset()
    assert RecordingEngine.calls[-1] == ("reset",)
    with pytest.raises(ClientError):
        recording.get_deployment(deploymentId=deployment_id)


def test_one_engine_per_backend_until_reset(recording):
    from moto.codedeploy.models import codedeploy_backends

    backend = codedeploy_backends["123456789012"]["us-east-1"]
    first = seam.engine_for(backend)
    assert seam.engine_for(backend) is first and isinstance(first, RecordingEngine)
    seam.reset_all()
    assert seam.engine_for(backend) is not first
