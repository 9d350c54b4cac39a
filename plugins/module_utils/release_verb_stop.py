# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stop verb: stop the deployment in flight without rollback."""

from __future__ import annotations

from . import release as logic
from .release_codedeploy import STOP_LEAVES


def prepare(run):
    """Nothing to check before the controller is known."""


def codedeploy(run):
    """StopDeployment without rollback: CodeDeploy leaves both task sets and the weights where they are."""
    service = run.live_service()
    run.result["task_definition_before"] = logic.live_task_definition_arn(service)
    run.result["task_definition_after"] = run.result["task_definition_before"]
    inflight = run.aws.in_flight(run.application, run.group_name)
    if not inflight:
        run.exit("no deployment in flight; nothing to stop")
    deployment = inflight[0]
    run.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
    if run.module.check_mode:
        run.changed = True
        run.exit(f"would stop deployment {deployment.deployment_id} ({deployment.status}){STOP_LEAVES}")
    if not run.stop(deployment.deployment_id, False, "stop requested"):
        info = run.aws.deployment(deployment.deployment_id)
        run.result["status"] = info.get("status")
        run.read_live_after()
        run.exit(
            f"deployment {deployment.deployment_id} had already ended ({info.get('status')}) before the stop; "
            "nothing to stop"
        )
    if not run.params["wait"]:
        run.exit(f"stopping deployment {deployment.deployment_id}{STOP_LEAVES}")
    outcome = run.follow(deployment.deployment_id, False, stop_reason="stop requested", rollback=False)
    run.result["status"] = outcome["status"]
    run.read_live_after()
    if outcome["status"] not in (logic.STOPPED, logic.FAILED):
        run.fail(outcome["reason"])
    run.exit(f"stopped deployment {deployment.deployment_id}{STOP_LEAVES}")


def ecs(run):
    """ECS stops a service deployment only with rollback (StopServiceDeployment: "The valid values are ROLLBACK"):
    with one in flight, refuse before anything changes and name the verb that does it."""
    service = run.live_service()
    run.result["task_definition_before"] = run.result["task_definition_after"] = run.live_arn(service)
    inflight = run.aws.in_flight(run.cluster, run.service_name)
    if not inflight:
        run.exit("no service deployment in flight; nothing to stop")
    deployment = inflight[0]
    run.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
    run.fail(
        f"action=stop: ECS stops service deployment {deployment.deployment_id} only with rollback "
        "(StopServiceDeployment stopType ROLLBACK; ECS refuses ABORT); use action=rollback"
    )
