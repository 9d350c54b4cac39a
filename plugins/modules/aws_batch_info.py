#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).
# ruff: noqa: E402

DOCUMENTATION = r"""
---
module: aws_batch_info
short_description: Several AWS read calls in one module run
version_added: 1.3.0
description:
  - Makes the given read calls (AWS API operations named C(Describe*), C(List*), C(Get*) or C(BatchGet*)) and returns each answer
    under its name, following pagination. Reads run concurrently, each with bounded retries.
  - Why it exists; a role reads the state of its whole layer with one module run instead of one amazon.aws C(*_info)
    module per kind of resource. Each module run is a Python process that imports Ansible and botocore before its first
    call, about half a second; on a converged environment those runs were most of a no-op C(site.yml).
  - Changes nothing, so it runs the same in check mode.
  - Refuses, before any call, a name used twice, an operation that is not a read, and reads that answer with a secret
    or a credential (for example C(GetSecretValue), C(GetAuthorizationToken)), so none lands in a registered result.
options:
  reads:
    description:
      - The calls to make.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Key of this read's answer in RV(answers).
        type: str
        required: true
      service:
        description:
          - botocore service name, for example C(ec2), C(elbv2), C(iam).
        type: str
        required: true
      operation:
        description:
          - API operation as named in the AWS API reference, for example C(DescribeSubnets).
        type: str
        required: true
      params:
        description:
          - The operation's request parameters, as in the API reference.
        type: dict
        default: {}
      missing:
        description:
          - Error codes that mean the thing read does not exist (for example C(NoSuchEntity)); the answer is then
            C(null) instead of a failure.
        type: list
        elements: str
        default: []
      snake:
        description:
          - Snake-case the answer's keys and turn tag lists into dicts, as amazon.aws's C(*_info) modules return them.
            Tag keys and values are kept as written.
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
- name: Read the network layer in one module run
  bluegreen.ecs.aws_batch_info:
    reads:
      - name: subnets
        service: ec2
        operation: DescribeSubnets
        params:
          Filters:
            - Name: vpc-id
              Values: [vpc-0123456789abcdef0]
        snake: true
      - name: flow_log_role
        service: iam
        operation: GetRole
        params:
          RoleName: prd-demo-flow-logs
        missing: [NoSuchEntity]
  register: _network

- name: Show the subnet IDs
  ansible.builtin.debug:
    msg: "{{ _network.answers.subnets.subnets | map(attribute='subnet_id') }}"
"""

RETURN = r"""
answers:
  description:
    - Each read's answer under its name, all pages merged, without C(ResponseMetadata) and paging tokens; C(null) when
      the call failed with one of its O(reads[].missing) codes.
  returned: always
  type: dict
  sample:
    flow_log_role: null
    subnets:
      subnets:
        - subnet_id: subnet-0123456789abcdef0
          availability_zone: us-east-1a
          tags: {"Name": "prd-demo-app-a", "Tier": "app"}
"""

from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import batch_read

try:
    import botocore
    from botocore import xform_name
except ImportError:
    pass  # AnsibleAWSModule reports the missing botocore

# Reads in flight at once: they wait on the network, not on this process.
WORKERS = 8


def key_to_snake(key):
    return next(iter(camel_dict_to_snake_dict({key: None})))


class Reader:
    """One client per service, created before the threads start (a boto3 session is not thread-safe; its clients are)."""

    def __init__(self, module, reads):
        self.module = module
        self.clients = {}
        for read in reads:
            if read["service"] not in self.clients:
                self.clients[read["service"]] = module.client(read["service"])

    def method(self, read, index):
        """The client method of ``read``'s operation; fails naming the field when the service has no such one."""
        client = self.clients[read["service"]]
        if read["operation"] not in client.meta.service_model.operation_names:
            self.module.fail_json(
                msg=f"reads[{index}].operation: {read['service']} has no operation {read['operation']}"
                " (names as in the AWS API reference, e.g. DescribeSubnets)"
            )
        return client, xform_name(read["operation"])

    @staticmethod
    @AWSRetry.jittered_backoff()
    def call(client, method, params):
        if client.can_paginate(method):
            return client.get_paginator(method).paginate(**params).build_full_result()
        return getattr(client, method)(**params)

    def read(self, read, client, method):
        try:
            response = self.call(client, method, read["params"] or {})
        except is_boto3_error_code(read["missing"]):
            return read["name"], None
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:  # pylint: disable=duplicate-except
            return read["name"], error
        return read["name"], batch_read.shape(response, read["snake"], key_to_snake)


def main():
    read_spec = dict(
        name=dict(type="str", required=True),
        service=dict(type="str", required=True),
        operation=dict(type="str", required=True),
        params=dict(type="dict", default={}),
        missing=dict(type="list", elements="str", default=[]),
        snake=dict(type="bool", default=False),
    )
    argument_spec = dict(reads=dict(type="list", elements="dict", required=True, options=read_spec))
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    reads = module.params["reads"]
    errors = batch_read.read_errors(reads)
    if errors:
        module.fail_json(msg="; ".join(errors))

    reader = Reader(module, reads)
    calls = [(read, *reader.method(read, index)) for index, read in enumerate(reads)]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        answers = list(pool.map(lambda call: reader.read(*call), calls))

    answers_by_name = {}
    for (read, _client, _method), (name, answer) in zip(calls, answers, strict=True):
        if isinstance(answer, Exception):
            module.fail_json_aws(answer, msg=f"reads: {read['operation']} ({read['service']}) for {name} failed")
        answers_by_name[name] = answer
    module.exit_json(changed=False, answers=answers_by_name)


if __name__ == "__main__":
    main()
