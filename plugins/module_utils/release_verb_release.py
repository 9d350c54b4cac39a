# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The release verb: make the service run the task definition built from the spec and the image."""

from __future__ import annotations

from . import release as logic
from .release_runtime import now


def prepare(run):
    """Before the controller is known: the image, the roles and the alarms (bad input fails before any change)."""
    run.wanted_definition()
    run.check_alarms_exist()


def codedeploy(run):
    """Release through CodeDeploy: classify, register (or reuse) the revision, CreateDeployment, follow it."""
    if not run.params["wait"] and (run.validation_cfg or run.alarms or run.traffic_cfg):
        run.module.warn(
            "validation from the controller, alarms and the traffic sample apply only with wait: true "
            "(the validation hook still runs: it is CodeDeploy's)"
        )
    wanted = run.wanted_definition()
    run.group()
    run.check_hook_exists()
    run.production_listener()
    run.resolve_validation_url()
    service, live_arn, live, found = run.resolve_conflicts(wanted)
    diff = logic.diff_definitions(live, wanted, live_arn)
    changes = logic.service_changes(service, run.wanted_network, run.params["platform_version"])
    if changes:
        run.log.add("service_changes", "planned", now(), changes=changes)
        diff["before"]["service"] = run.service_settings(
            logic.live_network(service), logic.live_platform_version(service)
        )
        diff["after"]["service"] = run.service_settings(
            run.wanted_network or logic.live_network(service), run.wanted_platform(service)
        )

    _settle(
        run,
        found,
        live_arn,
        changes,
        diff,
        "deployment",
        lambda ident: run.follow(ident, run.ready_wait(), undo_arn=live_arn),
    )

    run.alarm_gate()
    arn, registered = _revision(run, found, wanted, live_arn, live, diff)
    also = f" (service changes: {'; '.join(changes)})" if changes else ""
    if run.module.check_mode:
        run.changed = True
        what = f"register a new revision of {wanted['family']}" if registered else f"reuse {arn}"
        run.exit(f"would {what} and start a CodeDeploy deployment in {run.group_name}{also}", diff=diff)

    image = wanted["containerDefinitions"][0]["image"]
    deployment_id = run.start_deployment(
        arn,
        service,
        run.names["container"],
        run.spec["port"],
        f"bluegreen.ecs release of {arn.rsplit('/', 1)[-1]} ({image}){also}"[:512],
    )
    run.result.update(deployment_id=deployment_id, status=logic.CREATED)
    if not run.params["wait"]:
        run.exit(f"started deployment {deployment_id}{also}", diff=diff)
    outcome = run.follow(deployment_id, run.ready_wait(), undo_arn=live_arn)
    run.report(deployment_id, outcome, arn, diff=diff)


def ecs(run):
    """Release by ECS itself: classify, register (or reuse) the revision, UpdateService, follow the deployment."""
    wanted = run.wanted_definition()
    service, live_arn, live, found = run.resolve_conflicts(wanted)
    run.resolve_validation_url(service)
    run.production_listener(service)
    diff = logic.diff_definitions(live, wanted, live_arn)
    changes = logic.service_changes(service, run.wanted_network, run.params["platform_version"])
    if changes:
        run.log.add("service_changes", "planned", now(), changes=changes)

    _settle(
        run, found, live_arn, changes, diff, "service deployment", lambda ident: run.follow(ident, undo_arn=live_arn)
    )

    run.alarm_gate(service)
    arn, registered = _revision(run, found, wanted, live_arn, live, diff)
    also = f" (service changes: {'; '.join(changes)})" if changes else ""
    if run.module.check_mode:
        run.changed = True
        what = f"register a new revision of {wanted['family']}" if registered else f"reuse {arn}"
        run.exit(f"would {what} and update service {run.service_name} (an ECS blue/green deployment){also}", diff=diff)
    if not run.params["wait"] and (run.validation_cfg or run.alarms or run.traffic_cfg):
        run.module.warn("validation from the controller, alarms and the traffic sample apply only with wait: true")
    deployment_arn = run.start(arn, service, changes, f"release of {arn.rsplit('/', 1)[-1]}{also}")
    run.result.update(deployment_id=deployment_arn, status="PENDING")
    if not run.params["wait"]:
        run.exit(f"started service deployment {deployment_arn}{also}", diff=diff)
    outcome = run.follow(deployment_arn, undo_arn=live_arn)
    run.report(deployment_arn, outcome, arn, diff=diff)


def _settle(run, found, live_arn, changes, diff, noun, follow):
    """End the run when the revision is already live, or follow the ``noun`` that already installs it."""
    if found.decision == logic.NOTHING_TO_DO and not changes:
        run.result["task_definition_after"] = live_arn
        run.exit(f"{live_arn} is already live; nothing to do", diff=None)
    if found.decision == logic.ATTACH:
        deployment = found.deployment
        run.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
        run.result["task_definition_after"] = deployment.task_definition_arn
        if run.module.check_mode or not run.params["wait"]:
            verb = "would wait" if run.module.check_mode else "not waiting"
            run.exit(
                f"{noun} {deployment.deployment_id} ({deployment.status}) already installs this revision; {verb} for it",
                diff=diff,
            )
        outcome = follow(deployment.deployment_id)
        run.report(deployment.deployment_id, outcome, deployment.task_definition_arn, diff=diff)


def _revision(run, found, wanted, live_arn, live, diff):
    """(task definition ARN, registered): the live one when only the service changes, else a new or reused one."""
    if found.decision == logic.NOTHING_TO_DO:
        arn, registered = live_arn, False
    else:
        arn, registered = run.revision_for(wanted, live_arn, live)
    run.result["registered"] = registered
    run.result["task_definition_after"] = arn
    diff["after_header"] = arn or "(new revision)"
    return arn, registered
