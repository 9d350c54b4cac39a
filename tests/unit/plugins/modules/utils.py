# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's ``main()`` against real boto3 clients whose responses are stubbed.

botocore's Stubber fails on any call that was not queued, so a test that queues only read calls
proves the module made no write call. Each stubbed call also checks the request parameters the
test expects.
"""

import json
from unittest import mock

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from botocore.stub import ANY, Stubber

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.bluegreen.ecs.plugins.module_utils.clients import SessionClients

__all__ = ["ANY", "AwsStubs", "run_module"]

ACCOUNT = "123456789012"
REGION = "us-east-1"


class AwsStubs:
    """One stubbed client per service; ``stubs.codedeploy.add_response(...)`` queues an answer."""

    def __init__(self, *services):
        self._clients = {}
        self._stubbers = {}
        for service in services:
            client = boto3.client(
                service, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
            )
            self._clients[service] = client
            self._stubbers[service] = Stubber(client)

    def __getattr__(self, service):
        try:
            return self._stubbers[service]
        except KeyError:
            raise AttributeError(service) from None

    def client(self, service, retry_decorator=None, **_kwargs):
        if service not in self._clients:
            raise AssertionError(f"unexpected client for {service}")
        client = self._clients[service]
        return client if retry_decorator is None else RetryingBotoClientWrapper(client, retry_decorator)

    def caller_identity(self):
        """Queue the STS answer amazon.aws's get_aws_account_info needs."""
        self.sts.add_response(
            "get_caller_identity",
            {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/test", "UserId": "AIDTEST"},
            {},
        )

    def __enter__(self):
        for stubber in self._stubbers.values():
            stubber.activate()
        return self

    def __exit__(self, *exc):
        for stubber in self._stubbers.values():
            stubber.deactivate()

    def assert_done(self):
        for stubber in self._stubbers.values():
            stubber.assert_no_pending_responses()


def run_module(module, args, stubs, capsys, check_mode=False, diff=False):
    """Run ``module.main()``; return ``(failed, result)``. Every queued response must have been used."""
    args = dict(args, region=REGION, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with (
        stubs,
        patch_module_args(args),
        mock.patch.object(AnsibleAWSModule, "client", side_effect=stubs.client),
        mock.patch.object(SessionClients, "_create", lambda self, service, *_: stubs.client(service, self._retry)),
    ):
        with pytest.raises(SystemExit) as exit_info:
            module.main()
    result = json.loads(capsys.readouterr().out)
    failed = exit_info.value.code != 0
    if not failed:
        stubs.assert_done()
    return failed, result
