"""One ECS blue/green deployment, or the rollback of one, as a state machine with named states.

Each state lasts some emulated minutes (``minute_seconds()`` real seconds each); ``advance(now)`` takes every
transition that is due, each at its scheduled time, so a late ticker changes neither the outcome nor the lifecycle
event times. Follows https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-steps-ecs.html and the ECS
hooks list of reference-appspec-file-structure-hooks.html.

A deployment (STEP and INSTALL below; the others come from the group and deployment configuration)::

    state                      status      lifecycle event        on entry                               lasts
    QUEUED                     Created     -                      -                                      STEP
    BEFORE_INSTALL             InProgress  BeforeInstall          startTime                              STEP
    INSTALL                    InProgress  Install                check service, target groups and       INSTALL
                                                                  listeners; green task set (ACTIVE,
                                                                  100 %) on the target group production
                                                                  does not use
    AFTER_INSTALL              InProgress  AfterInstall           green STEADY_STATE                     STEP
    ALLOW_TEST_TRAFFIC         InProgress  AllowTestTraffic       test listener -> green                 STEP
    AFTER_ALLOW_TEST_TRAFFIC   InProgress  AfterAllowTestTraffic  -                                      STEP
    READY (STOP_DEPLOYMENT)    Ready       -                      wait for ContinueDeployment            waitTimeInMinutes,
                                                                  (READY_WAIT)                           then Stopped
                                                                                                         (TIMEOUT) + rollback
    BEFORE_ALLOW_TRAFFIC       InProgress  BeforeAllowTraffic     -                                      STEP
    ALLOW_TRAFFIC              InProgress  AllowTraffic           production weights: one increment      the intervals
                                                                  per interval (canary, linear, all)
    AFTER_ALLOW_TRAFFIC        InProgress  AfterAllowTraffic      green PRIMARY (the service's           STEP
                                                                  taskDefinition follows)
    BAKING                     Baking      -                      instanceTerminationWaitTimeStarted     terminationWait-
                                                                                                         TimeInMinutes, or
                                                                  ContinueDeployment(TERMINATION_WAIT)
    TERMINATING                Baking      -                      delete blue                            STEP
    SUCCEEDED                  Succeeded   -                      completeTime

Alarms are read in ALLOW_TRAFFIC, AFTER_ALLOW_TRAFFIC and BAKING; one in ALARM stops the deployment (ALARM_ACTIVE).
A failure (Install checks) ends in FAILED; StopDeployment, an alarm or the ready timeout end in STOPPED. Either way
the running lifecycle event is Failed, the pending ones Skipped, and traffic stays where it is: moving it back is
the rollback deployment's work (``rollback_reason`` asks the engine to start one).

Lifecycle hooks (the AppSpec's ``Hooks``, emulator/bluegreen/hooks.py): entering a hooked event (BeforeInstall,
AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic) does what the table says, then invokes
the hook's function (Event invocation, payload {"DeploymentId", "LifecycleEventHookExecutionId"}) if the group's
service role may invoke it (else IAM_ROLE_PERMISSIONS), and the event lasts until the function reports with
PutLifecycleEventHookExecutionStatus: Succeeded moves on at once, Failed fails the deployment
(HOOK_EXECUTION_FAILURE, diagnostics ScriptFailed), no report within 60 minutes fails it too (ScriptTimedOut).
A rollback deployment runs no hooks (its events other than AllowTraffic are Skipped).

Install readiness: when the data plane's load balancers run health checks (emulator/dataplane/balancers.py
``target_states``), Install lasts until the green target group has as many healthy (or unused: no listener routes to
it yet, so nothing is checked) targets as the green task set's computed desired count, polled every STEP; after 60
minutes (at least MIN_INSTALL_TIMEOUT_SECONDS real seconds: local processes start in real time) the deployment fails
(ECS_UPDATE_ERROR, "The deployment timed out while waiting for the replacement task set to become healthy. This time
out period is 60 minutes.", as CodeDeploy reports it).
Without them, Install lasts INSTALL minutes.

A rollback deployment: QUEUED -> REROUTE (AllowTraffic: production and test listeners back on blue, blue PRIMARY;
the other events Skipped) -> CLEANUP (delete green) -> SUCCEEDED.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from moto.core.utils import utcnow

from emulator.bluegreen import hooks
from emulator.bluegreen.plan import Plan, PlanError
from emulator.clock import minute_seconds
from emulator.codedeploy_seam import ECS_LIFECYCLE_EVENTS
from emulator.errors import AwsError
from emulator.patches.ecs import settle_task_sets

STEP = 0.05  # emulated minutes of a step that is (nearly) instant in AWS
INSTALL = 0.5  # emulated minutes for the replacement tasks to start and pass health checks (no target health)
INSTALL_TIMEOUT = 60.0  # emulated minutes CodeDeploy waits for the replacement task set to become healthy
MIN_POLL_SECONDS = 0.02  # real seconds between readiness checks at least, so a fast clock does not spin
# Local task processes start and pass health checks in real seconds, whatever the emulated clock: the wait for healthy
# targets lasts at least this long, so a sped-up clock (0.05 s a minute: 3 s for the hour) does not fail a good version.
MIN_INSTALL_TIMEOUT_SECONDS = 30.0
HEALTH_TIMEOUT_MESSAGE = (
    "The deployment timed out while waiting for the replacement task set to become healthy. "
    "This time out period is 60 minutes."
)

QUEUED = "QUEUED"
BEFORE_INSTALL = "BEFORE_INSTALL"
INSTALL_STATE = "INSTALL"
AFTER_INSTALL = "AFTER_INSTALL"
ALLOW_TEST_TRAFFIC = "ALLOW_TEST_TRAFFIC"
AFTER_ALLOW_TEST_TRAFFIC = "AFTER_ALLOW_TEST_TRAFFIC"
READY = "READY"
BEFORE_ALLOW_TRAFFIC = "BEFORE_ALLOW_TRAFFIC"
ALLOW_TRAFFIC = "ALLOW_TRAFFIC"
AFTER_ALLOW_TRAFFIC = "AFTER_ALLOW_TRAFFIC"
BAKING = "BAKING"
TERMINATING = "TERMINATING"
REROUTE = "REROUTE"
CLEANUP = "CLEANUP"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
STOPPED = "STOPPED"
TERMINAL = (SUCCEEDED, FAILED, STOPPED)
WATCH_ALARMS = (ALLOW_TRAFFIC, AFTER_ALLOW_TRAFFIC, BAKING)

_EVENT = {
    BEFORE_INSTALL: "BeforeInstall",
    INSTALL_STATE: "Install",
    AFTER_INSTALL: "AfterInstall",
    ALLOW_TEST_TRAFFIC: "AllowTestTraffic",
    AFTER_ALLOW_TEST_TRAFFIC: "AfterAllowTestTraffic",
    BEFORE_ALLOW_TRAFFIC: "BeforeAllowTraffic",
    ALLOW_TRAFFIC: "AllowTraffic",
    AFTER_ALLOW_TRAFFIC: "AfterAllowTraffic",
    REROUTE: "AllowTraffic",
}
_STATUS = {QUEUED: "Created", READY: "Ready", BAKING: "Baking", TERMINATING: "Baking", SUCCEEDED: "Succeeded"}
_TARGET_STATUS = {QUEUED: "Pending", READY: "Ready", SUCCEEDED: "Succeeded", FAILED: "Failed", STOPPED: "Failed"}
_NEXT = {
    QUEUED: BEFORE_INSTALL,
    BEFORE_INSTALL: INSTALL_STATE,
    INSTALL_STATE: AFTER_INSTALL,
    AFTER_INSTALL: ALLOW_TEST_TRAFFIC,
    ALLOW_TEST_TRAFFIC: AFTER_ALLOW_TEST_TRAFFIC,
    AFTER_ALLOW_TEST_TRAFFIC: READY,  # or BEFORE_ALLOW_TRAFFIC without a ready wait, see _next()
    READY: BEFORE_ALLOW_TRAFFIC,
    BEFORE_ALLOW_TRAFFIC: ALLOW_TRAFFIC,
    ALLOW_TRAFFIC: AFTER_ALLOW_TRAFFIC,
    AFTER_ALLOW_TRAFFIC: BAKING,
    BAKING: TERMINATING,
    TERMINATING: SUCCEEDED,
}
_ROLLBACK_NEXT = {QUEUED: REROUTE, REROUTE: CLEANUP, CLEANUP: SUCCEEDED}
ALARM_MESSAGE = (
    "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, "
    "and the affected deployments have been stopped. Activated alarms: "
)


def seconds(minutes: float) -> float:
    return minutes * minute_seconds()


@dataclass
class TaskSetRef:
    """A task set a deployment works with; ``last`` keeps its taskSetsInfo entry once it is deleted."""

    arn: str
    identifier: str
    target_group_arn: str
    target_group_name: str
    last: dict | None = None


class Run:
    """The state of one deployment (moto DeploymentInfo) and its moves. ``now`` values are time.monotonic()."""

    def __init__(self, deployment, plan: Plan, world, now: float, trigger: "Run | None" = None, rollback=False):
        self.deployment = deployment
        self.plan = plan
        self.world = world
        self.rollback = rollback
        self.blue = trigger.blue if trigger else None
        self.green = trigger.green if trigger else None
        self.events = {name: {"lifecycleEventName": name, "status": "Pending"} for name in ECS_LIFECYCLE_EVENTS}
        self.state = QUEUED
        self.due: float | None = now + seconds(STEP)
        self.shift = 0  # index of the production weight in plan.increments
        self.frozen: list | None = None  # taskSetsInfo as it was when the deployment ended
        self.rollback_reason: str | None = None  # set when the engine must start a rollback deployment
        self.updated = utcnow()
        self.entered = now  # monotonic time the current state was entered
        self.hook: hooks.HookExecution | None = None  # the hook the current event waits for
        self.executions: dict[str, hooks.HookExecution] = {}

    @property
    def done(self) -> bool:
        return self.state in TERMINAL

    # -- driving ----------------------------------------------------------------------------------

    def advance(self, now: float) -> None:
        """Take every transition due by ``now``, then watch the alarms where they matter."""
        while not self.done and self.due is not None and now >= self.due:
            try:
                self._expire(self.due)
            except PlanError as err:
                self.fail(err.code, err.message, self.due)
        if self.state in WATCH_ALARMS:
            self._check_alarms(now)

    def waiting_for(self, wait_type: str) -> bool:
        return self.state == {"READY_WAIT": READY, "TERMINATION_WAIT": BAKING}[wait_type]

    def continue_(self, wait_type: str, now: float) -> None:
        """ContinueDeployment: READY_WAIT starts shifting production traffic, TERMINATION_WAIT ends the bake."""
        try:
            self._enter(BEFORE_ALLOW_TRAFFIC if wait_type == "READY_WAIT" else TERMINATING, now)
        except PlanError as err:
            self.fail(err.code, err.message, now)

    def report(self, execution_id: str, status: str, now: float) -> None:
        """PutLifecycleEventHookExecutionStatus: Succeeded ends the hooked event, Failed fails the deployment."""
        execution = self.executions.get(execution_id)
        deployment_id = self.deployment.deployment_id
        if execution is None:
            raise AwsError(
                "InvalidLifecycleEventHookExecutionIdException",
                f"The lifecycle event hook execution ID {execution_id} is not valid for deployment {deployment_id}.",
            )
        if execution.status is not None or self.done or self.hook is not execution:
            raise AwsError(
                "LifecycleEventAlreadyCompletedException",
                f"The {execution.event} lifecycle event of deployment {deployment_id} has already completed.",
            )
        execution.status = status
        if status == "Failed":
            message = (
                f"The {execution.event} lifecycle event hook {execution.function} reported Failed "
                f"(lifecycle event hook execution {execution_id})."
            )
            self.fail("HOOK_EXECUTION_FAILURE", message, now, self._diagnostics("ScriptFailed", message))
        else:
            self.due = now

    def stop(self, code: str, message: str, now: float, rollback_event: str | None = None) -> None:
        """Stopped; traffic stays where it is. A rollback follows a ready timeout, or a ``rollback_event``
        (DEPLOYMENT_STOP_ON_ALARM) the auto-rollback configuration lists; StopDeployment's own is the patch's job."""
        self._end(STOPPED, "Stopped", code, message, now)
        if code == "TIMEOUT" or rollback_event in self.plan.rollback_events:
            self.rollback_reason = message

    def fail(self, code: str, message: str, now: float, diagnostics: dict | None = None) -> None:
        self._end(FAILED, "Failed", code, message, now, diagnostics)
        if not self.rollback and "DEPLOYMENT_FAILURE" in self.plan.rollback_events:
            self.rollback_reason = message

    # -- transitions ------------------------------------------------------------------------------

    @staticmethod
    def _wall(at: float):
        """The timestamp of the monotonic instant ``at``."""
        return utcnow() - timedelta(seconds=max(time.monotonic() - at, 0.0))

    def _next(self) -> str:
        if self.rollback:
            return _ROLLBACK_NEXT[self.state]
        if self.state == AFTER_ALLOW_TEST_TRAFFIC and self.plan.ready_wait is None:
            return BEFORE_ALLOW_TRAFFIC
        return _NEXT[self.state]

    def _expire(self, at: float) -> None:
        if self.state == READY:
            minutes = self.plan.ready_wait or 0
            self.stop(
                "TIMEOUT",
                f"The deployment timed out after {minutes:g} minutes waiting in Ready for "
                "ContinueDeployment (READY_WAIT).",
                at,
            )
            return
        if self.hook is not None and self.hook.status is None:
            message = (
                f"The {self.hook.event} lifecycle event hook {self.hook.function} did not report a status with "
                f"PutLifecycleEventHookExecutionStatus within {hooks.TIMEOUT_MINUTES:g} minutes."
            )
            self.fail("HOOK_EXECUTION_FAILURE", message, at, self._diagnostics("ScriptTimedOut", message))
            return
        if self.state == INSTALL_STATE and not self._green_ready(at):
            return
        if self.state == ALLOW_TRAFFIC and self.shift + 1 < len(self.plan.increments):
            self.shift += 1
            self.due = at + seconds(self._shift_production())
            return
        event = _EVENT.get(self.state)
        if event:
            self.events[event].update(status="Succeeded", endTime=self._wall(at))
        self.hook = None
        self._enter(self._next(), at)

    def _enter(self, state: str, at: float) -> None:
        self.state, self.entered = state, at
        self.updated = self._wall(at)
        deployment = self.deployment
        deployment.status = _STATUS.get(state, "InProgress")
        if state == SUCCEEDED:
            deployment.complete_time = self.updated
            self.frozen = self._task_sets()
            self.due = None
            return
        if state != QUEUED and deployment.start_time is None:
            deployment.start_time = self.updated
        event = _EVENT.get(state)
        if event:
            self.events[event].update(status="InProgress", startTime=self.updated)
        minutes = _ENTRY.get(state, Run._nothing)(self)
        if event and self._start_hook(event):
            minutes = hooks.TIMEOUT_MINUTES
        self.due = None if minutes is None else at + seconds(minutes)

    def _end(self, state: str, status: str, code: str, message: str, at: float, diagnostics=None) -> None:
        when = self._wall(at)
        for event in self.events.values():
            if event["status"] == "InProgress":
                event.update(
                    status="Failed",
                    endTime=when,
                    diagnostics=diagnostics or self._diagnostics("UnknownError", message, script=""),
                )
            elif event["status"] == "Pending":
                event["status"] = "Skipped"
        self.state, self.due, self.updated = state, None, when
        deployment = self.deployment
        deployment.status = status
        deployment.complete_time = when
        deployment.error_information = {"code": code, "message": message}
        self.frozen = self._task_sets()

    def _diagnostics(self, code: str, message: str, script: str | None = None) -> dict:
        """Diagnostics of a failed lifecycle event (API_Diagnostics.html); a hook's script is its function."""
        if script is None:
            script = self.hook.function if self.hook else ""
        return {"errorCode": code, "scriptName": script, "message": message, "logTail": ""}

    # -- hooks and readiness ----------------------------------------------------------------------

    def _start_hook(self, event: str) -> bool:
        """Invoke the AppSpec's hook of ``event``, if any (never in a rollback); True when one was started."""
        appspec = self.plan.appspec
        name = dict(appspec.hooks).get(event) if appspec is not None and not self.rollback else None
        if not name:
            return False
        fn = self.world.hook_function(event, name)
        role = self.deployment.deployment_group.service_role_arn
        if not self.world.may_invoke(role, fn.function_arn):
            raise PlanError("IAM_ROLE_PERMISSIONS", hooks.permission_message(role))
        execution = hooks.HookExecution(str(uuid.uuid4()), event, name)
        self.executions[execution.execution_id] = self.hook = execution
        self.world.invoke_hook(fn, self.deployment.deployment_id, execution.execution_id)
        return True

    def _green_ready(self, at: float) -> bool:
        """Install ends when the green target group has a healthy target per desired task (target health from the
        data plane); until then it polls, and fails after INSTALL_TIMEOUT minutes."""
        healthy = self.world.healthy_targets(self.green.target_group_arn) if self.green else None
        if healthy is None:
            return True
        green = self.world.task_set(self.world.find_service(self.plan.cluster, self.plan.service), self.green.arn)
        if healthy >= int(getattr(green, "computed_desired_count", 0) or 0):
            return True
        now = max(at, time.monotonic())
        deadline = self.entered + max(seconds(INSTALL_TIMEOUT), MIN_INSTALL_TIMEOUT_SECONDS)
        if now >= deadline:
            raise PlanError("ECS_UPDATE_ERROR", HEALTH_TIMEOUT_MESSAGE)
        self.due = min(now + max(seconds(STEP), MIN_POLL_SECONDS), deadline)
        return False

    # -- what entering a state does (returns how many minutes it lasts; None: until told) -----------

    def _nothing(self) -> float:
        return STEP

    def _service(self):
        return self.world.service(self.plan.cluster, self.plan.service)

    def _install(self) -> float:
        plan, world = self.plan, self.world
        if plan.problem:
            raise plan.problem
        service = self._service()
        task_definition = world.task_definition(plan.appspec.task_definition)
        containers = {c.get("name"): c for c in task_definition.container_definitions}
        container = containers.get(plan.appspec.container_name)
        ports = [m.get("containerPort") for m in (container or {}).get("portMappings") or []]
        if container is None or (ports and plan.appspec.container_port not in ports):
            raise PlanError(
                "ECS_UPDATE_ERROR",
                f"The container {plan.appspec.container_name} with port {plan.appspec.container_port} is not in "
                f"task definition {task_definition.arn}.",
            )
        arns = world.target_group_arns(plan.target_groups)
        world.require_listeners(plan.prod_listeners + plan.test_listeners)
        primary = world.primary(service)
        production = self._production_target_group(primary, arns)
        stale = [ts for ts in service.task_sets if ts is not primary]
        if stale:
            # Left over by a deployment stopped without rollback: CodeDeploy leaves "components ... in their current
            # state" (userguide/deployment-steps-ecs.html, stopped and failed deployments), production split between
            # the two task sets. The next deployment first puts every listener back on the original task set, as a
            # CodeDeploy rollback reroutes traffic to it (same page, redeployments and rollbacks), then removes the
            # leftover, so the new replacement task set never serves production before AllowTraffic.
            back = {arn: (100 if arn == production else 0) for arn in arns.values()}
            world.route(plan.prod_listeners + plan.test_listeners, back)
            for task_set in stale:
                world.delete_task_set(service, task_set.task_set_arn)
        if primary is not None:
            name = next((n for n, arn in arns.items() if arn == production), "")
            self.blue = TaskSetRef(primary.task_set_arn, primary.id, production, name)
        name, arn = next((n, a) for n, a in arns.items() if a != production)
        green = world.create_task_set(service, task_definition.arn, arn, plan.appspec, self.deployment.deployment_id)
        self.green = TaskSetRef(green.task_set_arn, green.id, arn, name)
        return INSTALL if world.target_health_reader() is None else STEP

    def _production_target_group(self, primary, arns: dict[str, str]) -> str:
        """The pair's target group production uses: the PRIMARY task set's, else the listener's heaviest."""
        pair = list(arns.values())
        for balancer in (primary.load_balancers if primary else None) or []:
            if balancer.get("targetGroupArn") in pair:
                return balancer["targetGroupArn"]
        weights = self.world.weights(self.plan.prod_listeners[0])
        return max(pair, key=lambda arn: (weights.get(arn, 0.0), -pair.index(arn)))

    def _installed(self) -> float:
        service = self._service()
        green = self.world.task_set(service, self.green.arn if self.green else None)
        if green is not None:
            green.stabilityStatus = "STEADY_STATE"
        return STEP

    def _allow_test_traffic(self) -> float:
        self.world.route(self.plan.test_listeners, self._weights(green=100))
        return STEP

    def _ready(self) -> float:
        return self.plan.ready_wait or 0.0

    def _allow_traffic(self) -> float:
        self.shift = 0
        return self._shift_production()

    def _shift_production(self) -> float:
        weight, hold = self.plan.increments[self.shift]
        self.world.route(self.plan.prod_listeners, self._weights(green=weight))
        return hold

    def _weights(self, green: int) -> dict[str, int]:
        """{target group ARN: weight} with ``green`` percent on green and the rest on blue."""
        weights = {}
        if self.blue is not None:
            weights[self.blue.target_group_arn] = 100 - green
        if self.green is not None:
            weights[self.green.target_group_arn] = green
        return weights

    def _after_allow_traffic(self) -> float:
        self.world.make_primary(self._service(), self.green.arn)
        return STEP

    def _bake(self) -> float:
        self.deployment.instance_termination_wait_time_started = True
        return self.plan.termination_wait

    def _terminate(self) -> float:
        self._delete(self.blue)
        return STEP

    def _reroute(self) -> float:
        for name, event in self.events.items():
            if name != "AllowTraffic":
                event["status"] = "Skipped"
        if self.blue is not None:
            self.world.route(self.plan.prod_listeners + self.plan.test_listeners, self._weights(green=0))
            service = self.world.find_service(self.plan.cluster, self.plan.service)
            if service is not None:
                self.world.make_primary(service, self.blue.arn)
        return STEP

    def _cleanup(self) -> float:
        self._delete(self.green)
        return STEP

    def _delete(self, ref: TaskSetRef | None) -> None:
        service = self.world.find_service(self.plan.cluster, self.plan.service)
        if ref is None or service is None:
            return
        ref.last = next((info for info in self._task_sets() if info["identifer"] == ref.identifier), ref.last)
        self.world.delete_task_set(service, ref.arn)

    # -- alarms -----------------------------------------------------------------------------------

    def _check_alarms(self, now: float) -> None:
        names = self.plan.alarms
        if not names:
            return
        states = self.world.alarm_states(names)
        firing = [name for name in names if states.get(name) == "ALARM"]
        missing = [name for name in names if name not in states]
        if firing:
            message = ALARM_MESSAGE + ", ".join(firing)
        elif missing and not self.plan.ignore_alarm_failure:
            message = f"The state of alarm(s) {', '.join(missing)} could not be retrieved from Amazon CloudWatch."
        else:
            return
        self.stop("ALARM_ACTIVE", message, now, "DEPLOYMENT_STOP_ON_ALARM")

    # -- what GetDeploymentTarget shows -----------------------------------------------------------

    def target(self, target_id: str, target_arn: str) -> dict:
        """ECSTarget (API_ECSTarget.html) of this deployment."""
        return {
            "deploymentId": self.deployment.deployment_id,
            "targetId": target_id,
            "targetArn": target_arn,
            "lastUpdatedAt": self.updated,
            "lifecycleEvents": [dict(self.events[name]) for name in ECS_LIFECYCLE_EVENTS],
            "status": _TARGET_STATUS.get(self.state, "InProgress"),
            "taskSetsInfo": list(self.frozen) if self.frozen is not None else self._task_sets(),
        }

    def _task_sets(self) -> list[dict]:
        """ECSTaskSet entries (API_ECSTaskSet.html); trafficWeight is the production listener's."""
        service = self.world.find_service(self.plan.cluster, self.plan.service)
        if service is not None:
            settle_task_sets(service)
        weights = self.world.weights(self.plan.prod_listeners[0]) if self.plan.prod_listeners else {}
        infos = []
        for label, ref in (("Blue", self.blue), ("Green", self.green)):
            if ref is None:
                continue
            task_set = self.world.task_set(service, ref.arn)
            if task_set is None:
                if ref.last:
                    infos.append(dict(ref.last, trafficWeight=weights.get(ref.target_group_arn, 0.0)))
                continue
            infos.append(
                {
                    "identifer": task_set.id,
                    "desiredCount": getattr(task_set, "computed_desired_count", 0),
                    "pendingCount": getattr(task_set, "pending_count", 0),
                    "runningCount": getattr(task_set, "running_count", 0),
                    "status": task_set.status,
                    "trafficWeight": weights.get(ref.target_group_arn, 0.0),
                    "targetGroup": {"name": ref.target_group_name},
                    "taskSetLabel": label,
                }
            )
        return infos


_ENTRY = {
    INSTALL_STATE: Run._install,
    AFTER_INSTALL: Run._installed,
    ALLOW_TEST_TRAFFIC: Run._allow_test_traffic,
    READY: Run._ready,
    ALLOW_TRAFFIC: Run._allow_traffic,
    AFTER_ALLOW_TRAFFIC: Run._after_allow_traffic,
    BAKING: Run._bake,
    TERMINATING: Run._terminate,
    REROUTE: Run._reroute,
    CLEANUP: Run._cleanup,
}
