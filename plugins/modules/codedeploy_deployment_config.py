#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).

DOCUMENTATION = r"""
---
module: codedeploy_deployment_config
version_added: 1.0.0
short_description: Create or delete an AWS CodeDeploy deployment configuration (traffic shifting)
description:
  - Creates a CodeDeploy deployment configuration that shifts ECS or Lambda traffic as a canary, linearly or all at
    once, or deletes one.
  - Neither C(amazon.aws) nor C(community.aws) has a CodeDeploy module; this one calls the CodeDeploy API through
    C(AnsibleAWSModule).
  - AWS cannot update a deployment configuration. When the live configuration differs from the task, the module
    fails and says what differs, unless O(recreate=true). The collection's naming puts the settings in the name
    (for example C(prd-web-canary10pct-5min)), so a change of settings is a new name, which is the safe way.
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
options:
  name:
    description:
      - Name of the deployment configuration.
      - Names starting with C(CodeDeployDefault.) are predefined by AWS; the module only checks them and never
        creates or deletes them.
    required: true
    type: str
  compute_platform:
    description:
      - Compute platform the configuration applies to.
    type: str
    default: ECS
    choices: ['ECS', 'Lambda']
  traffic_routing:
    description:
      - How traffic moves to the new version. Required with O(state=present).
    type: dict
    suboptions:
      type:
        description:
          - V(time_based_canary) shifts O(traffic_routing.percentage) percent, waits O(traffic_routing.interval)
            minutes, then shifts the rest.
          - V(time_based_linear) shifts O(traffic_routing.percentage) percent every O(traffic_routing.interval)
            minutes.
          - V(all_at_once) shifts everything at once.
        type: str
        required: true
        choices: ['time_based_canary', 'time_based_linear', 'all_at_once']
      percentage:
        description:
          - Percent of traffic per step; 1 to 99 for a canary, 1 to 100 for linear. Not used with V(all_at_once).
        type: int
      interval:
        description:
          - Minutes between steps, 1 to 2880. Not used with V(all_at_once).
        type: int
  recreate:
    description:
      - When the live configuration differs, delete it and create it again with the wanted settings.
      - AWS refuses to delete a configuration that a deployment group uses; the module then fails and says so.
    type: bool
    default: false
  state:
    description:
      - V(present) creates the configuration, V(absent) deletes it.
    type: str
    default: present
    choices: ['present', 'absent']
notes:
  - Deployment configurations have no tags in AWS.
  - Supports check mode and diff mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Canary, 10 percent then the rest after 5 minutes
  bluegreen.ecs.codedeploy_deployment_config:
    name: prd-web-canary10pct-5min
    traffic_routing:
      type: time_based_canary
      percentage: 10
      interval: 5

- name: Linear, 20 percent every 2 minutes; replace a differing config of that name
  bluegreen.ecs.codedeploy_deployment_config:
    name: stg-web-linear20pct-2min
    traffic_routing:
      type: time_based_linear
      percentage: 20
      interval: 2
    recreate: true

- name: Remove a config no deployment group uses any more
  bluegreen.ecs.codedeploy_deployment_config:
    name: prd-web-canary10pct-5min
    state: absent
"""

RETURN = r"""
deployment_config:
  description: The deployment configuration as AWS describes it; empty after deletion.
  returned: always
  type: dict
  contains:
    deployment_config_id:
      description: The configuration ID.
      returned: when the configuration exists
      type: str
      sample: 0b0b4f3c-1111-2222-3333-444455556666
    deployment_config_name:
      description: The configuration name.
      returned: when the configuration exists
      type: str
      sample: prd-web-canary10pct-5min
    compute_platform:
      description: The compute platform.
      returned: when the configuration exists
      type: str
      sample: ECS
    create_time:
      description: When the configuration was created.
      returned: when the configuration exists and is not only planned (check mode)
      type: str
      sample: "2026-01-01T12:00:00+00:00"
    traffic_routing_config:
      description: The traffic shifting settings.
      returned: when the configuration exists
      type: dict
      sample: {"type": "TimeBasedCanary", "time_based_canary": {"canary_percentage": 10, "canary_interval": 5}}
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils.codedeploy import (
    CodeDeployError,
    describe_traffic,
    is_predefined_config,
    normalize_deployment_config,
    traffic_routing_config,
)
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

CONFIG = missing_is("DeploymentConfigDoesNotExistException")


@CONFIG.list_error_handler("get CodeDeploy deployment config {name}")
def get_config(client, name):
    return client.get_deployment_config(deploymentConfigName=name, aws_retry=True)["deploymentConfigInfo"]


@CONFIG.common_error_handler("create CodeDeploy deployment config {request[deploymentConfigName]}")
def create_config(client, request):
    client.create_deployment_config(aws_retry=True, **request)


@CONFIG.deletion_error_handler("delete CodeDeploy deployment config {name}")
def delete_config(client, name):
    try:
        client.delete_deployment_config(deploymentConfigName=name, aws_retry=True)
    except is_boto3_error_code("DeploymentConfigInUseException") as e:
        raise BluegreenAWSError(
            message=(
                f"CodeDeploy deployment config {name} is used by a deployment group and cannot be deleted; "
                "point the deployment group at another config first"
            ),
            exception=e,
        ) from e


def snake(config):
    return camel_dict_to_snake_dict(normalize_deployment_config(config))


def present(module, client):
    name = module.params["name"]
    try:
        routing = traffic_routing_config(module.params["traffic_routing"])
    except CodeDeployError as e:
        module.fail_json(msg=str(e))
    request = {
        "deploymentConfigName": name,
        "computePlatform": module.params["compute_platform"],
        "trafficRoutingConfig": routing,
    }
    live = get_config(client, name)
    after = normalize_deployment_config(request)
    diff = {"before": snake(live) if live else {}, "after": snake(request)}
    if live is not None and normalize_deployment_config(live) == after:
        return False, camel_dict_to_snake_dict(live), diff

    if is_predefined_config(name):
        state = f"is {describe_traffic(live)}" if live else "does not exist in this region"
        module.fail_json(
            msg=f"{name} is predefined by AWS and cannot be created or changed; it {state}. Choose another name."
        )
    if live is not None and not module.params["recreate"]:
        module.fail_json(
            msg=(
                f"CodeDeploy deployment config {name} exists as {live.get('computePlatform')} "
                f"{describe_traffic(live)}, wanted {request['computePlatform']} {describe_traffic(request)}. "
                "AWS cannot update a deployment config: choose a new name (the collection's naming puts the "
                "settings in the name) or set recreate=true."
            ),
            diff=diff,
        )
    if module.check_mode:
        return True, camel_dict_to_snake_dict(request), diff
    if live is not None:
        delete_config(client, name)
    create_config(client, request)
    created = get_config(client, name) or request
    return True, camel_dict_to_snake_dict(created), diff


def absent(module, client):
    name = module.params["name"]
    if is_predefined_config(name):
        module.fail_json(msg=f"{name} is predefined by AWS and cannot be deleted")
    live = get_config(client, name)
    if live is None:
        return False, {}, {"before": {}, "after": {}}
    diff = {"before": snake(live), "after": {}}
    if not module.check_mode:
        delete_config(client, name)
    return True, {}, diff


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        compute_platform=dict(type="str", default="ECS", choices=["ECS", "Lambda"]),
        traffic_routing=dict(
            type="dict",
            options=dict(
                type=dict(type="str", required=True, choices=["time_based_canary", "time_based_linear", "all_at_once"]),
                percentage=dict(type="int"),
                interval=dict(type="int"),
            ),
        ),
        recreate=dict(type="bool", default=False),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["traffic_routing"])],
    )
    client = module.client("codedeploy", retry_decorator=AWSRetry.jittered_backoff())
    try:
        if module.params["state"] == "present":
            changed, config, diff = present(module, client)
        else:
            changed, config, diff = absent(module, client)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    result = {"changed": changed, "deployment_config": config}
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
