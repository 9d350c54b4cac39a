#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).
# ruff: noqa: E402

DOCUMENTATION = r"""
---
module: rds_orderable_info
short_description: List the engine versions and DB instance classes RDS offers in the region
version_added: 1.0.0
description:
  - Reads DescribeOrderableDBInstanceOptions (every page) for one engine and returns the distinct
    version and instance class pairs that can be created in a VPC, so a role can refuse a version or class
    the region does not offer before it changes anything.
  - Neither amazon.aws nor community.aws has a module for this call.
options:
  engine:
    description:
      - The DB engine.
    type: str
    default: postgres
  engine_version:
    description:
      - Only this engine version (an exact version, as RDS lists it).
    type: str
  db_instance_class:
    description:
      - Only this DB instance class.
    type: str
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: What RDS for PostgreSQL offers here
  bluegreen.ecs.rds_orderable_info:
    engine: postgres
  register: offered

- name: The versions
  ansible.builtin.debug:
    msg: "{{ offered.engine_versions }}"
"""

RETURN = r"""
options:
  description: The distinct (version, class) pairs offered in a VPC, sorted.
  returned: always
  type: list
  elements: dict
  contains:
    engine_version:
      description: The engine version.
      type: str
      sample: "17.7"
    db_instance_class:
      description: The DB instance class.
      type: str
      sample: db.t4g.micro
engine_versions:
  description: The distinct versions offered, sorted.
  returned: always
  type: list
  elements: str
  sample: ["16.11", "17.7"]
db_instance_classes:
  description: The distinct classes offered, sorted.
  returned: always
  type: list
  elements: str
  sample: ["db.m7g.large", "db.t4g.micro"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is

ANY_ERROR = missing_is()  # no "not found" here: every error fails


@AWSRetry.jittered_backoff()
def _all_pages(client, filters):
    paginator = client.get_paginator("describe_orderable_db_instance_options")
    return paginator.paginate(**filters).build_full_result().get("OrderableDBInstanceOptions", [])


@ANY_ERROR.common_error_handler("describe the orderable RDS DB instance options for {filters}")
def orderable(client, filters):
    """The distinct (version, class) pairs a VPC can use, as dicts, sorted."""
    pairs = {
        (option["EngineVersion"], option["DBInstanceClass"])
        for option in _all_pages(client, filters)
        if option.get("Vpc", True)
    }
    return [{"engine_version": version, "db_instance_class": klass} for version, klass in sorted(pairs)]


def main():
    argument_spec = dict(
        engine=dict(type="str", default="postgres"),
        engine_version=dict(type="str"),
        db_instance_class=dict(type="str"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    client = module.client("rds")
    filters = {"Engine": module.params["engine"], "Vpc": True}
    if module.params["engine_version"]:
        filters["EngineVersion"] = module.params["engine_version"]
    if module.params["db_instance_class"]:
        filters["DBInstanceClass"] = module.params["db_instance_class"]
    try:
        pairs = orderable(client, filters)
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(
        changed=False,
        options=pairs,
        engine_versions=sorted({pair["engine_version"] for pair in pairs}),
        db_instance_classes=sorted({pair["db_instance_class"] for pair in pairs}),
    )


if __name__ == "__main__":
    main()
