# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from ansible_collections.bluegreen.ecs.plugins.modules import codeconnections_connection
from ansible_collections.bluegreen.ecs.tests.unit.plugins.modules.utils import ACCOUNT, AwsStubs, run_module

SERVICE = "codestar-connections"
ARN = f"arn:aws:codestar-connections:us-east-1:{ACCOUNT}:connection/0b7e4c1e-0000-4000-8000-000000000001"
OTHER_ARN = f"arn:aws:codestar-connections:us-east-1:{ACCOUNT}:connection/0b7e4c1e-0000-4000-8000-000000000002"
TAGS = {"Environment": "prd", "Application": "web"}


def connection(name="prd-web-gh", arn=ARN, provider="GitHub", status="PENDING", **extra):
    return dict(
        ConnectionName=name,
        ConnectionArn=arn,
        ProviderType=provider,
        OwnerAccountId=ACCOUNT,
        ConnectionStatus=status,
        **extra,
    )


def stubs_with(*pages):
    """A stubbed client whose ListConnections answers ``pages`` (lists of connections), chained by NextToken."""
    stubs = AwsStubs(SERVICE)
    stub = getattr(stubs, SERVICE)
    for index, page in enumerate(pages):
        answer = {"Connections": page}
        expected = {} if index == 0 else {"NextToken": str(index)}
        if index + 1 < len(pages):
            answer["NextToken"] = str(index + 1)
        stub.add_response("list_connections", answer, expected)
    return stubs, stub


def live_tags(stub, tags, arn=ARN):
    stub.add_response(
        "list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}, {"ResourceArn": arn}
    )


def test_create_sends_provider_and_tags_and_returns_pending_arn(capsys):
    stubs, stub = stubs_with([connection(name="other", arn=OTHER_ARN)])
    stub.add_response(
        "create_connection",
        {"ConnectionArn": ARN},
        {
            "ConnectionName": "prd-web-gh",
            "ProviderType": "GitHub",
            "Tags": [{"Key": "Application", "Value": "web"}, {"Key": "Environment", "Value": "prd"}],
        },
    )
    stub.add_response("list_connections", {"Connections": [connection()]}, {})
    failed, result = run_module(codeconnections_connection, {"name": "prd-web-gh", "tags": TAGS}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["arn"] == ARN
    assert result["status"] == "PENDING"
    assert result["connection"]["provider_type"] == "GitHub"
    assert result["connection"]["tags"] == TAGS


def test_create_with_host_sends_host_not_provider(capsys):
    host = f"arn:aws:codestar-connections:us-east-1:{ACCOUNT}:host/ghes-1"
    stubs, stub = stubs_with([])
    stub.add_response("create_connection", {"ConnectionArn": ARN}, {"ConnectionName": "prd-web-gh", "HostArn": host})
    stub.add_response(
        "list_connections", {"Connections": [connection(provider="GitHubEnterpriseServer", HostArn=host)]}, {}
    )
    failed, result = run_module(codeconnections_connection, {"name": "prd-web-gh", "host_arn": host}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is True
    assert result["connection"]["host_arn"] == host


def test_converged_connection_makes_no_write_call(capsys):
    # The second page holds it: pagination is followed. Only read calls are queued; a write would fail the stub.
    stubs, stub = stubs_with([connection(name="other", arn=OTHER_ARN)], [connection(status="AVAILABLE")])
    live_tags(stub, TAGS)
    failed, result = run_module(
        codeconnections_connection,
        {"name": "prd-web-gh", "provider_type": "GitHub", "tags": TAGS},
        stubs,
        capsys,
        diff=True,
    )
    assert not failed, result
    assert result["changed"] is False
    assert result["status"] == "AVAILABLE"
    assert result["diff"]["before"] == result["diff"]["after"]


def test_tags_update_adds_changes_and_purges_but_keeps_aws_tags(capsys):
    stubs, stub = stubs_with([connection()])
    live_tags(stub, {"Environment": "stg", "Old": "x", "aws:cloudformation:stack-name": "s"})
    stub.add_response("untag_resource", {}, {"ResourceArn": ARN, "TagKeys": ["Old"]})
    stub.add_response(
        "tag_resource",
        {},
        {"ResourceArn": ARN, "Tags": [{"Key": "Application", "Value": "web"}, {"Key": "Environment", "Value": "prd"}]},
    )
    failed, result = run_module(
        codeconnections_connection, {"name": "prd-web-gh", "tags": TAGS}, stubs, capsys, diff=True
    )
    assert not failed, result
    assert result["changed"] is True
    assert result["connection"]["tags"] == dict(TAGS, **{"aws:cloudformation:stack-name": "s"})
    assert result["diff"]["before"]["tags"]["Environment"] == "stg"
    assert result["diff"]["after"]["tags"]["Environment"] == "prd"
    assert "Old" not in result["diff"]["after"]["tags"]


def test_purge_false_keeps_other_tags_without_write(capsys):
    stubs, stub = stubs_with([connection()])
    live_tags(stub, dict(TAGS, Owner="team"))
    failed, result = run_module(
        codeconnections_connection, {"name": "prd-web-gh", "tags": TAGS, "purge_tags": False}, stubs, capsys
    )
    assert not failed, result
    assert result["changed"] is False
    assert result["connection"]["tags"]["Owner"] == "team"


def test_without_tags_option_tags_are_left_alone(capsys):
    stubs, _stub = stubs_with([connection()])
    failed, result = run_module(codeconnections_connection, {"name": "prd-web-gh"}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False
    assert "tags" not in result["connection"]


def test_check_mode_create_makes_no_write_call(capsys):
    stubs, _stub = stubs_with([])
    failed, result = run_module(
        codeconnections_connection, {"name": "prd-web-gh", "tags": TAGS}, stubs, capsys, check_mode=True, diff=True
    )
    assert not failed, result
    assert result["changed"] is True
    assert result["arn"] == ""
    assert result["status"] == ""
    assert result["diff"] == {
        "before": {},
        "after": {"connection_name": "prd-web-gh", "provider_type": "GitHub", "tags": TAGS},
    }


def test_check_mode_tag_change_makes_no_write_call(capsys):
    stubs, stub = stubs_with([connection()])
    live_tags(stub, {})
    failed, result = run_module(
        codeconnections_connection, {"name": "prd-web-gh", "tags": TAGS}, stubs, capsys, check_mode=True
    )
    assert not failed, result
    assert result["changed"] is True
    assert result["connection"]["tags"] == TAGS


def test_other_provider_fails_naming_the_live_one(capsys):
    stubs, _stub = stubs_with([connection(provider="Bitbucket")])
    failed, result = run_module(
        codeconnections_connection, {"name": "prd-web-gh", "provider_type": "GitHub"}, stubs, capsys
    )
    assert failed
    assert "provider Bitbucket" in result["msg"]
    assert "cannot change it to GitHub" in result["msg"]


def test_two_connections_with_the_name_fail_listing_both(capsys):
    stubs, _stub = stubs_with([connection(), connection(arn=OTHER_ARN)])
    failed, result = run_module(codeconnections_connection, {"name": "prd-web-gh"}, stubs, capsys)
    assert failed
    assert ARN in result["msg"] and OTHER_ARN in result["msg"]


def test_delete(capsys):
    stubs, stub = stubs_with([connection()])
    stub.add_response("delete_connection", {}, {"ConnectionArn": ARN})
    failed, result = run_module(
        codeconnections_connection, {"name": "prd-web-gh", "state": "absent"}, stubs, capsys, diff=True
    )
    assert not failed, result
    assert result["changed"] is True
    assert result["arn"] == ""
    assert result["diff"]["before"]["connection_name"] == "prd-web-gh"
    assert result["diff"]["after"] == {}


def test_delete_missing_is_a_no_op(capsys):
    stubs, _stub = stubs_with([connection(name="other", arn=OTHER_ARN)])
    failed, result = run_module(codeconnections_connection, {"name": "prd-web-gh", "state": "absent"}, stubs, capsys)
    assert not failed, result
    assert result["changed"] is False


def test_delete_in_check_mode_makes_no_write_call(capsys):
    stubs, _stub = stubs_with([connection()])
    failed, result = run_module(
        codeconnections_connection, {"name": "prd-web-gh", "state": "absent"}, stubs, capsys, check_mode=True
    )
    assert not failed, result
    assert result["changed"] is True


def test_name_too_long_is_refused_before_any_call(capsys):
    stubs = AwsStubs(SERVICE)
    failed, result = run_module(codeconnections_connection, {"name": "x" * 33}, stubs, capsys)
    assert failed
    assert "32" in result["msg"]


def test_provider_and_host_are_mutually_exclusive(capsys):
    stubs = AwsStubs(SERVICE)
    failed, result = run_module(
        codeconnections_connection,
        {"name": "prd-web-gh", "provider_type": "GitHub", "host_arn": "arn:aws:codestar-connections:::host/x"},
        stubs,
        capsys,
    )
    assert failed
    assert "mutually exclusive" in result["msg"]
