"""Lambda functions that run: Invoke executes the deployed zip's handler in a child process.

Follows:
- https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html: InvocationType RequestResponse (200, the function's
  response, ``X-Amz-Function-Error: Unhandled`` when it fails, ``X-Amz-Log-Result`` = base64 of the last 4 KB of the
  log when ``LogType: Tail``), Event (202 at once; the function runs in the background), DryRun (204, nothing runs);
  a payload that is not JSON is InvalidRequestContentException.
- https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime (the
  reserved variables: _HANDLER, AWS_REGION, AWS_LAMBDA_FUNCTION_NAME / _VERSION / _MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME
  / _STREAM_NAME, LAMBDA_TASK_ROOT, the execution role's credentials) plus the function's own Environment.
- https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html: a function that runs past its Timeout is
  stopped; the response is ``{"errorMessage": "<time> <request id> Task timed out after N.00 seconds"}`` with
  FunctionError Unhandled. Timeouts run in real seconds (they are short, and a hook waits on the function anyway).
- https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html and python-logging.html: the output goes
  to the log group ``/aws/lambda/<name>``, stream ``YYYY/MM/DD/[$LATEST]<32 hex>``, framed by ``START RequestId: ...
  Version: $LATEST``, ``END RequestId: ...`` and ``REPORT RequestId: ...  Duration: ... ms  Billed Duration: ... ms
  Memory Size: ... MB  Max Memory Used: ... MB``.
- https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html: a function with VpcConfig reaches the VPC
  through a Lambda-managed ENI (InterfaceType ``lambda``) in its subnet, with its security groups.

Choices where AWS is not reproduced: every invocation is a cold start in a fresh process (one log stream each);
python3.x runtimes run on the emulator's own interpreter (its boto3 stands in for the runtime's); an Event
invocation that fails is not retried (AWS retries twice); a VPC function gets one ENI, in its first subnet, created
at its first invocation (AWS creates one per subnet and security-group set when the function is created); the
``lambda_runtime`` module and this checkout are importable by the handler.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from emulator import dataplane
from emulator.dataplane import processes
from emulator.dataplane.network import BOOK
from emulator.errors import AwsError

REPO_ROOT = Path(__file__).resolve().parents[2]
LOG_TAIL_BYTES = 4096
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
DEFAULT_ENDPOINT = "http://127.0.0.1:5000"
# Fake credentials of the execution role (the emulator accepts any).
ROLE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIAEMULATEDLAMBDA00",
    "AWS_SECRET_ACCESS_KEY": "emulated-lambda-execution-role-secret",
    "AWS_SESSION_TOKEN": "emulated-lambda-execution-role-session",
}


@dataclass
class Result:
    """What Invoke answers: HTTP status, body, FunctionError (None on success) and the log."""

    status: int
    payload: bytes = b""
    function_error: str | None = None
    log: str = ""
    request_id: str = ""
    lines: list[str] = field(default_factory=list)

    def log_tail(self) -> str:
        """X-Amz-Log-Result: base64 of the last 4 KB of the invocation's log."""
        return base64.b64encode(self.log.encode("utf-8")[-LOG_TAIL_BYTES:]).decode("ascii")


class _State:
    """Running processes, extracted code, ENIs and the emulator's endpoint, shared by all invocations."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running: set[subprocess.Popen] = set()
        self.threads: set[threading.Thread] = set()
        self.code_dirs: dict[tuple[str, str], str] = {}
        self.root: str | None = None
        self.interfaces: dict[str, object] = {}  # function ARN -> network.Interface
        self.endpoint: str | None = None
        self.registered = False


_STATE = _State()


# -- the emulator's endpoint ---------------------------------------------------------------------


def note_request_host(host: str | None) -> None:
    """Remember the emulator's address from a request's Host header (127.0.0.1:<port>), for AWS_ENDPOINT_URL."""
    if host and (host.startswith("127.") or host.startswith("localhost")):
        _STATE.endpoint = f"http://{host}"


def endpoint_url() -> str:
    """AWS_ENDPOINT_URL of a function: EMULATOR_ENDPOINT_URL, else the address the emulator was last called on."""
    return os.environ.get("EMULATOR_ENDPOINT_URL") or _STATE.endpoint or DEFAULT_ENDPOINT


# -- lifecycle -----------------------------------------------------------------------------------


def _register() -> None:
    with _STATE.lock:
        if _STATE.registered:
            return
        _STATE.registered = True
    dataplane.on_stop(stop)


def stop() -> None:
    """Kill every running invocation, forget the ENIs and delete the extracted code (emulator stop, reset)."""
    with _STATE.lock:
        running, threads = list(_STATE.running), list(_STATE.threads)
        interfaces = list(_STATE.interfaces.values())
        root = _STATE.root
        _STATE.running.clear()
        _STATE.interfaces.clear()
        _STATE.code_dirs.clear()
        _STATE.root = None
        _STATE.registered = False
    for proc in running:
        processes.terminate(proc, grace=0.5)
    for thread in threads:
        thread.join(timeout=5)
    for interface in interfaces:
        BOOK.release(interface.loopback)
    if root:
        shutil.rmtree(root, ignore_errors=True)


def running_count() -> int:
    """Invocations whose process is still running (tests: nothing is left after stop)."""
    with _STATE.lock:
        return sum(1 for proc in _STATE.running if proc.poll() is None)


# -- code and network ----------------------------------------------------------------------------


def _code_dir(fn) -> str:
    """The function's zip, extracted once per code version (LAMBDA_TASK_ROOT)."""
    key = (fn.function_arn, fn.code_sha_256)
    with _STATE.lock:
        if key in _STATE.code_dirs:
            return _STATE.code_dirs[key]
        if _STATE.root is None:
            _STATE.root = tempfile.mkdtemp(prefix="emulator-lambda-")
        target = tempfile.mkdtemp(prefix=f"{fn.function_name}-", dir=_STATE.root)
        _STATE.code_dirs[key] = target
    with zipfile.ZipFile(io.BytesIO(fn.code_bytes or b"")) as archive:
        archive.extractall(target)
    return target


def _interface(fn):
    """The function's ENI (loopback address) when it has a VpcConfig with subnets; created on first use.

    Call with the engine lock held: it creates a moto EC2 network interface.
    """
    config = getattr(fn, "_vpc_config", None) or {}
    subnets = config.get("SubnetIds") or []
    if not subnets:
        return None
    with _STATE.lock:
        known = _STATE.interfaces.get(fn.function_arn)
    if known is not None:
        return known
    from moto.ec2.models import ec2_backends  # noqa: PLC0415 - moto's backends load lazily

    ec2 = ec2_backends[fn.account_id][fn.region]
    subnet = ec2.get_subnet(subnets[0])
    eni = ec2.create_network_interface(
        subnet,
        private_ip_address=None,
        group_ids=list(config.get("SecurityGroupIds") or []),
        description=f"AWS Lambda VPC ENI-{fn.function_name}",
    )
    eni.interface_type = "lambda"
    eni.requester_managed = True
    interface = BOOK.allocate("lambda", fn.function_arn, subnet.vpc_id, subnet.id, eni.private_ip_address)
    with _STATE.lock:
        _STATE.interfaces[fn.function_arn] = interface
    return interface


# -- invocation ----------------------------------------------------------------------------------


def _environment(fn, request_id: str, stream: str, paths: dict[str, str], interface) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PYTHONPATH": str(REPO_ROOT),
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update({str(k): str(v) for k, v in (fn.environment_vars or {}).items()})
    env.update(ROLE_CREDENTIALS)
    env.update(
        {
            "_HANDLER": fn.handler or "",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            "AWS_ENDPOINT_URL": endpoint_url(),
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(fn.timeout),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.function_name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "LAMBDA_TASK_ROOT": paths["root"],
            "LAMBDA_RUNTIME_DIR": str(REPO_ROOT),
            "EMULATOR_REQUEST_ID": request_id,
            "EMULATOR_FUNCTION_ARN": fn.function_arn,
            "EMULATOR_EVENT_PATH": paths["event"],
            "EMULATOR_RESULT_PATH": paths["result"],
        }
    )
    if interface is not None:
        env["EMULATOR_SOURCE_ADDRESS"] = interface.loopback
    return env


def _stream_name(now: datetime) -> str:
    return f"{now:%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"


def parse_payload(body: bytes | str | None) -> object:
    """The event: JSON, else InvalidRequestContentException as Invoke answers."""
    if body in (None, b"", ""):
        return {}
    try:
        return json.loads(body)
    except (TypeError, ValueError) as err:
        raise AwsError("InvalidRequestContentException", f"Could not parse request body into json: {err}") from None


def _run(fn, event, request_id: str, interface) -> Result:
    """Run one invocation to its end (or timeout); no engine lock is needed or held here."""
    started_at = datetime.now(UTC)
    stream = _stream_name(started_at)
    root = _code_dir(fn)
    with tempfile.TemporaryDirectory(prefix="invoke-", dir=_STATE.root) as scratch:
        paths = {"root": root, "event": os.path.join(scratch, "event.json"), "result": os.path.join(scratch, "out")}
        with open(paths["event"], "w", encoding="utf-8") as handle:
            json.dump(event, handle)
        env = _environment(fn, request_id, stream, paths, interface)
        args = [sys.executable, "-m", "emulator.dataplane.lambda_runtime"]
        begin = time.monotonic()
        proc = processes.spawn(args, env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        with _STATE.lock:
            _STATE.running.add(proc)
        timed_out = False
        try:
            output, _stderr = proc.communicate(timeout=float(fn.timeout))
        except subprocess.TimeoutExpired:
            timed_out = True
            processes.terminate(proc, grace=0.0)  # the whole process group, as Lambda stops the sandbox
            output, _stderr = proc.communicate()
        finally:
            with _STATE.lock:
                _STATE.running.discard(proc)
        elapsed_ms = (time.monotonic() - begin) * 1000.0
        result_text = Path(paths["result"]).read_text(encoding="utf-8") if os.path.exists(paths["result"]) else ""
    lines = output.decode("utf-8", "replace").splitlines()
    result = Result(200, request_id=request_id)
    if timed_out:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        message = f"{stamp} {request_id} Task timed out after {float(fn.timeout):.2f} seconds"
        lines.append(message)
        result.payload, result.function_error = json.dumps({"errorMessage": message}).encode(), "Unhandled"
    elif proc.returncode != 0 or not result_text:
        result.function_error = "Unhandled"
        result.payload = (result_text or json.dumps(_crash(proc.returncode, request_id))).encode()
    else:
        result.payload = result_text.encode()
    framed = _framed(fn, request_id, lines, elapsed_ms)
    result.log = "\n".join(framed) + "\n"
    result.lines = framed
    _write_logs(fn, stream, started_at, framed)
    return result


def _crash(code: int | None, request_id: str) -> dict:
    """A process that died without a result (killed, os._exit): Runtime.ExitError as AWS reports it."""
    return {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}",
    }


def _framed(fn, request_id: str, lines: list[str], elapsed_ms: float) -> list[str]:
    billed = max(int(elapsed_ms + 0.999), 1)
    return [
        f"START RequestId: {request_id} Version: $LATEST",
        *lines,
        f"END RequestId: {request_id}",
        f"REPORT RequestId: {request_id}\tDuration: {elapsed_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {fn.memory_size} MB\tMax Memory Used: {min(40, int(fn.memory_size))} MB\t",
    ]


def _write_logs(fn, stream: str, started_at: datetime, lines: list[str]) -> None:
    """Append the invocation's log to /aws/lambda/<name> (group and stream created if missing)."""
    from moto.logs.models import logs_backends  # noqa: PLC0415

    from emulator.bluegreen.codedeploy_engine import LOCK  # noqa: PLC0415 - the lock moto requests run under

    first = int(started_at.timestamp() * 1000)
    last = max(int(time.time() * 1000), first)
    events = [{"timestamp": first if index == 0 else last, "message": line} for index, line in enumerate(lines)]
    group = f"/aws/lambda/{fn.function_name}"
    with LOCK:
        backend = logs_backends[fn.account_id][fn.region]
        backend.ensure_log_group(group)
        backend.create_log_stream(group, stream)
        backend.put_log_events(group, stream, events)


def invoke(fn, body, invocation_type: str = "RequestResponse") -> Result:
    """Invoke ``fn`` (moto LambdaFunction). Called with the engine lock held (a moto request); the lock is released
    while a RequestResponse invocation runs, so the function can call the emulator back."""
    if invocation_type not in INVOCATION_TYPES:
        raise AwsError(
            "InvalidParameterValueException",
            f"1 validation error detected: Value '{invocation_type}' at 'invocationType' failed to satisfy "
            "constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
        )
    event = parse_payload(body)
    if invocation_type == "DryRun":
        return Result(204)
    _register()
    request_id = str(uuid.uuid4())
    interface = _interface(fn)
    if invocation_type == "Event":
        _start_background(fn, event, request_id, interface)
        return Result(202, request_id=request_id)
    from emulator.bluegreen.codedeploy_engine import released  # noqa: PLC0415

    with released():
        return _run(fn, event, request_id, interface)


def invoke_event(fn, event) -> str:
    """An Event invocation started by the emulator itself (CodeDeploy hooks); returns the request id."""
    _register()
    request_id = str(uuid.uuid4())
    _start_background(fn, event, request_id, _interface(fn))
    return request_id


def _start_background(fn, event, request_id: str, interface) -> None:
    def run() -> None:
        try:
            _run(fn, event, request_id, interface)
        except Exception:  # noqa: BLE001 - a failed background invocation must not kill the emulator
            pass
        finally:
            with _STATE.lock:
                _STATE.threads.discard(threading.current_thread())

    thread = threading.Thread(target=run, name=f"lambda-{fn.function_name}", daemon=True)
    with _STATE.lock:
        _STATE.threads.add(thread)
    thread.start()
