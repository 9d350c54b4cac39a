# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EcsNative.invoke_validation: what the release reads from the validation function it invokes on the ECS controller
(a failed function is a failed validation, never an exception or a pass)."""

import io
import json

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from ansible_collections.bluegreen.ecs.plugins.module_utils.release_ecs_aws import EcsNative

PAYLOAD = {"serviceArn": "arn:aws:ecs:us-east-1:123456789012:service/c/s", "targetServiceRevisionArn": "arn:rev/1"}


@pytest.fixture
def lambda_stub():
    client = boto3.client("lambda", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    calls = []

    def clients(service, read_timeout=None):
        calls.append((service, read_timeout))
        return client

    with Stubber(client) as stub:
        stub.calls = calls
        stub.aws = EcsNative(clients)
        yield stub
        stub.assert_no_pending_responses()


def answer(stub, body, **extra):
    data = body.encode()
    stub.add_response(
        "invoke",
        dict({"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(data), len(data))}, **extra),
        {"FunctionName": "validate", "InvocationType": "RequestResponse", "Payload": json.dumps(PAYLOAD)},
    )


def test_the_functions_answer_is_returned_from_a_long_call_client(lambda_stub):
    answer(lambda_stub, json.dumps({"hookStatus": "SUCCEEDED", "detail": "HTTP 200", "attempts": [{"ok": True}]}))

    found = lambda_stub.aws.invoke_validation("validate", PAYLOAD)

    assert found["hookStatus"] == "SUCCEEDED" and found["attempts"] == [{"ok": True}]
    ((service, read_timeout),) = lambda_stub.calls
    assert service == "lambda" and read_timeout > 15 * 60  # longer than Lambda's longest run


@pytest.mark.parametrize(
    "body, extra, detail",
    [
        ('{"errorMessage": "boom"}', {"FunctionError": "Unhandled"}, "function error (Unhandled)"),
        ("null", {}, "answered no JSON object"),
        ("not json", {}, "answered no JSON object"),
    ],
)
def test_a_failed_or_silent_function_is_a_failed_validation(lambda_stub, body, extra, detail):
    answer(lambda_stub, body, **extra)

    found = lambda_stub.aws.invoke_validation("validate", PAYLOAD)

    assert found["hookStatus"] == "FAILED"
    assert detail in found["detail"]
