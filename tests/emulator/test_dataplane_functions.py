"""Lambda functions that run (emulator/dataplane/functions.py, emulator/patches/awslambda.py): Invoke executes the
zip's handler in a child process with the function's environment; errors, timeouts, logs and VPC source addresses
as AWS reports them."""

import base64
import io
import json
import socket
import textwrap
import threading
import time
import zipfile

import pytest
from botocore.exceptions import ClientError

from emulator import dataplane
from emulator.dataplane import functions
from emulator.dataplane.network import BOOK

ROLE_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)

HANDLER = textwrap.dedent(
    """
    import os
    import socket
    import time


    def ok(event, context):
        print("hello from", context.function_name)
        return {"echo": event, "greeting": os.environ.get("GREETING"), "region": os.environ["AWS_REGION"],
                "endpoint": os.environ["AWS_ENDPOINT_URL"], "remaining": context.get_remaining_time_in_millis()}


    def boom(event, context):
        raise ValueError("bad input: " + str(event.get("n")))


    def slow(event, context):
        print("going to sleep")
        time.sleep(30)


    def peer(event, context):
        with socket.create_connection(("127.0.0.1", event["port"]), timeout=5) as sock:
            return sock.recv(100).decode()
    """
)


def _zip(source: str = HANDLER) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def _create(aws, name: str, handler: str, timeout: int = 3, **extra) -> dict:
    iam = aws("iam")
    try:
        role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument=ROLE_TRUST)["Role"]["Arn"]
    except ClientError:
        role = iam.get_role(RoleName="fn")["Role"]["Arn"]
    return aws("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role,
        Handler=f"app.{handler}",
        Code={"ZipFile": _zip()},
        Timeout=timeout,
        **extra,
    )


def _events(aws, name: str, deadline: float = 15.0) -> list[str]:
    """The messages of the function's newest log stream, once its REPORT line is there."""
    logs = aws("logs")
    group = f"/aws/lambda/{name}"
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        except ClientError:
            streams = []
        for stream in streams:
            events = logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"]
            messages = [event["message"] for event in events]
            if messages and messages[-1].startswith("REPORT"):
                return messages
        time.sleep(0.05)
    raise AssertionError(f"no complete log stream in {group}")


def test_handler_returns_value_with_the_functions_environment_and_logs(aws, emulator):
    _create(aws, "ok-fn", "ok", Environment={"Variables": {"GREETING": "hi"}})
    answer = aws("lambda").invoke(FunctionName="ok-fn", Payload=json.dumps({"a": 1}), LogType="Tail")
    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer
    assert answer["ExecutedVersion"] == "$LATEST"
    body = json.loads(answer["Payload"].read())
    assert body["echo"] == {"a": 1}
    assert body["greeting"] == "hi"
    assert body["region"] == "us-east-1"
    assert body["endpoint"] == emulator.endpoint
    assert 0 < body["remaining"] <= 3000
    tail = base64.b64decode(answer["LogResult"]).decode()
    assert "hello from ok-fn" in tail
    assert tail.startswith("START RequestId: ")
    messages = _events(aws, "ok-fn")
    request_id = messages[0].split()[2]
    assert messages[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert "hello from ok-fn" in messages
    assert messages[-2] == f"END RequestId: {request_id}"
    assert messages[-1].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    stream = aws("logs").describe_log_streams(logGroupName="/aws/lambda/ok-fn")["logStreams"][0]["logStreamName"]
    assert stream[:10].count("/") == 2 and "[$LATEST]" in stream and len(stream.split("]")[1]) == 32


def test_handler_that_raises_is_an_unhandled_function_error(aws):
    _create(aws, "boom-fn", "boom")
    answer = aws("lambda").invoke(FunctionName="boom-fn", Payload=json.dumps({"n": 7}))
    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    body = json.loads(answer["Payload"].read())
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad input: 7"
    assert any("app.py" in frame for frame in body["stackTrace"])
    assert any(m.startswith("[ERROR] ValueError: bad input: 7") for m in _events(aws, "boom-fn"))


def test_handler_past_its_timeout_is_stopped_as_aws_reports_it(aws):
    _create(aws, "slow-fn", "slow", timeout=1)
    began = time.monotonic()
    answer = aws("lambda").invoke(FunctionName="slow-fn", Payload=b"{}")
    assert time.monotonic() - began < 10
    assert answer["FunctionError"] == "Unhandled"
    message = json.loads(answer["Payload"].read())["errorMessage"]
    assert message.endswith("Task timed out after 1.00 seconds")
    assert message.split()[0].endswith("Z")
    messages = _events(aws, "slow-fn")
    assert "going to sleep" in messages
    assert any(m.endswith("Task timed out after 1.00 seconds") for m in messages)
    assert functions.running_count() == 0


def test_missing_handler_is_a_runtime_error(aws):
    _create(aws, "nohandler-fn", "absent")
    answer = aws("lambda").invoke(FunctionName="nohandler-fn")
    body = json.loads(answer["Payload"].read())
    assert answer["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "Handler 'absent' missing on module 'app'"


def test_event_invocation_answers_202_and_runs_in_background(aws):
    _create(aws, "event-fn", "ok")
    answer = aws("lambda").invoke(FunctionName="event-fn", InvocationType="Event", Payload=b"{}")
    assert answer["StatusCode"] == 202
    assert answer["Payload"].read() == b""
    assert "hello from event-fn" in _events(aws, "event-fn")


def test_dry_run_answers_204_and_runs_nothing(aws):
    _create(aws, "dry-fn", "ok")
    answer = aws("lambda").invoke(FunctionName="dry-fn", InvocationType="DryRun")
    assert answer["StatusCode"] == 204
    with pytest.raises(ClientError) as err:
        aws("logs").describe_log_streams(logGroupName="/aws/lambda/dry-fn")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_payload_that_is_not_json_is_refused(aws):
    _create(aws, "json-fn", "ok")
    with pytest.raises(ClientError) as err:
        aws("lambda").invoke(FunctionName="json-fn", Payload=b"not json")
    assert err.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert "Could not parse request body into json" in err.value.response["Error"]["Message"]


def test_unknown_function_is_refused(aws):
    with pytest.raises(ClientError) as err:
        aws("lambda").invoke(FunctionName="nobody")
    assert err.value.response["Error"]["Code"] == "ResourceNotFoundException"


class _PeerServer:
    """A TCP server on 127.0.0.1 that answers each connection with the peer's address."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, (host, _port) = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(host.encode())

    def close(self):
        self.sock.close()


def test_vpc_function_connects_from_its_enis_loopback_address(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    config = _create(aws, "vpc-fn", "peer", VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]})
    assert config["VpcConfig"]["VpcId"] == vpc
    server = _PeerServer()
    try:
        answer = aws("lambda").invoke(FunctionName="vpc-fn", Payload=json.dumps({"port": server.port}))
    finally:
        server.close()
    peer = json.loads(answer["Payload"].read())
    interface = BOOK.lookup(peer)
    assert interface is not None, peer
    assert (interface.kind, interface.vpc_id, interface.subnet_id) == ("lambda", vpc, subnet)
    enis = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"]
    assert [eni["PrivateIpAddress"] for eni in enis] == [interface.private_ip]
    assert enis[0]["Groups"][0]["GroupId"] == group


def test_function_outside_a_vpc_connects_from_the_default_address(aws):
    _create(aws, "novpc-fn", "peer")
    server = _PeerServer()
    try:
        answer = aws("lambda").invoke(FunctionName="novpc-fn", Payload=json.dumps({"port": server.port}))
    finally:
        server.close()
    assert json.loads(answer["Payload"].read()) == "127.0.0.1"


def test_nothing_runs_after_the_data_plane_stops(aws):
    _create(aws, "bg-fn", "slow", timeout=30)
    aws("lambda").invoke(FunctionName="bg-fn", InvocationType="Event", Payload=b"{}")
    deadline = time.monotonic() + 10
    while functions.running_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert functions.running_count() == 1
    assert functions.stop in dataplane._STOPPERS  # pylint: disable=protected-access  # stop_all() stops it
    functions.stop()
    assert functions.running_count() == 0
