#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).
# ruff: noqa: E402

DOCUMENTATION = r"""
---
module: rds_instance_secret
short_description: Let RDS manage a DB instance's master password in Secrets Manager
version_added: 1.0.0
description:
  - Turns on C(ManageMasterUserPassword) on an existing RDS DB instance, so RDS generates the master password,
    keeps it in a Secrets Manager secret (JSON C(username) and C(password)) and rotates it; the password never
    passes through Ansible. Returns the secret's ARN, which task definitions name as C(valueFrom).
  - It exists because M(amazon.aws.rds_instance) has no option for C(ManageMasterUserPassword).
  - The KMS key of a managed secret can only be chosen when management is turned on (RDS refuses to change it
    later); asking for another key fails, naming O(master_user_secret_kms_key_id).
  - In check mode a missing instance is reported as a change (it is about to be created); otherwise it is an error.
options:
  db_instance_identifier:
    description:
      - The DB instance's identifier.
    required: true
    type: str
    aliases: ['id']
  manage_master_user_password:
    description:
      - Whether RDS manages the master password. V(false) needs O(master_user_password).
    type: bool
    default: true
  master_user_secret_kms_key_id:
    description:
      - KMS key (ARN, key id or alias) of the secret; the Secrets Manager default key when not set.
    type: str
  master_user_password:
    description:
      - The new master password when turning management off.
    type: str
  wait:
    description:
      - Wait until the instance is available again after a change.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait.
    type: int
    default: 900
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Let RDS manage the master password of the app database
  bluegreen.ecs.rds_instance_secret:
    db_instance_identifier: prd-demo-db
  register: db_secret

- name: The secret the tasks read
  ansible.builtin.debug:
    msg: "{{ db_secret.secret_arn }}"
"""

RETURN = r"""
secret_arn:
  description: ARN of the managed secret (absent when the password is not managed).
  returned: when the password is managed
  type: str
  sample: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0f6b1c2d-AbCdEf"
secret_status:
  description: The secret's status as RDS reports it (creating, active, rotating, impaired).
  returned: when the password is managed
  type: str
  sample: active
kms_key_id:
  description: The KMS key that encrypts the secret.
  returned: when the password is managed
  type: str
  sample: "arn:aws:kms:us-east-1:123456789012:key/0f6b1c2d-0000-0000-0000-000000000000"
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import rds_secret
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

INSTANCE = missing_is("DBInstanceNotFound", "DBInstanceNotFoundFault")


@INSTANCE.list_error_handler("describe RDS DB instance {identifier}", [])
def describe_instance(client, identifier):
    """The instance as a one-item list; [] when it does not exist."""
    return client.describe_db_instances(aws_retry=True, DBInstanceIdentifier=identifier)["DBInstances"]


@INSTANCE.common_error_handler("modify RDS DB instance {identifier}")
def modify_instance(client, identifier, params):
    return client.modify_db_instance(aws_retry=True, **params)["DBInstance"]


@INSTANCE.common_error_handler("wait for RDS DB instance {identifier} to be available")
def wait_available(client, identifier, timeout):
    delay = 15
    client.get_waiter("db_instance_available").wait(
        DBInstanceIdentifier=identifier, WaiterConfig={"Delay": delay, "MaxAttempts": max(1, timeout // delay)}
    )


def view(instance):
    """What the module reports and diffs."""
    secret = rds_secret.managed(instance) or {}
    return {
        "manage_master_user_password": bool(secret),
        "secret_arn": secret.get("SecretArn"),
        "secret_status": secret.get("SecretStatus"),
        "kms_key_id": secret.get("KmsKeyId"),
    }


def converge(module, client):
    params = module.params
    identifier = params["db_instance_identifier"]
    found = describe_instance(client, identifier)
    if not found:
        if module.check_mode:
            module.exit_json(changed=True, msg=f"RDS DB instance {identifier} does not exist yet")
        module.fail_json(msg=f"db_instance_identifier: RDS DB instance {identifier} does not exist")
    before = found[0]
    request, error = rds_secret.plan(
        before,
        params["manage_master_user_password"],
        params["master_user_secret_kms_key_id"],
        bool(params["master_user_password"]),
    )
    if error:
        module.fail_json(msg=error)
    if request is None:
        return False, view(before), view(before)
    if module.check_mode:
        after = dict(view(before), manage_master_user_password=params["manage_master_user_password"])
        return True, view(before), after
    if request.get("ManageMasterUserPassword") is False:
        request["MasterUserPassword"] = params["master_user_password"]
    modify_instance(client, identifier, request)
    if params["wait"]:
        wait_available(client, identifier, params["wait_timeout"])
    after = describe_instance(client, identifier)
    return True, view(before), view(after[0] if after else {})


def main():
    argument_spec = dict(
        db_instance_identifier=dict(type="str", required=True, aliases=["id"]),
        manage_master_user_password=dict(type="bool", default=True, no_log=False),
        master_user_secret_kms_key_id=dict(type="str"),
        master_user_password=dict(type="str", no_log=True),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("master_user_password", "master_user_secret_kms_key_id")],
    )
    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    try:
        changed, before, after = converge(module, client)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    result = {key: value for key, value in after.items() if key != "manage_master_user_password" and value}
    module.exit_json(changed=changed, diff={"before": before, "after": after}, **result)


if __name__ == "__main__":
    main()
