"""CodeDeploy's ECS blue/green engine: the seam's hooks (emulator/codedeploy_seam.py) on top of one Run per deployment.

Time moves in two ways, both under ``LOCK``: a daemon ticker advances every engine each ``TICK_SECONDS`` while a
deployment is in flight, and every moto request first advances them (``serialize_requests``), so a read never sees a
state that is already overdue. The same lock serialises the moto requests with the ticker's changes to the ECS,
ELBv2 and CodeDeploy backends.
"""

import contextlib
import functools
import hashlib
import json
import logging
import threading
import time

from moto.core.responses import BaseResponse
from moto.moto_api._internal.models import MotoAPIBackend

from emulator import codedeploy_seam as seam
from emulator.bluegreen.deployment import Run
from emulator.bluegreen.plan import build_plan
from emulator.bluegreen.world import World
from emulator.dataplane import functions
from emulator.errors import AwsError

LOCK = threading.RLock()
TICK_SECONDS = 0.02
_LOG = logging.getLogger(__name__)
# Other engines on the same lock and ticker (the ECS-native one: emulator/bluegreen/ecs_engine.py); each returns True
# while one of its deployments is in flight.
_ADVANCERS: list = []


def register_advancer(advance) -> None:
    """Advance ``advance()`` with the CodeDeploy engines, on every tick and before every moto request (idempotent)."""
    if advance not in _ADVANCERS:
        _ADVANCERS.append(advance)


@contextlib.contextmanager
def released():
    """Let other requests and the ticker run while this thread waits on something outside moto (a Lambda function
    invoked with RequestResponse, which may call the emulator back); LOCK is taken again, as deep as it was, after."""
    if not LOCK._is_owned():  # pylint: disable=protected-access
        yield
        return
    state = LOCK._release_save()  # pylint: disable=protected-access  # what threading.Condition.wait does
    try:
        yield
    finally:
        LOCK._acquire_restore(state)  # pylint: disable=protected-access


def _already_completed(deployment) -> AwsError:
    return AwsError(
        "DeploymentAlreadyCompletedException", f"Deployment {deployment.deployment_id} has already completed."
    )


class CodeDeployEcsEngine(seam.DeploymentEngine):
    """Drives ECS deployments of one CodeDeploy backend (other compute platforms stay Created)."""

    def __init__(self, backend):
        super().__init__(backend)
        self.world = World(backend.account_id, backend.region_name)
        self.runs: dict[str, Run] = {}
        self.closed = False

    # -- hooks ------------------------------------------------------------------------------------

    def on_create_deployment(self, deployment) -> None:
        if (deployment.application.compute_platform or "Server") != "ECS":
            return
        with LOCK:
            self._previous_revision(deployment)
            trigger_id = (getattr(deployment, "rollback_info", None) or {}).get("rollbackTriggeringDeploymentId")
            trigger = self.runs.get(trigger_id) if trigger_id else None
            if trigger is not None:
                _install_original(deployment, trigger)
            plan = build_plan(self.backend, deployment)
            self.runs[deployment.deployment_id] = Run(
                deployment, plan, self.world, time.monotonic(), trigger=trigger, rollback=bool(trigger_id)
            )
        TICKER.wake()

    def stop_deployment(self, deployment, auto_rollback: bool) -> tuple[str, str]:
        with LOCK:
            self.advance()
            run = self.runs.get(deployment.deployment_id)
            if run is None:
                return super().stop_deployment(deployment, auto_rollback)
            if run.done:
                raise _already_completed(deployment)
            run.stop("MANUAL_STOP", "The deployment was stopped by the user.", time.monotonic())
            if auto_rollback:
                return "Pending", "Stopped the deployment; a rollback deployment moves the traffic back."
            return "Succeeded", "Stopped the deployment; traffic stays where it is."

    def continue_deployment(self, deployment, wait_type: str) -> None:
        with LOCK:
            self.advance()
            run = self.runs.get(deployment.deployment_id)
            if run is None:
                super().continue_deployment(deployment, wait_type)
                return
            if run.done:
                raise _already_completed(deployment)
            if not run.waiting_for(wait_type):
                expected = {"READY_WAIT": "Ready", "TERMINATION_WAIT": "Baking"}[wait_type]
                raise AwsError(
                    "DeploymentIsNotInReadyStateException",
                    f"Deployment {deployment.deployment_id} is in {deployment.status}, not {expected}; "
                    f"{wait_type} cannot be continued.",
                )
            run.continue_(wait_type, time.monotonic())

    def put_hook_status(self, deployment, execution_id: str, status: str) -> None:
        with LOCK:
            self.advance()
            run = self.runs.get(deployment.deployment_id)
            if run is None:
                super().put_hook_status(deployment, execution_id, status)
                return
            run.report(execution_id, status, time.monotonic())
            if run.rollback_reason:
                run.rollback_reason = None
                self._start_rollback(run.deployment)
        TICKER.wake()

    def ecs_target(self, deployment, target_id: str) -> dict:
        with LOCK:
            self.advance()
            base = super().ecs_target(deployment, target_id)
            run = self.runs.get(deployment.deployment_id)
            return run.target(target_id, base["targetArn"]) if run is not None else base

    def reset(self) -> None:
        # Called with emulator.codedeploy_seam's registry lock held: taking LOCK here could deadlock with a tick.
        self.closed = True
        self.runs = {}

    # -- time -------------------------------------------------------------------------------------

    def advance(self, now: float | None = None) -> bool:
        """Move every deployment to ``now``; start the rollbacks they ask for. True while any is in flight."""
        now = time.monotonic() if now is None else now
        busy = False
        with LOCK:
            if self.closed or not seam.is_current(self):
                self.closed = True  # moto reset the backend; reset() follows
                return False
            for run in list(self.runs.values()):
                if run.done:
                    continue
                try:
                    run.advance(now)
                except Exception as err:  # noqa: BLE001 - a bug must fail one deployment, not the emulator
                    _LOG.exception("deployment %s failed in the engine", run.deployment.deployment_id)
                    run.fail("INTERNAL_ERROR", f"The emulator's deployment engine failed: {err}", now)
                if run.rollback_reason:
                    run.rollback_reason = None
                    self._start_rollback(run.deployment)
                busy = busy or not run.done
        return busy

    def _start_rollback(self, deployment) -> None:
        from emulator.patches.codedeploy.deployments import start_rollback  # noqa: PLC0415 - the patch imports us

        start_rollback(self.backend, deployment)

    def _previous_revision(self, deployment) -> None:
        """previousRevision: the revision of the group's last successful deployment, if any."""
        done = [
            d
            for d in self.backend.deployments.values()
            if d.deployment_group is deployment.deployment_group and d.status == "Succeeded"
        ]
        if done:
            deployment.previous_revision = max(done, key=lambda d: d.complete_time or d.create_time).revision


def _install_original(rollback, trigger: Run) -> None:
    """A rollback deployment's revision is the one the stopped deployment replaced: the original task set's."""
    world = trigger.world
    service = world.find_service(trigger.plan.cluster, trigger.plan.service)
    if service is None:
        return
    task_set = world.task_set(service, trigger.blue.arn if trigger.blue else None) or world.primary(service)
    if task_set is None or not task_set.load_balancers:
        return
    balancer = task_set.load_balancers[0]
    properties = {
        "TaskDefinition": task_set.task_definition,
        "LoadBalancerInfo": {
            "ContainerName": balancer.get("containerName"),
            "ContainerPort": balancer.get("containerPort"),
        },
    }
    if task_set.platform_version:
        properties["PlatformVersion"] = task_set.platform_version
    awsvpc = (task_set.network_configuration or {}).get("awsvpcConfiguration")
    if awsvpc:
        network = {"Subnets": awsvpc.get("subnets") or [], "SecurityGroups": awsvpc.get("securityGroups") or []}
        if awsvpc.get("assignPublicIp"):
            network["AssignPublicIp"] = awsvpc["assignPublicIp"]
        properties["NetworkConfiguration"] = {"AwsvpcConfiguration": network}
    document = {
        "version": 0.0,
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": properties}}],
    }
    content = json.dumps(document, sort_keys=True)
    rollback.revision = {
        "revisionType": "AppSpecContent",
        "appSpecContent": {"content": content, "sha256": hashlib.sha256(content.encode()).hexdigest()},
    }


def advance_all() -> bool:
    """Advance every blue/green engine; True while a deployment is in flight somewhere."""
    busy = False
    with LOCK:
        for engine in seam.live_engines():
            if isinstance(engine, CodeDeployEcsEngine) and not engine.closed:
                busy = engine.advance() or busy
        for advance in _ADVANCERS:
            busy = advance() or busy
    return busy


class Ticker:
    """One daemon thread that advances the engines while deployments are in flight, then exits."""

    def __init__(self):
        self.thread: threading.Thread | None = None

    def wake(self) -> None:
        with LOCK:
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="emulator-deployments", daemon=True)
                self.thread.start()

    def _loop(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            with LOCK:
                try:
                    busy = advance_all()
                except Exception:  # noqa: BLE001 - keep ticking; the next request retries the same step
                    _LOG.exception("deployment engine tick failed")
                    busy = True
                if not busy:
                    self.thread = None
                    return


TICKER = Ticker()


def serialize_requests() -> None:
    """Run every moto request under LOCK, after advancing the engines, and moto's reset under LOCK (idempotent)."""
    original = BaseResponse.call_action
    if getattr(original, "emulator_serialized", False):
        return
    original_reset = MotoAPIBackend.reset

    @functools.wraps(original)
    def call_action(self):
        functions.note_request_host((self.headers or {}).get("Host"))
        with LOCK:
            advance_all()
            return original(self)

    @functools.wraps(original_reset)
    def reset(self):
        with LOCK:
            original_reset(self)

    call_action.emulator_serialized = True
    BaseResponse.call_action = call_action
    MotoAPIBackend.reset = reset
