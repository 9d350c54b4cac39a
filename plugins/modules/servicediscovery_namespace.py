#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).

DOCUMENTATION = r"""
---
module: servicediscovery_namespace
version_added: 1.2.0
short_description: Create, tag or delete an AWS Cloud Map private DNS namespace
description:
  - Creates an AWS Cloud Map private DNS namespace in a VPC (C(CreatePrivateDnsNamespace)), keeps its tags, or deletes
    it (C(DeleteNamespace)). Neither C(amazon.aws) nor C(community.aws) has a Cloud Map module.
  - Both calls are asynchronous - AWS answers with an operation ID; with O(wait) the module polls C(GetOperation)
    until the operation is C(SUCCESS), and fails with AWS's error code when it is C(FAIL).
  - A namespace is found by name (C(ListNamespaces), every page). Cloud Map cannot change a namespace's VPC or type; a
    namespace of this name that is not a private DNS one fails naming its type.
  - AWS refuses to delete a namespace that still holds services (C(ResourceInUse)); delete them first.
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
options:
  name:
    description: The namespace's name, also the name of its private hosted zone (for example C(prd.demo.internal)).
    required: true
    type: str
  vpc_id:
    description: The VPC whose resolver answers the namespace's names; required to create it.
    type: str
  description:
    description: The namespace's description (set at creation only).
    type: str
    default: ''
  state:
    description: V(present) creates the namespace, V(absent) deletes it.
    type: str
    default: present
    choices: ['present', 'absent']
  wait:
    description: Wait until the creation or deletion is done (C(GetOperation) says C(SUCCESS)).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait with O(wait).
    type: int
    default: 300
notes:
  - Supports check mode and diff mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The environment's namespace
  bluegreen.ecs.servicediscovery_namespace:
    name: prd.demo.internal
    vpc_id: vpc-0123456789abcdef0
    tags:
      Environment: prd

- name: Delete it (its services first)
  bluegreen.ecs.servicediscovery_namespace:
    name: prd.demo.internal
    state: absent
"""

RETURN = r"""
namespace:
  description: The namespace as C(GetNamespace) describes it (snake_case); empty when absent.
  returned: always
  type: dict
  contains:
    id:
      description: The namespace ID.
      returned: when the namespace exists
      type: str
      sample: ns-abcdef0123456789
    arn:
      description: The namespace ARN.
      returned: when the namespace exists
      type: str
    name:
      description: The namespace's name.
      returned: when the namespace exists or is planned
      type: str
      sample: prd.demo.internal
    type:
      description: C(DNS_PRIVATE).
      returned: when the namespace exists or is planned
      type: str
    hosted_zone_id:
      description: The Route 53 private hosted zone Cloud Map created for the namespace.
      returned: when the namespace exists
      type: str
    tags:
      description: The namespace's tags.
      returned: when O(tags) is set
      type: dict
operation_id:
  description: The Cloud Map operation of a creation or deletion.
  returned: when the namespace was created or deleted
  type: str
"""

import uuid

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import cloudmap, tag_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

NAMESPACE = missing_is("NamespaceNotFound")
PRIVATE = "DNS_PRIVATE"


@NAMESPACE.common_error_handler("create Cloud Map namespace {kwargs[Name]}")
def create_namespace(client, **kwargs):
    return client.create_private_dns_namespace(aws_retry=True, **kwargs)["OperationId"]


@NAMESPACE.deletion_error_handler("delete Cloud Map namespace {namespace_id}")
def delete_namespace(client, namespace_id):
    return client.delete_namespace(aws_retry=True, Id=namespace_id)["OperationId"]


@NAMESPACE.common_error_handler("update the tags of {arn}")
def sync_tags(module, client, arn):
    return tag_sync.sync(module, client, cloudmap.TAGS, arn)


def summary(namespace):
    """What the module returns and compares of GetNamespace's answer."""
    if not namespace:
        return {}
    dns = (namespace.get("Properties") or {}).get("DnsProperties") or {}
    return {
        "id": namespace.get("Id"),
        "arn": namespace.get("Arn"),
        "name": namespace.get("Name"),
        "type": namespace.get("Type"),
        "hosted_zone_id": dns.get("HostedZoneId"),
    }


def wait(module, client, operation_id):
    if module.params["wait"]:
        cloudmap.wait_operation(client, operation_id, module.params["wait_timeout"])


def create(module, client):
    name, tags = module.params["name"], module.params["tags"]
    planned = {"name": name, "type": PRIVATE}
    if module.check_mode:  # on an empty account the VPC may only be planned too
        return True, dict(planned, tags=tags) if tags is not None else planned, {}
    if not module.params["vpc_id"]:
        module.fail_json(msg=f"vpc_id is required to create Cloud Map namespace {name}")
    kwargs = {"Name": name, "Vpc": module.params["vpc_id"], "CreatorRequestId": str(uuid.uuid4())}
    if module.params["description"]:
        kwargs["Description"] = module.params["description"]
    if tags:
        kwargs["Tags"] = tag_sync.as_list(cloudmap.TAGS, tags)
    operation_id = create_namespace(client, **kwargs)
    wait(module, client, operation_id)
    result = summary(cloudmap.find_namespace(client, name)) or planned
    if tags is not None:
        result["tags"] = tags
    return True, result, {"operation_id": operation_id}


def present(module, client):
    name = module.params["name"]
    live = cloudmap.find_namespace(client, name)
    if live is None:
        changed, result, extra = create(module, client)
        return changed, result, extra, {"before": {}, "after": result}
    if live.get("Type") != PRIVATE:
        module.fail_json(
            msg=f"Cloud Map namespace {name} exists with type {live.get('Type')}; Cloud Map cannot change a namespace's "
            f"type to {PRIVATE}: delete it (state=absent) or choose another name"
        )
    result = summary(live)
    before, changed = dict(result), False
    if module.params["tags"] is not None:
        current, change = sync_tags(module, client, live["Arn"])
        before["tags"], result["tags"], changed = current, change.final, change.changed
    return changed, result, {}, {"before": before, "after": result}


def absent(module, client):
    live = cloudmap.find_namespace(client, module.params["name"])
    if live is None:
        return False, {}, {}, {"before": {}, "after": {}}
    diff = {"before": summary(live), "after": {}}
    if module.check_mode:
        return True, {}, {}, diff
    operation_id = delete_namespace(client, live["Id"])
    if operation_id:
        wait(module, client, operation_id)
    return True, {}, {"operation_id": operation_id} if operation_id else {}, diff


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        vpc_id=dict(type="str"),
        description=dict(type="str", default=""),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("servicediscovery", retry_decorator=AWSRetry.jittered_backoff())
    try:
        state = present if module.params["state"] == "present" else absent
        changed, namespace, extra, diff = state(module, client)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    except cloudmap.OperationFailed as e:
        module.fail_json(msg=str(e))
    result = dict(extra, changed=changed, namespace=namespace)
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
