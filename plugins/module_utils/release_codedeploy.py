# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CodeDeploy controller of a release (a service with deploymentController CODE_DEPLOY).

Its reads, the wait loop that drives one CodeDeploy deployment with ``release.next_action`` (like ecspresso's
``WaitForCodeDeploy``), the validation hook's report, the traffic sample, starting a deployment and clearing a
conflict. The verbs that use it are ``release_verb_*.py``; the AWS calls ``release_aws.CodeDeployECS``; the
decisions ``release.py``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from . import release as logic
from .http_check import DefinitionError, test_listener_url
from .release_aws import CodeDeployECS, ReleaseError
from .release_runtime import Run, clock, fetch, now, sleep

# Seconds to wait for the validation function's verdict line in CloudWatch Logs after its lifecycle event ended
# (Lambda delivers its output to CloudWatch Logs asynchronously, usually within seconds).
_HOOK_LOG_WAIT = 30
# Requests without any answer after which the traffic sample gives up (the listener is not reachable from here).
_UNREACHABLE_AFTER = 3

STOP_LEAVES = (
    "; without rollback CodeDeploy leaves everything where it is: both task sets stay and production traffic "
    "stays split at its last weights until the next release or rollback"
)


def _from_ms(value):
    return datetime.fromtimestamp(value / 1000.0, timezone.utc) if value is not None else None


def error_message(info):
    error = info.get("errorInformation") or {}
    message = error.get("message") or error.get("code") or ""
    rollback = (info.get("rollbackInfo") or {}).get("rollbackMessage")
    return f"{message} ({rollback})" if message and rollback else message or rollback or ""


class CodeDeployRun(Run):
    kind = "codedeploy"

    def setup(self):
        params = self.params
        self.hook = params["validation_hook"]
        self._hook_checked = False
        self.production = None  # the production listener, read once when sampling traffic
        self.hooked = set()  # deployments this run created with the validation hook in their AppSpec
        self.versions = {}  # deployment id -> (blue tag, green tag), for the traffic sample
        self.auto_rollback = None
        if params["auto_rollback"] is not None:
            override = params["auto_rollback"]
            self.auto_rollback = {"enabled": override["enabled"], "events": list(override["events"] or [])}
        self.wanted_network = None
        if params["subnets"]:
            self.wanted_network = logic.network_configuration(
                params["subnets"], params["security_groups"], params["assign_public_ip"]
            )
        self.group_info = None
        self.application = params["application_name"] or self.names["codedeploy_app"]
        self.group_name = params["deployment_group_name"] or self.names["deployment_group"]
        self.target_id = f"{self.cluster}:{self.service_name}"
        self.aws = CodeDeployECS(self.clients)

    def live_service(self):
        service = super().live_service()
        controller = (service.get("deploymentController") or {}).get("type", "ECS")
        if controller != "CODE_DEPLOY":
            raise ReleaseError(
                f"ECS service {self.service_name!r} uses the {controller} deployment controller; "
                "this module releases through CodeDeploy (CODE_DEPLOY)"
            )
        return service

    def group(self):
        self.group_info = self.aws.deployment_group(self.application, self.group_name)
        return self.group_info

    def ready_wait(self):
        return logic.ready_wait_configured(self.group_info)

    def alarm_gate(self):
        """Before a deployment that will not pause in Ready: an alarm in ALARM refuses the release."""
        if not self.alarms or self.ready_wait():
            return
        states = self.aws.alarm_states(self.alarms)
        self.log.alarm_check(states, now())
        firing = logic.alarms_in_alarm(states)
        if firing:
            self.fail(
                f"alarm(s) in ALARM before the release started: {', '.join(firing)}; nothing was released "
                f"(the deployment group does not pause in Ready, so production traffic would move at once)"
            )

    def check_hook_exists(self):
        """The validation function must exist before a deployment names it (else CodeDeploy fails it later)."""
        if self.hook and not self._hook_checked:
            self.aws.function_arn(self.hook)
            self._hook_checked = True

    def resolve_validation_url(self):
        """The controller's check without a URL: its path on the test listener the deployment group names."""
        cfg = self.validation_cfg
        if not cfg or cfg["url"]:
            return
        listener = self.aws.listener(self.group_info or self.group(), "test")
        try:
            cfg["url"] = test_listener_url(listener["dns_name"], listener["protocol"], listener["port"], cfg["path"])
        except DefinitionError as e:
            raise ReleaseError(f"validation from the controller: {e}") from None
        if listener["protocol"] != "HTTPS":
            cfg["server_name"] = None  # SNI and a certificate's name mean nothing to an HTTP listener

    def production_listener(self):
        if self.traffic_cfg and self.production is None:
            self.production = self.aws.production_listener(self.group_info or self.group())
        return self.production

    def wanted_platform(self, service):
        return self.params["platform_version"] or logic.live_platform_version(service)

    def wait_terminal(self, deployment_id, deadline):
        """Poll a deployment (not ours, or a rollback) until it ends or ``deadline`` (clock) passes."""
        while True:
            info = self.aws.deployment(deployment_id)
            if info.get("status") in logic.TERMINAL_STATUSES or clock() >= deadline:
                return info
            sleep(self.poll_interval)

    def stop(self, deployment_id, rollback, reason):
        """StopDeployment. False when AWS says the deployment had already completed: the caller reads how."""
        at = now()
        answer = self.aws.stop(deployment_id, rollback)
        detail = dict(deployment_id=deployment_id, rollback=bool(rollback), reason=reason)
        if answer is None:
            self.log.add("stop_deployment", "already_completed", at, now(), **detail)
            return False
        self.wrote()
        self.log.add("stop_deployment", answer.get("status") or "requested", at, now(), **detail)
        return True

    def continue_ready(self, deployment_id, reason):
        """ContinueDeployment(READY_WAIT). False when the deployment had left Ready: the caller reads how."""
        at = now()
        if not self.aws.continue_ready(deployment_id):
            self.log.add("continue_deployment", "not_ready", at, now(), deployment_id=deployment_id, reason=reason)
            return False
        self.wrote()
        self.log.add("continue_deployment", "sent", at, now(), deployment_id=deployment_id, reason=reason)
        return True

    def follow(self, deployment_id, ready_wait, stop_reason=None, rollback=True, checks=True, undo_arn=None):
        """Drive one deployment to its end; returns an outcome dict (success, status, reason, rollback).

        ``checks``: validation and alarms apply (not to a deployment that undoes a faulty one).
        ``undo_arn``: the revision to redeploy if the deployment completes although we stopped it with rollback.
        """
        validation = logic.Validation(
            logic.VALIDATION_PENDING
            if self.validation_cfg and checks and stop_reason is None
            else logic.VALIDATION_NOT_CONFIGURED
        )
        alarms = self.alarms if checks else []
        continued = False
        stop_requested = stop_reason is not None
        stop_deadline = clock() + logic.stop_grace(self.timeout) if stop_requested else None
        hook = {}  # the validation hook of this deployment, once its lifecycle event ended
        sampled = set()
        while True:
            info = self.aws.deployment(deployment_id)
            status = info.get("status")
            target = None
            if status not in (logic.CREATED, logic.QUEUED):
                target = self.aws.deployment_target(deployment_id, self.target_id)
                if target:
                    self.log.lifecycle_events(target)
                    self.weights = logic.traffic_weights(target.get("taskSetsInfo")) or self.weights
                    if checks and self.hook and not hook and logic.hook_ended(target):
                        hook = self.report_hook(deployment_id, info, target)
            termination = bool(info.get("instanceTerminationWaitTimeStarted"))
            where = logic.phase(status, target, termination)
            if self.traffic_cfg and checks and not stop_requested and logic.sample_due(where, self.weights, sampled):
                self.sample_traffic("canary", deployment_id, info)
                sampled.add("canary")
            alarm_states = None
            if alarms and not stop_requested and logic.watch_alarms(where, self.gate_alarms):
                alarm_states = self.aws.alarm_states(alarms)
                self.log.alarm_check(alarm_states, now())
            action = logic.next_action(
                status,
                target,
                validation,
                alarm_states,
                self.elapsed(),
                self.timeout,
                ready_wait,
                continued=continued,
                stop_requested=stop_requested,
                termination_wait_started=termination,
                error_message=error_message(info),
                gate_alarms=self.gate_alarms and checks,
            )
            if action.kind == logic.DONE_SUCCESS:
                if self.traffic_cfg and checks:
                    self.sample_traffic("after", deployment_id, info)
                return {"success": True, "status": status, "info": info}
            if action.kind == logic.DONE_FAILED:
                reason = stop_reason or action.reason
                if hook.get("status") == "Failed" and not stop_reason:
                    reason = logic.hook_failure_reason(hook["function"], hook.get("report"), error_message(info))
                if stop_reason and status == logic.SUCCEEDED:
                    reason = f"{stop_reason}; {action.reason}"
                    return self.completed_despite_stop(info, reason, rollback, undo_arn)
                return self.finish_failed(info, reason, stop_requested and rollback)
            if action.kind == logic.VALIDATE:
                validation = self.validate(where, where in (logic.PHASE_READY, logic.PHASE_TEST_TRAFFIC))
                continue
            if action.kind == logic.CONTINUE:
                self.continue_ready(deployment_id, action.reason)
                continued = True  # sent or refused: the next read shows where the deployment went
            elif action.kind == logic.STOP_ROLLBACK:
                self.stop(deployment_id, True, action.reason)  # refused: the next read shows how it ended
                stop_requested, stop_reason, rollback = True, action.reason, True
                stop_deadline = clock() + logic.stop_grace(self.timeout)
                continue
            elif stop_requested and clock() >= stop_deadline:
                return {
                    "success": False,
                    "status": status,
                    "info": info,
                    "reason": f"{stop_reason}; CodeDeploy has not finished the stop (still {status})",
                    "rolled_back": False,
                    "unfinished": True,
                }
            sleep(self.poll_interval)

    def hook_function_of(self, deployment_id, info):
        """The AfterAllowTestTraffic function of a deployment: ours, or the one its AppSpec names (pipeline)."""
        if deployment_id in self.hooked:
            return self.hook
        return self.aws.revision_hooks(self.application, info.get("revision")).get(logic.VALIDATION_EVENT)

    def report_hook(self, deployment_id, info, target):
        """The hook's event ended: read its attempts from the function's log into a validation step.

        Returns {"function", "status", "report"} ({"status": None} when the deployment has no such hook)."""
        function = self.hook_function_of(deployment_id, info)
        status = logic.lifecycle_status(target)
        if not function:
            return {"function": None, "status": None}
        group = logic.hook_log_group(function)
        created = info.get("createTime")
        # A minute of margin for clock skew between this machine and CloudWatch Logs' timestamps.
        start_ms = int(created.timestamp() * 1000) - 60000 if isinstance(created, datetime) else 0
        deadline = clock() + _HOOK_LOG_WAIT
        while True:
            report = logic.hook_report(self.aws.log_messages(group, start_ms, deployment_id), deployment_id)
            if report["result"] or clock() >= deadline:
                break
            sleep(max(self.poll_interval, 0.2))
        event = next(
            (e for e in target.get("lifecycleEvents") or [] if e.get("lifecycleEventName") == logic.VALIDATION_EVENT),
            {},
        )
        started = _from_ms(report["started_ms"]) or event.get("startTime") or now()
        ended = _from_ms(report["ended_ms"]) or event.get("endTime") or started
        detail = {"by": "hook", "function": logic.function_name(function), "log_group": group}
        if report["url"]:
            detail["url"] = report["url"]
        if not report["result"]:
            detail["note"] = f"no verdict for {deployment_id} in {group} within {_HOOK_LOG_WAIT} s"
        elif report["detail"]:
            detail["detail"] = report["detail"]
        self.log.add(
            "validation",
            {"Succeeded": "passed", "Failed": "failed"}.get(status, str(status).lower()),
            started,
            ended,
            phase=logic.PHASE_TEST_TRAFFIC,
            before_production_traffic=True,
            attempts=report["attempts"],
            **detail,
        )
        return {"function": function, "status": status, "report": report}

    def deployment_versions(self, deployment_id, info):
        """(blue tag, green tag): the image tags of the live revision before and of the deployment's revision."""
        if deployment_id not in self.versions:
            green_arn = self.aws.revision_task_definition(self.application, info.get("revision"))
            tags = []
            for arn in (self.result["task_definition_before"], green_arn):
                definition = self.aws.task_definition(arn) or {}
                containers = definition.get("containerDefinitions") or [{}]
                tags.append(logic.image_tag(containers[0].get("image")))
            self.versions[deployment_id] = tuple(tags)
        return self.versions[deployment_id]

    def sample_traffic(self, when, deployment_id, info):
        """GET the production listener ``requests`` times; count the answers by version (blue, green, other)."""
        cfg = self.traffic_cfg
        listener = self.production_listener()
        url = f"{listener['protocol'].lower()}://{listener['dns_name']}:{listener['port']}{cfg['path']}"
        blue, green = self.deployment_versions(deployment_id, info)
        weights = dict(self.weights)
        started = now()
        answers = []
        unreachable = False
        for _request in range(cfg["requests"]):
            status, body = fetch(url, cfg["timeout_seconds"], cfg["validate_certs"], cfg["server_name"])
            answers.append((status, logic.answered_version(body) if status is not None else None))
            # Not reachable from here (an internal balancer, a firewall): do not hold the deployment's watch.
            if len(answers) == _UNREACHABLE_AFTER and all(a[0] is None for a in answers):
                unreachable = True
                break
        counts = logic.traffic_count(answers, blue, green)
        sample = {"when": when, "url": url, "weights": weights, "blue_version": blue, "green_version": green}
        sample.update(counts)
        if unreachable:
            sample["note"] = f"no answer to the first {_UNREACHABLE_AFTER} requests from this machine; sample stopped"
        if when == "canary":
            # Did CodeDeploy move the weights while we sampled? Then the counts straddle two steps: say so.
            target = self.aws.deployment_target(deployment_id, self.target_id)
            after = logic.traffic_weights((target or {}).get("taskSetsInfo")) or weights
            if after != weights:
                sample["weights_after"] = after
        self.result.setdefault("traffic_samples", []).append(sample)
        self.log.add("traffic_sample", when, started, now(), **{k: v for k, v in sample.items() if k != "when"})

    def completed_despite_stop(self, info, reason, rollback, undo_arn):
        """The deployment completed before our stop: if a rollback was wanted, redeploy the previous revision."""
        deployment_id = info.get("deploymentId")
        deployed = self.aws.revision_task_definition(self.application, info.get("revision"))
        outcome = {"success": False, "status": info.get("status"), "info": info, "reason": reason}
        outcome["rolled_back"] = False
        choice = logic.after_refused_stop(info.get("status"), rollback, undo_arn, deployed)
        if choice != logic.UNDO_REDEPLOY:
            return outcome
        service = self.live_service()
        undo_id = self.deploy_revision(
            undo_arn,
            service,
            f"bluegreen.ecs rollback of {deployment_id} to {undo_arn.rsplit('/', 1)[-1]}",
            checks=False,
        )
        undone = self.follow(undo_id, self.ready_wait(), checks=False)
        return self.undone(outcome, undo_id, undone, undo_arn, reason)

    def finish_failed(self, info, reason, rollback_requested):
        """The deployment ended without success: follow CodeDeploy's rollback deployment, if any."""
        deployment_id = info.get("deploymentId")
        rollback_id = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
        auto_rollback = (info.get("autoRollbackConfiguration") or {}).get("enabled")
        tries = 3 if (rollback_requested or auto_rollback) and not rollback_id else 0
        while tries and not rollback_id:
            sleep(self.poll_interval)
            info = self.aws.deployment(deployment_id)
            rollback_id = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
            tries -= 1
        outcome = {"success": False, "status": info.get("status"), "info": info, "reason": reason}
        outcome["rolled_back"] = False
        if rollback_id:
            outcome["rollback_deployment_id"] = rollback_id
            started = now()
            rollback = self.wait_terminal(rollback_id, clock() + logic.stop_grace(self.timeout))
            outcome["rolled_back"] = rollback.get("status") == logic.SUCCEEDED
            self.log.add("rollback_deployment", rollback.get("status"), started, now(), deployment_id=rollback_id)
        return outcome

    def start_deployment(self, arn, service, container_name, container_port, description, checks=True):
        """CreateDeployment; ``checks``: the AppSpec names the validation hook (not when undoing a faulty one)."""
        hooked = bool(self.hook and checks)
        content, digest = logic.appspec(
            arn,
            container_name,
            container_port,
            network_configuration=self.wanted_network or logic.live_network(service),
            capacity_provider_strategy=service.get("capacityProviderStrategy"),
            platform_version=self.wanted_platform(service),
            hooks=[(logic.VALIDATION_EVENT, self.hook)] if hooked else None,
        )
        at = now()
        deployment_id = self.aws.create_deployment(
            self.application, self.group_name, content, digest, description, auto_rollback=self.auto_rollback
        )
        self.wrote()
        if hooked:
            self.hooked.add(deployment_id)
        self.log.add("create_deployment", "done", at, now(), deployment_id=deployment_id, task_definition=arn)
        return deployment_id

    def deploy_revision(self, target, service, description, checks=True):
        """A new deployment of ``target`` with the container and port the service's load balancer uses."""
        container_name = self.names["container"]
        container_port = self.spec["port"] if self.spec else None
        balancers = service.get("loadBalancers") or []
        if balancers and balancers[0].get("containerName"):
            container_name, container_port = balancers[0]["containerName"], balancers[0]["containerPort"]
        if not container_port:
            self.fail(f"ECS service {self.service_name!r} has no load balancer container port; pass spec")
        return self.start_deployment(target, service, container_name, container_port, description, checks=checks)

    def resolve_conflicts(self, wanted):
        """Classify; on a conflict apply on_conflict until the way is clear. Returns (service, live, classification)."""
        stopped = set()
        while True:
            service = self.live_service()
            live_arn = logic.live_task_definition_arn(service)
            live = self.aws.task_definition(live_arn)
            inflight = self.aws.in_flight(self.application, self.group_name)
            found = logic.classify(live, wanted, inflight)
            self.result["task_definition_before"] = self.result["task_definition_before"] or live_arn
            if found.decision != logic.CONFLICT:
                return service, live_arn, live, found
            other = found.deployment
            choice = logic.conflict_choice(self.params["on_conflict"], other, stopped)
            if choice == logic.CONFLICT_FAIL:
                self.fail(f"{found.reason}; on_conflict=fail", deployment_id=other.deployment_id, status=other.status)
            if self.module.check_mode:
                verb = "stop it with rollback" if choice == logic.CONFLICT_STOP else "wait for it"
                self.changed = True
                self.exit(f"{found.reason}; would {verb}, then release", deployment_id=other.deployment_id)
            if choice == logic.CONFLICT_STOP:
                self.stop(other.deployment_id, True, "on_conflict=stop")  # already completed: nothing to wait for
                stopped.add(other.deployment_id)
            started = now()
            info = self.wait_terminal(other.deployment_id, self.started + self.timeout)
            self.waited_for_other(other, started, info, logic.TERMINAL_STATUSES)

    @staticmethod
    def service_settings(network, platform):
        return {"networkConfiguration": network or {}, "platformVersion": platform or "(default)"}
