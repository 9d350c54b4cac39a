#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).
# ruff: noqa: E402

DOCUMENTATION = r"""
---
module: ecs_service_registries
version_added: 1.2.0
short_description: Keep the service discovery registries of an existing ECS service, following the deployment it starts
description:
  - Compares the live service's C(serviceRegistries) with O(registries) and, when they differ, calls C(UpdateService)
    with the wanted list (an empty list removes them).
  - Why not M(community.aws.ecs_service) - it sends each registry's ARN as C(arn) where the API wants
    C(registryArn), and it refuses to change the registries of a service that exists.
  - Only a service on the C(ECS) deployment controller can change them - for C(CODE_DEPLOY), C(UpdateService) changes
    only the desired count, deployment configuration, health check grace period, placement and tag propagation
    (U(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html)), so a difference there fails
    before any change, naming C(bluegreen_service.discovery) and C(bluegreen_deployment_controller).
  - The update "triggers a new service deployment" (same page). The module follows it to its end with
    C(DescribeServiceDeployments), within O(wait_timeout) seconds. A C(PAUSE) lifecycle hook on the way (the
    collection's blue/green services pause after test traffic, for the release to validate green) is answered with
    C(ContinueServiceDeployment) C(CONTINUE) - the new revision runs the same task definition with another registry,
    so there is no new code to validate. A deployment that is rolled back or stopped fails the task, saying so.
  - Refuses to start while another service deployment of the service is in flight (a release) - the update would
    stop it.
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
options:
  cluster:
    description: Name or ARN of the cluster.
    required: true
    type: str
  service:
    description: Name or ARN of the service.
    required: true
    type: str
  registries:
    description:
      - The wanted C(serviceRegistries) in the API's shape (C(registryArn), C(containerName), C(containerPort) or
        C(port)), for example from the C(bluegreen.ecs.discovery_service_registries) filter; V([]) for none.
    required: true
    type: list
    elements: dict
  wait_timeout:
    description: Seconds to follow the service deployment the change starts; past them the task fails (the deployment goes on).
    type: int
    default: 900
notes:
  - Supports check mode and diff mode. In check mode a missing service is reported as a change (it is about to be
    created); otherwise it is an error.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Register api's tasks in its Cloud Map service
  bluegreen.ecs.ecs_service_registries:
    cluster: prd-demo-cluster
    service: prd-demo-api
    registries:
      - registryArn: arn:aws:servicediscovery:us-east-1:123456789012:service/srv-0123456789abcdef
        containerName: api
        containerPort: 9000
"""

RETURN = r"""
request:
  description: The C(UpdateService) members sent (or, in check mode, that would be sent); empty when nothing differs.
  returned: always
  type: dict
deployment:
  description: The service deployment the change started, as C(DescribeServiceDeployments) last showed it (snake_case).
  returned: when a change was made and ECS listed its deployment
  type: dict
service:
  description: The service after the change (DescribeServices), snake_case.
  returned: when the service exists
  type: dict
"""

import time

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import service_registries as registries_plan
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

POLL_SECONDS = 5
# DescribeServices reports a missing service in ``failures``; the deployment calls raise nothing we swallow.
SERVICE = missing_is()


def _sleep(seconds):
    time.sleep(seconds)


def _clock():
    return time.monotonic()


@SERVICE.common_error_handler("describe ECS service {name}")
def describe_service(client, cluster, name):
    """The ACTIVE service, or None."""
    found = client.describe_services(aws_retry=True, cluster=cluster, services=[name])["services"]
    return next((s for s in found if s.get("status") == "ACTIVE"), None)


@SERVICE.common_error_handler("list the service deployments of ECS service {name}")
def list_deployments(client, cluster, name, statuses=None):
    """The service's deployments, newest first (ListServiceDeployments has no botocore paginator)."""
    request = {"cluster": cluster, "service": name}
    if statuses:
        request["status"] = list(statuses)
    return client.list_service_deployments(aws_retry=True, **request)["serviceDeployments"]


@SERVICE.common_error_handler("update the service registries of ECS service {name}")
def update_service(client, cluster, name, request):
    return client.update_service(aws_retry=True, cluster=cluster, service=name, **request)["service"]


@SERVICE.common_error_handler("describe service deployment {arn}")
def describe_deployment(client, arn):
    return client.describe_service_deployments(aws_retry=True, serviceDeploymentArns=[arn])["serviceDeployments"][0]


@SERVICE.common_error_handler("continue service deployment {arn} at hook {hook}")
def continue_deployment(client, arn, hook):
    client.continue_service_deployment(aws_retry=True, serviceDeploymentArn=arn, hookId=hook, action="CONTINUE")


@SERVICE.common_error_handler("wait for ECS service {name} to be stable")
def wait_stable(client, cluster, name, timeout):
    client.get_waiter("services_stable").wait(
        cluster=cluster,
        services=[name],
        WaiterConfig={"Delay": POLL_SECONDS, "MaxAttempts": max(1, timeout // POLL_SECONDS)},
    )


def follow(module, client, arn):
    """Follow the deployment to SUCCESSFUL, answering PAUSE hooks with CONTINUE; fail on a rollback or the timeout."""
    deadline = _clock() + module.params["wait_timeout"]
    answered = []
    while True:
        deployment = describe_deployment(client, arn)
        action, detail = registries_plan.step(deployment, answered)
        if action == "done":
            return deployment
        if action == "failed":
            module.fail_json(
                msg=f"service deployment {arn} of the new service registries did not succeed: {detail}",
                deployment=camel_dict_to_snake_dict(deployment),
            )
        if action == "continue":
            continue_deployment(client, arn, detail)
            answered.append(detail)
            continue
        if _clock() >= deadline:
            module.fail_json(
                msg=(
                    f"service deployment {arn} of the new service registries is still {detail} after "
                    f"{module.params['wait_timeout']} s (wait_timeout); it goes on: follow it in the ECS console or "
                    "with DescribeServiceDeployments"
                ),
                deployment=camel_dict_to_snake_dict(deployment),
            )
        _sleep(POLL_SECONDS)


def apply(module, client, cluster, name, request):
    """UpdateService, then follow what it started: the new service deployment, or (none listed) the service's stability."""
    before = list_deployments(client, cluster, name)
    busy = [d for d in before if d.get("status") in registries_plan.IN_FLIGHT]
    if busy:
        module.fail_json(
            msg=(
                f"ECS service {name} has service deployment {busy[0]['serviceDeploymentArn']} {busy[0]['status']}; "
                "changing its service registries now would stop it: retry once it ends"
            )
        )
    update_service(client, cluster, name, request)
    arn = registries_plan.newest_deployment(before, list_deployments(client, cluster, name))
    if arn is None:
        wait_stable(client, cluster, name, module.params["wait_timeout"])
        return None
    return follow(module, client, arn)


def converge(module, client):
    params = module.params
    cluster, name = params["cluster"], params["service"]
    wanted = registries_plan.normalized(params["registries"])
    service = describe_service(client, cluster, name)
    if service is None:
        if module.check_mode:
            return {"changed": True, "request": {}, "msg": f"ECS service {name} does not exist yet"}
        module.fail_json(msg=f"ECS service {name} does not exist in cluster {cluster}")
    decided = registries_plan.plan(service, wanted)
    if decided["refused"]:
        module.fail_json(msg=decided["refused"])
    request = decided["request"]
    result = {"changed": bool(request), "request": request}
    if module._diff:
        result["diff"] = {
            "before": {"serviceRegistries": service.get("serviceRegistries") or []},
            "after": {"serviceRegistries": wanted},
        }
    if request and not module.check_mode:
        deployment = apply(module, client, cluster, name, request)
        if deployment is not None:
            result["deployment"] = camel_dict_to_snake_dict(deployment)
        service = describe_service(client, cluster, name) or service
    result["service"] = camel_dict_to_snake_dict(service)
    return result


def main():
    argument_spec = dict(
        cluster=dict(type="str", required=True),
        service=dict(type="str", required=True),
        registries=dict(type="list", elements="dict", required=True),
        wait_timeout=dict(type="int", default=900),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if module.params["wait_timeout"] < 1:
        module.fail_json(msg=f"wait_timeout: {module.params['wait_timeout']} must be a positive number of seconds")
    bad = [r for r in module.params["registries"] if not r.get("registryArn")]
    if bad:
        module.fail_json(msg=f"registries: each entry needs registryArn (the Cloud Map service's ARN); got {bad}")
    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    try:
        result = converge(module, client)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
