"""CodeStar Connections / CodeConnections (emulator/patches/connections.py), through real boto3 clients."""

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError


def _code(err) -> str:
    return err.value.response["Error"]["Code"]


@pytest.mark.parametrize("service", ["codestar-connections", "codeconnections"])
def test_connection_lifecycle(aws, service):
    client = aws(service)
    created = client.create_connection(
        ProviderType="GitHub", ConnectionName="gh", Tags=[{"Key": "env", "Value": "test"}]
    )
    arn = created["ConnectionArn"]
    assert arn.startswith(f"arn:aws:{service}:us-east-1:123456789012:connection/")
    assert created["Tags"] == [{"Key": "env", "Value": "test"}]
    connection = client.get_connection(ConnectionArn=arn)["Connection"]
    assert connection == {
        "ConnectionName": "gh",
        "ConnectionArn": arn,
        "ProviderType": "GitHub",
        "OwnerAccountId": "123456789012",
        "ConnectionStatus": "PENDING",  # the OAuth handshake happens in the console
    }
    client.create_connection(ProviderType="Bitbucket", ConnectionName="bb")
    assert [c["ConnectionName"] for c in client.list_connections(ProviderTypeFilter="GitHub")["Connections"]] == ["gh"]
    assert len(client.list_connections()["Connections"]) == 2

    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "owner", "Value": "me"}, {"Key": "env", "Value": "prod"}])
    client.untag_resource(ResourceArn=arn, TagKeys=["owner"])
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]

    client.delete_connection(ConnectionArn=arn)
    with pytest.raises(ClientError) as err:
        client.get_connection(ConnectionArn=arn)
    assert _code(err) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as err:
        client.delete_connection(ConnectionArn=arn)
    assert _code(err) == "ResourceNotFoundException"


def test_both_service_names_see_the_same_connections(aws):
    arn = aws("codestar-connections").create_connection(ProviderType="GitHub", ConnectionName="gh")["ConnectionArn"]
    assert aws("codeconnections").get_connection(ConnectionArn=arn)["Connection"]["ConnectionName"] == "gh"


def test_connections_are_per_region(aws):
    aws("codestar-connections", region="eu-west-1").create_connection(ProviderType="GitHub", ConnectionName="gh")
    assert aws("codestar-connections").list_connections()["Connections"] == []


def test_pagination(aws):
    client = aws("codeconnections")
    for index in range(3):
        client.create_connection(ProviderType="GitHub", ConnectionName=f"c{index}")
    first = client.list_connections(MaxResults=2)
    second = client.list_connections(MaxResults=2, NextToken=first["NextToken"])
    assert [c["ConnectionName"] for c in first["Connections"] + second["Connections"]] == ["c0", "c1", "c2"]
    assert "NextToken" not in second


def test_invalid_input(aws):
    with pytest.raises(ClientError) as err:
        aws("codestar-connections").create_connection(ProviderType="GitHub", ConnectionName="x" * 33)
    assert _code(err) == "InvalidInputException"


def test_handshake_endpoint_makes_it_available(aws, emulator):
    client = aws("codestar-connections")
    arn = client.create_connection(ProviderType="GitHub", ConnectionName="gh")["ConnectionArn"]
    body = json.dumps({"ConnectionArn": arn}).encode()
    req = urllib.request.Request(f"{emulator.endpoint}/emulator/connections/available", data=body, method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
    assert client.get_connection(ConnectionArn=arn)["Connection"]["ConnectionStatus"] == "AVAILABLE"


def test_unimplemented_operation_is_a_clear_error(aws):
    with pytest.raises(ClientError) as err:
        aws("codeconnections").list_hosts()
    assert _code(err) == "UnknownOperationException"


def _cbor_call(endpoint: str, operation: str, params: dict) -> tuple[int, dict]:
    """One Smithy RPC v2 CBOR call, as SDKs that prefer CBOR for codeconnections make it."""
    from botocore.parsers import RpcV2CBORParser
    from botocore.serialize import RpcV2CBORSerializer
    from moto.core.utils import get_service_model

    op = get_service_model("codeconnections").operation_model(operation)
    request = RpcV2CBORSerializer().serialize_to_request(params, op)
    req = urllib.request.Request(
        endpoint + request["url_path"], data=request["body"], headers=dict(request["headers"]), method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            status, headers, body = resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        status, headers, body = exc.code, dict(exc.headers), exc.read()
    parsed = RpcV2CBORParser().parse({"body": body, "headers": headers, "status_code": status}, op.output_shape)
    return status, parsed


def test_codeconnections_over_cbor(aws, emulator):
    status, created = _cbor_call(
        emulator.endpoint, "CreateConnection", {"ProviderType": "GitHub", "ConnectionName": "gh"}
    )
    assert status == 200
    arn = created["ConnectionArn"]
    status, got = _cbor_call(emulator.endpoint, "GetConnection", {"ConnectionArn": arn})
    assert (status, got["Connection"]["ConnectionStatus"]) == (200, "PENDING")
    assert aws("codeconnections").get_connection(ConnectionArn=arn)["Connection"]["ConnectionName"] == "gh"
    status, missing = _cbor_call(emulator.endpoint, "GetConnection", {"ConnectionArn": arn + "x"})
    assert (status, missing["Error"]["Code"]) == (400, "ResourceNotFoundException")
