"""The server middleware: health probe, full reset, idempotent patching (emulator/server.py, patches/__init__.py)."""

import json
import os
import urllib.request

import pytest
from botocore.exceptions import ClientError
from moto.codedeploy.responses import CodeDeployResponse

from emulator import SERVICE_ID, patches


def test_health_names_this_process(emulator):
    with urllib.request.urlopen(f"{emulator.endpoint}/emulator/health", timeout=10) as resp:
        doc = json.loads(resp.read())
    assert doc["service"] == SERVICE_ID
    assert doc["pid"] == os.getpid()
    assert set(doc["patches"]) == {
        "ec2",
        "ecs",
        "elbv2",
        "iam",
        "codebuild",
        "codedeploy",
        "codestar-connections",
        "application-autoscaling",
        "lambda",
        "rds",
        "secretsmanager",
        "servicediscovery",
    }


def test_apply_is_idempotent():
    before = CodeDeployResponse.stop_deployment
    assert patches.apply() == patches.apply()
    assert CodeDeployResponse.stop_deployment is before


def test_reset_clears_moto_and_patch_state(aws, reset):
    ecs, codedeploy, connections = aws("ecs"), aws("codedeploy"), aws("codestar-connections")
    ecs.create_cluster(clusterName="c1")
    codedeploy.create_deployment_config(
        deploymentConfigName="all", computePlatform="ECS", trafficRoutingConfig={"type": "AllAtOnce"}
    )
    arn = connections.create_connection(ProviderType="GitHub", ConnectionName="gh")["ConnectionArn"]
    reset()
    assert ecs.list_clusters()["clusterArns"] == []
    with pytest.raises(ClientError):
        codedeploy.get_deployment_config(deploymentConfigName="all")
    with pytest.raises(ClientError):
        connections.get_connection(ConnectionArn=arn)
    # predefined configs are not state: they survive
    assert codedeploy.get_deployment_config(deploymentConfigName="CodeDeployDefault.ECSAllAtOnce")[
        "deploymentConfigInfo"
    ]
