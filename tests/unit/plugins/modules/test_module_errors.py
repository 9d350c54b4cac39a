# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module reports an AWS refusal through the one error handler (module_utils/errors.py): the task fails with
what it tried, on which resource, and AWS's error code; only "not found" on a read is an answer (nothing there)."""

import pytest

from ansible_collections.bluegreen.ecs.plugins.modules import (
    codeconnections_connection,
    codedeploy_app,
    codedeploy_deployment_config,
    codedeploy_deployment_group,
    codepipeline,
    ecr_image_info,
    ecr_tag,
    ecs_cluster_settings,
)
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import AwsStubs, run_module

# (module, its arguments, the service and operation it calls first, the failure message's start)
FIRST_READS = [
    (
        codedeploy_app,
        {"name": "prd-web"},
        "codedeploy",
        "get_application",
        "Failed to get CodeDeploy application prd-web",
    ),
    (
        codedeploy_deployment_config,
        {"name": "prd-web-canary", "state": "absent"},
        "codedeploy",
        "get_deployment_config",
        "Failed to get CodeDeploy deployment config prd-web-canary",
    ),
    (
        codedeploy_deployment_group,
        {"application": "prd-web", "name": "prd-web-dg", "state": "absent"},
        "codedeploy",
        "get_deployment_group",
        "Failed to get deployment group prd-web/prd-web-dg",
    ),
    (
        codepipeline,
        {"name": "prd-web", "state": "absent"},
        "codepipeline",
        "get_pipeline",
        "Failed to get pipeline prd-web",
    ),
    (
        codeconnections_connection,
        {"name": "prd-web", "state": "absent"},
        "codestar-connections",
        "list_connections",
        "Failed to list connections",
    ),
    (
        ecr_image_info,
        {"repository": "prd-web"},
        "ecr",
        "describe_repositories",
        "Failed to describe ECR repository prd-web",
    ),
    (
        ecr_tag,
        {"repository": "prd-web", "tags": {"a": "b"}},
        "ecr",
        "describe_repositories",
        "Failed to read the tags of ECR repository prd-web",
    ),
    (ecs_cluster_settings, {"cluster": "prd"}, "ecs", "describe_clusters", "Failed to describe ECS cluster prd"),
]


@pytest.mark.parametrize(("module", "args", "service", "operation", "message"), FIRST_READS)
@pytest.mark.parametrize("code", ["AccessDeniedException", "ThrottlingException"])
def test_a_refused_read_fails_the_task(capsys, module, args, service, operation, message, code):
    stubs = AwsStubs(service)
    # Throttling is retried (amazon.aws AWSRetry) before it fails: queue as many refusals as the retries take.
    for _attempt in range(1 if code == "AccessDeniedException" else 10):
        getattr(stubs, service).add_client_error(operation, code, "refused")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("time.sleep", lambda seconds: None)
        failed, result = run_module(module, args, stubs, capsys)
    assert failed, result
    assert result["msg"].startswith(message), result["msg"]
    assert result["error"]["code"] == code


# (module, its arguments, the service, the read, the not-found code, what the module answers)
MISSING = [
    (
        codedeploy_app,
        {"name": "prd-web", "state": "absent"},
        "codedeploy",
        "get_application",
        "ApplicationDoesNotExistException",
    ),
    (
        codedeploy_deployment_config,
        {"name": "prd-web-canary", "state": "absent"},
        "codedeploy",
        "get_deployment_config",
        "DeploymentConfigDoesNotExistException",
    ),
    (
        codedeploy_deployment_group,
        {"application": "prd-web", "name": "prd-web-dg", "state": "absent"},
        "codedeploy",
        "get_deployment_group",
        "DeploymentGroupDoesNotExistException",
    ),
    (codepipeline, {"name": "prd-web", "state": "absent"}, "codepipeline", "get_pipeline", "PipelineNotFoundException"),
    (ecr_image_info, {"repository": "prd-web"}, "ecr", "describe_repositories", "RepositoryNotFoundException"),
]


@pytest.mark.parametrize(("module", "args", "service", "operation", "code"), MISSING)
def test_a_read_of_nothing_is_an_answer(capsys, module, args, service, operation, code):
    stubs = AwsStubs(service)
    getattr(stubs, service).add_client_error(operation, code)
    failed, result = run_module(module, args, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False


def test_a_deployment_config_in_use_says_what_to_do(capsys):
    stubs = AwsStubs("codedeploy")
    stubs.codedeploy.add_response(
        "get_deployment_config",
        {"deploymentConfigInfo": {"deploymentConfigName": "prd-web-canary", "computePlatform": "ECS"}},
    )
    stubs.codedeploy.add_client_error("delete_deployment_config", "DeploymentConfigInUseException", "in use")
    failed, result = run_module(
        codedeploy_deployment_config, {"name": "prd-web-canary", "state": "absent"}, stubs, capsys
    )
    assert failed
    assert "is used by a deployment group and cannot be deleted" in result["msg"]
    assert result["error"]["code"] == "DeploymentConfigInUseException"
