#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).
# ruff: noqa: E402

DOCUMENTATION = r"""
---
module: ecs_cluster_settings
short_description: Manage the settings and tags of an ECS cluster
version_added: 1.0.0
description:
  - Sets what M(community.aws.ecs_cluster) cannot, on an existing ECS cluster - CloudWatch Container Insights
    (the C(containerInsights) cluster setting) and the cluster's tags.
  - In check mode a missing cluster is reported as a change (it is about to be created); otherwise it is an error.
options:
  cluster:
    description:
      - Name or ARN of the cluster.
    required: true
    type: str
  container_insights:
    description:
      - CloudWatch Container Insights for the cluster. V(enhanced) adds task and container level metrics.
      - Left as it is when not set.
    type: str
    choices: ['disabled', 'enabled', 'enhanced']
  tags:
    description:
      - Tags the cluster must carry. Left as they are when not set.
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
- name: Turn on Container Insights and tag the cluster
  bluegreen.ecs.ecs_cluster_settings:
    cluster: prd-demo-cluster
    container_insights: enabled
    tags:
      Environment: prd
    purge_tags: true
"""

RETURN = r"""
settings:
  description: The cluster settings after the change.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "containerInsights", "value": "enabled"}]
tags:
  description: The cluster's tags after the change.
  returned: always
  type: dict
  sample: {"Environment": "prd"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

SETTING = "containerInsights"
# DescribeClusters reports a missing cluster in ``failures``, not as an error: every error code is a failure.
CLUSTER = missing_is()


@CLUSTER.common_error_handler("describe ECS cluster {name}")
def describe_cluster(client, name):
    """The cluster with its settings and tags, as a one-item list; [] when it does not exist (or is INACTIVE)."""
    clusters = client.describe_clusters(aws_retry=True, clusters=[name], include=["SETTINGS", "TAGS"])["clusters"]
    return [c for c in clusters if c.get("status") != "INACTIVE"]


@CLUSTER.common_error_handler("update the settings of ECS cluster {name}")
def update_settings(client, name, arn, settings):
    client.update_cluster(aws_retry=True, cluster=arn, settings=settings)


@CLUSTER.common_error_handler("tag ECS cluster {name}")
def write_tags(client, name, arn, change):
    tag_sync.write(client, tag_sync.ECS, arn, change)


def converge(module, client):
    """``(changed, settings, tags)`` once the cluster has the wanted settings and tags."""
    name = module.params["cluster"]
    insights = module.params["container_insights"]
    wanted_tags = module.params["tags"]

    clusters = describe_cluster(client, name)
    if not clusters:
        if module.check_mode:
            module.exit_json(
                changed=True,
                settings=[{"name": SETTING, "value": insights}] if insights else [],
                tags=wanted_tags or {},
                msg=f"ECS cluster {name} does not exist yet",
            )
        module.fail_json(msg=f"ECS cluster {name} does not exist")
    cluster = clusters[0]
    arn = cluster["clusterArn"]
    settings = cluster.get("settings") or []
    tags = tag_sync.as_dict(tag_sync.ECS, cluster.get("tags"))
    changed = False

    current = [s for s in settings if s.get("name") == SETTING]
    if insights and current != [{"name": SETTING, "value": insights}]:
        changed = True
        settings = [s for s in settings if s.get("name") != SETTING] + [{"name": SETTING, "value": insights}]
        if not module.check_mode:
            update_settings(client, name, arn, [{"name": SETTING, "value": insights}])

    if wanted_tags is not None:
        change = tag_sync.plan(tags, wanted_tags, module.params["purge_tags"])
        if change.changed and not module.check_mode:
            write_tags(client, name, arn, change)
        changed = changed or change.changed
        tags = change.final

    return changed, settings, tags


def main():
    argument_spec = dict(
        cluster=dict(type="str", required=True),
        container_insights=dict(type="str", choices=["disabled", "enabled", "enhanced"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    try:
        changed, settings, tags = converge(module, client)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=changed, settings=settings, tags=tags)


if __name__ == "__main__":
    main()
