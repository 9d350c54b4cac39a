"""What a CodeDeploy ECS deployment group needs before AWS (and the emulator) accepts it.

CreateDeploymentGroup checks that the service role exists, trusts codedeploy.amazonaws.com and has propagated
through IAM, and that the ECS service exists with the CODE_DEPLOY controller (emulator/patches/codedeploy/groups.py).
"""

import datetime
import json

from moto.iam.models import iam_backends

ACCOUNT = "123456789012"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codedeploy.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def age_role(arn: str, hours: float = 1.0) -> None:
    """Make a role look created ``hours`` ago, long enough for IAM to have propagated it (the in-process emulator)."""
    role = iam_backends[ACCOUNT]["aws"].get_role_by_arn(arn)
    role.create_date -= datetime.timedelta(hours=hours)


def codedeploy_role(aws, name: str = "codedeploy", trust: str = TRUST, propagated: bool = True) -> str:
    """The ARN of a new role CodeDeploy may assume; ``propagated=False`` leaves it just created."""
    arn = aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    if propagated:
        age_role(arn)
    return arn


def code_deploy_service(aws, cluster: str = "main", service: str = "web", controller: str = "CODE_DEPLOY") -> str:
    """An ECS service under ``controller``, in ``cluster`` (created); returns the service ARN."""
    ecs = aws("ecs")
    ecs.create_cluster(clusterName=cluster)
    task_definition = ecs.register_task_definition(
        family=service, containerDefinitions=[{"name": service, "image": "nginx", "memory": 128}]
    )["taskDefinition"]["taskDefinitionArn"]
    return ecs.create_service(
        cluster=cluster,
        serviceName=service,
        taskDefinition=task_definition,
        desiredCount=1,
        deploymentController={"type": controller},
    )["service"]["serviceArn"]
