# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blue/green release through CodeDeploy (ECS compute platform): the decisions, without AWS calls.

The release module reads AWS, hands what it saw to these functions and does what they answer.
Three small machines, each with named states and transitions:

``classify`` (before anything changes): is the wanted task definition already live, is a
deployment of it already in flight (attach to it), is a different one in flight (conflict),
or must a new deployment start?

``phase`` + ``next_action`` (the wait loop, like ecspresso's ``WaitForCodeDeploy``): where the
deployment is (queued, deploying green, test traffic, ready, shifting, baking, terminal) and what
the module does next (wait, validate through the test listener, continue, stop with rollback,
done).

``conflict_choice``: what to do with someone else's deployment in flight (fail, wait, stop it).

Every timestamp handled here is given by the caller, so each transition can be tested alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import http_check
from .task_definition import comparable, same_definition

# The release module's judge of each answer, shared with the validation function (module_utils/http_check.py).
check_response = http_check.check_response

# CodeDeploy DeploymentStatus values (botocore codedeploy model).
CREATED = "Created"
QUEUED = "Queued"
IN_PROGRESS = "InProgress"
BAKING = "Baking"
READY = "Ready"
SUCCEEDED = "Succeeded"
FAILED = "Failed"
STOPPED = "Stopped"
IN_FLIGHT_STATUSES = (CREATED, QUEUED, IN_PROGRESS, READY, BAKING)
TERMINAL_STATUSES = (SUCCEEDED, FAILED, STOPPED)

# ECS lifecycle events of a CodeDeploy blue/green deployment, in the order they run.
ECS_LIFECYCLE_EVENTS = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)
_EVENT_DONE = ("Succeeded", "Skipped")
_EVENT_STARTED = ("InProgress", "Succeeded", "Skipped")

# classify() decisions.
NOTHING_TO_DO = "nothing_to_do"
ATTACH = "attach"
START = "start"
CONFLICT = "conflict"

# phase() states of a deployment.
PHASE_QUEUED = "queued"  # Created / Queued: nothing runs yet
PHASE_DEPLOYING = "deploying"  # green task set starting, no traffic
PHASE_TEST_TRAFFIC = "test_traffic"  # the test listener routes to green; production still on blue
PHASE_READY = "ready"  # ready wait (STOP_DEPLOYMENT): paused until ContinueDeployment(READY_WAIT)
PHASE_SHIFTING = "shifting"  # production traffic moving to green (canary / linear / all at once)
PHASE_BAKING = "baking"  # all traffic on green; blue kept for the termination wait
PHASE_SUCCEEDED = "succeeded"
PHASE_FAILED = "failed"
PHASE_STOPPED = "stopped"

# Phases in which production traffic reaches green: the alarms are watched there.
ALARM_PHASES = (PHASE_SHIFTING, PHASE_BAKING)
# Phases just before production traffic moves: a release checks the alarms there too (the gate), so that
# an alarm already in ALARM stops the deployment before the first production request reaches green.
GATE_PHASES = (PHASE_TEST_TRAFFIC, PHASE_READY)

# next_action() answers.
WAIT = "wait"
VALIDATE = "validate"
CONTINUE = "continue"
STOP_ROLLBACK = "stop_rollback"
DONE_SUCCESS = "done_success"
DONE_FAILED = "done_failed"

# Validation states.
VALIDATION_NOT_CONFIGURED = "not_configured"
VALIDATION_PENDING = "pending"
VALIDATION_PASSED = "passed"
VALIDATION_FAILED = "failed"

# conflict_choice() answers.
CONFLICT_FAIL = "fail"
CONFLICT_WAIT = "wait"
CONFLICT_STOP = "stop"


@dataclass(frozen=True)
class InFlight:
    """A deployment of the group that has not finished, as the module read it."""

    deployment_id: str
    status: str
    task_definition_arn: str | None = None
    task_definition: dict | None = None  # the described task definition, when it could be read
    rollback_of: str | None = None  # rollbackInfo.rollbackTriggeringDeploymentId


@dataclass(frozen=True)
class Classification:
    decision: str
    deployment: InFlight | None = None
    reason: str = ""


@dataclass(frozen=True)
class Validation:
    state: str = VALIDATION_NOT_CONFIGURED
    detail: str = ""


@dataclass(frozen=True)
class Action:
    kind: str
    reason: str = ""


def _targets(deployment, wanted_taskdef, our_revision):
    if our_revision and deployment.task_definition_arn == our_revision:
        return True
    return deployment.task_definition is not None and same_definition(wanted_taskdef, deployment.task_definition)


def classify(live_taskdef, wanted_taskdef, inflight_deployments, our_revision=None):
    """Decide what a release does before it changes anything.

    ``live_taskdef``: the described task definition the service runs (None if unknown).
    ``wanted_taskdef``: the RegisterTaskDefinition arguments built from the spec and image.
    ``inflight_deployments``: ``InFlight`` entries of the deployment group.
    ``our_revision``: the ARN of an existing revision identical to ``wanted_taskdef``, if any.

    ATTACH: a deployment in flight installs what we want; wait for it instead of starting another.
    CONFLICT: a deployment in flight installs something else; ``on_conflict`` decides.
    NOTHING_TO_DO: the service already runs what we want and nothing is in flight.
    START: register (or reuse) a revision and create a deployment.
    """
    inflight = list(inflight_deployments or [])
    for deployment in inflight:
        if _targets(deployment, wanted_taskdef, our_revision):
            return Classification(ATTACH, deployment, f"deployment {deployment.deployment_id} already installs it")
    if inflight:
        other = inflight[0]
        target = other.task_definition_arn or "an unknown task definition"
        return Classification(
            CONFLICT, other, f"deployment {other.deployment_id} ({other.status}) is in flight and installs {target}"
        )
    if live_taskdef and same_definition(wanted_taskdef, live_taskdef):
        return Classification(NOTHING_TO_DO, None, "the service already runs this task definition")
    return Classification(START, None, "the service runs a different task definition")


def conflict_choice(on_conflict, deployment, stopped_ids=()):
    """What to do with a deployment in flight that is not ours.

    A deployment we stopped, or the rollback CodeDeploy started for it, is only waited for:
    stopping a rollback would leave the service half-way.
    """
    if deployment.deployment_id in stopped_ids or (deployment.rollback_of and deployment.rollback_of in stopped_ids):
        return CONFLICT_WAIT
    if on_conflict == "wait":
        return CONFLICT_WAIT
    if on_conflict == "stop":
        return CONFLICT_STOP
    return CONFLICT_FAIL


def _event_statuses(target_info):
    events = (target_info or {}).get("lifecycleEvents") or []
    return {e.get("lifecycleEventName"): e.get("status") for e in events}


def phase(deployment_status, target_info=None, termination_wait_started=False):
    """Where a deployment is, from GetDeployment's status and GetDeploymentTarget's ecsTarget."""
    if deployment_status in (CREATED, QUEUED):
        return PHASE_QUEUED
    if deployment_status == SUCCEEDED:
        return PHASE_SUCCEEDED
    if deployment_status == FAILED:
        return PHASE_FAILED
    if deployment_status == STOPPED:
        return PHASE_STOPPED
    if deployment_status == READY:
        return PHASE_READY
    if deployment_status == BAKING or termination_wait_started:
        return PHASE_BAKING
    events = _event_statuses(target_info)
    if events.get("AfterAllowTraffic") in _EVENT_DONE:
        return PHASE_BAKING
    if events.get("AllowTraffic") in _EVENT_STARTED or events.get("AfterAllowTraffic") == "InProgress":
        return PHASE_SHIFTING
    if any(events.get(name) in _EVENT_STARTED for name in ("AfterAllowTestTraffic", "BeforeAllowTraffic")):
        return PHASE_TEST_TRAFFIC
    if events.get("AllowTestTraffic") in _EVENT_DONE:
        return PHASE_TEST_TRAFFIC
    return PHASE_DEPLOYING


def alarms_in_alarm(alarm_states):
    return sorted(name for name, state in (alarm_states or {}).items() if state == "ALARM")


def next_action(
    deployment_status,
    target_info,
    validation,
    alarm_states,
    elapsed,
    timeout,
    ready_wait_configured,
    continued=False,
    stop_requested=False,
    termination_wait_started=False,
    error_message="",
    gate_alarms=False,
):
    """One step of the wait loop: what to do after reading the deployment once.

    Transitions, first match wins:

    1. Succeeded -> DONE_SUCCESS (DONE_FAILED if we had asked to stop: the stop came too late).
    2. Failed / Stopped -> DONE_FAILED with CodeDeploy's error message.
    3. a stop was requested -> WAIT for CodeDeploy to finish it.
    4. elapsed >= timeout -> STOP_ROLLBACK.
    5. shifting or baking (or, with ``gate_alarms``, test traffic or Ready: production is about to move)
       and a watched alarm in ALARM -> STOP_ROLLBACK.
    6. validation failed -> STOP_ROLLBACK.
    7. Ready: validation pending -> VALIDATE; already continued -> WAIT; else -> CONTINUE.
    8. validation pending and green serves test traffic without a ready wait (CONTINUE_DEPLOYMENT),
       or production traffic already reaches green (validated late) -> VALIDATE.
    9. otherwise WAIT.
    """
    if validation is None:
        validation = Validation()
    where = phase(deployment_status, target_info, termination_wait_started)

    if where == PHASE_SUCCEEDED:
        if stop_requested:
            return Action(DONE_FAILED, "the deployment completed before the stop took effect")
        return Action(DONE_SUCCESS)
    if where in (PHASE_FAILED, PHASE_STOPPED):
        return Action(DONE_FAILED, error_message or f"deployment {deployment_status.lower()}")
    if stop_requested:
        return Action(WAIT, "stop requested")
    if timeout is not None and elapsed >= timeout:
        return Action(STOP_ROLLBACK, f"timed out after {int(timeout)}s while {where.replace('_', ' ')}")
    if watch_alarms(where, gate_alarms):
        firing = alarms_in_alarm(alarm_states)
        if firing:
            when = f"while {where}" if where in ALARM_PHASES else "before production traffic moved"
            return Action(STOP_ROLLBACK, f"alarm(s) in ALARM {when}: {', '.join(firing)}")
    if validation.state == VALIDATION_FAILED:
        return Action(STOP_ROLLBACK, f"validation failed: {validation.detail}".rstrip(": "))
    if where == PHASE_READY:
        if validation.state == VALIDATION_PENDING:
            return Action(VALIDATE, "green is ready behind the test listener")
        if continued:
            return Action(WAIT, "continue sent")
        return Action(CONTINUE, "ready to shift production traffic")
    if validation.state == VALIDATION_PENDING:
        if where == PHASE_TEST_TRAFFIC and not ready_wait_configured:
            return Action(VALIDATE, "green serves test traffic (no ready wait: production shifts without waiting)")
        if where in ALARM_PHASES:
            return Action(VALIDATE, "production traffic already reaches green: validating late")
    return Action(WAIT, where)


def watch_alarms(current_phase, gate_alarms=False):
    """The module reads the alarms only where they can stop the deployment (and, for a release, just before)."""
    return current_phase in ALARM_PHASES or (gate_alarms and current_phase in GATE_PHASES)


# What the module does when a stop it asked for came too late (the deployment had already completed).
UNDO_REDEPLOY = "redeploy_previous"  # the faulty version went live: deploy the previous revision
UNDO_FOLLOW_ROLLBACK = "follow_rollback"  # CodeDeploy already stopped it (and maybe rolls it back)
UNDO_NOTHING = "nothing"  # it succeeded and no rollback was asked for


def after_refused_stop(status, rollback_wanted, previous_arn, deployed_arn):
    """StopDeployment answered DeploymentAlreadyCompletedException: act on the deployment's real end.

    Succeeded with a rollback wanted (validation, alarm, timeout, rollback verb) and a previous revision
    that differs from what went live: deploy that previous revision, as ``action=rollback`` does.
    """
    if status in (FAILED, STOPPED):
        return UNDO_FOLLOW_ROLLBACK
    if status == SUCCEEDED and rollback_wanted and previous_arn and previous_arn != deployed_arn:
        return UNDO_REDEPLOY
    return UNDO_NOTHING


def stop_grace(timeout):
    """How long to wait for CodeDeploy to finish a stop (and its rollback) after asking for it."""
    return max(60, min(int(timeout or 0), 600))


# ---------------------------------------------------------------------------------------------
# Reading AWS answers


def live_task_definition_arn(service):
    """The task definition the service serves: the PRIMARY task set's (CODE_DEPLOY), else the service's."""
    for task_set in (service or {}).get("taskSets") or []:
        if task_set.get("status") == "PRIMARY" and task_set.get("taskDefinition"):
            return task_set["taskDefinition"]
    return (service or {}).get("taskDefinition")


def traffic_weights(task_sets_info):
    """{'blue': weight, 'green': weight} from GetDeploymentTarget's ecsTarget.taskSetsInfo."""
    weights = {}
    for task_set in task_sets_info or []:
        label = str(task_set.get("taskSetLabel") or "").lower()
        if label in ("blue", "green") and task_set.get("trafficWeight") is not None:
            weights[label] = float(task_set["trafficWeight"])
    return weights


def ready_wait_configured(deployment_group_info):
    """True when the group pauses in Ready until ContinueDeployment(READY_WAIT) (or its timeout stops it)."""
    config = (deployment_group_info or {}).get("blueGreenDeploymentConfiguration") or {}
    ready = config.get("deploymentReadyOption") or {}
    return ready.get("actionOnTimeout") == "STOP_DEPLOYMENT"


def revision_number(task_definition_arn):
    match = re.search(r":(\d+)$", task_definition_arn or "")
    return int(match.group(1)) if match else None


def arn_family(task_definition_arn):
    match = re.search(r"task-definition/([^:]+)(?::\d+)?$", task_definition_arn or "")
    return match.group(1) if match else None


def rollback_target(live_arn, previous_arn, active_arns):
    """The revision a rollback deploys, or None.

    ``previous_arn``: the revision the last successful (non-rollback) deployment replaced,
    from its ``previousRevision``. ``active_arns``: the family's ACTIVE revisions.
    The previous revision wins when it is still ACTIVE and not the live one; otherwise the
    newest ACTIVE revision older than the live one (ecspresso's FindRollbackTarget).
    """
    active = list(active_arns or [])
    if previous_arn and previous_arn != live_arn and previous_arn in active:
        return previous_arn
    live_number = revision_number(live_arn)
    live_family = arn_family(live_arn)
    older = [
        arn
        for arn in active
        if arn != live_arn
        and arn_family(arn) == live_family
        and live_number is not None
        and (revision_number(arn) or 0) < live_number
    ]
    if not older:
        return None
    return max(older, key=revision_number)


# ---------------------------------------------------------------------------------------------
# AppSpec


def _appspec_network(network_configuration):
    awsvpc = (network_configuration or {}).get("awsvpcConfiguration")
    if not awsvpc:
        return None
    out = {"Subnets": list(awsvpc.get("subnets") or [])}
    if awsvpc.get("securityGroups"):
        out["SecurityGroups"] = list(awsvpc["securityGroups"])
    if awsvpc.get("assignPublicIp"):
        out["AssignPublicIp"] = awsvpc["assignPublicIp"]
    return {"AwsvpcConfiguration": out}


def appspec(
    task_definition_arn,
    container_name,
    container_port,
    network_configuration=None,
    capacity_provider_strategy=None,
    platform_version=None,
    hooks=None,
):
    """AppSpec content for an ECS deployment.

    ``network_configuration`` (ECS API shape) and ``platform_version`` are what the service should have
    (``wanted_network``, ``wanted_platform_version``); without a platform version the key is left out and
    ECS uses its default (LATEST). ``hooks``: ``[(lifecycle event, Lambda function)]``, the AppSpec's ``Hooks``
    (reference-appspec-file-structure-hooks.html#appspec-hooks-ecs), for example the validation function as
    ``AfterAllowTestTraffic``.

    Returns ``(content, sha256)``: the JSON text and its hex digest, as CreateDeployment's
    ``revision.appSpecContent`` takes them.
    """
    properties = {
        "TaskDefinition": task_definition_arn,
        "LoadBalancerInfo": {"ContainerName": container_name, "ContainerPort": int(container_port)},
    }
    if platform_version:
        properties["PlatformVersion"] = platform_version
    network = _appspec_network(network_configuration)
    if network:
        properties["NetworkConfiguration"] = network
    if capacity_provider_strategy:
        properties["CapacityProviderStrategy"] = [
            {
                "CapacityProvider": item["capacityProvider"],
                "Base": int(item.get("base", 0)),
                "Weight": int(item.get("weight", 0)),
            }
            for item in capacity_provider_strategy
        ]
    document = {
        "version": "0.0",
        "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": properties}}],
    }
    if hooks:
        document["Hooks"] = [{event: function} for event, function in hooks]
    content = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return content, hashlib.sha256(content.encode("utf-8")).hexdigest()


def network_configuration(subnets, security_groups, assign_public_ip=False):
    """The ECS ``networkConfiguration`` a Fargate service in private subnets should have."""
    awsvpc = {"subnets": sorted(subnets), "assignPublicIp": "ENABLED" if assign_public_ip else "DISABLED"}
    if security_groups:
        awsvpc["securityGroups"] = sorted(security_groups)
    return {"awsvpcConfiguration": awsvpc}


def _primary_task_set(service):
    for task_set in (service or {}).get("taskSets") or []:
        if task_set.get("status") == "PRIMARY":
            return task_set
    return {}


def live_network(service):
    """The network the service's tasks use: the PRIMARY task set's (CODE_DEPLOY), else the service's."""
    return _primary_task_set(service).get("networkConfiguration") or (service or {}).get("networkConfiguration")


def live_platform_version(service):
    """The platform version the service asked for (LATEST or a pinned one), else its PRIMARY task set's."""
    return (service or {}).get("platformVersion") or _primary_task_set(service).get("platformVersion")


def _network_key(network):
    awsvpc = (network or {}).get("awsvpcConfiguration") or {}
    return (
        tuple(sorted(awsvpc.get("subnets") or [])),
        tuple(sorted(awsvpc.get("securityGroups") or [])),
        awsvpc.get("assignPublicIp") or "DISABLED",
    )


def same_network(live, wanted):
    """Same subnets, security groups and public IP setting (order does not matter)."""
    return _network_key(live) == _network_key(wanted)


def same_platform(live, wanted):
    """A wanted LATEST matches whatever ECS resolved it to; a pinned version must match."""
    if not wanted or wanted == "LATEST":
        return True
    return live == wanted


def service_changes(service, wanted_network, wanted_platform):
    """What the next deployment changes on the service besides the task definition (list of sentences)."""
    changes = []
    live_net = live_network(service)
    if wanted_network and not same_network(live_net, wanted_network):
        before, after = _network_key(live_net), _network_key(wanted_network)
        changes.append(
            f"network: subnets {list(before[0])} -> {list(after[0])}, security groups {list(before[1])} -> "
            f"{list(after[1])}, public IP {before[2]} -> {after[2]}"
        )
    live_platform = live_platform_version(service)
    if not same_platform(live_platform, wanted_platform):
        changes.append(f"platform version: {live_platform or '(default)'} -> {wanted_platform}")
    return changes


_TASKDEF_IN_TEXT = re.compile(r"""["']?TaskDefinition["']?\s*:\s*["']?([^"'\s,}]+)""")


def appspec_task_definition(content):
    """The TaskDefinition of an AppSpec (JSON from this module, YAML from CodePipeline), or None."""
    if not content:
        return None
    document = None
    try:
        document = json.loads(content)
    except ValueError:
        try:
            import yaml  # PyYAML ships with ansible-core

            document = yaml.safe_load(content)
        except Exception:  # noqa: BLE001 - unparsable appspec: fall back to a text search
            document = None
    if isinstance(document, dict):
        for resource in document.get("Resources") or document.get("resources") or []:
            if not isinstance(resource, dict):
                continue
            for value in resource.values():
                props = (value or {}).get("Properties") or (value or {}).get("properties") or {}
                if props.get("TaskDefinition"):
                    return str(props["TaskDefinition"])
    match = _TASKDEF_IN_TEXT.search(content)
    return match.group(1) if match else None


def appspec_hooks(content):
    """{lifecycle event: function} of an AppSpec's ``Hooks`` (JSON from this module, YAML from CodePipeline)."""
    if not content:
        return {}
    try:
        document = json.loads(content)
    except ValueError:
        try:
            import yaml  # PyYAML ships with ansible-core

            document = yaml.safe_load(content)
        except Exception:  # noqa: BLE001 - unparsable appspec: no hooks known
            return {}
    if not isinstance(document, dict):
        return {}
    hooks = {}
    for item in document.get("Hooks") or []:
        if isinstance(item, dict):
            hooks.update({str(event): str(function) for event, function in item.items()})
    return hooks


def revision_content(revision):
    """The AppSpec text inside a RevisionLocation, when CodeDeploy returned it."""
    revision = revision or {}
    for key in ("appSpecContent", "string"):
        content = (revision.get(key) or {}).get("content")
        if content:
            return content
    return None


# ---------------------------------------------------------------------------------------------
# HTTP validation


# check_response (imported above) judges each answer; module_utils/http_check.py shares it with the
# validation function.

# Validation by the deployment's own hook: the validation function (roles/codedeploy/files/validation_hook.py)
# runs as the AppSpec's AfterAllowTestTraffic hook, inside the VPC, and reports to CodeDeploy; a Failed report
# fails the deployment (HOOK_EXECUTION_FAILURE) and CodeDeploy rolls it back. The module reads the outcome from
# GetDeploymentTarget and the attempts from the function's log lines (one JSON object per line).
VALIDATION_EVENT = "AfterAllowTestTraffic"
# A hook that ran ends Succeeded or Failed; Skipped means it never ran (an earlier event failed): nothing to read.
_EVENT_ENDED = ("Succeeded", "Failed")


def function_name(name_or_arn):
    """The function name in a Lambda function name, ARN or partial ARN (its log group is /aws/lambda/<name>)."""
    text = str(name_or_arn or "")
    if ":function:" in text:  # ARN or partial ARN (<account>:function:<name>)
        text = text.split(":function:", 1)[1]
    return text.split(":", 1)[0]  # without a qualifier (version or alias)


def hook_log_group(name_or_arn):
    return f"/aws/lambda/{function_name(name_or_arn)}"


def lifecycle_status(target_info, event=VALIDATION_EVENT):
    """The status of one lifecycle event in GetDeploymentTarget's ecsTarget (None before it starts)."""
    return _event_statuses(target_info).get(event)


def hook_ended(target_info, event=VALIDATION_EVENT):
    return lifecycle_status(target_info, event) in _EVENT_ENDED


def hook_report(messages, deployment_id):
    """What the validation function logged for ``deployment_id``, from its log lines (any order of streams).

    ``messages``: ``(timestamp in ms, message)`` pairs. Returns ``{"attempts", "result", "detail", "url",
    "started_ms", "ended_ms"}``; ``result`` is ``Succeeded``/``Failed`` once the function logged its verdict,
    else None. Lines that are not the function's JSON, or name another deployment, are skipped.
    """
    report = {"attempts": [], "result": None, "detail": "", "url": None, "started_ms": None, "ended_ms": None}
    for timestamp, message in sorted(messages or [], key=lambda item: item[0] or 0):
        try:
            line = json.loads(message)
        except (TypeError, ValueError):
            continue
        if not isinstance(line, dict) or line.get("deployment_id") != deployment_id:
            continue
        if report["started_ms"] is None:
            report["started_ms"] = timestamp
        report["ended_ms"] = timestamp
        if "attempt" in line:
            if line["attempt"] == 1:
                report["attempts"] = []  # a new run of the check (an invocation retried) starts over
            attempt = {k: line.get(k) for k in ("attempt", "ok", "status", "latency_ms", "detail")}
            if line.get("body_excerpt") is not None:
                attempt["body_excerpt"] = line["body_excerpt"]
            report["attempts"].append(attempt)
            report["url"] = line.get("url") or report["url"]
        elif line.get("result"):
            report["result"] = line["result"]
            report["detail"] = line.get("detail") or ""
    return report


UNREACHABLE_HINT = (
    "the test listener did not answer the validation function: its security group must admit the function "
    "(the NAT gateways' public IPs for an internet-facing load balancer, the app subnets for an internal one: "
    "alb role, alb_test_ingress_cidrs) on the test listener's port"
)


def unreachable(report):
    """True when every attempt got no HTTP answer at all (refused, reset or timed out)."""
    attempts = (report or {}).get("attempts") or []
    return bool(attempts) and all(a.get("status") is None for a in attempts)


def hook_failure_reason(function, report, error_message=""):
    """Why the release failed when the validation hook reported Failed (or never reported)."""
    name = function_name(function)
    report = report or {}
    if report.get("result"):
        reason = f"validation failed: the {VALIDATION_EVENT} hook {name} reported {report['result']}"
        if report.get("detail"):
            reason += f" ({report['detail']})"
    else:
        reason = f"validation failed: the {VALIDATION_EVENT} hook {name} did not pass (no verdict in its log)"
    if unreachable(report):
        reason += f"; {UNREACHABLE_HINT}"
    if error_message:
        reason += f"; CodeDeploy: {error_message}"
    return reason


# Live traffic through the production listener during the canary step (what the listener really does, not
# only the weights it was given).


def image_tag(image):
    """The tag of an image reference (repo:tag, registry:port/repo:tag); None for a digest or no tag."""
    image = str(image or "")
    if "@" in image:
        return None
    name = image.rsplit("/", 1)[-1]
    return name.rsplit(":", 1)[1] if ":" in name else None


def answered_version(body):
    """The ``version`` a JSON answer names (the app's /version), else None."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    try:
        document = json.loads(text)
    except ValueError:
        return None
    version = document.get("version") if isinstance(document, dict) else None
    return str(version) if version is not None else None


def traffic_count(answers, blue_version, green_version):
    """Count sampled answers: ``answers`` are (HTTP status or None, version or None) pairs.

    Returns ``{"requests", "blue", "green", "other", "versions"}``: an answer counts for blue or green by the
    version it names (the tag of each task set's image); errors, other versions and, when both task sets run the
    same tag, every answer count as ``other`` (``versions`` still says what answered).
    """
    out = {"requests": 0, "blue": 0, "green": 0, "other": 0, "versions": {}}
    distinct = blue_version != green_version
    for status, version in answers:
        out["requests"] += 1
        key = version if status is not None and version is not None else f"HTTP {status}" if status else "no answer"
        out["versions"][key] = out["versions"].get(key, 0) + 1
        if distinct and version is not None and version == green_version:
            out["green"] += 1
        elif distinct and version is not None and version == blue_version:
            out["blue"] += 1
        else:
            out["other"] += 1
    return out


def sample_due(where, weights, taken):
    """Sample the production listener once in the canary step (green has some of production, not all)."""
    return "canary" not in taken and where == PHASE_SHIFTING and 0 < (weights or {}).get("green", 0) < 100


# ---------------------------------------------------------------------------------------------
# Steps (the report of what happened, with ISO timestamps and durations)


def _iso(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    return str(value)


def _duration(start, end):
    if isinstance(start, datetime) and isinstance(end, datetime):
        if start.tzinfo is None:
            start = start.replace(tzinfo=timezone.utc)
        if end.tzinfo is None:
            end = end.replace(tzinfo=timezone.utc)
        return round((end - start).total_seconds(), 3)
    return None


@dataclass
class StepLog:
    """Our own steps (validation, alarm checks, continue, stop) plus CodeDeploy's lifecycle events."""

    steps: list = field(default_factory=list)
    lifecycle: dict = field(default_factory=dict)

    def add(self, name, status, started, ended=None, **detail):
        ended = ended or started
        step = {
            "name": name,
            "kind": "check" if name in ("validation", "alarms") else "action",
            "status": status,
            "started": _iso(started),
            "ended": _iso(ended),
            "duration_seconds": _duration(started, ended),
        }
        step.update(detail)
        self.steps.append(step)
        return step

    def alarm_check(self, alarm_states, at):
        """Consecutive alarm checks with the same answer are one step (with a count)."""
        firing = alarms_in_alarm(alarm_states)
        status = "ALARM" if firing else "OK"
        last = self.steps[-1] if self.steps else None
        if last and last["name"] == "alarms" and last["status"] == status and last.get("alarms") == alarm_states:
            last["ended"] = _iso(at)
            last["checks"] += 1
            last["duration_seconds"] = round(
                (datetime.fromisoformat(last["ended"]) - datetime.fromisoformat(last["started"])).total_seconds(), 3
            )
            return last
        return self.add("alarms", status, at, at, alarms=dict(alarm_states), checks=1)

    def lifecycle_events(self, target_info):
        """Keep the latest view of each lifecycle event (GetDeploymentTarget is read on every poll)."""
        for event in (target_info or {}).get("lifecycleEvents") or []:
            name = event.get("lifecycleEventName")
            if not name:
                continue
            step = {
                "name": name,
                "kind": "lifecycle_event",
                "status": event.get("status"),
                "started": _iso(event.get("startTime")),
                "ended": _iso(event.get("endTime")),
                "duration_seconds": _duration(event.get("startTime"), event.get("endTime")),
            }
            diagnostics = event.get("diagnostics") or {}
            if diagnostics.get("message"):
                step["message"] = diagnostics["message"]
            self.lifecycle[name] = step

    def report(self):
        """Lifecycle events (those that started) and our steps, in time order."""
        order = {name: i for i, name in enumerate(ECS_LIFECYCLE_EVENTS)}
        events = sorted(
            (s for s in self.lifecycle.values() if s["started"]),
            key=lambda s: order.get(s["name"], len(order)),
        )
        merged = [((s["started"] or "", 0, i), s) for i, s in enumerate(events)]
        merged += [((s["started"] or "", 1, i), s) for i, s in enumerate(self.steps)]
        return [item[1] for item in sorted(merged, key=lambda item: item[0])]


def diff_definitions(live_taskdef, wanted_taskdef, live_arn=None, wanted_arn=None):
    """Ansible diff of the task definition, before and after."""
    return {
        "before_header": live_arn or "(none)",
        "after_header": wanted_arn or "(new revision)",
        "before": comparable(live_taskdef) if live_taskdef else {},
        "after": comparable(wanted_taskdef) if wanted_taskdef else {},
    }
