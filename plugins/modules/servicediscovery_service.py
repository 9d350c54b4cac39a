#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).

DOCUMENTATION = r"""
---
module: servicediscovery_service
version_added: 1.2.0
short_description: Create, update or delete an AWS Cloud Map service for ECS service discovery
description:
  - Keeps an AWS Cloud Map service in a private DNS namespace in the shape ECS service discovery registers tasks into
    (C(serviceRegistries) of an ECS service) - C(MULTIVALUE) routing with an C(A) and an C(SRV) record of O(ttl)
    seconds, and a custom health check configuration, so ECS reports each task's health to Cloud Map
    (U(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-discovery.html)).
  - Cloud Map's C(UpdateService) changes only the records' TTL here; the routing policy, the record types and the
    health check kind are fixed at creation, so a service of another shape fails naming what differs.
  - AWS refuses to delete a service that still has registered instances (C(ResourceInUse)); ECS deregisters its tasks
    when they stop, so delete the ECS service first.
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
options:
  name:
    description: The service's name, the first label of its DNS names (C(api) answers as C(api.<namespace>)).
    required: true
    type: str
  namespace:
    description: Name of the private DNS namespace (M(bluegreen.ecs.servicediscovery_namespace)).
    required: true
    type: str
  ttl:
    description: Seconds resolvers may cache the records.
    type: int
    default: 10
  description:
    description: The service's description (set at creation only).
    type: str
    default: ''
  state:
    description: V(present) creates or updates the service, V(absent) deletes it.
    type: str
    default: present
    choices: ['present', 'absent']
  wait:
    description: Wait until a TTL update is done (C(GetOperation) says C(SUCCESS)).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait with O(wait).
    type: int
    default: 300
notes:
  - Supports check mode and diff mode. In check mode a namespace that does not exist yet is taken as planned.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: api answers as api.prd.demo.internal
  bluegreen.ecs.servicediscovery_service:
    name: api
    namespace: prd.demo.internal
    ttl: 10
"""

RETURN = r"""
service:
  description: The Cloud Map service (snake_case); empty when absent.
  returned: always
  type: dict
  contains:
    id:
      description: The service ID.
      returned: when the service exists
      type: str
      sample: srv-abcdef0123456789
    arn:
      description: The service ARN, the C(registryArn) of an ECS service's C(serviceRegistries).
      returned: when the service exists
      type: str
    name:
      description: The service's name.
      returned: when the service exists or is planned
      type: str
    namespace_id:
      description: The namespace's ID.
      returned: when the service exists
      type: str
    ttl:
      description: The records' TTL.
      returned: when the service exists or is planned
      type: int
    tags:
      description: The service's tags.
      returned: when O(tags) is set
      type: dict
"""

import uuid

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import cloudmap, discovery, tag_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

SERVICE = missing_is("ServiceNotFound")


@SERVICE.common_error_handler("create Cloud Map service {kwargs[Name]}")
def create_service(client, **kwargs):
    return client.create_service(aws_retry=True, **kwargs)["Service"]


@SERVICE.common_error_handler("update Cloud Map service {service_id}")
def update_service(client, service_id, change):
    return client.update_service(aws_retry=True, Id=service_id, Service=change)["OperationId"]


@SERVICE.deletion_error_handler("delete Cloud Map service {service_id}")
def delete_service(client, service_id):
    client.delete_service(aws_retry=True, Id=service_id)
    return True


@SERVICE.common_error_handler("update the tags of {arn}")
def sync_tags(module, client, arn):
    return tag_sync.sync(module, client, cloudmap.TAGS, arn)


def summary(service):
    if not service:
        return {}
    records = (service.get("DnsConfig") or {}).get("DnsRecords") or [{}]
    return {
        "id": service.get("Id"),
        "arn": service.get("Arn"),
        "name": service.get("Name"),
        "namespace_id": service.get("NamespaceId"),
        "ttl": records[0].get("TTL"),
    }


def create(module, client, namespace):
    name, tags, ttl = module.params["name"], module.params["tags"], module.params["ttl"]
    planned = {"name": name, "ttl": ttl}
    if tags is not None:
        planned["tags"] = tags
    if module.check_mode:
        return planned
    kwargs = {
        "Name": name,
        "NamespaceId": namespace["Id"],
        "CreatorRequestId": str(uuid.uuid4()),
        "DnsConfig": discovery.dns_config(ttl),
        # ECS reports each task's health to Cloud Map (service-discovery.html, "Service discovery considerations").
        "HealthCheckCustomConfig": {},
    }
    if module.params["description"]:
        kwargs["Description"] = module.params["description"]
    if tags:
        kwargs["Tags"] = tag_sync.as_list(cloudmap.TAGS, tags)
    result = summary(create_service(client, **kwargs))
    if tags is not None:
        result["tags"] = tags
    return result


def update(module, client, live):
    """Bring the TTL and tags to the options; (changed, result, before)."""
    result = summary(live)
    before, changed = dict(result), False
    if "HealthCheckCustomConfig" not in live or live.get("HealthCheckConfig"):
        module.fail_json(
            msg=f"Cloud Map service {live['Name']} has no custom health check configuration (or has a Route 53 one); "
            "Cloud Map cannot change that in place: delete the service (state=absent) and create it again"
        )
    try:
        change = discovery.dns_records_change(live.get("DnsConfig"), module.params["ttl"])
    except discovery.DiscoveryError as e:
        module.fail_json(msg=f"Cloud Map service {live['Name']}: {e}")
    if change:
        changed, result["ttl"] = True, module.params["ttl"]
        if not module.check_mode:
            operation_id = update_service(client, live["Id"], {"DnsConfig": change})
            if module.params["wait"]:
                cloudmap.wait_operation(client, operation_id, module.params["wait_timeout"])
    if module.params["tags"] is not None:
        current, tag_change = sync_tags(module, client, live["Arn"])
        before["tags"], result["tags"] = current, tag_change.final
        changed = changed or tag_change.changed
    return changed, result, before


def present(module, client):
    namespace_name = module.params["namespace"]
    namespace = cloudmap.find_namespace(client, namespace_name)
    if namespace is None:
        if module.check_mode:
            planned = create(module, client, None)
            return True, planned, {"before": {}, "after": planned}
        module.fail_json(
            msg=f"Cloud Map namespace {namespace_name} does not exist; create it first "
            "(bluegreen.ecs.servicediscovery_namespace)"
        )
    live = cloudmap.find_service(client, namespace["Id"], module.params["name"])
    if live is None:
        result = create(module, client, namespace)
        return True, result, {"before": {}, "after": result}
    changed, result, before = update(module, client, live)
    return changed, result, {"before": before, "after": result}


def absent(module, client):
    namespace = cloudmap.find_namespace(client, module.params["namespace"])
    live = namespace and cloudmap.find_service(client, namespace["Id"], module.params["name"])
    if not live:
        return False, {}, {"before": {}, "after": {}}
    if not module.check_mode:
        delete_service(client, live["Id"])
    return True, {}, {"before": summary(live), "after": {}}


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        namespace=dict(type="str", required=True),
        ttl=dict(type="int", default=discovery.DEFAULT_TTL),
        description=dict(type="str", default=""),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    low, high = discovery.TTL_RANGE
    if not low <= module.params["ttl"] <= high:
        module.fail_json(msg=f"ttl: {module.params['ttl']} is out of range; allowed {low}..{high}")
    client = module.client("servicediscovery", retry_decorator=AWSRetry.jittered_backoff())
    try:
        state = present if module.params["state"] == "present" else absent
        changed, service, diff = state(module, client)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    except cloudmap.OperationFailed as e:
        module.fail_json(msg=str(e))
    result = {"changed": changed, "service": service}
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
