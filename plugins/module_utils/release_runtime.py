# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a release run shares on both controllers: its clock, the result it builds, how it ends, the task definition
it releases, the controller's HTTP check and the alarms.

A verb (``release_verb_*.py``) ends a run by raising ``Finished`` or ``Failed`` with the whole result; the module's
``main()`` alone turns them into ``exit_json`` / ``fail_json``. The controller (``release_codedeploy.py``,
``release_ecs_run.py``) is chosen by ``Run.controller()`` from the service's ``deploymentController``.
"""

from __future__ import annotations

import http.client
import ssl
import time
from datetime import datetime, timezone
from urllib.error import HTTPError
from urllib.parse import urlsplit

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.urls import open_url

from . import naming
from . import release as logic
from .http_check import NamedHTTPSConnection
from .release_aws import GroupBusy, ReleaseAWS, ReleaseError
from .task_definition import database_facts, same_definition, task_definition

# Replaced by the unit tests with a fake clock (read through clock() and sleep(), never imported by name).
_clock = time.monotonic
_sleep = time.sleep


def clock():
    return _clock()


def sleep(seconds):
    _sleep(seconds)


def now():
    return datetime.now(timezone.utc)


class Finished(Exception):
    """The verb is done; ``result`` is what the module returns."""

    def __init__(self, result):
        super().__init__(result.get("msg"))
        self.result = result


class Failed(Exception):
    """The verb did not succeed; ``result`` (with ``msg`` and ``reason``) is what the module fails with."""

    def __init__(self, result):
        super().__init__(result.get("msg"))
        self.result = result


def _fetch_as(url, timeout, validate_certs, server_name):
    parts = urlsplit(url)
    context = ssl.create_default_context()
    if not validate_certs:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    default = 443 if parts.scheme.lower() == "https" else 80
    port = parts.port or default
    host_header = server_name if port == default else f"{server_name}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme.lower() == "https":
        conn = NamedHTTPSConnection(parts.hostname, port, server_name, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host_header})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def fetch(url, timeout, validate_certs, server_name=None):
    """One GET: (status, body), or (None, error text) when nothing answered.

    With ``server_name`` the request goes to the URL's address but says ``server_name`` in SNI and Host, and
    the certificate is checked against ``server_name``: an ALB's DNS name with a certificate for its domain.
    """
    try:
        if server_name:
            return _fetch_as(url, timeout, validate_certs, server_name)
        response = open_url(url, method="GET", timeout=timeout, validate_certs=validate_certs)
        return response.getcode(), response.read()
    except HTTPError as e:
        return e.code, e.read() if hasattr(e, "read") else b""
    except Exception as e:  # pylint: disable=broad-except
        return None, str(e)


def service_controller(service):
    """The service's deployment controller type; ECS when DescribeServices omits it (AWS's default)."""
    return ((service or {}).get("deploymentController") or {}).get("type") or "ECS"


class Run:
    """One run of the module: its options, names, clients, result and step log, before the controller is known."""

    kind = None  # "codedeploy" or "ecs" once the controller is known

    def __init__(self, module, spec, label, names, clients):
        self.module = module
        params = module.params
        self.params = params
        self.action = params["action"]
        self.timeout = params["timeout"]
        self.poll_interval = params["poll_interval"]
        self.validation_cfg = dict(params["validation"]) if params["validation"] else None
        self.traffic_cfg = params["traffic_sample"] if (params["traffic_sample"] or {}).get("requests") else None
        self.alarms = list(params["alarms"] or [])
        # A release (and a continue) checks the alarms before production traffic moves, not only while it moves.
        self.gate_alarms = self.action in ("release", "continue")
        self.spec = spec
        self.label = label
        self.names = names
        self.cluster = params["cluster_name"] or names["cluster"]
        self.service_name = params["service_name"] or names["service"]
        self.clients = clients
        self.aws = ReleaseAWS(clients)
        self.started = clock()
        self.changed = False
        self.writes = 0  # write calls that AWS accepted
        self.live_read_at = -1  # self.writes when the live task definition was last read
        self._wanted = None  # the task definition to release, built once (a verb may start over)
        self._alarms_known = False
        self._prefetched = None  # the service read to find the controller, handed to the first live_service()
        self.log = logic.StepLog()
        self.weights = {}
        self.result = {"task_definition_before": None, "task_definition_after": None, "registered": False}

    # -- the controller ----------------------------------------------------------------------------

    def controller(self):
        """The run for this service's controller: DescribeServices once (that answer serves the first read)."""
        # Imported here: each controller module imports this one.
        from .release_codedeploy import CodeDeployRun
        from .release_ecs_run import EcsRun

        service = self.aws.service(self.cluster, self.service_name)
        kind = service_controller(service)
        cls = {"CODE_DEPLOY": CodeDeployRun, "ECS": EcsRun}.get(kind)
        if cls is None:
            raise ReleaseError(
                f"ECS service {self.service_name!r} uses the {kind} deployment controller; this module releases "
                "through CodeDeploy (CODE_DEPLOY) or ECS blue/green (ECS)"
            )
        run = cls.__new__(cls)
        run.__dict__.update(self.__dict__)
        run._prefetched = service
        run.setup()
        return run

    def setup(self):
        """What the controller adds to the run (its names, clients and settings)."""

    def take_prefetched(self):
        service, self._prefetched = self._prefetched, None
        return service

    # -- results -------------------------------------------------------------------------------

    def _result(self, **extra):
        result = dict(self.result)
        result.update(extra)
        result["steps"] = self.log.report()
        result["duration_seconds"] = round(self.elapsed(), 2)
        if self.weights:
            result["traffic_weights"] = self.weights
        return result

    def exit(self, msg, diff=None, **extra):
        """End the verb with success (``Finished``)."""
        result = self._result(msg=msg, **extra)
        if diff is not None and self.module._diff:
            result["diff"] = diff
        result["changed"] = self.changed
        raise Finished(result)

    def fail(self, msg, **extra):
        """End the verb without success (``Failed``), saying what is live."""
        self.refresh_live()
        result = self._result(reason=msg, **extra)
        result.update(msg=msg, changed=self.changed)
        raise Failed(result)

    def aws_failure(self):
        """(msg, result) for an AWS error the module cannot read its way around: still say what is live."""
        msg = f"{self.action} of {self.service_name} failed"
        self.refresh_live()
        result = self._result(reason=msg)
        result["changed"] = self.changed
        return msg, result

    def live_service(self):
        """DescribeServices (the controller's check added by each controller)."""
        return self.take_prefetched() or self.aws.service(self.cluster, self.service_name)

    def live_arn(self, service):
        return logic.live_task_definition_arn(service)

    def refresh_live(self):
        """Make task_definition_before/after true before failing (best effort: the failure itself may be that the
        service cannot be read). Nothing written that moves traffic: what is live is what was live."""
        try:
            if not self.writes:
                if not self.result["task_definition_before"]:
                    service = self.take_prefetched() or self.aws.service(self.cluster, self.service_name)
                    self.result["task_definition_before"] = self.live_arn(service)
                self.result["task_definition_after"] = self.result["task_definition_before"]
            elif self.live_read_at != self.writes:
                self.read_live_after()
        except Exception:  # noqa: BLE001 - the original failure is what gets reported
            return

    def read_live_after(self):
        """Read what the service runs now into task_definition_after; returns the service."""
        service = self.live_service()
        self.result["task_definition_after"] = self.live_arn(service)
        self.live_read_at = self.writes
        return service

    def wrote(self):
        """A write that can move traffic (create, stop, continue, update) was accepted."""
        self.changed = True
        self.writes += 1

    def elapsed(self):
        return clock() - self.started

    # -- what both controllers read before they act ------------------------------------------------

    def check_alarms_exist(self):
        if not self.alarms or self._alarms_known:
            return
        known = self.aws.alarm_states(self.alarms)
        unknown = sorted(set(self.alarms) - set(known))
        if unknown:
            raise ReleaseError(f"unknown CloudWatch alarm(s): {', '.join(unknown)}")
        self._alarms_known = True

    def firing_alarms(self):
        """The watched alarms in ALARM now (an alarm check step)."""
        states = self.aws.alarm_states(self.alarms)
        self.log.alarm_check(states, now())
        return logic.alarms_in_alarm(states)

    def wanted_definition(self):
        if self._wanted is None:
            self._wanted = self.build_definition()
        return self._wanted

    def build_definition(self):
        params = self.params
        image = params["image"]
        if params["image_tag"]:
            image = self.aws.image_uri(self.names["repository"], params["image_tag"])
        exec_arn = params["execution_role_arn"] or self.aws.role_arn(self.names["execution_role"])
        task_arn = params["task_role_arn"] or self.aws.role_arn(self.names["task_role"])
        database = None
        if self.spec["database"]:
            identifier = naming.database_names(params["env"], params["project"], self.spec["database"])["instance"]
            database = database_facts(self.aws.db_instance(identifier), self.spec["database"])
        wanted = task_definition(self.spec, self.names, image, self.module.region, exec_arn, task_arn, False, database)
        if params["container_overrides"]:
            wanted["containerDefinitions"][0].update(params["container_overrides"])
        return wanted

    def revision_for(self, wanted, live_arn, live):
        """(arn, registered): reuse the latest ACTIVE revision when identical, else register one."""
        family = wanted["family"]
        active = self.aws.active_revisions(family)
        if active:
            latest = active[0]
            latest_def = live if latest == live_arn else self.aws.task_definition(latest)
            if same_definition(wanted, latest_def):
                return latest, False
        if self.module.check_mode:
            return None, True
        tags = naming.resource_tags(self.params["env"], self.params["project"], self.label, self.params["tags"])
        registered = self.aws.register(wanted, tags)
        self.changed = True
        at = now()
        self.log.add("register_task_definition", "done", at, at, task_definition=registered["taskDefinitionArn"])
        return registered["taskDefinitionArn"], True

    # -- shared by both controllers' runs (``noun``: what AWS calls one deployment) -------------------------------

    noun = "deployment"

    def report(self, deployment_id, outcome, expected_arn=None, success_msg="released", diff=None):
        """End with the outcome of a followed deployment; fail unless it succeeded."""
        if diff is not None and self.module._diff:
            self.result["diff"] = diff
        self.result["deployment_id"] = deployment_id
        self.result["status"] = outcome["status"]
        self.read_live_after()
        if outcome["success"]:
            if expected_arn and self.result["task_definition_after"] != expected_arn:
                self.fail(
                    f"{self.noun} {deployment_id} succeeded but the service runs "
                    f"{self.result['task_definition_after']}, not {expected_arn}",
                    rolled_back=False,
                )
            self.exit(f"{success_msg}: {self.noun} {deployment_id} succeeded")
        extra = {"rolled_back": outcome.get("rolled_back", False)}
        if outcome.get("rollback_deployment_id"):
            extra["rollback_deployment_id"] = outcome["rollback_deployment_id"]
        self.fail(outcome["reason"], **extra)

    @staticmethod
    def undone(outcome, undo_id, followed, undo_arn, reason):
        """``outcome`` after deployment ``undo_id`` put ``undo_arn`` back (``followed``: how it ended)."""
        outcome["rollback_deployment_id"] = undo_id
        outcome["rolled_back"] = followed["success"]
        verb = "redeployed" if followed["success"] else f"tried to redeploy ({followed.get('status')})"
        outcome["reason"] = f"{reason}; deployment {undo_id} {verb} {undo_arn}"
        return outcome

    def waited_for_other(self, other, started, ended, terminal_statuses):
        """Log the wait for another deployment in flight; fail when it did not end within the timeout."""
        self.log.add(
            "wait_for_other_deployment", ended.get("status"), started, now(), deployment_id=other.deployment_id
        )
        if ended.get("status") not in terminal_statuses:
            self.fail(
                f"timed out after {self.timeout}s waiting for {self.noun} {other.deployment_id} "
                f"({ended.get('status')}) to end",
                deployment_id=other.deployment_id,
                status=ended.get("status"),
            )

    def validate(self, where, before_production_traffic):
        """The controller's HTTP check of the new revision (O(validation)), as one ``validation`` step."""
        cfg = self.validation_cfg
        started = now()
        attempts = []
        ok, detail = False, ""
        for number in range(1, max(1, cfg["attempts"]) + 1):
            status, body = fetch(cfg["url"], cfg["timeout_seconds"], cfg["validate_certs"], cfg["server_name"])
            ok, detail = logic.check_response(status, body, cfg["expected_status"], cfg["body_pattern"])
            attempts.append({"attempt": number, "ok": ok, "detail": detail})
            if ok:
                break
            if number < cfg["attempts"]:
                sleep(cfg["interval_seconds"])
        detail_args = {"server_name": cfg["server_name"]} if cfg["server_name"] else {}
        self.log.add(
            "validation",
            "passed" if ok else "failed",
            started,
            now(),
            by="controller",
            url=cfg["url"],
            phase=where,
            before_production_traffic=before_production_traffic,
            attempts=attempts,
            **detail_args,
        )
        return logic.Validation(logic.VALIDATION_PASSED if ok else logic.VALIDATION_FAILED, detail)


class AwsFailed(Exception):
    """An AWS error no verb reads its way around: ``main()`` reports it with ``fail_json_aws``."""

    def __init__(self, error, msg, result):
        super().__init__(msg)
        self.error = error
        self.msg = msg
        self.result = result


# How many times a verb starts over when a deployment appears between reading the group and creating one.
GROUP_BUSY_RETRIES = 2


def drive(run, verb):
    """Run ``verb`` (a ``release_verb_*`` module): its checks, then its function for the service's controller.

    Ends by raising ``Finished``, ``Failed`` or ``AwsFailed``; a missing resource (``ReleaseError``) fails with its
    message. A verb whose CreateDeployment met a deployment started since it looked starts over (bounded).
    """
    current = run
    try:
        try:
            verb.prepare(current)
            current = run.controller()
            act = getattr(verb, current.kind)
            for attempt in range(GROUP_BUSY_RETRIES + 1):
                try:
                    act(current)
                except GroupBusy as e:
                    # Someone started a deployment between our read and our write: read again and decide again.
                    current.log.add("create_deployment", "group_busy", now(), detail=str(e))
                    if attempt == GROUP_BUSY_RETRIES:
                        current.fail(f"{e}, {attempt + 1} times; run again once it ends")
            current.fail(f"{run.action} ended without a result")  # every verb ends with exit or fail
        except ReleaseError as e:
            current.fail(str(e))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        msg, result = current.aws_failure()
        raise AwsFailed(e, msg, result) from None
