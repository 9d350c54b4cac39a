"""CodeStar Connections / CodeConnections: connection resources (moto has neither service).

Follows:
- https://docs.aws.amazon.com/codestar-connections/latest/APIReference/API_CreateConnection.html (new
  connections are PENDING until the OAuth handshake, done in the console, completes)
- .../API_GetConnection.html, API_ListConnections.html, API_DeleteConnection.html,
  API_ListTagsForResource.html, API_TagResource.html, API_UntagResource.html
- https://docs.aws.amazon.com/codeconnections/latest/APIReference/Welcome.html (same operations and shapes;
  ARNs arn:aws:codeconnections:...; both names reach the same connections, as in AWS)

Requests are routed here by the server middleware: ``codestar-connections`` speaks JSON 1.0 with X-Amz-Target
``...CodeStar_connections_20191201.<Op>``; ``codeconnections`` speaks JSON 1.0 (``...CodeConnections_20231201.<Op>``,
what boto3 sends) or Smithy RPC v2 CBOR at ``/service/...CodeConnections_20231201/operation/<Op>`` (SDKs that
prefer CBOR).
``POST /emulator/connections/available`` with ``{"ConnectionArn": ...}`` stands in for the console handshake.
Connections are kept in a moto BackendDict, so POST /moto-api/reset clears them.
"""

import json
import os
import uuid

from botocore.model import OperationNotFoundError
from botocore.parsers import RpcV2CBORParser
from botocore.serialize import RpcV2CBORSerializer
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.utils import get_service_model
from moto.iam.models import get_account_id_from

JSON_TARGETS = {
    "CodeStar_connections_20191201.": "codestar-connections",
    "CodeConnections_20231201.": "codeconnections",
}
CBOR_PREFIX = "/service/com.amazonaws.codeconnections.CodeConnections_20231201/operation/"
HANDSHAKE_PATH = "/emulator/connections/available"
MAX_NAME = 32


class ConnectionsError(Exception):
    """An AWS error answer: code and message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class ConnectionsBackend(BaseBackend):
    """Connections of one account + region, keyed by their id (the last part of the ARN)."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.connections: dict[str, dict] = {}
        self.tags: dict[str, list[dict]] = {}

    def _find(self, arn: str) -> str:
        conn_id = (arn or "").rsplit("/", 1)[-1]
        if conn_id not in self.connections or ":connection/" not in (arn or ""):
            raise ConnectionsError("ResourceNotFoundException", f"Connection {arn} does not exist")
        return conn_id

    def create_connection(self, service: str, params: dict) -> dict:
        name, provider, host = params.get("ConnectionName"), params.get("ProviderType"), params.get("HostArn")
        if not name or len(name) > MAX_NAME:
            raise ConnectionsError("InvalidInputException", f"ConnectionName must be 1 to {MAX_NAME} characters long")
        if not provider and not host:
            raise ConnectionsError("InvalidInputException", "Either ProviderType or HostArn must be given")
        conn_id = str(uuid.uuid4())
        connection = {
            "ConnectionName": name,
            "ConnectionArn": f"arn:{self.partition}:{service}:{self.region_name}:{self.account_id}:connection/{conn_id}",
            "ProviderType": provider or "GitHubEnterpriseServer",
            "OwnerAccountId": self.account_id,
            "ConnectionStatus": "PENDING",
        }
        if host:
            connection["HostArn"] = host
        self.connections[conn_id] = connection
        self.tags[conn_id] = list(params.get("Tags") or [])
        return {"ConnectionArn": connection["ConnectionArn"], "Tags": self.tags[conn_id]}

    def get_connection(self, arn: str) -> dict:
        return self.connections[self._find(arn)]

    def list_connections(self, params: dict) -> dict:
        items = [
            c
            for c in self.connections.values()
            if params.get("ProviderTypeFilter") in (None, c["ProviderType"])
            and params.get("HostArnFilter") in (None, c.get("HostArn"))
        ]
        start = int(params.get("NextToken") or 0)
        size = int(params.get("MaxResults") or 100)
        result = {"Connections": items[start : start + size]}
        if start + size < len(items):
            result["NextToken"] = str(start + size)
        return result

    def delete_connection(self, arn: str) -> None:
        conn_id = self._find(arn)
        del self.connections[conn_id]
        self.tags.pop(conn_id, None)

    def list_tags(self, arn: str) -> list[dict]:
        return self.tags[self._find(arn)]

    def tag(self, arn: str, tags: list[dict]) -> None:
        conn_id = self._find(arn)
        merged = {t["Key"]: t.get("Value", "") for t in self.tags[conn_id]}
        merged.update({t["Key"]: t.get("Value", "") for t in tags})
        self.tags[conn_id] = [{"Key": k, "Value": v} for k, v in merged.items()]

    def untag(self, arn: str, keys: list[str]) -> None:
        conn_id = self._find(arn)
        self.tags[conn_id] = [t for t in self.tags[conn_id] if t["Key"] not in set(keys)]


connections_backends = BackendDict(ConnectionsBackend, "codestar-connections")


def _dispatch(backend: ConnectionsBackend, service: str, operation: str, params: dict) -> dict:
    arn = params.get("ConnectionArn") or params.get("ResourceArn")
    if operation == "CreateConnection":
        return backend.create_connection(service, params)
    if operation == "GetConnection":
        return {"Connection": backend.get_connection(arn)}
    if operation == "ListConnections":
        return backend.list_connections(params)
    if operation == "DeleteConnection":
        backend.delete_connection(arn)
        return {}
    if operation == "ListTagsForResource":
        return {"Tags": backend.list_tags(arn)}
    if operation == "TagResource":
        backend.tag(arn, params.get("Tags") or [])
        return {}
    if operation == "UntagResource":
        backend.untag(arn, params.get("TagKeys") or [])
        return {}
    raise ConnectionsError("UnknownOperationException", f"The emulator does not implement {service} {operation}")


def _region_and_account(environ) -> tuple[str, str]:
    """Region from the SigV4 credential scope; account chosen the way moto does (env, header, access key)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/") if "Credential=" in auth else []
    region = scope[2] if len(scope) >= 3 else "us-east-1"
    account = (
        os.environ.get("MOTO_ACCOUNT_ID")
        or environ.get("HTTP_X_MOTO_ACCOUNT_ID")
        or get_account_id_from(scope[0] if scope else "")
    )
    return region, account


def _read_body(environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _route(environ) -> tuple[str, str, str] | None:
    """(service, operation, protocol) for a connections request, else None."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    for marker, service in JSON_TARGETS.items():
        if marker in target:
            return service, target.rsplit(".", 1)[-1], "json"
    path = environ.get("PATH_INFO", "")
    if path.startswith(CBOR_PREFIX):
        return "codeconnections", path[len(CBOR_PREFIX) :], "cbor"
    if path == HANDSHAKE_PATH and environ.get("REQUEST_METHOD") == "POST":
        return "codestar-connections", "CompleteHandshake", "json"
    return None


def handles(environ) -> bool:
    return _route(environ) is not None


def _parse_cbor(service_model, operation: str, raw: bytes) -> dict:
    try:
        shape = service_model.operation_model(operation).input_shape
    except OperationNotFoundError as exc:
        raise ConnectionsError("UnknownOperationException", f"Unknown operation {operation}") from exc
    if not raw:
        return {}
    parsed = RpcV2CBORParser().parse({"body": raw, "headers": {}, "status_code": 200}, shape)
    parsed.pop("ResponseMetadata", None)
    return parsed


def _cbor_body(service_model, operation: str, ok: bool, result: dict) -> bytes:
    serializer = RpcV2CBORSerializer()
    body = bytearray()
    if ok:
        serializer._serialize_data_item(body, result, service_model.operation_model(operation).output_shape)  # pylint: disable=protected-access
        return bytes(body)
    # An error is a plain map of text to text ({"__type": ..., "message": ...}), as botocore's parser reads it.
    body.append(0xA0 | len(result))  # CBOR major type 5 (map) with a small length
    for key, value in result.items():
        serializer._serialize_type_string(body, key, None, None)  # pylint: disable=protected-access
        serializer._serialize_type_string(body, str(value), None, None)  # pylint: disable=protected-access
    return bytes(body)


def handle(environ, start_response):
    """WSGI handler for a request ``handles`` accepted."""
    service, operation, protocol = _route(environ)
    region, account = _region_and_account(environ)
    backend = connections_backends[account][region]
    model = get_service_model("codeconnections") if protocol == "cbor" else None
    raw = _read_body(environ)
    ok, result = True, {}
    try:
        params = _parse_cbor(model, operation, raw) if protocol == "cbor" else json.loads(raw or b"{}")
        if operation == "CompleteHandshake":
            backend.get_connection(params.get("ConnectionArn"))["ConnectionStatus"] = "AVAILABLE"
        else:
            result = _dispatch(backend, service, operation, params)
    except ConnectionsError as exc:
        ok, result = False, {"__type": exc.code, "message": exc.message}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        ok, result = False, {"__type": "ValidationException", "message": f"Malformed request: {exc}"}
    headers = [("x-amzn-RequestId", str(uuid.uuid4()))]
    if protocol == "cbor":
        body = _cbor_body(model, operation, ok, result)
        headers += [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
    else:
        body = json.dumps(result).encode("utf-8")
        headers.append(("Content-Type", "application/x-amz-json-1.0"))
    if not ok:
        headers.append(("x-amzn-ErrorType", result["__type"]))
    headers.append(("Content-Length", str(len(body))))
    start_response("200 OK" if ok else "400 Bad Request", headers)
    return [body]


def apply() -> None:
    """Nothing to patch in moto: the server middleware routes these requests to ``handle``."""
