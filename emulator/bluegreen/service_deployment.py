"""One ECS-native blue/green service deployment (deployment controller ECS, strategy BLUE_GREEN, LINEAR or CANARY),
as a script of AWS's lifecycle stages on the emulator's clock.

Follows https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html, the
stage list of API_ServiceDeployment.html (``lifecycleStage``) and API_DeploymentLifecycleHook.html, the states of
developerguide/service-deployment.html, developerguide/deployment-lifecycle-hooks.html (Lambda hooks:
``hookStatus`` SUCCEEDED / FAILED / IN_PROGRESS, retried after ``callBackDelay`` seconds, default 30; a missing
status or a failed invocation rolls back), developerguide/pause-lifecycle-hooks.html (PAUSE: AWAITING_ACTION until
ContinueServiceDeployment, or the timeout action) and developerguide/stop-service-deployment.html.

The stages, in emulated minutes (STEP = 0.05; every stage also waits for its hooks)::

    status       lifecycleStage                 what happens                                        lasts
    PENDING      -                              -                                                   STEP
    IN_PROGRESS  RECONCILE_SERVICE (only when   rules back on the production revision, other         STEP
                 another revision is active)    active revisions scaled in
                 PRE_SCALE_UP                   -                                                   STEP
                 SCALE_UP                       green revision at 100 % in the target group          until its targets
                                                production does not use (tasks run for real)       are healthy (*)
                 POST_SCALE_UP                  -                                                   STEP
                 TEST_TRAFFIC_SHIFT             test listener rule: green 100                       STEP
                 POST_TEST_TRAFFIC_SHIFT        -                                                   STEP
                 PRODUCTION_TRAFFIC_SHIFT       per step: PRE_PRODUCTION_TRAFFIC_SHIFT hooks, the    the step's bake
                                                production rule's weights, the step's hooks         (not after 100 %)
                 POST_PRODUCTION_TRAFFIC_SHIFT  -                                                   STEP
                 BAKE_TIME                      blue and green both run                             bakeTimeInMinutes
                 CLEAN_UP                       blue revision scaled in                             STEP
    SUCCESSFUL

(*) as the CodeDeploy engine's Install: healthy (or unused) targets per desired task, SCALE_UP minutes without the
data plane's health checks, at most 60 minutes (and MIN_INSTALL_TIMEOUT_SECONDS real seconds), then a rollback.
PRE_PRODUCTION_TRAFFIC_SHIFT is a hook stage but not a ``lifecycleStage`` value (API_ServiceDeployment.html lists
none), so its hooks run while the deployment reports PRODUCTION_TRAFFIC_SHIFT.

Rollback (StopServiceDeployment ROLLBACK, ContinueServiceDeployment ROLLBACK, a Lambda hook's FAILED or failed
invocation, a hook timeout with action ROLLBACK, an alarm of ``deploymentConfiguration.alarms`` in ALARM from the
production shift through the bake with rollback true, the circuit breaker with rollback true):
ROLLBACK_REQUESTED (STEP) -> ROLLBACK_IN_PROGRESS (both rules back on blue, green scaled in; STEP) ->
ROLLBACK_SUCCESSFUL, with ``rollback{reason, startedAt, serviceRevisionArn}`` naming blue's revision. The same
failures without rollback (alarms or circuit breaker with rollback false) stop it: STOPPED, traffic where it is.
Not emulated: the Lambda hooks ECS runs again at TEST_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT during a rollback.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import time
from datetime import timedelta

from moto.core.utils import utcnow

from emulator.bluegreen import ecs_config
from emulator.bluegreen.deployment import (
    INSTALL,
    INSTALL_TIMEOUT,
    MIN_INSTALL_TIMEOUT_SECONDS,
    MIN_POLL_SECONDS,
    STEP,
    seconds,
)

POLL = None  # what the script yields to be resumed after one poll interval
CALLBACK_DELAY_SECONDS = 30  # default wait before invoking an IN_PROGRESS Lambda hook again
TERMINAL = ("SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")
ALARM_STAGES = ("PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME")
BREAKER_STAGES = ("SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT") + ALARM_STAGES


def wall(at: float):
    """The timestamp of the monotonic instant ``at``."""
    return utcnow() - timedelta(seconds=max(time.monotonic() - at, 0.0))


def hook_id(prefix: str) -> str:
    """A hook execution id like AWS's (pause-lifecycle-hooks.html shows ``ecs-pause-<43 base64url characters>``)."""
    return f"ecs-{prefix}-" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@dataclasses.dataclass
class Revision:  # pylint: disable=too-many-instance-attributes
    """A service revision (API_ServiceRevision.html). While it has tasks it also looks like a task set to the data
    plane (emulator/dataplane/tasks.py): ``task_set_arn``, ``id`` (the tasks' startedBy, ``ecs-svc/<digits>`` as
    ECS deployments start them), ``scale``, ``load_balancers`` (the one target group its tasks register in)."""

    arn: str
    id: str
    service_arn: str
    cluster_arn: str
    task_definition: str
    configured_load_balancers: list
    network_configuration: dict
    platform_version: str | None
    launch_type: str | None
    created_at: object
    target_group_arn: str | None = None
    container: tuple[str | None, int | None] = (None, None)
    scale: dict = dataclasses.field(default_factory=lambda: {"value": 0.0, "unit": "PERCENT"})
    # The revision's own serviceRegistries: its tasks register there (emulator/dataplane/discovery.py), whatever the
    # service says later (service-revision-property.html lists "Service registries" among a revision's properties).
    service_registries: list = dataclasses.field(default_factory=list)

    @property
    def task_set_arn(self) -> str:
        return self.arn

    @property
    def load_balancers(self) -> list[dict]:
        if not self.target_group_arn:
            return []
        name, port = self.container
        return [{"targetGroupArn": self.target_group_arn, "containerName": name, "containerPort": port}]


@dataclasses.dataclass
class HookRun:  # pylint: disable=too-many-instance-attributes
    """One hook at one stage (DeploymentLifecycleHookDetail)."""

    hook_id: str
    target_type: str
    target_arn: str | None
    role_arn: str | None
    stage: str
    details: object
    expires_mono: float
    expires_at: object
    timeout_action: str
    status: str = "IN_PROGRESS"
    next_call: float = 0.0  # monotonic time of the next Lambda invocation
    calling: bool = False  # an invocation is running
    answer: dict | None = None  # the last invocation's outcome: {"status", "delay", "details", "error"}

    def detail(self) -> dict:
        shown = {
            "hookId": self.hook_id,
            "targetType": self.target_type,
            "status": self.status,
            "expiresAt": self.expires_at,
            "timeoutAction": self.timeout_action,
        }
        if self.target_arn:
            shown["targetArn"] = self.target_arn
        return shown


class Rollback(Exception):  # noqa: N818 - a control-flow signal inside the script, not an error
    """Raised inside the script: roll back (or stop, ``rollback=False``) for ``reason``."""

    def __init__(self, reason: str, rollback: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.rollback = rollback


class ServiceDeployment:  # pylint: disable=too-many-instance-attributes
    """The state of one service deployment and its script. ``ops`` is the engine (emulator/bluegreen/ecs_engine.py):
    the moves on ELBv2, the data plane and CloudWatch. ``now`` values are time.monotonic()."""

    def __init__(self, ops, arn: str, service, target: Revision, blue: Revision | None, others, now: float):
        self.ops = ops
        self.arn = arn
        self.service_key = f"{service.cluster_name}:{service.name}"
        self.service_arn, self.cluster_arn = service.arn, service.cluster_arn
        self.config = dict(getattr(service, "deployment_configuration", None) or {})
        self.balancer = dict((service.load_balancers or [{}])[0])
        self.target, self.blue, self.others = target, blue, list(others)
        self.status, self.stage, self.status_reason = "PENDING", None, None
        self.created = self.updated = utcnow()
        self.started = self.finished = self.stopped = None
        self.rollback: dict | None = None
        self.hooks: list[HookRun] = []
        self.triggered_alarms: list[str] = []
        self.failures = 0
        self.breaker_status = "MONITORING"
        self.scale_up_mono: float | None = None
        self.now = now
        self.script = self._deploy()
        self.due: float | None = now + seconds(STEP)

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    # -- driving ---------------------------------------------------------------------------------------------------

    def advance(self, now: float) -> None:
        """Run the script up to ``now``, each step at its scheduled time; then watch alarms and the circuit breaker."""
        while not self.done and self.due is not None and now >= self.due:
            self._resume(self.due)
        if not self.done and self.status == "IN_PROGRESS":
            try:
                self._watch()
            except Rollback as signal:
                self._interrupt(signal, now)

    def _resume(self, at: float) -> None:
        self.now = at
        try:
            wait = next(self.script)
        except StopIteration:
            self.due = None
            return
        except Rollback as signal:
            self._interrupt(signal, at)
            return
        if wait is POLL:
            self.due = max(at + max(seconds(STEP), MIN_POLL_SECONDS), at)
        else:
            self.due = at + seconds(wait)

    def _interrupt(self, signal: Rollback, at: float) -> None:
        self.script.close()
        if signal.rollback:
            self.request_rollback(signal.reason, at)
        else:
            self._end("STOPPED", signal.reason, at)

    def request_rollback(self, reason: str, now: float) -> None:
        """StopServiceDeployment(ROLLBACK) and every rollback trigger: ROLLBACK_REQUESTED, then the rollback."""
        if self.done or self.status in ("ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"):
            return
        self.script.close()
        self.status, self.status_reason, self.updated = "ROLLBACK_REQUESTED", reason, wall(now)
        self.rollback = {"reason": reason, "startedAt": self.updated}
        if self.blue is not None:
            self.rollback["serviceRevisionArn"] = self.blue.arn
        for run in self.hooks:
            if run.status in ("IN_PROGRESS", "AWAITING_ACTION"):
                run.status = "FAILED"
        self.script = self._roll_back()
        self.due = now + seconds(STEP)

    def stop_superseded(self, now: float) -> None:
        """A newer service deployment of the service takes over: this one stops where it is."""
        if not self.done:
            self.script.close()
            self._end("STOPPED", "Stopped by a newer service deployment of the service.", now)

    def continue_hook(self, run: HookRun, action: str, now: float) -> None:
        """ContinueServiceDeployment on an AWAITING_ACTION pause hook."""
        if action == "ROLLBACK":
            run.status = "FAILED"
            self.request_rollback(f"ContinueServiceDeployment rolled back the deployment (hook {run.hook_id}).", now)
            return
        run.status = "SUCCEEDED"
        self.due = now  # the script moves on at once

    def _end(self, status: str, reason: str | None, at: float) -> None:
        self.status, self.updated = status, wall(at)
        if reason:
            self.status_reason = reason
        if status == "STOPPED":
            self.stopped = self.updated
        self.finished = self.updated
        self.due = None
        self.ops.settled(self)

    def _enter(self, stage: str) -> None:
        self.stage, self.updated = stage, wall(self.now)
        self.hooks = [run for run in self.hooks if run.status in ("IN_PROGRESS", "AWAITING_ACTION")]

    # -- the scripts -----------------------------------------------------------------------------------------------

    def _deploy(self):
        self.status, self.started = "IN_PROGRESS", wall(self.now)
        self.updated = self.started
        if self.others:
            self._enter("RECONCILE_SERVICE")
            self._route(test=0, production=0)
            for revision in self.others:
                self.ops.scale(revision, 0.0)
            yield from self._hooks("RECONCILE_SERVICE")
            yield STEP
        self._enter("PRE_SCALE_UP")
        yield from self._hooks("PRE_SCALE_UP")
        yield STEP
        self._enter("SCALE_UP")
        yield from self._scale_up()
        self._enter("POST_SCALE_UP")
        yield from self._hooks("POST_SCALE_UP")
        yield STEP
        self._enter("TEST_TRAFFIC_SHIFT")
        self._route(test=100)
        yield from self._hooks("TEST_TRAFFIC_SHIFT")
        yield STEP
        self._enter("POST_TEST_TRAFFIC_SHIFT")
        yield from self._hooks("POST_TEST_TRAFFIC_SHIFT")
        yield STEP
        yield from self._production_shift()
        self._enter("POST_PRODUCTION_TRAFFIC_SHIFT")
        yield from self._hooks("POST_PRODUCTION_TRAFFIC_SHIFT")
        yield STEP
        self._enter("BAKE_TIME")
        yield float(self.config.get("bakeTimeInMinutes") or 0)
        self._enter("CLEAN_UP")
        if self.blue is not None:
            self.ops.scale(self.blue, 0.0)
        yield STEP
        self._end("SUCCESSFUL", None, self.now)

    def _scale_up(self):
        self.scale_up_mono = self.now
        self.ops.scale(self.target, 100.0)
        wanted = self.ops.desired_count(self)
        if self.ops.healthy_targets(self.target) is None:
            yield INSTALL
            return
        deadline = self.now + max(seconds(INSTALL_TIMEOUT), MIN_INSTALL_TIMEOUT_SECONDS)
        while (self.ops.healthy_targets(self.target) or 0) < wanted:
            if max(self.now, time.monotonic()) >= deadline:
                raise Rollback(
                    "The deployment timed out after 60 minutes waiting for the tasks of the target service revision "
                    "to become healthy."
                )
            yield POLL

    def _production_shift(self):
        steps = ecs_config.traffic_steps(self.config)
        self._enter("PRODUCTION_TRAFFIC_SHIFT")
        for percent, hold in steps:
            yield from self._hooks("PRE_PRODUCTION_TRAFFIC_SHIFT")
            self._route(production=percent)
            yield from self._hooks("PRODUCTION_TRAFFIC_SHIFT")
            yield hold if percent < 100.0 else STEP
        self.ops.make_primary(self)

    def _roll_back(self):
        self.status = "ROLLBACK_IN_PROGRESS"
        self.updated = wall(self.now)
        if self.blue is None:
            self._end("ROLLBACK_FAILED", "There is no previous service revision to roll back to.", self.now)
            return
        self._route(test=0, production=0)
        self.ops.scale(self.blue, 100.0)
        self.ops.scale(self.target, 0.0)
        self.ops.restore(self)
        yield STEP
        self._end("ROLLBACK_SUCCESSFUL", None, self.now)

    # -- traffic ---------------------------------------------------------------------------------------------------

    def _route(self, test: float | None = None, production: float | None = None) -> None:
        """Weights on the listener rules: ``test`` / ``production`` percent to green, the rest to blue."""
        advanced = self.balancer.get("advancedConfiguration") or {}
        blue_tg = self.blue.target_group_arn if self.blue else self.balancer.get("targetGroupArn")
        green_tg = self.target.target_group_arn
        for rule, green in (
            (advanced.get("testListenerRule"), test),
            (advanced.get("productionListenerRule"), production),
        ):
            if rule and green is not None and green_tg and blue_tg:
                self.ops.route(rule, {blue_tg: 100.0 - green, green_tg: green})

    def weights(self, which: str) -> dict[str, float]:
        """{revision ARN: percent} of the test or production rule, as the hooks' payload and the summaries show."""
        advanced = self.balancer.get("advancedConfiguration") or {}
        rule = advanced.get("testListenerRule" if which == "test" else "productionListenerRule")
        by_group = self.ops.rule_weights(rule) if rule else {}
        shown = {}
        for revision in (self.blue, self.target):
            if revision is not None and revision.target_group_arn:
                shown[revision.arn] = float(by_group.get(revision.target_group_arn, 0.0))
        return shown

    # -- hooks -----------------------------------------------------------------------------------------------------

    def _hooks(self, stage: str):
        """Start the stage's hooks, then wait until each has SUCCEEDED (or timed out with CONTINUE)."""
        runs = [self._start_hook(hook, stage) for hook in ecs_config.hooks_at(self.config, stage)]
        self.hooks += runs
        while True:
            now = max(self.now, time.monotonic())
            pending = [run for run in runs if run.status in ("IN_PROGRESS", "AWAITING_ACTION")]
            for run in pending:
                self._check_hook(run, now)
            if all(run.status in ("SUCCEEDED", "TIMED_OUT") for run in runs):
                return
            yield POLL

    def _start_hook(self, hook: dict, stage: str) -> HookRun:
        minutes, action = ecs_config.hook_timeout(hook)
        pause = (hook.get("targetType") or "AWS_LAMBDA") == "PAUSE"
        run = HookRun(
            hook_id=hook_id("pause" if pause else "lambda"),
            target_type="PAUSE" if pause else "AWS_LAMBDA",
            target_arn=None if pause else hook.get("hookTargetArn"),
            role_arn=hook.get("roleArn"),
            stage=stage,
            details=hook.get("hookDetails"),
            expires_mono=self.now + seconds(minutes),
            expires_at=wall(self.now) + timedelta(minutes=minutes),
            timeout_action=action,
            status="AWAITING_ACTION" if pause else "IN_PROGRESS",
            next_call=self.now,
        )
        return run

    def _check_hook(self, run: HookRun, now: float) -> None:
        if now >= run.expires_mono:
            run.status = "TIMED_OUT"
            if run.timeout_action == "ROLLBACK":
                raise Rollback(f"The lifecycle hook {run.hook_id} at {run.stage} timed out.")
            return
        if run.target_type == "PAUSE" or run.calling:
            return
        if run.answer is not None:
            self._lambda_answer(run, now)
        if run.status == "IN_PROGRESS" and not run.calling and now >= run.next_call:
            run.calling = True
            self.ops.invoke_hook(run, self.payload(run))

    def _lambda_answer(self, run: HookRun, now: float) -> None:
        answer, run.answer = run.answer, None
        if answer.get("error"):
            run.status = "FAILED"
            raise Rollback(f"The lifecycle hook {run.target_arn} at {run.stage} failed: {answer['error']}")
        status = answer.get("status")
        if status == "SUCCEEDED":
            run.status = "SUCCEEDED"
        elif status == "IN_PROGRESS":
            run.details = answer.get("details", run.details)
            delay = answer.get("delay")
            run.next_call = now + seconds(float(CALLBACK_DELAY_SECONDS if delay is None else delay) / 60.0)
        else:
            run.status = "FAILED"
            reason = "returned FAILED" if status == "FAILED" else f"returned no valid hookStatus ({status!r})"
            raise Rollback(f"The lifecycle hook {run.target_arn} at {run.stage} {reason}.")

    def payload(self, run: HookRun) -> dict:
        """What a Lambda hook receives (deployment-lifecycle-hooks.html, "Lifecycle payloads": the common fields)."""
        body = {
            "serviceArn": self.service_arn,
            "targetServiceRevisionArn": self.target.arn,
            "testTrafficWeights": self.weights("test"),
            "productionTrafficWeights": self.weights("production"),
            "lifecycleStage": run.stage,
            "resourceArn": self.arn,
        }
        if run.details is not None:
            body["hookDetails"] = run.details
        return body

    # -- alarms and circuit breaker ------------------------------------------------------------------------------

    def _watch(self) -> None:
        alarms = self.config.get("alarms") or {}
        if alarms.get("enable") and alarms.get("alarmNames") and self.stage in ALARM_STAGES:
            states = self.ops.alarm_states(alarms["alarmNames"])
            firing = [name for name in alarms["alarmNames"] if states.get(name) == "ALARM"]
            if firing:
                self.triggered_alarms = firing
                raise Rollback(f"CloudWatch alarm(s) {', '.join(firing)} in ALARM.", bool(alarms.get("rollback")))
        breaker = self.config.get("deploymentCircuitBreaker") or {}
        if breaker.get("enable") and self.stage in BREAKER_STAGES and self.scale_up_mono is not None:
            self.failures = self.ops.failed_tasks(self.target)
            if self.failures >= ecs_config.circuit_breaker_threshold(self.ops.desired_count(self)):
                self.breaker_status = "TRIGGERED"
                raise Rollback(
                    f"The deployment circuit breaker detected {self.failures} failed tasks of the target service "
                    "revision.",
                    bool(breaker.get("rollback")),
                )

    # -- the API's shapes ------------------------------------------------------------------------------------------

    def summary(self, revision: Revision) -> dict:
        """ServiceRevisionSummary."""
        running, pending = self.ops.task_counts(revision)
        requested = self.ops.desired_count(self) if revision.scale.get("value") else 0
        test, production = self.weights("test"), self.weights("production")
        shown = {
            "arn": revision.arn,
            "requestedTaskCount": requested,
            "runningTaskCount": running,
            "pendingTaskCount": pending,
        }
        if revision.arn in production:
            shown["requestedProductionTrafficWeight"] = production[revision.arn]
            shown["requestedTestTrafficWeight"] = test.get(revision.arn, 0.0)
        return shown

    def brief(self) -> dict:
        """ServiceDeploymentBrief (ListServiceDeployments)."""
        shown = {
            "serviceDeploymentArn": self.arn,
            "serviceArn": self.service_arn,
            "clusterArn": self.cluster_arn,
            "createdAt": self.created,
            "targetServiceRevisionArn": self.target.arn,
            "status": self.status,
        }
        for key, value in (("startedAt", self.started), ("finishedAt", self.finished)):
            if value is not None:
                shown[key] = value
        if self.status_reason:
            shown["statusReason"] = self.status_reason
        return shown

    def describe(self) -> dict:
        """ServiceDeployment (DescribeServiceDeployments)."""
        shown = {**self.brief(), "updatedAt": self.updated, "deploymentConfiguration": self.config}
        shown.pop("targetServiceRevisionArn")
        shown["targetServiceRevision"] = self.summary(self.target)
        shown["sourceServiceRevisions"] = [self.summary(self.blue)] if self.blue is not None else []
        if self.stage:
            shown["lifecycleStage"] = self.stage
        shown["lifecycleHookDetails"] = [run.detail() for run in self.hooks]
        if self.stopped is not None:
            shown["stoppedAt"] = self.stopped
        if self.rollback:
            shown["rollback"] = dict(self.rollback)
        shown["deploymentCircuitBreaker"] = self._breaker_shape()
        shown["alarms"] = self._alarms_shape()
        return shown

    def _breaker_shape(self) -> dict:
        breaker = self.config.get("deploymentCircuitBreaker") or {}
        if not breaker.get("enable"):
            return {"status": "DISABLED", "failureCount": 0, "threshold": 0}
        status = self.breaker_status
        if status == "MONITORING" and self.done:
            status = "MONITORING_COMPLETE"
        threshold = ecs_config.circuit_breaker_threshold(self.ops.desired_count(self))
        return {"status": status, "failureCount": self.failures, "threshold": threshold}

    def _alarms_shape(self) -> dict:
        alarms = self.config.get("alarms") or {}
        if not alarms.get("enable"):
            return {"status": "DISABLED", "alarmNames": [], "triggeredAlarmNames": []}
        status = "TRIGGERED" if self.triggered_alarms else ("MONITORING_COMPLETE" if self.done else "MONITORING")
        return {
            "status": status,
            "alarmNames": list(alarms.get("alarmNames") or []),
            "triggeredAlarmNames": list(self.triggered_alarms),
        }
