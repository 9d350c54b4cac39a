# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS controller of a release (deploymentController ECS; strategy BLUE_GREEN, LINEAR or CANARY).

ECS runs the blue/green deployment itself (ECS developer guide, "Amazon ECS blue/green deployments"): UpdateService
makes a new service revision and a service deployment, which moves the listener rules' weights stage by stage.
The module drives it like the CodeDeploy one: it validates green through the test listener while a ``PAUSE`` hook
holds POST_TEST_TRAFFIC_SHIFT and answers the hook (ContinueServiceDeployment CONTINUE or ROLLBACK), watches its
alarms through the shift and bake (the deployment's own ``deploymentConfiguration.alarms`` roll back by ECS), and
rolls back with StopServiceDeployment ROLLBACK. Decisions: ``release_ecs.py``; calls: ``release_ecs_aws.py``.
"""

from __future__ import annotations

from . import release as logic
from . import release_ecs as decide
from .http_check import DefinitionError, test_listener_url
from .release_aws import ReleaseError
from .release_ecs_aws import EcsNative
from .release_runtime import Run, clock, fetch, now, service_controller, sleep

BLUE_GREEN_STRATEGIES = ("BLUE_GREEN", "LINEAR", "CANARY")
# Requests without any answer after which the traffic sample gives up (the listener is not reachable from here).
_UNREACHABLE_AFTER = 3


class EcsRun(Run):
    kind = "ecs"
    noun = "service deployment"

    def setup(self):
        params = self.params
        self.aws = EcsNative(self.clients)
        self.wanted_network = None
        if params["subnets"]:
            self.wanted_network = logic.network_configuration(
                params["subnets"], params["security_groups"], params["assign_public_ip"]
            )
        self.continued = set()  # hooks this run answered CONTINUE
        self.stage_key = None  # (stage, status) of the last lifecycle_stage step
        self.stage_started = None
        self.stage_step = None
        self.production = None
        self.versions = {}
        # The validation function (codedeploy layer), invoked while the PAUSE hook holds: the check from inside the VPC.
        self.hook = params["validation_hook"]
        if self.hook:
            self.aws.function_arn(self.hook)
        for option in ("auto_rollback", "application_name", "deployment_group_name"):
            if params[option] is not None:
                self.module.warn(
                    f"{option} applies to CodeDeploy; ECS service {self.service_name} uses the ECS deployment "
                    "controller, whose own lifecycle hooks, alarms and circuit breaker apply"
                )

    # -- reads -----------------------------------------------------------------------------------

    def live_service(self):
        service = super().live_service()
        controller = service_controller(service)
        strategy = (service.get("deploymentConfiguration") or {}).get("strategy") or "ROLLING"
        if controller != "ECS" or strategy not in BLUE_GREEN_STRATEGIES:
            raise ReleaseError(
                f"ECS service {self.service_name!r} uses the {controller} deployment controller with the {strategy} "
                f"strategy; a blue/green release needs CODE_DEPLOY, or ECS with {', '.join(BLUE_GREEN_STRATEGIES)}"
            )
        return service

    def live_arn(self, service):
        return (service or {}).get("taskDefinition")

    def production_arn(self, service, inflight):
        """What production serves: the service's task definition, or the source revision of a deployment in flight
        (UpdateService already names the target)."""
        if inflight:
            found = self.aws.deployment(inflight[0].deployment_id) or {}
            sources = found.get("sourceServiceRevisions") or []
            if sources:
                return self.aws.revision_task_definition(sources[0].get("arn")) or self.live_arn(service)
        return self.live_arn(service)

    def advanced(self, service):
        balancers = (service or {}).get("loadBalancers") or []
        return (balancers[0].get("advancedConfiguration") or {}) if balancers else {}

    def has_validation_hook(self, service):
        """Whether a PAUSE hook holds POST_TEST_TRAFFIC_SHIFT (the validation gates production traffic)."""
        hooks = ((service or {}).get("deploymentConfiguration") or {}).get("lifecycleHooks") or []
        return any(
            h.get("targetType") == "PAUSE" and decide.VALIDATION_STAGE in (h.get("lifecycleStages") or [])
            for h in hooks
        )

    def resolve_validation_url(self, service):
        """The controller's check without a URL: its path on the listener of the service's test listener rule."""
        cfg = self.validation_cfg
        if not cfg or cfg["url"]:
            return
        rule = self.advanced(service).get("testListenerRule")
        if not rule:
            raise ReleaseError(
                f"ECS service {self.service_name!r} names no test listener rule (loadBalancers[0]."
                "advancedConfiguration.testListenerRule): validation.path needs one; give validation.url"
            )
        listener = self.aws.rule_listener(rule, "test")
        try:
            cfg["url"] = test_listener_url(listener["dns_name"], listener["protocol"], listener["port"], cfg["path"])
        except DefinitionError as e:
            raise ReleaseError(f"validation from the controller: {e}") from None
        if listener["protocol"] != "HTTPS":
            cfg["server_name"] = None

    def production_listener(self, service):
        if self.traffic_cfg and self.production is None:
            rule = self.advanced(service).get("productionListenerRule")
            if rule:
                self.production = self.aws.rule_listener(rule, "production")
        return self.production

    def alarm_gate(self, service):
        """Before a deployment no hook holds before production: an alarm in ALARM refuses the release."""
        if not self.alarms or self.has_validation_hook(service):
            return
        firing = self.firing_alarms()
        if firing:
            self.fail(
                f"alarm(s) in ALARM before the release started: {', '.join(firing)}; nothing was released "
                f"(no PAUSE hook holds {decide.VALIDATION_STAGE}, so production traffic would move without a check)"
            )

    # -- writes ----------------------------------------------------------------------------------

    def start(self, arn, service, changes, reason):
        """UpdateService to ``arn`` (with the network and platform when they change); the new deployment's ARN."""
        at = now()
        network = self.wanted_network if any(c.startswith("network") for c in changes) else None
        platform = self.params["platform_version"] if any(c.startswith("platform") for c in changes) else None
        updated = self.aws.update_service(self.cluster, self.service_name, arn, network, platform)
        self.wrote()
        deployment_arn = updated.get("currentServiceDeployment") or self.find_deployment(arn)
        if not deployment_arn:
            self.fail(f"UpdateService to {arn} started no service deployment that ECS lists")
        self.log.add(
            "update_service", "done", at, now(), deployment_id=deployment_arn, task_definition=arn, reason=reason
        )
        return deployment_arn

    def find_deployment(self, arn):
        """The newest deployment in flight that installs ``arn`` (UpdateService's answer may not name it)."""
        for deployment in self.aws.in_flight(self.cluster, self.service_name):
            if deployment.task_definition_arn == arn:
                return deployment.deployment_id
        return None

    def rollback(self, arn, hook_id, reason):
        """ContinueServiceDeployment ROLLBACK of a hook that awaits action, else StopServiceDeployment ROLLBACK.
        False when ECS refused (the deployment or hook moved on): the next read says how."""
        at = now()
        if hook_id:
            accepted = self.aws.continue_hook(arn, hook_id, "ROLLBACK")
            name = "continue_service_deployment"
        else:
            accepted = self.aws.stop_rollback(arn)
            name = "stop_service_deployment"
        if accepted:
            self.wrote()
        detail = dict(deployment_id=arn, action="ROLLBACK", reason=reason)
        if hook_id:
            detail["hook_id"] = hook_id
        self.log.add(name, "sent" if accepted else "refused", at, now(), **detail)
        return accepted

    def continue_hook(self, arn, hook_id, reason):
        at = now()
        accepted = self.aws.continue_hook(arn, hook_id, "CONTINUE")
        if accepted:
            self.wrote()
        self.log.add(
            "continue_service_deployment",
            "sent" if accepted else "refused",
            at,
            now(),
            deployment_id=arn,
            hook_id=hook_id,
            action="CONTINUE",
            reason=reason,
        )
        return accepted

    # -- the wait loop ---------------------------------------------------------------------------

    def record(self, deployment):
        """The step log from DescribeServiceDeployments: one step per (stage, status) seen, with its hooks."""
        stage = deployment.get("lifecycleStage") or "(none)"
        status = deployment.get("status")
        key = (deployment.get("serviceDeploymentArn"), stage, status)
        at = now()
        hooks = [
            {k: h[k] for k in ("hookId", "targetType", "status") if h.get(k) is not None}
            for h in deployment.get("lifecycleHookDetails") or []
        ]
        step = self.stage_step
        if step is not None and self.stage_key == key:
            step["ended"] = at.isoformat()
            step["duration_seconds"] = round((at - self.stage_started).total_seconds(), 3)
        else:
            self.stage_key, self.stage_started = key, at
            step = self.stage_step = self.log.add("lifecycle_stage", status, at, at, stage=stage, deployment_id=key[0])
            step["kind"] = "lifecycle_stage"
        if hooks:
            step["hooks"] = hooks
        rollback = deployment.get("rollback") or {}
        if rollback.get("reason"):
            step["rollback_reason"] = rollback["reason"]
        triggered = (deployment.get("alarms") or {}).get("triggeredAlarmNames")
        if triggered:
            step["triggered_alarms"] = list(triggered)

    def record_weights(self, deployment):
        target = deployment.get("targetServiceRevision") or {}
        sources = deployment.get("sourceServiceRevisions") or []
        if target.get("requestedProductionTrafficWeight") is not None:
            self.weights = {"green": float(target["requestedProductionTrafficWeight"])}
            if sources and sources[0].get("requestedProductionTrafficWeight") is not None:
                self.weights["blue"] = float(sources[0]["requestedProductionTrafficWeight"])

    def wait_terminal(self, arn, deadline):
        while True:
            found = self.aws.deployment(arn) or {}
            if found.get("status") in decide.TERMINAL_STATUSES or clock() >= deadline:
                return found
            sleep(self.poll_interval)

    def follow(self, arn, stop_reason=None, checks=True, undo_arn=None):
        """Drive one service deployment to its end; returns an outcome dict (success, status, reason, rolled_back).

        ``checks``: validation and alarms apply. ``undo_arn``: the task definition to deploy again if the deployment
        completes although we asked for a rollback.
        """
        validation = logic.Validation(
            logic.VALIDATION_PENDING
            if (self.validation_cfg or self.hook) and checks and stop_reason is None
            else logic.VALIDATION_NOT_CONFIGURED
        )
        alarms = self.alarms if checks else []
        stop_requested = stop_reason is not None
        stop_deadline = clock() + logic.stop_grace(self.timeout) if stop_requested else None
        sampled = set()
        while True:
            deployment = self.aws.deployment(arn) or {}
            self.record(deployment)
            self.record_weights(deployment)
            stage = deployment.get("lifecycleStage") or ""
            if self.traffic_cfg and checks and not stop_requested and "canary" not in sampled:
                if 0 < self.weights.get("green", 0) < 100 and stage in decide.ALARM_STAGES:
                    self.sample_traffic("canary", deployment)
                    sampled.add("canary")
            alarm_states = None
            if alarms and not stop_requested and decide.watch_alarms(stage, self.gate_alarms):
                alarm_states = self.aws.alarm_states(alarms)
                self.log.alarm_check(alarm_states, now())
            action = decide.next_action(
                deployment,
                validation,
                alarm_states,
                self.elapsed(),
                self.timeout,
                continued=self.continued,
                stop_requested=stop_requested,
                gate_alarms=self.gate_alarms and checks,
            )
            status = deployment.get("status")
            if action.kind == decide.DONE_SUCCESS:
                if self.traffic_cfg and checks:
                    self.sample_traffic("after", deployment)
                return {"success": True, "status": status}
            if action.kind == decide.DONE_FAILED:
                reason = f"{stop_reason}; {action.reason}" if stop_reason else action.reason
                outcome = {"success": False, "status": status, "reason": reason}
                outcome["rolled_back"] = status == decide.ROLLBACK_SUCCESSFUL
                if stop_requested and status == decide.SUCCESSFUL:
                    return self.completed_despite_rollback(arn, outcome, undo_arn)
                return outcome
            if action.kind == decide.VALIDATE:
                validation = self.validate_green(deployment, stage)
                continue
            if action.kind == decide.CONTINUE:
                self.continue_hook(arn, action.hook_id, action.reason)
                self.continued.add(action.hook_id)  # sent or refused: the next read shows where it went
            elif action.kind == decide.ROLLBACK:
                self.rollback(arn, action.hook_id, action.reason)  # refused: the next read shows how it ended
                stop_requested, stop_reason = True, action.reason
                stop_deadline = clock() + logic.stop_grace(self.timeout)
                continue
            elif stop_requested and clock() >= stop_deadline:
                return {
                    "success": False,
                    "status": status,
                    "reason": f"{stop_reason}; ECS has not finished the rollback (still {status})",
                    "rolled_back": False,
                    "unfinished": True,
                }
            sleep(self.poll_interval)

    def validate_green(self, deployment, stage):
        """The validation function's check from inside the VPC, then the controller's own (O(validation))."""
        before = decide.before_production(stage)
        if self.hook:
            validation = self.hook_validation(deployment, stage, before)
            if validation.state != logic.VALIDATION_PASSED or not self.validation_cfg:
                return validation
        return self.validate(stage, before)

    def hook_validation(self, deployment, stage, before_production):
        """Invoke the validation function with ECS's Lambda hook payload (ECS developer guide, "Lifecycle hooks for
        Amazon ECS service deployments") as one ``validation`` step; IN_PROGRESS asks again after its callBackDelay
        (default 30 s, "Lambda hooks for Amazon ECS service deployments"), within the release's timeout."""
        started = now()
        payload = {
            "serviceArn": deployment.get("serviceArn"),
            "targetServiceRevisionArn": (deployment.get("targetServiceRevision") or {}).get("arn"),
        }
        while True:
            answer = self.aws.invoke_validation(self.hook, payload)
            status = answer.get("hookStatus")
            if status != "IN_PROGRESS" or (self.timeout is not None and self.elapsed() >= self.timeout):
                break
            payload["hookDetails"] = answer.get("hookDetails") or payload.get("hookDetails") or {}
            sleep(float(answer.get("callBackDelay") or 30))
        ok = status == "SUCCEEDED"
        detail = str(answer.get("detail") or f"the function answered hookStatus {status!r}")
        self.log.add(
            "validation",
            "passed" if ok else "failed",
            started,
            now(),
            by="hook",
            function=self.hook,
            phase=stage,
            before_production_traffic=before_production,
            attempts=answer.get("attempts") or [],
            detail=detail,
        )
        return logic.Validation(logic.VALIDATION_PASSED if ok else logic.VALIDATION_FAILED, detail)

    def completed_despite_rollback(self, arn, outcome, undo_arn):
        """The deployment succeeded before our rollback: deploy the revision that was live before (without checks)."""
        service = self.live_service()
        if not undo_arn or self.live_arn(service) == undo_arn:
            return outcome
        undo = self.start(undo_arn, service, [], f"undo {arn.rsplit('/', 1)[-1]}")
        undone = self.follow(undo, checks=False)
        return self.undone(outcome, undo, undone, undo_arn, outcome["reason"])

    # -- conflicts -------------------------------------------------------------------------------

    def resolve_conflicts(self, wanted):
        """Classify; wait out rollbacks in flight; on a conflict apply on_conflict until the way is clear.
        Returns (service, live arn, live definition, classification)."""
        stopped = set()
        while True:
            service = self.live_service()
            inflight = self.aws.in_flight(self.cluster, self.service_name)
            live_arn = self.production_arn(service, inflight)
            self.result["task_definition_before"] = self.result["task_definition_before"] or live_arn
            live = self.aws.task_definition(live_arn)
            settling = [d for d in inflight if d.status in decide.SETTLING_STATUSES]
            found = logic.classify(live, wanted, [d for d in inflight if d not in settling])
            if not settling and found.decision != logic.CONFLICT:
                return service, live_arn, live, found
            other = settling[0] if settling else found.deployment
            choice = logic.CONFLICT_WAIT if settling else logic.conflict_choice(self.params["on_conflict"], other)
            reason = found.reason if not settling else f"deployment {other.deployment_id} is {other.status}"
            if other.deployment_id in stopped:
                choice = logic.CONFLICT_WAIT
            if choice == logic.CONFLICT_FAIL:
                self.fail(f"{reason}; on_conflict=fail", deployment_id=other.deployment_id, status=other.status)
            if self.module.check_mode:
                verb = "roll it back" if choice == logic.CONFLICT_STOP else "wait for it"
                self.changed = True
                self.exit(f"{reason}; would {verb}, then release", deployment_id=other.deployment_id)
            if choice == logic.CONFLICT_STOP:
                self.rollback(other.deployment_id, None, "on_conflict=stop")
                stopped.add(other.deployment_id)
            started = now()
            ended = self.wait_terminal(other.deployment_id, self.started + self.timeout)
            self.waited_for_other(other, started, ended, decide.TERMINAL_STATUSES)

    # -- the traffic sample ----------------------------------------------------------------------

    def deployment_versions(self, deployment):
        """(blue tag, green tag): the image tags of the source and target revisions."""
        arn = deployment.get("serviceDeploymentArn")
        if arn not in self.versions:
            sources = deployment.get("sourceServiceRevisions") or [{}]
            target = deployment.get("targetServiceRevision") or {}
            tags = []
            for revision in (sources[0].get("arn"), target.get("arn")):
                definition = self.aws.task_definition(self.aws.revision_task_definition(revision)) or {}
                tags.append(logic.image_tag((definition.get("containerDefinitions") or [{}])[0].get("image")))
            self.versions[arn] = tuple(tags)
        return self.versions[arn]

    def sample_traffic(self, when, deployment):
        """GET the production listener ``requests`` times; count the answers by version (blue, green, other)."""
        cfg = self.traffic_cfg
        listener = self.production
        if not listener:
            return
        url = f"{listener['protocol'].lower()}://{listener['dns_name']}:{listener['port']}{cfg['path']}"
        blue, green = self.deployment_versions(deployment)
        started = now()
        answers = []
        for _request in range(cfg["requests"]):
            status, body = fetch(url, cfg["timeout_seconds"], cfg["validate_certs"], cfg["server_name"])
            answers.append((status, logic.answered_version(body) if status is not None else None))
            if len(answers) == _UNREACHABLE_AFTER and all(a[0] is None for a in answers):
                break
        sample = {"when": when, "url": url, "weights": dict(self.weights), "blue_version": blue, "green_version": green}
        sample.update(logic.traffic_count(answers, blue, green))
        self.result.setdefault("traffic_samples", []).append(sample)
        self.log.add("traffic_sample", when, started, now(), **{k: v for k, v in sample.items() if k != "when"})
