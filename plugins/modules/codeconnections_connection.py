#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).

DOCUMENTATION = r"""
---
module: codeconnections_connection
version_added: 1.0.0
short_description: Create, tag or delete an AWS CodeConnections (CodeStar Connections) connection
description:
  - Creates a connection to GitHub, GitHub Enterprise Server, Bitbucket or GitLab, keeps its tags, or deletes it.
  - A connection lets CodePipeline (source action C(CodeStarSourceConnection)) and CodeBuild read a repository
    without a stored token.
  - Neither C(amazon.aws) nor C(community.aws) has a module for this service; this one calls the
    C(codestar-connections) API (the same connections as C(codeconnections)) through C(AnsibleAWSModule).
  - Connections are found by name. AWS does not make names unique; when two connections share O(name) the module
    fails and lists their ARNs.
  - A new connection is C(PENDING) until someone completes the OAuth handshake in the AWS console
    (Developer Tools, Settings, Connections, I(Update pending connection)); only an C(AVAILABLE) connection can be used
    by a pipeline. The module cannot do the handshake; it returns RV(status) so a playbook can tell the user.
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
options:
  name:
    description:
      - Name of the connection, 1 to 32 characters.
    required: true
    type: str
  provider_type:
    description:
      - The provider of the repositories.
      - V(GitHub) when neither this nor O(host_arn) is set.
      - AWS cannot change the provider of an existing connection; a different value fails and names the live one.
    type: str
    choices: ['GitHub', 'GitHubEnterpriseServer', 'Bitbucket', 'GitLab']
  host_arn:
    description:
      - ARN of the host (an installed GitHub Enterprise Server or GitLab self-managed), instead of O(provider_type).
      - AWS cannot change the host of an existing connection.
    type: str
  state:
    description:
      - V(present) creates the connection (status C(PENDING)) or updates its tags, V(absent) deletes it.
    type: str
    default: present
    choices: ['present', 'absent']
notes:
  - Supports check mode and diff mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: GitHub connection of the web service's pipeline
  bluegreen.ecs.codeconnections_connection:
    name: prd-web-gh
    provider_type: GitHub
    tags:
      Environment: prd
  register: connection

- name: Tell who must finish the handshake
  ansible.builtin.debug:
    msg: "Open the AWS console and complete the pending connection {{ connection.arn }}"
  when: connection.status == 'PENDING'

- name: Delete it
  bluegreen.ecs.codeconnections_connection:
    name: prd-web-gh
    state: absent
"""

RETURN = r"""
arn:
  description: ARN of the connection; empty when it does not exist (deleted, or only planned in check mode).
  returned: always
  type: str
  sample: arn:aws:codestar-connections:us-east-1:123456789012:connection/0b7e4c1e-0000-4000-8000-000000000000
status:
  description:
    - C(PENDING) (handshake not done), C(AVAILABLE), C(ERROR); empty when the connection does not exist.
  returned: always
  type: str
  sample: PENDING
connection:
  description: The connection as AWS describes it; empty after deletion.
  returned: always
  type: dict
  contains:
    connection_name:
      description: Name of the connection.
      returned: when the connection exists or is planned
      type: str
      sample: prd-web-gh
    connection_arn:
      description: ARN of the connection.
      returned: when the connection exists
      type: str
      sample: arn:aws:codestar-connections:us-east-1:123456789012:connection/0b7e4c1e-0000-4000-8000-000000000000
    connection_status:
      description: Status of the connection.
      returned: when the connection exists
      type: str
      sample: PENDING
    provider_type:
      description: Provider of the repositories.
      returned: when the connection exists or is planned with a provider
      type: str
      sample: GitHub
    owner_account_id:
      description: The account that owns the connection.
      returned: when the connection exists
      type: str
      sample: "123456789012"
    host_arn:
      description: The host of the connection.
      returned: when the connection has a host
      type: str
      sample: arn:aws:codestar-connections:us-east-1:123456789012:host/ghes-0b7e4c1e
    tags:
      description: The connection's tags.
      returned: when O(tags) is set
      type: dict
      sample: {"Environment": "prd"}
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

MAX_NAME = 32
CONNECTION = missing_is("ResourceNotFoundException")


class ConnectionManager:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = module.params["name"]
        self.client = module.client("codestar-connections", retry_decorator=AWSRetry.jittered_backoff())

    @CONNECTION.common_error_handler("list connections")
    def named(self):
        """Every connection named ``name``."""
        found = []
        kwargs = {}
        while True:
            page = self.client.list_connections(aws_retry=True, **kwargs)
            found.extend(c for c in page.get("Connections") or [] if c.get("ConnectionName") == self.name)
            if not page.get("NextToken"):
                return found
            kwargs["NextToken"] = page["NextToken"]

    @CONNECTION.common_error_handler("create connection {self.name}")
    def create(self, **kwargs):
        self.client.create_connection(aws_retry=True, **kwargs)

    @CONNECTION.deletion_error_handler("delete connection {self.name}")
    def delete(self, arn):
        self.client.delete_connection(ConnectionArn=arn, aws_retry=True)

    def find(self):
        """The one connection named ``name``, or None; fails when the name is ambiguous."""
        found = self.named()
        if len(found) > 1:
            arns = ", ".join(sorted(c["ConnectionArn"] for c in found))
            self.module.fail_json(
                msg=f"{len(found)} connections are named {self.name}: {arns}. Delete the extra ones (in the console"
                " or with the AWS CLI) so that the name identifies one connection."
            )
        return found[0] if found else None

    @CONNECTION.common_error_handler("update the tags of {arn}")
    def sync_tags(self, arn):
        """Bring the connection's tags to O(tags); return (tags before, plan). Check mode: only the plan."""
        return tag_sync.sync(self.module, self.client, tag_sync.CODECONNECTIONS, arn)

    def wanted_identity(self):
        """Provider/host as the task asks for them (GitHub when neither is set)."""
        host = self.params["host_arn"]
        provider = self.params["provider_type"] or (None if host else "GitHub")
        return provider, host

    def check_identity(self, live):
        provider, host = self.wanted_identity()
        if provider and live.get("ProviderType") != provider:
            self.module.fail_json(
                msg=f"Connection {self.name} exists with provider {live.get('ProviderType')}; AWS cannot change it to"
                f" {provider}. Delete the connection (state=absent) or use another name."
            )
        if host and live.get("HostArn") != host:
            self.module.fail_json(
                msg=f"Connection {self.name} exists with host {live.get('HostArn') or '(none)'}; AWS cannot change it to"
                f" {host}. Delete the connection (state=absent) or use another name."
            )

    @staticmethod
    def describe(live):
        return {"connection_name": live["ConnectionName"], "provider_type": live.get("ProviderType")}

    def present(self):
        tags = self.params["tags"]
        provider, host = self.wanted_identity()
        live = self.find()
        after = {"connection_name": self.name}
        if provider:
            after["provider_type"] = provider
        if host:
            after["host_arn"] = host
        if tags is not None:
            after["tags"] = tags

        if live is None:
            diff = {"before": {}, "after": after}
            if self.module.check_mode:
                return True, dict(after), diff
            kwargs = {"ConnectionName": self.name}
            if host:
                kwargs["HostArn"] = host
            else:
                kwargs["ProviderType"] = provider
            if tags:
                kwargs["Tags"] = tag_sync.as_list(tag_sync.CODECONNECTIONS, tags)
            self.create(**kwargs)
            live = self.find()
            result = camel_dict_to_snake_dict(live)
            if tags is not None:
                result["tags"] = tags
            return True, result, diff

        self.check_identity(live)
        before = self.describe(live)
        if live.get("HostArn"):
            before["host_arn"] = live["HostArn"]
        after = dict(before)
        result = camel_dict_to_snake_dict(live)
        changed = False
        if tags is not None:
            current, change = self.sync_tags(live["ConnectionArn"])
            changed = change.changed
            before["tags"] = current
            after["tags"] = result["tags"] = change.final
        return changed, result, {"before": before, "after": after}

    def absent(self):
        live = self.find()
        if live is None:
            return False, {}, {"before": {}, "after": {}}
        diff = {"before": self.describe(live), "after": {}}
        if not self.module.check_mode:
            self.delete(live["ConnectionArn"])
        return True, {}, diff


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        provider_type=dict(type="str", choices=["GitHub", "GitHubEnterpriseServer", "Bitbucket", "GitLab"]),
        host_arn=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("provider_type", "host_arn")],
    )
    name = module.params["name"]
    if not 1 <= len(name) <= MAX_NAME:
        module.fail_json(msg=f"name: {name!r} is {len(name)} characters; a connection name has 1 to {MAX_NAME}.")
    manager = ConnectionManager(module)
    try:
        if module.params["state"] == "present":
            changed, connection, diff = manager.present()
        else:
            changed, connection, diff = manager.absent()
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    result = {
        "changed": changed,
        "connection": connection,
        "arn": connection.get("connection_arn", ""),
        "status": connection.get("connection_status", ""),
    }
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
