"""ECS tasks that run: every task of every task set is a local process on its own loopback address.

Follows:
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskSet.html: a task set runs
  ``computedDesiredCount`` = ceil(service desiredCount x scale %) tasks; ``runningCount``/``pendingCount``
  count real tasks (``counts``).
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle.html: PROVISIONING (the ENI is
  created and attached) -> PENDING (the image is pulled, the process starts) -> RUNNING (the process
  accepts connections on its container port, or has had STARTUP_ALLOWANCE real seconds to; the task's private IP
  is registered in the task set's target group) -> DEACTIVATING (deregistered) -> STOPPING (SIGTERM, SIGKILL after
  the container's stopTimeout, default 30 s) -> DEPROVISIONING (ENI deleted) -> STOPPED.
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html: each awsvpc task gets
  an ENI with a private IP in one of the subnets of its awsvpcConfiguration (spread round robin) and its
  security groups. Here that ENI also gets a loopback address (``network.BOOK``), where the process listens:
  HOST=<loopback> and PORT=<containerPort> stand in for the container's own network namespace.
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html: a task whose
  essential container exits is STOPPED with stopCode ``EssentialContainerExited``, stoppedReason "Essential
  container in task exited" and the container's exitCode, and the service scheduler starts a replacement; an image
  that cannot be pulled: ``TaskFailedToStart``, "CannotPullContainerError: ..." (``images.NoRecipe``); secrets
  that cannot be read: "ResourceInitializationError: unable to pull secrets or registry auth: ...".
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-throttle-logic.html: tasks that never reach
  RUNNING are retried with increasing delays up to 27 minutes (emulated); a task that stops after RUNNING is
  replaced at once. A new task set (new task definition) starts unthrottled.
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar.html: ``secrets`` are read from SSM
  Parameter Store (name or ARN) or Secrets Manager (ARN, optionally ``:json-key:version-stage:version-id``) as the
  execution role would, and passed as environment variables. (The execution role's permissions are not evaluated.)
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html: a task whose definition has a
  ``taskRoleArn`` gets that role's temporary credentials, which the SDKs find by themselves (there through
  ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI``; here as ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/
  ``AWS_SESSION_TOKEN``, which the SDKs read first), and reaches the AWS APIs: here the emulator
  (``AWS_ENDPOINT_URL``, as for Lambda functions). A task without a task role gets no credentials.
  ``DB_SSLROOTCERT`` naming RDS's CA bundle in the image (``RDS_CA_BUNDLE``, Dockerfile) becomes the emulator's local
  CA file, which signs the RDS instances' server certificates (patches/rds.py) as RDS's CAs sign theirs.
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html: with the awslogs driver, stdout
  and stderr go to the group ``awslogs-group``, stream ``<awslogs-stream-prefix>/<container>/<task id>``; a group
  that does not exist fails the task at start unless ``awslogs-create-group`` is "true". Without awslogs the
  output goes to the emulator's own log, each line prefixed with the task id.
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html: the container's healthCheck
  command runs every ``interval`` s (``timeout``, ``retries``, ``startPeriod``). Inside a task 127.0.0.1/localhost
  is the task itself; here that is its loopback address, so the emulator puts it in the command. A command that
  this machine cannot run (exit 127) leaves the status UNKNOWN. An UNHEALTHY essential container stops the task
  ("Task failed container health checks") and the scheduler replaces it.

Time is emulated: AWS intervals in seconds are scaled by ``emulator.clock.minute_seconds() / 60`` (floor
``MIN_SECONDS``). One reconciler thread compares desired and running tasks, every ``PERIOD`` seconds and when an
API call wakes it (``wake``), under the lock the CodeDeploy engine and moto requests share; processes start and
stop outside it. Only the task sets' containers run, and the revisions of ECS-native blue/green services
(emulator/bluegreen/ecs_engine.py); other ECS-controller services keep moto's steady fiction (emulator/patches/ecs.py);
RunTask stays moto's. Each task runs its first container with a port mapping (the
load balancer's ``containerName`` if it names one); its ``command``/``entryPoint`` are not emulated (the image's
recipe is what runs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import logging
import math
import os
import socket
import subprocess
import sys
import threading
import time
import uuid

from emulator import dataplane
from emulator.dataplane import discovery, functions, images, network, postgres, processes

PERIOD = 0.2  # real seconds between two passes of the reconciler (a poll interval, not an AWS interval)
MIN_SECONDS = 0.05
STOPPED_KEPT_MINUTES = 60  # DescribeTasks shows stopped tasks for at least an hour (API_DescribeTasks.html)
THROTTLE_FIRST_SECONDS = 10
# Real seconds, not emulated: an interpreter's start-up is the emulator's overhead, not the app's time. A task is
# RUNNING (and registered) once its port accepts connections, or after STARTUP_ALLOWANCE; a container health check
# command (a process of its own) runs at most every PROBE_FLOOR seconds.
STARTUP_ALLOWANCE = 15.0
PROBE_FLOOR = 1.0
THROTTLE_MAX_SECONDS = 27 * 60
DEFAULT_STOP_TIMEOUT = 30
FARGATE_LATEST = "1.4.0"
ESSENTIAL_EXITED = "Essential container in task exited"
# Fake credentials of a task's task role (the emulator accepts any; module docstring, task-iam-roles.html).
TASK_ROLE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIAEMULATEDECSTASK0",
    "AWS_SECRET_ACCESS_KEY": "emulated-ecs-task-role-secret",
    "AWS_SESSION_TOKEN": "emulated-ecs-task-role-session",
}
# Where the app image keeps RDS's CA bundle (Dockerfile; plugins/module_utils/task_definition.py RDS_CA_BUNDLE).
RDS_CA_BUNDLE = "/etc/ssl/certs/rds-global-bundle.pem"
_LOG = logging.getLogger(__name__)


def scaled(seconds: float) -> float:
    """Real seconds for an AWS interval of ``seconds`` in emulated time."""
    from emulator.clock import minute_seconds  # pylint: disable=import-outside-toplevel

    return max(seconds * minute_seconds() / 60.0, MIN_SECONDS)


def _moto_lock():
    # Imported late: emulator.bluegreen imports the ECS patch, which imports this module.
    from emulator.bluegreen.codedeploy_engine import LOCK  # pylint: disable=import-outside-toplevel

    return LOCK


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclasses.dataclass(frozen=True)
class TaskInfo:
    """A snapshot of one task, for the other parts of the data plane (balancers, CodeDeploy)."""

    task_arn: str
    task_set_arn: str
    cluster: str
    service: str
    last_status: str
    desired_status: str
    health_status: str
    private_ip: str | None
    loopback: str | None
    port: int | None
    vpc_id: str | None
    target_group_arn: str | None
    started_at: float | None  # time.monotonic() when it became RUNNING
    stopped_reason: str | None
    exit_code: int | None


@dataclasses.dataclass
class _Task:  # pylint: disable=too-many-instance-attributes
    arn: str
    task_id: str
    account: str
    region: str
    cluster: str
    cluster_arn: str
    service: str
    task_set_arn: str
    task_set_id: str
    task_definition_arn: str
    container: dict
    image: str
    port: int | None
    target_group_arn: str | None
    cpu: str | None
    memory: str | None
    platform_version: str
    created_at: datetime.datetime
    last_status: str = "PROVISIONING"
    desired_status: str = "RUNNING"
    health_status: str = "UNKNOWN"
    container_arn: str = ""
    attachment_id: str = ""
    eni: dict | None = None  # {"id", "subnet", "vpc", "ip", "mac", "dns", "az"}
    loopback: str | None = None
    registered: bool = False
    recipe: dict | None = None
    env: dict | None = None
    logs: dict | None = None  # {"group", "stream"} or None
    proc: subprocess.Popen | None = None
    started_at: datetime.datetime | None = None
    started_mono: float | None = None  # RUNNING since
    spawned_mono: float | None = None
    stopping_at: datetime.datetime | None = None
    stopped_at: datetime.datetime | None = None
    stopped_mono: float | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    exit_code: int | None = None
    health_failures: int = 0
    next_probe: float = 0.0
    log_lines: list = dataclasses.field(default_factory=list)  # awslogs events not sent yet
    version: int = 1
    task_role_arn: str | None = None
    registries: list = dataclasses.field(default_factory=list)  # the service's serviceRegistries (discovery.py)
    discovered: list = dataclasses.field(default_factory=list)  # the Cloud Map services it is registered in

    def info(self) -> TaskInfo:
        return TaskInfo(
            task_arn=self.arn,
            task_set_arn=self.task_set_arn,
            cluster=self.cluster,
            service=self.service,
            last_status=self.last_status,
            desired_status=self.desired_status,
            health_status=self.health_status,
            private_ip=self.eni["ip"] if self.eni else None,
            loopback=self.loopback,
            port=self.port,
            vpc_id=self.eni["vpc"] if self.eni else None,
            target_group_arn=self.target_group_arn,
            started_at=self.started_mono,
            stopped_reason=self.stopped_reason,
            exit_code=self.exit_code,
        )


class _State:
    """Every task the reconciler knows, and its thread. ``lock`` is never held while taking the moto lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tasks: dict[str, _Task] = {}
        self.throttle: dict[str, tuple[int, float]] = {}  # task set ARN -> (failed starts, next attempt)
        self.round_robin: dict[str, int] = {}
        self.thread: threading.Thread | None = None
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.stoppers: list[threading.Thread] = []
        self.closed = False


STATE = _State()


# -- what the other parts call ------------------------------------------------------------------------------------


def for_task_set(task_set_arn: str) -> list[TaskInfo]:
    """The task set's tasks that have not STOPPED yet (oldest first)."""
    with STATE.lock:
        found = [t for t in STATE.tasks.values() if t.task_set_arn == task_set_arn and t.last_status != "STOPPED"]
        return [t.info() for t in sorted(found, key=lambda t: t.created_at)]


def stop_task(task_arn: str, reason: str, stop_code: str = "ServiceSchedulerInitiated") -> bool:
    """Ask for a task to stop (e.g. failed ELB health checks); the reconciler stops and replaces it.

    Returns at once (safe from any thread, with or without the moto lock); False for an unknown or stopped task.
    """
    with STATE.lock:
        task = STATE.tasks.get(task_arn)
        if task is None or task.desired_status == "STOPPED":
            return False
        task.desired_status = "STOPPED"
        task.stopped_reason, task.stop_code = reason, stop_code
    wake()
    return True


def hand_over(from_arn: str, to_arn: str, to_id: str) -> int:
    """Move a task set's live tasks to another task set (a CODE_DEPLOY service migrated to ECS-native blue/green: its
    PRIMARY task set's tasks become its first revision's, still registered and serving). Returns how many moved."""
    with STATE.lock:
        moved = [t for t in STATE.tasks.values() if t.task_set_arn == from_arn and t.last_status != "STOPPED"]
        for task in moved:
            task.task_set_arn, task.task_set_id = to_arn, to_id
        return len(moved)


def counts(task_set_arn: str) -> tuple[int, int]:
    """(runningCount, pendingCount) of a task set: tasks RUNNING, and tasks on their way there."""
    with STATE.lock:
        mine = [t for t in STATE.tasks.values() if t.task_set_arn == task_set_arn and t.desired_status == "RUNNING"]
        running = sum(1 for t in mine if t.last_status == "RUNNING")
        pending = sum(1 for t in mine if t.last_status in ("PROVISIONING", "PENDING", "ACTIVATING"))
        return running, pending


def find(task_arn_or_id: str) -> _Task | None:
    with STATE.lock:
        for task in STATE.tasks.values():
            if task_arn_or_id in (task.arn, task.task_id) or task.arn.endswith("/" + task_arn_or_id):
                return task
    return None


def listed(account: str, region: str, cluster: str) -> list[_Task]:
    with STATE.lock:
        return [t for t in STATE.tasks.values() if (t.account, t.region, t.cluster) == (account, region, cluster)]


def wake() -> None:
    """Reconcile soon (after an API call that changes what should run); starts the reconciler if needed."""
    with STATE.lock:
        if STATE.thread is None:
            STATE.stop.clear()
            STATE.closed = False
            STATE.thread = threading.Thread(target=_loop, name="emulator-tasks", daemon=True)
            STATE.thread.start()
            dataplane.on_stop(shutdown)
    STATE.wake.set()


def shutdown() -> None:
    """Stop every task and the reconciler (emulator stop, POST /moto-api/reset). Nothing is left running."""
    with STATE.lock:
        thread, STATE.thread = STATE.thread, None
        STATE.closed = True
    STATE.stop.set()
    STATE.wake.set()
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout=30)
    with STATE.lock:
        tasks = list(STATE.tasks.values())
        stoppers = list(STATE.stoppers)
        STATE.tasks.clear()
        STATE.throttle.clear()
        STATE.round_robin.clear()
        STATE.stoppers.clear()
    for task in tasks:
        if task.proc is not None:
            processes.terminate(task.proc, grace=2.0)
        if task.loopback:
            network.BOOK.release(task.loopback)
    for stopper in stoppers:
        stopper.join(timeout=30)


# -- the reconciler -----------------------------------------------------------------------------------------------


def _loop() -> None:
    while not STATE.stop.is_set():
        STATE.wake.wait(PERIOD)
        STATE.wake.clear()
        if STATE.stop.is_set():
            return
        try:
            reconcile()
        except Exception:  # noqa: BLE001 - keep reconciling; the next pass retries
            _LOG.exception("task reconciler pass failed")


def reconcile() -> None:
    """One pass: exits and health, then desired vs running (under the moto lock), then processes (outside)."""
    now = time.monotonic()
    exited = _exited()
    up = _came_up()
    unhealthy = _probe_health(now)
    with _moto_lock():
        if STATE.closed:
            return
        for task, code in exited:
            _essential_exited(task, code)
        for task in up:
            _running(task)
        for task in unhealthy:
            _request_stop(task, "Task failed container health checks", "TaskFailedToStart")
        starting, stopping = _converge(now)
    for task in starting:
        _start_process(task)
    for task in stopping:
        _stop_in_background(task)
    _flush_all()
    _forget_old_stopped(now)


def _exited() -> list[tuple[_Task, int]]:
    with STATE.lock:
        running = [t for t in STATE.tasks.values() if t.proc is not None and t.last_status in ("PENDING", "RUNNING")]
    found = []
    for task in running:
        code = task.proc.poll()
        if code is not None:
            processes.terminate(task.proc, grace=0)  # what the container's main process left behind
            found.append((task, 128 - code if code < 0 else code))  # killed by signal N: 128 + N, as Docker reports
    return found


def _essential_exited(task: _Task, exit_code: int) -> None:
    with STATE.lock:
        if task.last_status == "STOPPED" or task.desired_status == "STOPPED":
            return
        if task.last_status == "PENDING":  # never reached RUNNING: the service throttle counts it
            failures, _until = STATE.throttle.get(task.task_set_arn, (0, 0.0))
            delay = min(THROTTLE_FIRST_SECONDS * 2**failures, THROTTLE_MAX_SECONDS)
            STATE.throttle[task.task_set_arn] = (failures + 1, time.monotonic() + scaled(delay))
        task.desired_status = "STOPPED"
        task.exit_code = exit_code
        task.stop_code, task.stopped_reason = "EssentialContainerExited", ESSENTIAL_EXITED
    _deprovision(task)


def _request_stop(task: _Task, reason: str, code: str) -> None:
    with STATE.lock:
        if task.desired_status != "STOPPED":
            task.desired_status = "STOPPED"
            task.stopped_reason, task.stop_code = reason, code


def _desired() -> dict[str, tuple]:
    """{task set ARN: (account, region, service, task set, count)} over every ECS backend (moto lock held)."""
    from moto.ecs.models import ecs_backends  # pylint: disable=import-outside-toplevel

    wanted = {}
    for account, regions in list(ecs_backends.items()):
        for region, backend in list(regions.items()):
            for service in list(backend.services.values()):
                if service.status != "ACTIVE":
                    continue
                # An ECS-native blue/green service's revisions run like task sets (emulator/bluegreen/ecs_engine.py).
                for task_set in [*service.task_sets, *getattr(service, "emulator_revisions", ())]:
                    scale = task_set.scale or {}
                    percent = float(scale.get("value", 100.0)) if scale.get("unit", "PERCENT") == "PERCENT" else 100.0
                    count = math.ceil(service.desired_count * percent / 100)
                    wanted[task_set.task_set_arn] = (account, region, backend, service, task_set, count)
    return wanted


def _converge(now: float) -> tuple[list[_Task], list[_Task]]:
    """Launch and stop tasks so each task set has its count (moto lock held). Returns (to start, to stop)."""
    wanted = _desired()
    with STATE.lock:
        live: dict[str, list[_Task]] = {}
        for task in STATE.tasks.values():
            if task.last_status != "STOPPED":
                live.setdefault(task.task_set_arn, []).append(task)
    starting, stopping = [], []
    for arn in set(wanted) | set(live):
        tasks = live.get(arn, [])
        stopping += [t for t in tasks if t.desired_status == "STOPPED" and t.last_status in _STOPPABLE]
        keep = sorted((t for t in tasks if t.desired_status == "RUNNING"), key=lambda t: t.created_at)
        spec = wanted.get(arn)
        count = spec[-1] if spec else 0
        for task in keep[count:]:  # scale-in, task set deleted, service deleted: the newest go first
            reason = _scale_in_reason(spec, task)
            _request_stop(task, reason, "ServiceSchedulerInitiated")
            stopping.append(task)
        if spec is not None and len(keep) < count and not _throttled(arn, now):
            for _missing in range(count - len(keep)):
                task = _launch(*spec[:-1])
                if task is None:
                    break  # failed to start: throttled from now on
                starting.append(task)
    return starting, stopping


_STOPPABLE = ("PROVISIONING", "PENDING", "RUNNING")


def _scale_in_reason(spec, task: _Task) -> str:
    if spec is None:
        return f"Task set {task.task_set_id} deleted" if _service_active(task) else f"Service {task.service} deleted"
    return f"Scaling activity initiated by (deployment {task.task_set_id})"


def _service_active(task: _Task) -> bool:
    from moto.ecs.models import ecs_backends  # pylint: disable=import-outside-toplevel

    service = ecs_backends[task.account][task.region].services.get(f"{task.cluster}:{task.service}")
    return service is not None and service.status == "ACTIVE"


def _throttled(task_set_arn: str, now: float) -> bool:
    with STATE.lock:
        failures, next_at = STATE.throttle.get(task_set_arn, (0, 0.0))
    return failures > 0 and now < next_at


def _failed_start(task: _Task, reason: str) -> None:
    """PENDING -> STOPPED without reaching RUNNING: TaskFailedToStart, and the task set is throttled."""
    with STATE.lock:
        failures, _until = STATE.throttle.get(task.task_set_arn, (0, 0.0))
        failures += 1
        delay = min(THROTTLE_FIRST_SECONDS * 2 ** (failures - 1), THROTTLE_MAX_SECONDS)
        STATE.throttle[task.task_set_arn] = (failures, time.monotonic() + scaled(delay))
        task.desired_status = "STOPPED"
        task.stop_code, task.stopped_reason = "TaskFailedToStart", reason
    _deprovision(task)


# -- launching (moto lock held) -----------------------------------------------------------------------------------


def _launch(account, region, backend, service, task_set) -> _Task | None:
    """Create the task: ENI, loopback, recipe, environment. None when it failed to start (already STOPPED)."""
    task = _new_task(account, region, backend, service, task_set)
    with STATE.lock:
        STATE.tasks[task.arn] = task
    try:
        _attach_eni(task, task_set)
    except Exception as err:  # noqa: BLE001 - moto raises several types for a missing subnet or group
        _failed_start(task, f"ResourceInitializationError: failed to configure ENI: {err}")
        return None
    with STATE.lock:
        task.last_status = "PENDING"
    try:
        task.recipe = images.recipe_for(account, region, task.image)
        task.env = _environment(task, task.recipe)
        task.logs = _log_destination(task)
    except images.NoRecipe as err:
        _failed_start(task, str(err))
        return None
    except _StartError as err:
        _failed_start(task, str(err))
        return None
    return task


class _StartError(Exception):
    """A task that cannot start; the message is its stoppedReason."""


def _new_task(account, region, backend, service, task_set) -> _Task:
    definition = backend.describe_task_definition(task_set.task_definition)
    balancer = (task_set.load_balancers or [{}])[0]
    container = _container(definition.container_definitions, balancer.get("containerName"))
    port = balancer.get("containerPort") or next(
        (m.get("containerPort") for m in container.get("portMappings") or []), None
    )
    task_id = uuid.uuid4().hex
    partition = service.arn.split(":")[1]
    version = task_set.platform_version if task_set.platform_version not in (None, "", "LATEST") else FARGATE_LATEST
    return _Task(
        arn=f"arn:{partition}:ecs:{region}:{account}:task/{service.cluster_name}/{task_id}",
        task_id=task_id,
        account=account,
        region=region,
        cluster=service.cluster_name,
        cluster_arn=task_set.cluster_arn,
        service=service.name,
        task_set_arn=task_set.task_set_arn,
        task_set_id=task_set.id,
        task_definition_arn=definition.arn,
        task_role_arn=getattr(definition, "task_role_arn", None),
        registries=discovery.registries(service, task_set),
        container=container,
        image=container.get("image") or "",
        port=int(port) if port else None,
        target_group_arn=balancer.get("targetGroupArn"),
        cpu=definition.cpu,
        memory=definition.memory,
        platform_version=version,
        created_at=_now(),
        container_arn=f"arn:{partition}:ecs:{region}:{account}:container/{service.cluster_name}/{task_id}/{uuid.uuid4()}",
        attachment_id=str(uuid.uuid4()),
    )


def _container(definitions: list[dict], name: str | None) -> dict:
    if name:
        for container in definitions:
            if container.get("name") == name:
                return container
    return next((c for c in definitions if c.get("portMappings")), definitions[0])


def _attach_eni(task: _Task, task_set) -> None:
    """PROVISIONING: an ENI in the next subnet (round robin), its private IP, and a loopback address for it."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    awsvpc = (task_set.network_configuration or {}).get("awsvpcConfiguration") or {}
    subnets = awsvpc.get("subnets") or []
    if not subnets:
        raise _StartError("the task set has no awsvpcConfiguration subnets")
    with STATE.lock:
        turn = STATE.round_robin.get(task.task_set_arn, 0)
        STATE.round_robin[task.task_set_arn] = turn + 1
    ec2 = ec2_backends[task.account][task.region]
    subnet = ec2.get_subnet(subnets[turn % len(subnets)])
    partition = task.arn.split(":")[1]
    eni = ec2.create_network_interface(
        subnet=subnet,
        private_ip_address=_free_ip(ec2, subnet),
        group_ids=awsvpc.get("securityGroups") or [],
        description=f"arn:{partition}:ecs:{task.region}:{task.account}:attachment/{task.attachment_id}",
    )
    eni.status = "in-use"
    task.eni = {
        "id": eni.id,
        "subnet": subnet.id,
        "vpc": subnet.vpc_id,
        "ip": eni.private_ip_address,
        "mac": getattr(eni, "mac_address", ""),
        "dns": getattr(eni, "private_dns_name", "") or "",
        "az": subnet.availability_zone,
    }
    task.loopback = _loopback(task)


def _free_ip(ec2, subnet) -> str | None:
    """A private IP of the subnet no other ENI holds (AWS reserves the first four and the last address)."""
    import ipaddress  # pylint: disable=import-outside-toplevel
    import random  # pylint: disable=import-outside-toplevel

    used = {eni.private_ip_address for eni in ec2.enis.values()}
    hosts = list(ipaddress.ip_network(subnet.cidr_block).hosts())[3:-1]
    for _attempt in range(64):
        candidate = str(random.choice(hosts))  # noqa: S311 - an address, not a secret
        if candidate not in used:
            return candidate
    return None  # moto picks one


def _loopback(task: _Task) -> str:
    """The ENI's loopback address; one where the container port is free (another emulator may use the same range)."""
    burnt = []
    try:
        for _attempt in range(32):
            interface = network.BOOK.allocate("task", task.arn, task.eni["vpc"], task.eni["subnet"], task.eni["ip"])
            if task.port is None or _bindable(interface.loopback, task.port):
                return interface.loopback
            burnt.append(interface.loopback)
        raise _StartError("no free loopback address for the task's container port")
    finally:
        for address in burnt:
            network.BOOK.release(address)


def _bindable(address: str, port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError:
            return False
    return True


def _environment(task: _Task, recipe: dict) -> dict[str, str]:
    """The image's ENV, then Fargate's, the task definition's environment and secrets, then the address."""
    env = {"PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")}
    env.update(recipe["env"])
    env.update(
        AWS_REGION=task.region,
        AWS_DEFAULT_REGION=task.region,
        AWS_EXECUTION_ENV="AWS_ECS_FARGATE",
    )
    env.update({item["name"]: str(item.get("value", "")) for item in task.container.get("environment") or []})
    for item in task.container.get("secrets") or []:
        env[item["name"]] = _secret(task, item["valueFrom"])
    if task.task_role_arn:
        env.update(TASK_ROLE_CREDENTIALS, AWS_ENDPOINT_URL=functions.endpoint_url())
    if env.get("DB_SSLROOTCERT") == RDS_CA_BUNDLE:
        env["DB_SSLROOTCERT"] = str(postgres.ca_file())
    env["HOST"] = task.loopback or "127.0.0.1"
    if task.port:
        env["PORT"] = str(task.port)
    return env


def _secret(task: _Task, value_from: str) -> str:
    """SSM parameter (name or ARN) or Secrets Manager secret (ARN[:json-key:version-stage:version-id])."""
    parts = value_from.split(":")
    service = parts[2] if value_from.startswith("arn:") and len(parts) > 2 else "ssm"
    region = parts[3] if value_from.startswith("arn:") else task.region
    account = parts[4] if value_from.startswith("arn:") else task.account
    try:
        if service == "secretsmanager":
            return _secrets_manager(account, region, parts)
        return _ssm(account, region, value_from)
    except _StartError:
        raise
    except Exception as err:  # noqa: BLE001 - moto raises several types for a missing secret
        raise _secret_error(service, value_from, err) from None


def _secret_error(service: str, value_from: str, err) -> _StartError:
    kind = "asm" if service == "secretsmanager" else "ssm"
    return _StartError(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval "
        f"failed: unable to retrieve secret from {kind}: {value_from}: {err or 'not found'}"
    )


def _ssm(account: str, region: str, value_from: str) -> str:
    from moto.ssm.models import ssm_backends  # pylint: disable=import-outside-toplevel

    backend = ssm_backends[account][region]
    name = value_from.split(":parameter", 1)[1] if value_from.startswith("arn:") else value_from
    parameter = backend.get_parameter(name) or (backend.get_parameter("/" + name) if name[:1] != "/" else None)
    if parameter is None:
        raise _secret_error("ssm", value_from, "ParameterNotFound")
    value = parameter.decrypt(parameter.value) if hasattr(parameter, "decrypt") else parameter.value
    return value or ""


def _secrets_manager(account: str, region: str, parts: list[str]) -> str:
    from moto.secretsmanager.models import secretsmanager_backends  # pylint: disable=import-outside-toplevel

    arn = ":".join(parts[:7])
    json_key, stage, version = (parts[7:] + ["", "", ""])[:3]
    value = secretsmanager_backends[account][region].get_secret_value(arn, version or None, stage or None)
    text = value.get("SecretString") or ""
    if not json_key:
        return text
    document = json.loads(text)
    if json_key not in document:
        raise _secret_error("secretsmanager", ":".join(parts), f"key {json_key} not found in the secret")
    found = document[json_key]
    return found if isinstance(found, str) else json.dumps(found)


def _log_destination(task: _Task) -> dict | None:
    """The awslogs group and stream; a missing group fails the task as the awslogs driver does."""
    config = task.container.get("logConfiguration") or {}
    if config.get("logDriver") != "awslogs":
        return None
    from moto.logs.models import logs_backends  # pylint: disable=import-outside-toplevel

    options = config.get("options") or {}
    group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
    region = options.get("awslogs-region") or task.region
    backend = logs_backends[task.account][region]
    if group not in backend.groups:
        if str(options.get("awslogs-create-group", "")).lower() != "true":
            raise _StartError(
                "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 "
                "times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group "
                "does not exist."
            )
        backend.create_log_group(group, {})
    stream = f"{prefix}/{task.container.get('name')}/{task.task_id}" if prefix else task.task_id
    backend.ensure_log_stream(group, stream)
    return {"account": task.account, "region": region, "group": group, "stream": stream}


# -- processes (no moto lock while they start or stop) ------------------------------------------------------------


def _start_process(task: _Task) -> None:
    """PENDING: the recipe's process starts on the task's address (``_running`` makes it RUNNING once it listens)."""
    recipe = task.recipe or {}
    try:
        proc = processes.spawn(
            recipe["argv"],
            env=task.env,
            cwd=recipe.get("cwd") or None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    except OSError as err:
        with _moto_lock():
            _failed_start(task, f"CannotStartContainerError: {err}")
        return
    with STATE.lock:
        task.proc = proc
        task.spawned_mono = time.monotonic()
        task.started_at = _now()
    threading.Thread(target=_pump, args=(task, proc), name=f"task-log-{task.task_id[:8]}", daemon=True).start()


def _came_up() -> list[_Task]:
    """PENDING tasks whose process accepts connections on its port (or has had STARTUP_ALLOWANCE to)."""
    with STATE.lock:
        pending = [t for t in STATE.tasks.values() if t.proc is not None and t.last_status == "PENDING"]
    up = []
    for task in pending:
        if task.proc.poll() is not None:
            continue
        waited = time.monotonic() - (task.spawned_mono or 0)
        if task.port is None or waited > STARTUP_ALLOWANCE or _accepts(task.loopback, task.port):
            up.append(task)
    return up


def _accepts(address: str | None, port: int) -> bool:
    try:
        socket.create_connection((address or "127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def _running(task: _Task) -> None:
    """PENDING -> RUNNING, its private IP registered in the target group (moto lock held)."""
    with STATE.lock:
        if task.last_status != "PENDING" or task.desired_status != "RUNNING" or STATE.closed:
            return
        task.last_status = "RUNNING"
        task.started_mono = time.monotonic()
        task.next_probe = task.started_mono + _start_period(task)
    _register(task)
    discovery.register(task)


def _register(task: _Task) -> None:
    """RegisterTargets Id=private IP, Port=container port (moto lock held)."""
    if not task.target_group_arn or not task.eni or not task.port:
        return
    from moto.elbv2.models import elbv2_backends  # pylint: disable=import-outside-toplevel

    try:
        elbv2_backends[task.account][task.region].register_targets(
            task.target_group_arn, [{"Id": task.eni["ip"], "Port": task.port}]
        )
        task.registered = True
    except Exception:  # noqa: BLE001 - a deleted target group: the task runs unregistered
        _LOG.warning("task %s: target group %s is gone", task.arn, task.target_group_arn)


def _deregister(task: _Task) -> None:
    discovery.deregister(task)  # leaves Cloud Map when it leaves the target group (DEACTIVATING)
    if not task.registered:
        return
    from moto.elbv2.models import elbv2_backends  # pylint: disable=import-outside-toplevel

    task.registered = False
    with contextlib.suppress(Exception):
        elbv2_backends[task.account][task.region].deregister_targets(
            task.target_group_arn, [{"Id": task.eni["ip"], "Port": task.port}]
        )


def _stop_in_background(task: _Task) -> None:
    """DEACTIVATING (deregistered) -> STOPPING (SIGTERM, SIGKILL after stopTimeout) -> DEPROVISIONING -> STOPPED."""
    with STATE.lock:
        if task.last_status not in _STOPPABLE:
            return
        task.last_status = "DEACTIVATING"
        task.stopping_at = _now()
    with _moto_lock():
        _deregister(task)
    thread = threading.Thread(target=_terminate, args=(task,), name=f"task-stop-{task.task_id[:8]}", daemon=True)
    with STATE.lock:
        STATE.stoppers.append(thread)
    thread.start()


def _terminate(task: _Task) -> None:
    with STATE.lock:
        task.last_status = "STOPPING"
    code = None
    if task.proc is not None:
        grace = scaled(float(task.container.get("stopTimeout") or DEFAULT_STOP_TIMEOUT))
        code = processes.terminate(task.proc, grace=grace)
    with STATE.lock:
        if code is not None and task.exit_code is None:
            task.exit_code = 128 - code if code < 0 else code
    with _moto_lock():
        _deprovision(task)
    with STATE.lock:
        if threading.current_thread() in STATE.stoppers:
            STATE.stoppers.remove(threading.current_thread())


def _deprovision(task: _Task) -> None:
    """DEPROVISIONING -> STOPPED: target deregistered, ENI deleted, loopback released (moto lock held)."""
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    _deregister(task)
    if task.eni:
        with contextlib.suppress(Exception):
            ec2_backends[task.account][task.region].delete_network_interface(task.eni["id"])
    if task.loopback:
        network.BOOK.release(task.loopback)
    with STATE.lock:
        task.last_status = "STOPPED"
        task.desired_status = "STOPPED"
        task.health_status = "UNKNOWN"
        task.stopping_at = task.stopping_at or _now()
        task.stopped_at, task.stopped_mono = _now(), time.monotonic()
        task.version += 1
    STATE.wake.set()  # a replacement may be due


def _forget_old_stopped(now: float) -> None:
    keep = scaled(STOPPED_KEPT_MINUTES * 60)
    with STATE.lock:
        for arn in [a for a, t in STATE.tasks.items() if t.stopped_mono is not None and now - t.stopped_mono > keep]:
            del STATE.tasks[arn]


# -- health checks ------------------------------------------------------------------------------------------------


def _start_period(task: _Task) -> float:
    check = task.container.get("healthCheck") or {}
    return scaled(float(check.get("startPeriod") or 0))


def _probe_health(now: float) -> list[_Task]:
    """Run due container health checks; return the tasks that became UNHEALTHY."""
    with STATE.lock:
        due = [
            t
            for t in STATE.tasks.values()
            if t.last_status == "RUNNING"
            and t.desired_status == "RUNNING"
            and t.next_probe <= now
            and t.container.get("healthCheck")
        ]
    unhealthy = []
    for task in due:
        check = task.container["healthCheck"]
        result = _run_check(task, check)
        with STATE.lock:
            task.next_probe = time.monotonic() + max(scaled(float(check.get("interval") or 30)), PROBE_FLOOR)
            if result is None:
                continue
            if result:
                task.health_status, task.health_failures = "HEALTHY", 0
                continue
            in_grace = time.monotonic() - (task.started_mono or now) < _start_period(task)
            if in_grace:
                continue
            task.health_failures += 1
            if task.health_failures >= int(check.get("retries") or 3):
                task.health_status = "UNHEALTHY"
                unhealthy.append(task)
    return unhealthy


def _run_check(task: _Task, check: dict) -> bool | None:
    """True/False: the command's verdict; None: it cannot run here (exit 127, not found)."""
    command = [part.replace("127.0.0.1", task.loopback or "127.0.0.1") for part in check.get("command") or []]
    command = [part.replace("localhost", task.loopback or "localhost") for part in command]
    if not command or command[0] not in ("CMD", "CMD-SHELL"):
        return None
    argv = ["/bin/sh", "-c", " ".join(command[1:])] if command[0] == "CMD-SHELL" else command[1:]
    if argv and argv[0] in ("python", "python3"):
        argv[0] = sys.executable
    try:
        done = subprocess.run(
            argv,
            env=task.env,
            cwd=(task.recipe or {}).get("cwd") or None,
            capture_output=True,
            timeout=max(scaled(float(check.get("timeout") or 5)), 1.0),
            check=False,
        )
    except (OSError, ValueError):
        return None
    except subprocess.TimeoutExpired:
        return False
    if done.returncode == 127:
        return None
    return done.returncode == 0


# -- logs ---------------------------------------------------------------------------------------------------------


def _pump(task: _Task, proc: subprocess.Popen) -> None:
    """The container's output, line by line, to its awslogs stream (sent each reconciler pass) or the emulator's log."""
    for raw in iter(proc.stdout.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\n")
        if task.logs is None:
            print(f"[task {task.task_id}] {line}", file=sys.stderr, flush=True)
            continue
        with STATE.lock:
            task.log_lines.append({"timestamp": int(time.time() * 1000), "message": line})
    _flush(task)
    with contextlib.suppress(OSError):
        proc.stdout.close()


def _flush_all() -> None:
    with STATE.lock:
        waiting = [t for t in STATE.tasks.values() if t.log_lines]
    for task in waiting:
        _flush(task)


def _flush(task: _Task) -> None:
    with STATE.lock:
        batch, task.log_lines = task.log_lines, []
    if not batch or task.logs is None:
        return
    from moto.logs.models import logs_backends  # pylint: disable=import-outside-toplevel

    destination = task.logs
    with _moto_lock(), contextlib.suppress(Exception):  # a group deleted meanwhile: the lines are lost, as in AWS
        logs_backends[destination["account"]][destination["region"]].put_log_events(
            destination["group"], destination["stream"], batch
        )


# -- the API shape ------------------------------------------------------------------------------------------------


def describe(task: _Task, include_tags: bool = False) -> dict:
    """The task in DescribeTasks' shape (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html)."""
    with STATE.lock:
        eni = task.eni or {}
        details = [
            {"name": "subnetId", "value": eni.get("subnet", "")},
            {"name": "networkInterfaceId", "value": eni.get("id", "")},
            {"name": "macAddress", "value": eni.get("mac", "")},
            {"name": "privateDnsName", "value": eni.get("dns", "")},
            {"name": "privateIPv4Address", "value": eni.get("ip", "")},
        ]
        attachment_status = {"PROVISIONING": "PRECREATED", "STOPPED": "DELETED"}.get(task.last_status, "ATTACHED")
        container = {
            "containerArn": task.container_arn,
            "taskArn": task.arn,
            "name": task.container.get("name", ""),
            "image": task.image,
            "lastStatus": task.last_status if task.last_status in ("PENDING", "RUNNING", "STOPPED") else "PENDING",
            "networkInterfaces": [{"attachmentId": task.attachment_id, "privateIpv4Address": eni.get("ip", "")}]
            if eni
            else [],
            "healthStatus": task.health_status,
            "cpu": str(task.container.get("cpu", 0)),
        }
        if task.exit_code is not None:
            container["exitCode"] = task.exit_code
        if task.stop_code == "TaskFailedToStart" and task.stopped_reason:
            container["reason"] = task.stopped_reason
        view = {
            "taskArn": task.arn,
            "clusterArn": task.cluster_arn,
            "taskDefinitionArn": task.task_definition_arn,
            "startedBy": task.task_set_id,
            "group": f"service:{task.service}",
            "launchType": "FARGATE",
            "platformVersion": task.platform_version,
            "platformFamily": "Linux",
            "availabilityZone": eni.get("az", ""),
            "lastStatus": task.last_status,
            "desiredStatus": task.desired_status,
            "healthStatus": task.health_status,
            "createdAt": task.created_at,
            "connectivity": "CONNECTED",
            "connectivityAt": task.created_at,
            "version": task.version,
            "enableExecuteCommand": False,
            "containers": [container],
            "attachments": [
                {
                    "id": task.attachment_id,
                    "type": "ElasticNetworkInterface",
                    "status": attachment_status,
                    "details": details,
                }
            ]
            if eni
            else [],
            "tags": [],
            "ephemeralStorage": {"sizeInGiB": 20},
        }
        for key, value in (("cpu", task.cpu), ("memory", task.memory)):
            if value:
                view[key] = str(value)
        for key, value in (
            ("startedAt", task.started_at),
            ("pullStartedAt", task.started_at),
            ("pullStoppedAt", task.started_at),
            ("stoppingAt", task.stopping_at),
            ("stoppedAt", task.stopped_at),
            ("stopCode", task.stop_code if task.desired_status == "STOPPED" else None),
            ("stoppedReason", task.stopped_reason if task.desired_status == "STOPPED" else None),
        ):
            if value is not None:
                view[key] = value
        if not include_tags:
            view.pop("tags")
        return view
