# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything a role needs to know about the service it works on, resolved once from the inventory."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming, service_spec


def service_context(service, host, env, project, extra_tags=None):
    """The spec (validated, defaults filled), names and tags of one service host, and its environment's.

    ``vpc_filters`` is the one way every layer finds the environment's VPC: its name, environment and project
    tags, so that two projects sharing an account and an environment never see each other's network.
    """
    spec = service_spec.normalize(service, host)
    names = naming.service_names(env, project, spec["name"])
    return {
        "spec": spec,
        "names": names,
        "platform": naming.platform_names(env, project),
        "tags": naming.resource_tags(env, project, spec["name"], extra_tags),
        "platform_tags": naming.resource_tags(env, project, project, extra_tags),
        "vpc_filters": {
            "tag:Name": names["vpc"],
            "tag:Environment": env,
            "tag:Project": project,
            "tag:ManagedBy": naming.MANAGED_BY,
        },
    }


def caller_context(caller_arn, account):
    """Partition and account of the caller (ARNs are built in the caller's partition: aws, aws-cn, aws-us-gov)."""
    parts = (caller_arn or "").split(":")
    if len(parts) < 5 or parts[0] != "arn":
        raise ValueError(f"not an ARN: {caller_arn!r}")
    return {"partition": parts[1], "account": str(account)}
