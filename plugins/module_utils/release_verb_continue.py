# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The continue verb: let a deployment paused before production traffic go on."""

from __future__ import annotations

from . import release as logic
from . import release_ecs as decide
from .release_codedeploy import error_message


def prepare(run):
    run.check_alarms_exist()


def codedeploy(run):
    """ContinueDeployment(READY_WAIT) of the deployment waiting in Ready, after the checks."""
    run.group()
    run.production_listener()
    run.resolve_validation_url()
    service = run.live_service()
    run.result["task_definition_before"] = logic.live_task_definition_arn(service)
    inflight = run.aws.in_flight(run.application, run.group_name)
    if not inflight:
        run.result["task_definition_after"] = run.result["task_definition_before"]
        run.exit("no deployment in flight; nothing to continue")
    ready = [d for d in inflight if d.status == logic.READY]
    deployment = ready[0] if ready else inflight[0]
    run.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
    run.result["task_definition_after"] = deployment.task_definition_arn
    if run.module.check_mode:
        run.changed = deployment.status == logic.READY
        if run.changed:
            run.exit(f"would continue deployment {deployment.deployment_id}")
        run.exit(f"deployment {deployment.deployment_id} is {deployment.status}; would wait for Ready, then continue")
    if not run.params["wait"]:
        if deployment.status != logic.READY:
            run.fail(f"deployment {deployment.deployment_id} is {deployment.status}, not Ready; use wait: true")
        if run.alarms:
            firing = logic.alarms_in_alarm(run.aws.alarm_states(run.alarms))
            if firing:
                run.fail(
                    f"alarm(s) in ALARM: {', '.join(firing)}; deployment {deployment.deployment_id} "
                    "not continued (stop it with action=rollback)"
                )
        if not run.continue_ready(deployment.deployment_id, "continue requested"):
            info = run.aws.deployment(deployment.deployment_id)
            run.result["status"] = info.get("status")
            run.read_live_after()
            if info.get("status") in (logic.FAILED, logic.STOPPED):
                run.fail(
                    f"deployment {deployment.deployment_id} ended {info.get('status')} before the continue: "
                    f"{error_message(info) or 'no message'}"
                )
            run.exit(f"deployment {deployment.deployment_id} had already left Ready ({info.get('status')})")
        run.exit(f"continued deployment {deployment.deployment_id}")
    outcome = run.follow(deployment.deployment_id, run.ready_wait(), undo_arn=run.result["task_definition_before"])
    run.report(deployment.deployment_id, outcome, deployment.task_definition_arn, success_msg="continued")


def ecs(run):
    """ContinueServiceDeployment CONTINUE of the PAUSE hook that awaits action, after the checks."""
    service = run.live_service()
    run.resolve_validation_url(service)
    run.production_listener(service)
    inflight = run.aws.in_flight(run.cluster, run.service_name)
    before = run.production_arn(service, inflight)
    run.result["task_definition_before"] = before
    if not inflight:
        run.result["task_definition_after"] = before
        run.exit("no service deployment in flight; nothing to continue")
    deployment = inflight[0]
    arn = deployment.deployment_id
    hook = decide.awaiting_hook(run.aws.deployment(arn))
    run.result.update(deployment_id=arn, status=deployment.status)
    run.result["task_definition_after"] = deployment.task_definition_arn
    if run.module.check_mode:
        run.changed = hook is not None
        if hook:
            run.exit(f"would continue service deployment {arn} (hook {hook['hookId']})")
        run.exit(
            f"service deployment {arn} is {deployment.status} with no hook awaiting action; would wait, then continue"
        )
    if not run.params["wait"]:
        if not hook:
            run.fail(f"service deployment {arn} has no hook awaiting action; use wait: true")
        if run.alarms:
            firing = run.firing_alarms()
            if firing:
                run.fail(
                    f"alarm(s) in ALARM: {', '.join(firing)}; service deployment {arn} not continued "
                    "(roll it back with action=rollback)"
                )
        if not run.continue_hook(arn, hook["hookId"], "continue requested"):
            found = run.aws.deployment(arn) or {}
            run.result["status"] = found.get("status")
            run.read_live_after()
            run.exit(f"service deployment {arn} had already moved on ({found.get('status')})")
        run.exit(f"continued service deployment {arn}")
    outcome = run.follow(arn, undo_arn=before)
    run.report(arn, outcome, deployment.task_definition_arn, success_msg="continued")
