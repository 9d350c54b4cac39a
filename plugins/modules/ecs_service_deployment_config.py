#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).
# ruff: noqa: E402

DOCUMENTATION = r"""
---
module: ecs_service_deployment_config
short_description: Keep an ECS service on ECS-native blue/green (controller, strategy, hooks, load balancer roles)
version_added: 1.1.0
description:
  - Brings an existing ECS service to the C(ECS) deployment controller with a blue/green, linear or canary
    C(deploymentConfiguration) and the C(advancedConfiguration) of its load balancer (alternate target group,
    production and test listener rules, the role ECS assumes to move them), through C(UpdateService).
  - Why not M(community.aws.ecs_service) alone - it passes C(deployment_configuration) and C(advancedConfiguration)
    through on create, but never compares C(deploymentConfiguration) (a changed strategy, bake time, alarm or hook is
    invisible drift) and cannot change the deployment controller of a live service.
  - Compares only the members this collection owns (C(strategy), C(bakeTimeInMinutes), C(linearConfiguration),
    C(canaryConfiguration), C(alarms), C(deploymentCircuitBreaker), C(lifecycleHooks)) with AWS's defaults filled
    in; C(maximumPercent) and the other members are sent back as they are.
  - The load balancer's C(targetGroupArn) stays the target group production uses now (ECS and CodeDeploy swap blue
    and green at every release); the alternate is the other one of O(target_groups). Changing the load balancers of a
    blue/green service is a new service revision, so ECS starts a service deployment of the same task definition.
  - A service on C(CODE_DEPLOY) is migrated in place, as AWS's migration guide does
    (U(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/migrate-code-deploy-to-ecs-blue-green.html)) -
    one C(UpdateService) with the controller, the configuration and the load balancers, refused while a CodeDeploy
    deployment is in flight. Its tasks keep serving; remove the CodeDeploy deployment group afterwards.
  - In check mode a missing service is reported as a change (it is about to be created); otherwise it is an error.
options:
  cluster:
    description: Name or ARN of the cluster.
    required: true
    type: str
  service:
    description: Name or ARN of the service.
    required: true
    type: str
  deployment_configuration:
    description:
      - The managed members of C(DeploymentConfiguration) in the API's shape (camelCase), for example from the
        C(bluegreen.ecs.ecs_deployment_configuration) filter. C(strategy) must be C(BLUE_GREEN), C(LINEAR) or C(CANARY).
    required: true
    type: dict
  target_groups:
    description: The service's two target groups (ARNs); production uses one, green deploys to the other.
    required: true
    type: list
    elements: str
  production_listener_rule:
    description: ARN of the production listener rule ECS shifts (a listener's default rule is accepted).
    required: true
    type: str
  test_listener_rule:
    description: ARN of the test listener rule; empty for none.
    type: str
    default: ''
  role_arn:
    description: ARN of the role ECS assumes to modify the rules and register targets (trusted by C(ecs.amazonaws.com)).
    required: true
    type: str
  wait:
    description: After a change of controller, wait until the service is stable (DescribeServices waiter C(services_stable)).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait with O(wait).
    type: int
    default: 600
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Canary 10 % for 5 minutes, validated while a PAUSE hook holds after test traffic
  bluegreen.ecs.ecs_service_deployment_config:
    cluster: prd-demo-cluster
    service: prd-demo-web
    deployment_configuration:
      strategy: CANARY
      canaryConfiguration: {canaryPercent: 10.0, canaryBakeTimeInMinutes: 5}
      bakeTimeInMinutes: 5
      lifecycleHooks:
        - targetType: PAUSE
          lifecycleStages: [POST_TEST_TRAFFIC_SHIFT]
          timeoutConfiguration: {timeoutInMinutes: 60, action: ROLLBACK}
    target_groups: ["{{ blue_arn }}", "{{ green_arn }}"]
    production_listener_rule: "{{ production_default_rule_arn }}"
    test_listener_rule: "{{ test_default_rule_arn }}"
    role_arn: arn:aws:iam::123456789012:role/prd-demo-web-ecs-lb-role
"""

RETURN = r"""
migrated:
  description: Whether the service was moved from the C(CODE_DEPLOY) controller to C(ECS).
  returned: always
  type: bool
request:
  description: The C(UpdateService) members sent (or, in check mode, that would be sent); empty when nothing differs.
  returned: always
  type: dict
service:
  description: The service after the change (DescribeServices), snake_case.
  returned: when the service exists
  type: dict
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import ecs_deployment
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

# DescribeServices reports a missing service in ``failures``; every error code is a failure.
SERVICE = missing_is()


@SERVICE.common_error_handler("describe ECS service {name}")
def describe_service(client, cluster, name):
    """The ACTIVE service, or None."""
    found = client.describe_services(aws_retry=True, cluster=cluster, services=[name])["services"]
    return next((s for s in found if s.get("status") == "ACTIVE"), None)


@SERVICE.common_error_handler("update the deployment settings of ECS service {name}")
def update_service(client, cluster, name, request):
    return client.update_service(aws_retry=True, cluster=cluster, service=name, **request)["service"]


@SERVICE.common_error_handler("wait for ECS service {name} to be stable")
def wait_stable(client, cluster, name, timeout):
    delay = 10
    client.get_waiter("services_stable").wait(
        cluster=cluster, services=[name], WaiterConfig={"Delay": delay, "MaxAttempts": max(1, timeout // delay)}
    )


def converge(module, client):
    """``(result)`` once the service has the wanted controller, configuration and load balancers."""
    params = module.params
    cluster, name = params["cluster"], params["service"]
    service = describe_service(client, cluster, name)
    if service is None:
        if module.check_mode:
            return {"changed": True, "migrated": False, "request": {}, "msg": f"ECS service {name} does not exist yet"}
        module.fail_json(msg=f"ECS service {name} does not exist in cluster {cluster}")
    if len(set(params["target_groups"])) != 2:
        module.fail_json(msg=f"target_groups: {params['target_groups']} must name two different target groups")
    rules = {"production": params["production_listener_rule"], "test": params["test_listener_rule"]}
    try:
        plan = ecs_deployment.plan_update(
            service, params["deployment_configuration"], params["target_groups"], rules, params["role_arn"]
        )
    except ecs_deployment.DeploymentSettingsError as e:
        module.fail_json(msg=f"ECS service {name}: {e}")
    request = plan["request"]
    migrated = "deploymentController" in request
    if migrated:
        busy = ecs_deployment.in_flight(service)
        if busy:
            module.fail_json(
                msg=f"ECS service {name} cannot move to the ECS deployment controller now: {busy}; retry once it ends"
            )
    result = {"changed": bool(request), "migrated": migrated, "request": request, "diff": plan["diff"]}
    if request and not module.check_mode:
        service = update_service(client, cluster, name, request)
        if migrated and params["wait"]:
            wait_stable(client, cluster, name, params["wait_timeout"])
            service = describe_service(client, cluster, name) or service
    result["service"] = camel_dict_to_snake_dict(service)
    return result


def main():
    argument_spec = dict(
        cluster=dict(type="str", required=True),
        service=dict(type="str", required=True),
        deployment_configuration=dict(type="dict", required=True),
        target_groups=dict(type="list", elements="str", required=True),
        production_listener_rule=dict(type="str", required=True),
        test_listener_rule=dict(type="str", default=""),
        role_arn=dict(type="str", required=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    try:
        result = converge(module, client)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
