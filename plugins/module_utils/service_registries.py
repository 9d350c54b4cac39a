# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions of bluegreen.ecs.ecs_service_registries: whether an ECS service's ``serviceRegistries`` must change, and
what to do at each look at the service deployment that change starts (plain functions, unit tested).

UpdateService's ``serviceRegistries`` "triggers a new service deployment" (API_UpdateService.html), and a service on
the CODE_DEPLOY controller cannot update it at all: "For services using the blue/green (CODE_DEPLOY) deployment
controller, only the desired count, deployment configuration, health check grace period, task placement constraints
and strategies, enable ECS managed tags option, and propagate tags can be updated" (same page).
"""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils.discovery import same_registries

# ServiceDeployment.status (botocore ecs ServiceDeploymentStatus).
SUCCEEDED = ("SUCCESSFUL",)
FAILED = (
    "STOPPED",
    "STOP_REQUESTED",
    "ROLLBACK_REQUESTED",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_SUCCESSFUL",
    "ROLLBACK_FAILED",
)
IN_FLIGHT = ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")


def controller_of(service):
    """The live service's deployment controller (DescribeServices leaves it out for ECS, AWS's default)."""
    return (service.get("deploymentController") or {}).get("type") or "ECS"


def normalized(registries):
    """The wanted entries as ECS echoes them: only the members given, ports as integers."""
    found = []
    for entry in registries or []:
        shaped = {
            key: entry[key]
            for key in ("registryArn", "port", "containerName", "containerPort")
            if entry.get(key) is not None
        }
        for key in ("port", "containerPort"):
            if key in shaped:
                shaped[key] = int(shaped[key])
        found.append(shaped)
    return found


def plan(service, wanted):
    """``{"request": {...}, "refused": msg}`` for the live service: an empty request when nothing differs.

    A change on a CODE_DEPLOY service is refused (AWS refuses it with InvalidParameterException): the message names
    the settings that lead there."""
    live = service.get("serviceRegistries") or []
    if same_registries(live, wanted):
        return {"request": {}, "refused": ""}
    if controller_of(service) != "ECS":
        return {
            "request": {},
            "refused": (
                f"ECS service {service.get('serviceName')} uses the {controller_of(service)} deployment controller, "
                "whose serviceRegistries AWS sets at creation only (UpdateService refuses them). "
                "bluegreen_service.discovery needs bluegreen_deployment_controller: ecs for a service that exists "
                "already; or remove the service (ecs_state=absent) and build it again with discovery"
            ),
        }
    return {"request": {"serviceRegistries": wanted}, "refused": ""}


def awaiting_pause(deployment, answered=()):
    """The hookId of a PAUSE hook waiting for ContinueServiceDeployment (not one already answered), or None."""
    for hook in deployment.get("lifecycleHookDetails") or []:
        if (
            hook.get("targetType") == "PAUSE"
            and hook.get("status") == "AWAITING_ACTION"
            and hook["hookId"] not in answered
        ):
            return hook["hookId"]
    return None


def step(deployment, answered=()):
    """What to do after one DescribeServiceDeployments: ``("done"|"failed"|"continue"|"wait", detail)``.

    ``continue``: a PAUSE hook awaits action; the detail is its hookId. The module answers CONTINUE: the deployment
    runs the same task definition with another registry, so there is no new code to validate."""
    status = deployment.get("status")
    if status in SUCCEEDED:
        return "done", status
    if status in FAILED:
        reason = deployment.get("statusReason") or (deployment.get("rollback") or {}).get("reason") or "no reason given"
        return "failed", f"{status}: {reason}"
    hook = awaiting_pause(deployment, answered)
    if hook:
        return "continue", hook
    return "wait", f"{status} at {deployment.get('lifecycleStage') or 'its first stage'}"


def newest_deployment(before, after):
    """The ARN of the deployment in ``after`` (ListServiceDeployments, newest first) that ``before`` did not list."""
    known = {d["serviceDeploymentArn"] for d in before}
    return next((d["serviceDeploymentArn"] for d in after if d["serviceDeploymentArn"] not in known), None)
