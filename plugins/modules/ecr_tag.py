#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).
# ruff: noqa: E402

DOCUMENTATION = r"""
---
module: ecr_tag
short_description: Manage the tags of a private ECR repository
version_added: 1.0.0
description:
  - Sets the tags of a private Amazon ECR repository (M(community.aws.ecs_ecr) cannot tag).
options:
  repository:
    description:
      - Name of the repository. It must exist.
    required: true
    type: str
  registry_id:
    description:
      - AWS account ID of the registry. Defaults to the caller's account.
    type: str
  tags:
    description:
      - Tags the repository must carry.
    required: true
    type: dict
    aliases: ['resource_tags']
  purge_tags:
    description:
      - Remove the tags that are not in O(tags).
    type: bool
    default: false
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Tag the repository, removing tags set by hand
  bluegreen.ecs.ecr_tag:
    repository: prd-web
    tags:
      Environment: prd
      Application: web
    purge_tags: true
"""

RETURN = r"""
tags:
  description: The repository's tags after the change.
  returned: always
  type: dict
  sample: {"Environment": "prd"}
added_tags:
  description: Tags added or changed.
  returned: always
  type: dict
  sample: {"Application": "web"}
removed_tags:
  description: Keys of the tags removed.
  returned: always
  type: list
  elements: str
  sample: ["Owner"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

REPOSITORY = missing_is("RepositoryNotFoundException")


@REPOSITORY.list_error_handler("read the tags of ECR repository {name}")
def read_tags(client, name, extra):
    """``(arn, tags)`` of the repository, or None when it does not exist."""
    arn = client.describe_repositories(aws_retry=True, repositoryNames=[name], **extra)["repositories"][0][
        "repositoryArn"
    ]
    return arn, tag_sync.read(client, tag_sync.ECR, arn)


@REPOSITORY.common_error_handler("tag ECR repository {name}")
def write_tags(client, name, arn, change):
    tag_sync.write(client, tag_sync.ECR, arn, change)


def main():
    argument_spec = dict(
        repository=dict(type="str", required=True),
        registry_id=dict(type="str"),
        tags=dict(type="dict", required=True, aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
    name = module.params["repository"]
    extra = {"registryId": module.params["registry_id"]} if module.params["registry_id"] else {}

    try:
        found = read_tags(client, name, extra)
        if found is None:
            module.fail_json(msg=f"ECR repository {name} does not exist")
        arn, current = found
        change = tag_sync.plan(current, module.params["tags"], module.params["purge_tags"])
        if change.changed and not module.check_mode:
            write_tags(client, name, arn, change)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)

    module.exit_json(changed=change.changed, tags=change.final, added_tags=change.to_add, removed_tags=change.to_remove)


if __name__ == "__main__":
    main()
