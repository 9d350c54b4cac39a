"""ECS's own blue/green engine (deployment controller ECS, strategy BLUE_GREEN / LINEAR / CANARY): one engine per
moto ECS backend, holding the services' revisions and service deployments; each deployment's stages are
emulator/bluegreen/service_deployment.py.

What it reuses rather than copies: the CodeDeploy engine's LOCK and ticker (emulator/bluegreen/codedeploy_engine.py;
every moto request and every tick advance both engines), the emulated clock (emulator/clock.py via
deployment.seconds), the data plane's tasks (a revision with tasks is one more "task set" for
emulator/dataplane/tasks.py: its processes, ENIs and target registration), its target health
(emulator/dataplane/balancers.py through World.healthy_targets) and Lambda runtime (emulator/dataplane/functions.py),
and World's CloudWatch and IAM reads (emulator/bluegreen/world.py).

Follows:
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-revision.html: a revision is created with the
  service and by each update that starts a deployment; a rollback creates none (it returns to the last successful
  revision). ARNs ``arn:aws:ecs:<region>:<account>:service-revision/<cluster>/<service>/<number>`` and
  ``...:service-deployment/<cluster>/<service>/<id>`` (deployment-lifecycle-hooks.html's payload examples).
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html: a service deployment starts on
  CreateService, on forceNewDeployment, and on an update of a property that needs one (task definition, network,
  load balancers, platform version).
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html,
  API_DescribeServiceDeployments.html, API_DescribeServiceRevisions.html (at most 20 ARNs; unknown ones in
  ``failures`` with reason MISSING), API_StopServiceDeployment.html ("The valid values are ROLLBACK"; a completed
  deployment: ConflictException), API_ContinueServiceDeployment.html (the hook must be AWAITING_ACTION and the
  deployment IN_PROGRESS, developerguide/continue-service-deployment.html).
- https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyRule.html and API_ModifyListener.html:
  ECS moves traffic by the weights of the listener rules' forward action; a listener's default rule is changed
  through the listener's default actions (which the data plane routes by).

Choices where AWS is silent: the service's first revision is live at once (its deployment is SUCCESSFUL at
CreateService, blue running in ``targetGroupArn``); a deployment started while another is in flight stops the
older one (STOPPED) and reconciles; ECS-controller services with the ROLLING strategy stay moto's steady fiction.
"""

from __future__ import annotations

import json
import logging
import secrets
import string
import threading
import time

from moto.awslambda.utils import get_backend as lambda_backend
from moto.core.utils import utcnow
from moto.iam.models import iam_backends

from emulator.bluegreen import codedeploy_engine, ecs_config
from emulator.bluegreen.codedeploy_engine import LOCK, TICKER
from emulator.bluegreen.service_deployment import Revision, ServiceDeployment
from emulator.bluegreen.world import World
from emulator.dataplane import functions, tasks
from emulator.errors import AwsError
from emulator.patches import iam

_LOG = logging.getLogger(__name__)
_ATTR = "emulator_ecs_engine"
_LIVE: list[EcsNativeEngine] = []
_ID_CHARS = string.ascii_letters + string.digits + "-_"


def primary_deployment(service, revision: Revision) -> dict:
    """The DescribeServices ``deployments`` entry of a CODE_DEPLOY service moved to the ECS controller in place.

    On the ECS controller DescribeServices lists the service's deployments, "PRIMARY: the most recent deployment of a
    service" (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html); a CODE_DEPLOY service
    lists task sets instead, so moto leaves it none. After the migration
    (developerguide/migrate-code-deploy-to-ecs-blue-green.html) the running tasks are the first revision: that is the
    PRIMARY deployment, already COMPLETED, which is what botocore's ``services_stable`` waiter (one deployment,
    runningCount == desiredCount) reads as stable. The counts follow the tasks (emulator/patches/ecs.py,
    ``settle_service``)."""
    now = utcnow()
    return {
        "id": revision.id,
        "status": "PRIMARY",
        "taskDefinition": revision.task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": service.running_count,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "launchType": service.launch_type,
        "platformVersion": service.platform_version,
        "platformFamily": "EC2" if service.launch_type == "EC2" else "FARGATE",
        "networkConfiguration": dict(revision.network_configuration),
        "rolloutState": "COMPLETED",
        "rolloutStateReason": f"ECS deployment {revision.id} completed.",
    }


def not_found(arn: str) -> AwsError:
    return AwsError("ServiceDeploymentNotFoundException", f"The service deployment {arn} does not exist.")


class EcsNativeEngine:  # pylint: disable=too-many-public-methods
    """Revisions and service deployments of one moto ECS backend (account + region)."""

    def __init__(self, backend):
        self.backend = backend
        self.world = World(backend.account_id, backend.region_name)
        self.revisions: dict[str, Revision] = {}
        self.deployments: dict[str, ServiceDeployment] = {}  # in creation order
        self.numbers: dict[str, int] = {}

    # -- the service's lifecycle (called by emulator/patches/ecs.py, LOCK held) ----------------------------------

    def adopt(self, service) -> None:
        """A blue/green service seen for the first time: its live configuration is its first, successful revision."""
        if getattr(service, "emulator_revisions", None) or not service.task_definition:
            return
        revision = self._new_revision(service)
        revision.target_group_arn = (service.load_balancers or [{}])[0].get("targetGroupArn")
        service.emulator_revisions = [revision]
        self.scale(revision, 100.0)
        deployment = self._new_deployment(service, revision, None, [])
        deployment.status, deployment.stage = "SUCCESSFUL", "CLEAN_UP"
        deployment.started = deployment.finished = deployment.created
        deployment.script.close()
        deployment.due = None
        if not service.deployments:
            service.deployments = [primary_deployment(service, revision)]

    def start(self, service) -> ServiceDeployment:
        """A new service revision: stop what is in flight, deploy the new one (blue = the production revision)."""
        now = time.monotonic()
        for deployment in self._of(service):
            deployment.advance(now)
            deployment.stop_superseded(now)
        live = getattr(service, "emulator_revisions", None) or []
        blue = self._production(service)
        revision = self._new_revision(service)
        tgs = self._pair(service)
        revision.target_group_arn = next((tg for tg in tgs if not blue or tg != blue.target_group_arn), None)
        others = [r for r in live if r is not blue and r.scale.get("value")]
        service.emulator_revisions = [r for r in live if r is blue or r.scale.get("value")] + [revision]
        deployment = self._new_deployment(service, revision, blue, others)
        TICKER.wake()
        return deployment

    def needs_deployment(self, service, before: dict, request: dict) -> bool:
        """Whether an UpdateService starts a deployment: forceNewDeployment, or a changed revision property."""
        if request.get("forceNewDeployment"):
            return True
        return revision_fields(service) != before

    # -- the API (LOCK held) ---------------------------------------------------------------------------------------

    def list_deployments(self, service, statuses, created_at) -> list[dict]:
        found = [d for d in self._of(service) if not statuses or d.status in statuses]
        after, before = (created_at or {}).get("after"), (created_at or {}).get("before")
        found = [d for d in found if (not after or d.created >= after) and (not before or d.created <= before)]
        return [d.brief() for d in reversed(found)]

    def describe_deployments(self, arns: list[str]) -> tuple[list[dict], list[dict]]:
        found, failures = [], []
        for arn in arns:
            deployment = self.deployments.get(arn)
            if deployment is None:
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                found.append(deployment.describe())
        return found, failures

    def describe_revisions(self, arns: list[str]) -> tuple[list[dict], list[dict]]:
        found, failures = [], []
        for arn in arns:
            revision = self.revisions.get(arn)
            if revision is None:
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                found.append(self._revision_shape(revision))
        return found, failures

    def stop(self, arn: str, stop_type: str) -> None:
        deployment = self._deployment(arn)
        if stop_type != "ROLLBACK":
            raise AwsError(
                "InvalidParameterException",
                f"The stop type {stop_type} is not supported. The valid value is ROLLBACK.",
            )
        if deployment.done:
            raise AwsError(
                "ConflictException",
                f"The service deployment {arn} is {deployment.status} and cannot be stopped.",
            )
        deployment.request_rollback("StopServiceDeployment rolled back the deployment.", time.monotonic())
        TICKER.wake()

    def continue_(self, arn: str, hook: str, action: str) -> None:
        deployment = self._deployment(arn)
        if action not in ("CONTINUE", "ROLLBACK"):
            raise AwsError(
                "InvalidParameterException", f"Invalid action {action}; valid actions are CONTINUE, ROLLBACK."
            )
        if deployment.status != "IN_PROGRESS":
            raise AwsError(
                "InvalidParameterException",
                f"The service deployment {arn} is {deployment.status}; only an IN_PROGRESS deployment can be continued.",
            )
        run = next((r for r in deployment.hooks if r.hook_id == hook), None)
        if run is None or run.target_type != "PAUSE" or run.status != "AWAITING_ACTION":
            raise AwsError(
                "InvalidParameterException",
                f"The lifecycle hook {hook} of service deployment {arn} is not awaiting action.",
            )
        deployment.continue_hook(run, action, time.monotonic())
        TICKER.wake()

    # -- time ------------------------------------------------------------------------------------------------------

    def advance(self) -> bool:
        now, busy = time.monotonic(), False
        for deployment in list(self.deployments.values()):
            if deployment.done:
                continue
            try:
                deployment.advance(now)
            except Exception as err:  # noqa: BLE001 - a bug fails one deployment, not the emulator
                _LOG.exception("service deployment %s failed in the engine", deployment.arn)
                deployment.request_rollback(f"The emulator's ECS deployment engine failed: {err}", now)
            busy = busy or not deployment.done
        return busy

    # -- what a deployment does (service_deployment.ServiceDeployment's ``ops``) ----------------------------------

    def scale(self, revision: Revision, percent: float) -> None:
        """The revision's tasks follow (the data plane reconciles); at 0 % it stops being active."""
        revision.scale = {"value": float(percent), "unit": "PERCENT"}
        service = self._service_of(revision)
        if service is not None and percent <= 0:
            service.emulator_revisions = [r for r in getattr(service, "emulator_revisions", []) if r is not revision]
        elif service is not None and revision not in getattr(service, "emulator_revisions", []):
            service.emulator_revisions = [*getattr(service, "emulator_revisions", []), revision]
        tasks.wake()

    def desired_count(self, deployment: ServiceDeployment) -> int:
        service = self.backend.services.get(deployment.service_key)
        return int(service.desired_count or 0) if service is not None else 0

    def healthy_targets(self, revision: Revision) -> int | None:
        if not revision.target_group_arn:
            return None
        return self.world.healthy_targets(revision.target_group_arn)

    def failed_tasks(self, revision: Revision) -> int:
        """Tasks of the revision that stopped without being asked to (failed to start, exited, failed health)."""
        found = tasks.listed(self.backend.account_id, self.backend.region_name, revision.cluster_arn.split("/")[-1])
        return sum(
            1
            for t in found
            if t.task_set_arn == revision.arn
            and t.desired_status == "STOPPED"
            and t.stop_code != "ServiceSchedulerInitiated"
        )

    def task_counts(self, revision: Revision) -> tuple[int, int]:
        return tasks.counts(revision.arn)

    def alarm_states(self, names) -> dict[str, str]:
        return self.world.alarm_states(names)

    def route(self, rule_arn: str, weights: dict[str, float]) -> None:
        """The rule's forward action with these weights; a default rule through its listener's default actions."""
        rule, listener = self._rule(rule_arn)
        if rule is None:
            return
        groups = [{"TargetGroupArn": arn, "Weight": int(round(weight))} for arn, weight in weights.items()]
        action = {
            "Type": "forward",
            "ForwardConfig": {"TargetGroups": groups, "TargetGroupStickinessConfig": {"Enabled": False}},
        }
        if rule.is_default:
            self.world.elbv2.modify_listener(listener.arn, actions=[action])
        else:
            self.world.elbv2.modify_rule(rule_arn, [], [action])

    def rule_weights(self, rule_arn: str) -> dict[str, float]:
        rule, _listener = self._rule(rule_arn)
        return forward_weights(rule.actions if rule is not None else [])

    def make_primary(self, deployment: ServiceDeployment) -> None:
        """Production is on green: the service's PRIMARY deployment is green's (DescribeServices)."""
        service = self.backend.services.get(deployment.service_key)
        if service is not None:
            for entry in service.deployments:
                entry["taskDefinition"] = deployment.target.task_definition

    def restore(self, deployment: ServiceDeployment) -> None:
        """A rollback returns the service to blue's configuration (no new revision)."""
        service = self.backend.services.get(deployment.service_key)
        blue = deployment.blue
        if service is None or blue is None:
            return
        service.task_definition = blue.task_definition
        service.network_configuration = blue.network_configuration
        service.platform_version = blue.platform_version
        for entry in service.deployments:
            entry["taskDefinition"] = blue.task_definition

    def settled(self, deployment: ServiceDeployment) -> None:
        """A deployment ended: what no longer takes traffic stops being active."""
        service = self.backend.services.get(deployment.service_key)
        if service is not None and deployment.status in ("SUCCESSFUL", "ROLLBACK_SUCCESSFUL"):
            keep = deployment.target if deployment.status == "SUCCESSFUL" else deployment.blue
            for revision in list(getattr(service, "emulator_revisions", [])):
                if revision is not keep:
                    self.scale(revision, 0.0)

    def invoke_hook(self, run, payload: dict) -> None:
        """ECS invokes the hook's function synchronously, with the hook's role (deployment-lifecycle-hooks.html)."""
        try:
            fn = lambda_backend(self.backend.account_id, self.backend.region_name).get_function(run.target_arn)
        except Exception:  # noqa: BLE001 - moto raises several types for an unknown function
            run.answer, run.calling = {"error": "the function does not exist"}, False
            return
        if not self.world.may_invoke(run.role_arn, fn.function_arn):
            run.answer = {"error": f"the role {run.role_arn} does not allow lambda:InvokeFunction on it"}
            run.calling = False
            return
        body = json.dumps(payload, default=str).encode()
        threading.Thread(target=_invoke, args=(fn, body, run), name=f"ecs-hook-{run.hook_id[-8:]}", daemon=True).start()

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _of(self, service) -> list[ServiceDeployment]:
        key = f"{service.cluster_name}:{service.name}"
        return [d for d in self.deployments.values() if d.service_key == key]

    def _deployment(self, arn: str) -> ServiceDeployment:
        deployment = self.deployments.get(arn)
        if deployment is None:
            raise not_found(arn)
        deployment.advance(time.monotonic())
        return deployment

    def _production(self, service) -> Revision | None:
        """The revision production traffic is on: the target of the last successful deployment, or the one a
        rollback returned to."""
        for deployment in reversed(self._of(service)):
            if deployment.status == "SUCCESSFUL":
                return deployment.target
            if deployment.status == "ROLLBACK_SUCCESSFUL" and deployment.blue is not None:
                return deployment.blue
            if deployment.status != "PENDING" and deployment.blue is not None:
                return deployment.blue  # stopped or in flight: blue still holds production
        return None

    def _service_of(self, revision: Revision):
        key = f"{revision.cluster_arn.split('/')[-1]}:{revision.service_arn.split('/')[-1]}"
        return self.backend.services.get(key)

    @staticmethod
    def _pair(service) -> list[str]:
        balancer = (service.load_balancers or [{}])[0]
        alternate = (balancer.get("advancedConfiguration") or {}).get("alternateTargetGroupArn")
        return [tg for tg in (balancer.get("targetGroupArn"), alternate) if tg]

    def _new_revision(self, service) -> Revision:
        key = f"{service.cluster_name}:{service.name}"
        self.numbers[key] = self.numbers.get(key, 0) + 1
        partition = service.arn.split(":")[1]
        prefix = f"arn:{partition}:ecs:{self.backend.region_name}:{self.backend.account_id}"
        balancer = (service.load_balancers or [{}])[0]
        revision = Revision(
            arn=f"{prefix}:service-revision/{service.cluster_name}/{service.name}/{secrets.randbelow(10**19):019d}",
            id=f"ecs-svc/{secrets.randbelow(10**19):019d}",
            service_arn=service.arn,
            cluster_arn=service.cluster_arn,
            task_definition=service.task_definition,
            configured_load_balancers=[dict(b) for b in service.load_balancers or []],
            network_configuration=dict(service.network_configuration or {}),
            platform_version=service.platform_version,
            launch_type=service.launch_type,
            created_at=utcnow(),
            container=(balancer.get("containerName"), balancer.get("containerPort")),
            service_registries=[dict(r) for r in getattr(service, "service_registries", None) or []],
        )
        self.revisions[revision.arn] = revision
        return revision

    def _new_deployment(self, service, target: Revision, blue, others) -> ServiceDeployment:
        partition = service.arn.split(":")[1]
        ident = "".join(secrets.choice(_ID_CHARS) for _char in range(22))
        arn = (
            f"arn:{partition}:ecs:{self.backend.region_name}:{self.backend.account_id}:service-deployment/"
            f"{service.cluster_name}/{service.name}/{ident}"
        )
        deployment = ServiceDeployment(self, arn, service, target, blue, others, time.monotonic())
        self.deployments[arn] = deployment
        return deployment

    def _rule(self, rule_arn: str):
        for balancer in self.world.elbv2.load_balancers.values():
            for listener in balancer.listeners.values():
                rule = next((r for r in listener.rules.values() if r.arn == rule_arn), None)
                if rule is not None:
                    return rule, listener
        return None, None

    def rule_action_types(self, rule_arn: str) -> list[str] | None:
        rule, _listener = self._rule(rule_arn)
        return None if rule is None else [action.type for action in rule.actions]

    def role_trusts_ecs(self, role_arn: str) -> bool | None:
        partition = role_arn.split(":")[1] if role_arn.count(":") >= 2 else "aws"
        try:
            role = iam_backends[self.backend.account_id][partition].get_role_by_arn(role_arn)
        except Exception:  # noqa: BLE001 - moto's IAMNotFoundException
            return None
        # A role IAM has not propagated yet is one ECS cannot assume either (patches/iam.py, role_propagated).
        return iam.trusts_service(role, ecs_config.LB_ROLE_PRINCIPAL) and iam.role_propagated(role)

    def _revision_shape(self, revision: Revision) -> dict:
        """ServiceRevision (API_ServiceRevision.html)."""
        shown = {
            "serviceRevisionArn": revision.arn,
            "serviceArn": revision.service_arn,
            "clusterArn": revision.cluster_arn,
            "taskDefinition": revision.task_definition,
            "loadBalancers": [dict(b) for b in revision.configured_load_balancers],
            "serviceRegistries": [dict(r) for r in revision.service_registries],
            "containerImages": self._images(revision),
            "guardDutyEnabled": False,
            "createdAt": revision.created_at,
        }
        if revision.network_configuration:
            shown["networkConfiguration"] = revision.network_configuration
        if revision.launch_type:
            shown["launchType"] = revision.launch_type
            shown["platformFamily"] = "Linux" if revision.launch_type == "FARGATE" else "EC2"
        if revision.platform_version:
            shown["platformVersion"] = revision.platform_version
        return shown

    def _images(self, revision: Revision) -> list[dict]:
        try:
            definition = self.backend.describe_task_definition(revision.task_definition)
        except Exception:  # noqa: BLE001 - a deregistered or unknown task definition
            return []
        return [{"containerName": c.get("name"), "image": c.get("image")} for c in definition.container_definitions]


def revision_fields(service) -> dict:
    """The service properties whose change makes a new revision (developerguide/service-revision-property.html).

    serviceRegistries among them: "This parameter triggers a new service deployment" (API_UpdateService.html,
    serviceRegistries; botocore's ecs model says the same)."""
    return json.loads(
        json.dumps(
            {
                "taskDefinition": service.task_definition,
                "networkConfiguration": service.network_configuration or {},
                "loadBalancers": service.load_balancers or [],
                "platformVersion": service.platform_version,
                "serviceRegistries": getattr(service, "service_registries", None) or [],
            },
            sort_keys=True,
            default=str,
        )
    )


def forward_weights(actions) -> dict[str, float]:
    """{target group ARN: percent} of a rule's forward action."""
    for action in actions or []:
        data = getattr(action, "data", action) or {}
        if str(data.get("Type", "")).lower() != "forward":
            continue
        groups = (data.get("ForwardConfig") or {}).get("TargetGroups") or []
        if not groups and data.get("TargetGroupArn"):
            return {data["TargetGroupArn"]: 100.0}
        total = sum(float(g.get("Weight", 1)) for g in groups)
        return {g["TargetGroupArn"]: (float(g.get("Weight", 1)) * 100.0 / total if total else 0.0) for g in groups}
    return {}


def _invoke(fn, body: bytes, run) -> None:
    """One synchronous invocation off the ticker (the function may call the emulator back); its answer is read by
    the deployment's next step."""
    try:
        with LOCK:
            result = functions.invoke(fn, body, "RequestResponse")
        if result.function_error:
            answer = {"error": f"the function failed ({result.payload.decode(errors='replace')[:200]})"}
        else:
            document = json.loads(result.payload or b"null")
            document = document if isinstance(document, dict) else {}
            answer = {
                "status": document.get("hookStatus"),
                "delay": document.get("callBackDelay"),
                "details": document.get("hookDetails"),
            }
    except Exception as err:  # noqa: BLE001 - any failure of the invocation rolls back, as AWS does
        answer = {"error": f"the invocation failed: {err}"}
    with LOCK:
        run.answer, run.calling = answer, False


# -- one engine per backend -------------------------------------------------------------------------------------


def engine_for(backend) -> EcsNativeEngine:
    """The engine of one moto ECS backend; moto's reset clears the backend in place, so a new one follows a reset."""
    with LOCK:
        engine = backend.__dict__.get(_ATTR)
        if engine is None:
            engine = EcsNativeEngine(backend)
            setattr(backend, _ATTR, engine)
            _LIVE.append(engine)
        return engine


def advance_all() -> bool:
    """Advance every live engine (the CodeDeploy engine's ticker and requests call this); True while one is busy."""
    busy = False
    with LOCK:
        for engine in list(_LIVE):
            if engine.backend.__dict__.get(_ATTR) is not engine:
                _LIVE.remove(engine)  # moto reset its backend
                continue
            busy = engine.advance() or busy
    return busy


def install() -> None:
    codedeploy_engine.register_advancer(advance_all)
