# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tag_sync: the plan (pure), and each service's spelling of the calls (botocore Stubber)."""

from types import SimpleNamespace

import boto3
import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync

ARN = "arn:aws:service:us-east-1:123456789012:thing/x"


def test_plan_purges_only_when_asked_and_never_aws_tags():
    current = {"aws:cloudformation:stack-name": "s", "Old": "x", "Env": "stg"}

    purged = tag_sync.plan(current, {"Env": "prd"}, purge=True)
    assert purged == (
        {"Env": "prd"},
        ["Old"],
        {"aws:cloudformation:stack-name": "s", "Env": "prd"},
    )
    assert purged.changed

    kept = tag_sync.plan(current, {"Env": "prd"}, purge=False)
    assert kept.to_remove == []
    assert kept.final == {"aws:cloudformation:stack-name": "s", "Old": "x", "Env": "prd"}


def test_plan_compares_values_as_strings():
    same = tag_sync.plan({"Port": "8080", "On": "True"}, {"Port": 8080, "On": True}, purge=True)

    assert not same.changed
    assert same.final == {"Port": "8080", "On": "True"}


def stubbed(service):
    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    return client, Stubber(client)


@pytest.mark.parametrize(
    "service, api, tag_list",
    [
        ("codedeploy", tag_sync.CODEDEPLOY, [{"Key": "Env", "Value": "stg"}, {"Key": "Old", "Value": "x"}]),
        ("codeconnections", tag_sync.CODECONNECTIONS, [{"Key": "Env", "Value": "stg"}, {"Key": "Old", "Value": "x"}]),
        ("codepipeline", tag_sync.CODEPIPELINE, [{"key": "Env", "value": "stg"}, {"key": "Old", "value": "x"}]),
        ("ecr", tag_sync.ECR, [{"Key": "Env", "Value": "stg"}, {"Key": "Old", "Value": "x"}]),
        ("ecs", tag_sync.ECS, [{"key": "Env", "value": "stg"}, {"key": "Old", "value": "x"}]),
    ],
)
def test_read_and_write_speak_each_service(service, api, tag_list):
    """The Stubber checks every request against the service model: a wrong field name fails here."""
    raw, stubber = stubbed(service)
    client = RetryingBotoClientWrapper(raw, AWSRetry.jittered_backoff())
    stubber.add_response("list_tags_for_resource", {api.tags: tag_list}, {api.arn: ARN})
    stubber.add_response("untag_resource", {}, {api.arn: ARN, api.keys: ["Old"]})
    stubber.add_response(
        "tag_resource",
        {},
        {api.arn: ARN, api.tags: [{api.key: "Env", api.value: "prd"}, {api.key: "Team", api.value: "a"}]},
    )

    with stubber:
        current = tag_sync.read(client, api, ARN)
        change = tag_sync.plan(current, {"Team": "a", "Env": "prd"}, purge=True)
        tag_sync.write(client, api, ARN, change)

    assert current == {"Env": "stg", "Old": "x"}
    assert change.final == {"Env": "prd", "Team": "a"}
    stubber.assert_no_pending_responses()


def test_read_follows_next_token():
    raw, stubber = stubbed("codedeploy")
    client = RetryingBotoClientWrapper(raw, AWSRetry.jittered_backoff())
    stubber.add_response(
        "list_tags_for_resource", {"Tags": [{"Key": "A", "Value": "1"}], "NextToken": "t1"}, {"ResourceArn": ARN}
    )
    stubber.add_response(
        "list_tags_for_resource", {"Tags": [{"Key": "B", "Value": "2"}]}, {"ResourceArn": ARN, "NextToken": "t1"}
    )

    with stubber:
        assert tag_sync.read(client, tag_sync.CODEDEPLOY, ARN) == {"A": "1", "B": "2"}
    stubber.assert_no_pending_responses()


def test_write_makes_no_call_when_nothing_changes():
    raw, stubber = stubbed("ecs")  # no response queued: any call fails the Stubber

    with stubber:
        tag_sync.write(raw, tag_sync.ECS, ARN, tag_sync.plan({"A": "1"}, {"A": "1"}, purge=True))


@pytest.mark.parametrize("check_mode", [False, True])
def test_sync_writes_the_module_tags_unless_in_check_mode(check_mode):
    raw, stubber = stubbed("ecs")
    module = SimpleNamespace(params={"tags": {"Env": "prd"}, "purge_tags": True}, check_mode=check_mode)
    stubber.add_response("list_tags_for_resource", {"tags": [{"key": "Old", "value": "x"}]}, {"resourceArn": ARN})
    if not check_mode:  # in check mode any write call would fail the Stubber
        stubber.add_response("untag_resource", {}, {"resourceArn": ARN, "tagKeys": ["Old"]})
        stubber.add_response("tag_resource", {}, {"resourceArn": ARN, "tags": [{"key": "Env", "value": "prd"}]})

    with stubber:
        current, change = tag_sync.sync(
            module, RetryingBotoClientWrapper(raw, AWSRetry.jittered_backoff()), tag_sync.ECS, ARN
        )

    assert current == {"Old": "x"}
    assert change.final == {"Env": "prd"} and change.changed
    stubber.assert_no_pending_responses()
