# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""SessionClients: the module's connection settings, one session for every client, retries kept."""

from unittest import mock

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from ansible_collections.bluegreen.ecs.plugins.module_utils.clients import USER_AGENT_EXTRA, SessionClients

CONNECTION = {
    "region": "eu-west-1",
    "endpoint_url": "http://127.0.0.1:5999",
    "access_key": "AKIDEXAMPLE",
    "secret_key": "secret",
    "aws_config": {"connect_timeout": 7},
}


@pytest.fixture
def module():
    with patch_module_args(CONNECTION):
        yield AnsibleAWSModule(argument_spec={})


def test_clients_share_one_session_and_the_module_settings(module):
    with mock.patch.object(boto3.session, "Session", wraps=boto3.session.Session) as session:
        clients = SessionClients(module)
        ecs, codedeploy = clients("ecs"), clients("codedeploy")

    assert session.call_count == 1
    assert clients("ecs") is ecs  # made once per service
    for client in (ecs, codedeploy):
        assert client.meta.region_name == "eu-west-1"
        assert client.meta.endpoint_url == "http://127.0.0.1:5999"
        assert client.meta.config.connect_timeout == 7  # aws_config merged
        assert client.meta.config.user_agent_extra == USER_AGENT_EXTRA
        assert client._request_signer._credentials.access_key == "AKIDEXAMPLE"


def test_clients_carry_the_retry_decorator(module):
    client = SessionClients(module, retry_decorator=AWSRetry.jittered_backoff())("ecs")

    assert isinstance(client, RetryingBotoClientWrapper)
    assert client.client.meta.service_model.service_name == "ecs"


def test_an_unknown_service_fails_the_module(module):
    with mock.patch.object(module, "fail_json_aws", side_effect=SystemExit) as fail:
        with pytest.raises(SystemExit):
            SessionClients(module)("no-such-service")

    assert fail.call_args.kwargs["msg"] == "Couldn't connect to AWS"


def test_a_long_call_client_waits_that_long_and_never_retries(module):
    clients = SessionClients(module)
    invoke = clients("lambda", read_timeout=900)

    assert invoke is not clients("lambda")  # the plain client keeps botocore's timeouts and retries
    assert invoke.meta.config.read_timeout == 900
    assert invoke.meta.config.retries["total_max_attempts"] == 1  # a retry would run the function twice
    assert invoke.meta.config.connect_timeout == 7  # the module's settings still apply
    assert clients("lambda", read_timeout=900) is invoke
