"""The emulated Lambda Python runtime: one invocation of a deployed zip's handler, in its own process.

``python -m emulator.dataplane.lambda_runtime`` is started by ``emulator.dataplane.functions`` with the function's
environment. It follows the managed Python runtime
(https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html, python-context.html, python-exceptions.html):

- ``_HANDLER`` is ``module.function`` (module path with dots for packages), imported from ``LAMBDA_TASK_ROOT``;
- the event is the JSON document read from ``EMULATOR_EVENT_PATH``; the handler gets it and a context object;
- the handler's return value, JSON-encoded, is written to ``EMULATOR_RESULT_PATH``; an exception is written there as
  ``{"errorMessage", "errorType", "requestId", "stackTrace"}`` and logged as ``[ERROR] <type>: <message>`` with the
  traceback, as the runtime does, and the process exits 1;
- stdout and stderr are the function's log (CloudWatch Logs), written by the parent.

VPC functions (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html): their outbound connections leave
from the function's ENI. Here ``EMULATOR_SOURCE_ADDRESS`` is that ENI's loopback address; every IPv4 connection to a
loopback destination (where every emulated listener is) is bound to it first, except connections to the emulator's
own endpoint (``AWS_ENDPOINT_URL``: the AWS API is reached through its public endpoint, not the VPC).
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import sys
import time
import traceback
import urllib.parse


class Context:
    """The context object (python-context.html)."""

    def __init__(self, env: dict[str, str], deadline: float):
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = env.get("EMULATOR_FUNCTION_ARN", "")
        self.memory_limit_in_mb = int(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = env.get("EMULATOR_REQUEST_ID", "")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def _endpoint(env: dict[str, str]) -> tuple[str, int] | None:
    url = urllib.parse.urlsplit(env.get("AWS_ENDPOINT_URL", ""))
    if not url.hostname:
        return None
    return url.hostname, url.port or (443 if url.scheme == "https" else 80)


def bind_outbound(source: str, endpoint: tuple[str, int] | None) -> None:
    """Make IPv4 connections to loopback destinations leave from ``source`` (the function's ENI)."""
    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def prepare(sock, address) -> None:
        if sock.family != socket.AF_INET or not isinstance(address, tuple) or len(address) != 2:
            return
        host, port = address
        if not str(host).startswith("127.") or (str(host), int(port)) == endpoint:
            return
        if sock.getsockname()[1] == 0:  # not bound yet
            sock.bind((source, 0))

    def connect(sock, address):
        prepare(sock, address)
        return original_connect(sock, address)

    def connect_ex(sock, address):
        prepare(sock, address)
        return original_connect_ex(sock, address)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex


class RuntimeError_(Exception):
    """An error of the runtime itself (python-exceptions.html): bad handler, module that does not import."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


def _load_handler(spec: str):
    module_name, _sep, function_name = spec.rpartition(".")
    if not module_name or not function_name:
        raise RuntimeError_("Runtime.MalformedHandlerName", f"Bad handler '{spec}': not enough values to unpack")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except Exception as err:  # noqa: BLE001 - any import failure is Runtime.ImportModuleError
        raise RuntimeError_("Runtime.ImportModuleError", f"Unable to import module '{module_name}': {err}") from None
    handler = getattr(module, function_name, None)
    if handler is None:
        raise RuntimeError_("Runtime.HandlerNotFound", f"Handler '{function_name}' missing on module '{module_name}'")
    return handler


def _error(err: BaseException, request_id: str) -> dict:
    # The runtime's own frame is dropped; a runtime error (bad handler, import failure) has no stack, as in AWS.
    frames = [] if isinstance(err, RuntimeError_) else traceback.extract_tb(err.__traceback__)[1:]
    return {
        "errorMessage": str(err),
        "errorType": getattr(err, "error_type", None) or type(err).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def main() -> int:
    env = dict(os.environ)
    task_root = env.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    if env.get("EMULATOR_SOURCE_ADDRESS"):
        bind_outbound(env["EMULATOR_SOURCE_ADDRESS"], _endpoint(env))
    timeout = float(env.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
    context = Context(env, time.monotonic() + timeout)
    with open(env["EMULATOR_EVENT_PATH"], encoding="utf-8") as handle:
        event = json.load(handle)
    try:
        handler = _load_handler(env.get("_HANDLER", ""))
        result, code = handler(event, context), 0
        payload = json.dumps(result)
    except Exception as err:  # noqa: BLE001 - every handler error is the function's error, as in AWS
        document = _error(err, context.aws_request_id)
        print(f"[ERROR] {document['errorType']}: {document['errorMessage']}", file=sys.stderr)
        print("Traceback (most recent call last):\n" + "".join(document["stackTrace"]), file=sys.stderr)
        payload, code = json.dumps(document), 1
    sys.stdout.flush()
    sys.stderr.flush()
    with open(env["EMULATOR_RESULT_PATH"], "w", encoding="utf-8") as handle:
        handle.write(payload)
    return code


if __name__ == "__main__":
    sys.exit(main())
