#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).

DOCUMENTATION = r"""
---
module: codedeploy_app
version_added: 1.0.0
short_description: Create, tag or delete an AWS CodeDeploy application
description:
  - Creates an AWS CodeDeploy application, keeps its tags, or deletes it.
  - Neither C(amazon.aws) nor C(community.aws) has a CodeDeploy module; this one calls the
    CodeDeploy API through C(AnsibleAWSModule).
  - A converged application costs only read calls (C(GetApplication), C(ListTagsForResource)).
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
options:
  name:
    description:
      - Name of the application.
    required: true
    type: str
  compute_platform:
    description:
      - Compute platform of the application's deployments.
      - AWS cannot change the compute platform of an existing application; a different value fails and names the
        live one.
    type: str
    default: ECS
    choices: ['ECS', 'Server', 'Lambda']
  state:
    description:
      - V(present) creates the application, V(absent) deletes it with its deployment groups.
    type: str
    default: present
    choices: ['present', 'absent']
notes:
  - Tags use the application ARN, built from the caller's account (C(sts:GetCallerIdentity)); that call is made
    only when O(tags) is set.
  - Supports check mode and diff mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: CodeDeploy application of the web service
  bluegreen.ecs.codedeploy_app:
    name: prd-web
    compute_platform: ECS
    tags:
      Environment: prd
      Application: web

- name: Delete it (and its deployment groups)
  bluegreen.ecs.codedeploy_app:
    name: prd-web
    state: absent
"""

RETURN = r"""
application:
  description: The application as AWS describes it; empty after deletion.
  returned: always
  type: dict
  contains:
    application_id:
      description: The application ID.
      returned: when the application exists
      type: str
      sample: 5d2d4a0e-5f58-4b9e-8a3e-1c2d9f0a7b11
    application_name:
      description: The application name.
      returned: when the application exists
      type: str
      sample: prd-web
    compute_platform:
      description: The compute platform.
      returned: when the application exists
      type: str
      sample: ECS
    create_time:
      description: When the application was created.
      returned: when the application exists and is not only planned (check mode)
      type: str
      sample: "2026-01-01T12:00:00+00:00"
    linked_to_git_hub:
      description: Whether the application is linked to a GitHub account.
      returned: when AWS returns it
      type: bool
      sample: false
    tags:
      description: The application's tags.
      returned: when O(tags) is set
      type: dict
      sample: {"Environment": "prd"}
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.codedeploy import application_arn
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

APPLICATION = missing_is("ApplicationDoesNotExistException")


@APPLICATION.list_error_handler("get CodeDeploy application {name}")
def get_application(client, name):
    return client.get_application(applicationName=name, aws_retry=True)["application"]


@APPLICATION.common_error_handler("create CodeDeploy application {kwargs[applicationName]}")
def create_application(client, **kwargs):
    client.create_application(aws_retry=True, **kwargs)


@APPLICATION.deletion_error_handler("delete CodeDeploy application {name}")
def delete_application(client, name):
    client.delete_application(applicationName=name, aws_retry=True)


@APPLICATION.common_error_handler("update the tags of {arn}")
def sync_tags(module, client, arn):
    """Bring the application's tags to O(tags); return (tags before, plan). Check mode: only the plan."""
    return tag_sync.sync(module, client, tag_sync.CODEDEPLOY, arn)


def present(module, client):
    name = module.params["name"]
    platform = module.params["compute_platform"]
    tags = module.params["tags"]
    live = get_application(client, name)
    diff = {"before": {}, "after": {"application_name": name, "compute_platform": platform}}
    if tags is not None:
        diff["after"]["tags"] = tags

    if live is None:
        if not module.check_mode:
            kwargs = {"applicationName": name, "computePlatform": platform}
            if tags:
                kwargs["tags"] = tag_sync.as_list(tag_sync.CODEDEPLOY, tags)
            create_application(client, **kwargs)
            live = get_application(client, name)
        result = camel_dict_to_snake_dict(live or {"applicationName": name, "computePlatform": platform})
        if tags is not None:
            result["tags"] = tags
        return True, result, diff

    if live.get("computePlatform") != platform:
        module.fail_json(
            msg=(
                f"CodeDeploy application {name} exists with compute platform {live.get('computePlatform')}; "
                f"AWS cannot change it to {platform}. Delete the application (state=absent) or use another name."
            )
        )
    diff["before"] = {"application_name": name, "compute_platform": live.get("computePlatform")}
    result = camel_dict_to_snake_dict(live)
    changed = False
    if tags is not None:
        account_id, partition = get_aws_account_info(module)
        arn = application_arn(partition, module.region, account_id, name)
        current, change = sync_tags(module, client, arn)
        diff["before"]["tags"] = current
        diff["after"]["tags"] = result["tags"] = change.final
        changed = change.changed
    return changed, result, diff


def absent(module, client):
    name = module.params["name"]
    live = get_application(client, name)
    if live is None:
        return False, {}, {"before": {}, "after": {}}
    diff = {"before": {"application_name": name, "compute_platform": live.get("computePlatform")}, "after": {}}
    if not module.check_mode:
        delete_application(client, name)
    return True, {}, diff


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        compute_platform=dict(type="str", default="ECS", choices=["ECS", "Server", "Lambda"]),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("codedeploy", retry_decorator=AWSRetry.jittered_backoff())
    try:
        if module.params["state"] == "present":
            changed, application, diff = present(module, client)
        else:
            changed, application, diff = absent(module, client)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    result = {"changed": changed, "application": application}
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
