# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollback verb: stop the deployment in flight with rollback; with none, deploy the previous revision."""

from __future__ import annotations

from . import release as logic
from . import release_ecs as decide


def prepare(run):
    run.check_alarms_exist()


def codedeploy(run):
    """Stop the deployment in flight with rollback, or deploy the previous revision."""
    run.group()
    run.check_hook_exists()
    run.production_listener()
    service = run.live_service()
    live_arn = logic.live_task_definition_arn(service)
    run.result["task_definition_before"] = run.result["task_definition_before"] or live_arn
    run.result["task_definition_after"] = live_arn
    everything = run.aws.in_flight(run.application, run.group_name)
    inflight = [d for d in everything if not d.rollback_of]
    rollbacks = [d for d in everything if d.rollback_of]
    if rollbacks and not inflight:
        deployment = rollbacks[0]
        run.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
        msg = f"rollback deployment {deployment.deployment_id} ({deployment.status}) is already in flight"
        if run.module.check_mode or not run.params["wait"]:
            run.exit(f"{msg}; {'would wait' if run.module.check_mode else 'not waiting'} for it")
        info = run.wait_terminal(deployment.deployment_id, run.started + run.timeout)
        run.result["status"] = info.get("status")
        run.read_live_after()
        if info.get("status") != logic.SUCCEEDED:
            run.fail(f"{msg}; it ended {info.get('status')}")
        run.exit(f"{msg}; it succeeded")
    if inflight:
        _codedeploy_in_flight(run, inflight[0], live_arn)

    family = logic.arn_family(live_arn) or run.names["family"]
    previous = run.aws.previous_revision_arn(run.application, run.group_name, live_arn)
    target = logic.rollback_target(live_arn, previous, run.aws.active_revisions(family))
    if not target:
        run.fail(f"no ACTIVE revision of {family} older than {live_arn} to roll back to")
    run.result["task_definition_after"] = target
    if run.module.check_mode:
        run.changed = True
        run.exit(f"would deploy the previous revision {target}")
    deployment_id = run.deploy_revision(target, service, f"bluegreen.ecs rollback to {target.rsplit('/', 1)[-1]}")
    run.result.update(deployment_id=deployment_id, status=logic.CREATED)
    if not run.params["wait"]:
        run.exit(f"started deployment {deployment_id} of {target}")
    outcome = run.follow(deployment_id, run.ready_wait())
    run.report(deployment_id, outcome, target, success_msg=f"rolled back to {target}")


def _codedeploy_in_flight(run, deployment, live_arn):
    """Stop the deployment in flight with rollback; if it completed first, redeploy what was live."""
    run.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
    if run.module.check_mode:
        run.changed = True
        run.exit(f"would stop deployment {deployment.deployment_id} ({deployment.status}) with rollback")
    accepted = run.stop(deployment.deployment_id, True, "rollback requested")
    if not run.params["wait"] and accepted:
        run.exit(f"stopping deployment {deployment.deployment_id} with rollback")
    outcome = run.follow(
        deployment.deployment_id, run.ready_wait(), stop_reason="rollback requested", undo_arn=live_arn
    )
    run.result["status"] = outcome["status"]
    run.result["rolled_back"] = outcome.get("rolled_back", False)
    if outcome.get("rollback_deployment_id"):
        run.result["rollback_deployment_id"] = outcome["rollback_deployment_id"]
    run.read_live_after()
    if outcome.get("unfinished") or (outcome["status"] == logic.SUCCEEDED and not outcome["rolled_back"]):
        run.fail(outcome["reason"])
    if outcome.get("rollback_deployment_id") and not outcome.get("rolled_back"):
        run.fail(f"rollback deployment {outcome['rollback_deployment_id']} did not succeed")
    if outcome["status"] == logic.SUCCEEDED:
        run.exit(f"deployment {deployment.deployment_id} completed before the stop; {outcome['reason']}")
    run.exit(f"stopped deployment {deployment.deployment_id} with rollback")


def ecs(run):
    """StopServiceDeployment ROLLBACK of the deployment in flight; with none, deploy the previous revision."""
    service = run.live_service()
    inflight = run.aws.in_flight(run.cluster, run.service_name)
    live_arn = run.production_arn(service, inflight)
    run.result["task_definition_before"] = run.result["task_definition_before"] or live_arn
    run.result["task_definition_after"] = live_arn
    if inflight:
        _ecs_in_flight(run, inflight[0], live_arn)
    family = logic.arn_family(live_arn) or run.names["family"]
    target = logic.rollback_target(live_arn, _ecs_previous(run, live_arn), run.aws.active_revisions(family))
    if not target:
        run.fail(f"no ACTIVE revision of {family} older than {live_arn} to roll back to")
    run.result["task_definition_after"] = target
    if run.module.check_mode:
        run.changed = True
        run.exit(f"would deploy the previous revision {target}")
    deployment_arn = run.start(target, service, [], f"rollback to {target.rsplit('/', 1)[-1]}")
    run.result.update(deployment_id=deployment_arn, status="PENDING")
    if not run.params["wait"]:
        run.exit(f"started service deployment {deployment_arn} of {target}")
    outcome = run.follow(deployment_arn)
    run.report(deployment_arn, outcome, target, success_msg=f"rolled back to {target}")


def _ecs_previous(run, live_arn):
    """The task definition the newest successful deployment replaced, if that deployment installed ``live_arn``."""
    newest = decide.newest_successful(run.aws.deployments(run.cluster, run.service_name, [decide.SUCCESSFUL]))
    found = run.aws.deployment(newest["serviceDeploymentArn"]) if newest else None
    if not found:
        return None
    target = (found.get("targetServiceRevision") or {}).get("arn")
    sources = found.get("sourceServiceRevisions") or []
    if not sources or run.aws.revision_task_definition(target) != live_arn:
        return None
    return run.aws.revision_task_definition(sources[0].get("arn"))


def _ecs_in_flight(run, deployment, live_arn):
    """Roll the deployment in flight back (one already rolling back is followed); a deployment that completed
    before the stop is undone by deploying ``live_arn`` again."""
    arn = deployment.deployment_id
    run.result.update(deployment_id=arn, status=deployment.status)
    settling = deployment.status in decide.SETTLING_STATUSES
    if run.module.check_mode:
        run.changed = not settling
        run.exit(f"would {'wait for' if settling else 'roll back'} service deployment {arn} ({deployment.status})")
    accepted = settling or run.rollback(arn, None, "rollback requested")
    if not run.params["wait"] and accepted:
        run.exit(f"rolling back service deployment {arn}")
    outcome = run.follow(arn, stop_reason="rollback requested", undo_arn=live_arn)
    run.result["status"] = outcome["status"]
    run.result["rolled_back"] = outcome.get("rolled_back", False)
    if outcome.get("rollback_deployment_id"):
        run.result["rollback_deployment_id"] = outcome["rollback_deployment_id"]
    run.read_live_after()
    if not outcome.get("rolled_back"):
        run.fail(outcome["reason"])
    run.exit(f"rolled back service deployment {arn}: {outcome['reason']}")
