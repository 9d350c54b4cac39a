# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blue/green release by ECS itself (deployment controller ECS): the decisions, without AWS calls.

A service deployment (DescribeServiceDeployments, botocore ``ServiceDeployment``) moves through the lifecycle stages
of the ECS developer guide ("Amazon ECS blue/green service deployments", "lifecycle stages"): RECONCILE_SERVICE,
PRE_SCALE_UP, SCALE_UP, POST_SCALE_UP, TEST_TRAFFIC_SHIFT, POST_TEST_TRAFFIC_SHIFT, PRODUCTION_TRAFFIC_SHIFT,
POST_PRODUCTION_TRAFFIC_SHIFT, BAKE_TIME, CLEAN_UP. A ``PAUSE`` lifecycle hook holds a stage (hook status
``AWAITING_ACTION``) until ContinueServiceDeployment (``CONTINUE`` or ``ROLLBACK``) or its timeout action.

``next_action`` is the release's state machine for this controller: one DescribeServiceDeployments answer (plus the
module's validation, alarm and clock state) in, the next action out. ``classify`` (in ``release.py``) decides before
anything changes, with the in-flight deployments from ``in_flight`` here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .release import VALIDATION_FAILED, VALIDATION_PENDING, Validation, alarms_in_alarm

# ServiceDeploymentStatus (botocore ecs model).
PENDING = "PENDING"
IN_PROGRESS = "IN_PROGRESS"
SUCCESSFUL = "SUCCESSFUL"
STOPPED = "STOPPED"
STOP_REQUESTED = "STOP_REQUESTED"
ROLLBACK_REQUESTED = "ROLLBACK_REQUESTED"
ROLLBACK_IN_PROGRESS = "ROLLBACK_IN_PROGRESS"
ROLLBACK_SUCCESSFUL = "ROLLBACK_SUCCESSFUL"
ROLLBACK_FAILED = "ROLLBACK_FAILED"
IN_FLIGHT_STATUSES = (PENDING, IN_PROGRESS, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS)
# In flight but already on the way back (or out): nothing to attach to; wait for the end, then decide again.
SETTLING_STATUSES = (STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS)
TERMINAL_STATUSES = (SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED)

# ServiceDeploymentLifecycleStage, in order.
STAGES = (
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
    "BAKE_TIME",
    "CLEAN_UP",
)
# The stage where the validation hook holds: the test listener rule sends all test traffic to green, production
# still goes to blue (the only stage besides the traffic shifts themselves that a PAUSE hook may not avoid).
VALIDATION_STAGE = "POST_TEST_TRAFFIC_SHIFT"
# Stages before production traffic moves, where a release checks the alarms too (the gate).
GATE_STAGES = ("TEST_TRAFFIC_SHIFT", VALIDATION_STAGE)
# Stages in which production traffic reaches (or has reached) green: the alarms are watched there.
ALARM_STAGES = ("PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME")

AWAITING_ACTION = "AWAITING_ACTION"

# next_action() answers.
WAIT = "wait"
VALIDATE = "validate"
CONTINUE = "continue"  # ContinueServiceDeployment CONTINUE of ``hook_id``
ROLLBACK = "rollback"  # ContinueServiceDeployment ROLLBACK of ``hook_id`` if a hook waits, else StopServiceDeployment
DONE_SUCCESS = "done_success"
DONE_FAILED = "done_failed"


@dataclass(frozen=True)
class Action:
    kind: str
    reason: str = ""
    hook_id: str | None = None


def awaiting_hook(deployment):
    """The PAUSE hook waiting for ContinueServiceDeployment (its lifecycleHookDetails entry), or None."""
    for hook in (deployment or {}).get("lifecycleHookDetails") or []:
        if hook.get("status") == AWAITING_ACTION and hook.get("targetType", "PAUSE") == "PAUSE":
            return hook
    return None


def failure_reason(deployment):
    """Why a deployment ended without success, in ECS's words (rollback reason, status reason, alarms)."""
    deployment = deployment or {}
    parts = []
    rollback = (deployment.get("rollback") or {}).get("reason")
    if rollback:
        parts.append(rollback)
    reason = deployment.get("statusReason")
    if reason and reason not in parts:
        parts.append(reason)
    triggered = (deployment.get("alarms") or {}).get("triggeredAlarmNames") or []
    if triggered and not any(name in " ".join(parts) for name in triggered):
        parts.append(f"alarm(s) {', '.join(triggered)}")
    status = deployment.get("status") or "unknown"
    return f"service deployment {status}: {'; '.join(parts)}" if parts else f"service deployment {status}"


def watch_alarms(stage, gate_alarms=False):
    """The module reads its alarms where they can stop the deployment (and, for a release, just before)."""
    return stage in ALARM_STAGES or (gate_alarms and stage in GATE_STAGES)


def next_action(
    deployment,
    validation,
    alarm_states,
    elapsed,
    timeout,
    continued=(),
    stop_requested=False,
    gate_alarms=False,
):
    """One step of the wait loop, from one DescribeServiceDeployments entry. First match wins:

    1. SUCCESSFUL -> DONE_SUCCESS (DONE_FAILED if we had asked for a rollback: it came too late).
    2. ROLLBACK_SUCCESSFUL / ROLLBACK_FAILED / STOPPED -> DONE_FAILED with ECS's reason.
    3. a rollback or stop under way (ours or ECS's own) -> WAIT for it to end.
    4. elapsed >= timeout -> ROLLBACK.
    5. a watched alarm in ALARM (shift and bake; with ``gate_alarms`` also test traffic) -> ROLLBACK.
    6. validation failed -> ROLLBACK.
    7. a PAUSE hook awaits action: at POST_TEST_TRAFFIC_SHIFT with validation pending -> VALIDATE; a hook we already
       continued -> WAIT (ECS has not moved yet); else -> CONTINUE it.
    8. validation pending and green serves test traffic with no hook holding it (POST_TEST_TRAFFIC_SHIFT), or
       production already reaches green (validated late) -> VALIDATE.
    9. otherwise WAIT.
    """
    if validation is None:
        validation = Validation()
    status = (deployment or {}).get("status")
    stage = (deployment or {}).get("lifecycleStage") or ""
    hook = awaiting_hook(deployment) if status == IN_PROGRESS else None
    hook_id = hook.get("hookId") if hook else None

    if status == SUCCESSFUL:
        if stop_requested:
            return Action(DONE_FAILED, "the deployment completed before the rollback took effect")
        return Action(DONE_SUCCESS)
    if status in (ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED, STOPPED):
        return Action(DONE_FAILED, failure_reason(deployment))
    if status in SETTLING_STATUSES or stop_requested:
        return Action(WAIT, f"{status.lower().replace('_', ' ')}" if status in SETTLING_STATUSES else "stop requested")
    if timeout is not None and elapsed >= timeout:
        where = stage.lower().replace("_", " ") or status.lower()
        return Action(ROLLBACK, f"timed out after {int(timeout)}s while {where}", hook_id)
    if watch_alarms(stage, gate_alarms):
        firing = alarms_in_alarm(alarm_states)
        if firing:
            when = f"during {stage}" if stage in ALARM_STAGES else "before production traffic moved"
            return Action(ROLLBACK, f"alarm(s) in ALARM {when}: {', '.join(firing)}", hook_id)
    if validation.state == VALIDATION_FAILED:
        return Action(ROLLBACK, f"validation failed: {validation.detail}".rstrip(": "), hook_id)
    if hook:
        if stage == VALIDATION_STAGE and validation.state == VALIDATION_PENDING:
            return Action(VALIDATE, "green serves test traffic; the hook holds production traffic")
        if hook_id in continued:
            return Action(WAIT, "continue sent")
        return Action(CONTINUE, f"hook {hook_id} awaits action at {stage}", hook_id)
    if validation.state == VALIDATION_PENDING:
        if stage == VALIDATION_STAGE:
            return Action(VALIDATE, "green serves test traffic (no PAUSE hook: production shifts without waiting)")
        if stage in ALARM_STAGES:
            return Action(VALIDATE, "production traffic already reaches green: validating late")
    return Action(WAIT, stage or status or "")


def before_production(stage):
    """Whether production traffic still goes to blue alone at this stage."""
    return stage in STAGES[: STAGES.index("PRODUCTION_TRAFFIC_SHIFT")]


def newest_successful(briefs):
    """The newest SUCCESSFUL entry of ListServiceDeployments (ServiceDeploymentBrief), or None."""
    done = [b for b in briefs or [] if b.get("status") == SUCCESSFUL]
    return max(done, key=lambda b: str(b.get("createdAt") or ""), default=None)


def previous_revision_arn(deployment, live_revision_arn):
    """The service revision a successful deployment replaced, if it installed the live revision (else None)."""
    if not deployment or (deployment.get("targetServiceRevision") or {}).get("arn") != live_revision_arn:
        return None
    sources = deployment.get("sourceServiceRevisions") or []
    return sources[0].get("arn") if sources else None
