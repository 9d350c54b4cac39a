"""What a deployment changes outside CodeDeploy, on moto's ECS, ELBv2 and CloudWatch backends (same account + region).

Follows:
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateTaskSet.html, API_DeleteTaskSet.html,
  API_UpdateServicePrimaryTaskSet.html (what CodeDeploy calls on the service)
- https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyListener.html and
  API_ForwardActionConfig.html (weighted target groups on the listeners' default forward action)
- https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html (StateValue)
- https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (the hooks' Event invocations, by the group's service
  role: emulator/bluegreen/hooks.py)
- https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetHealth.html (what the
  emulated load balancers' health checks find: emulator/dataplane/balancers.py ``target_states``, when present)
"""

import copy

from moto.awslambda.utils import get_backend as lambda_backend
from moto.cloudwatch.models import cloudwatch_backends
from moto.ecs.models import ecs_backends
from moto.elbv2.models import elbv2_backends
from moto.iam.models import iam_backends

from emulator.bluegreen import hooks
from emulator.bluegreen.plan import PlanError
from emulator.dataplane import functions
from emulator.patches.ecs import settle_task_sets


class World:
    def __init__(self, account_id: str, region: str):
        self.account_id = account_id
        self.region = region

    @property
    def ecs(self):
        return ecs_backends[self.account_id][self.region]

    @property
    def elbv2(self):
        return elbv2_backends[self.account_id][self.region]

    # ECS -----------------------------------------------------------------------------------------

    def service(self, cluster: str, name: str):
        """The ACTIVE CODE_DEPLOY service, else INVALID_ECS_SERVICE."""
        found = self.ecs.services.get(f"{cluster}:{name}")
        if found is None or found.status != "ACTIVE":
            raise PlanError("INVALID_ECS_SERVICE", f"The ECS service {name} does not exist in cluster {cluster}.")
        if (found.deployment_controller or {}).get("type") != "CODE_DEPLOY":
            raise PlanError(
                "INVALID_ECS_SERVICE", f"The ECS service {name} does not use the CODE_DEPLOY deployment controller."
            )
        return found

    def find_service(self, cluster: str, name: str):
        return self.ecs.services.get(f"{cluster}:{name}")

    def task_definition(self, reference: str):
        try:
            return self.ecs.describe_task_definition(reference)
        except Exception:  # noqa: BLE001 - moto raises several types for an unknown task definition
            raise PlanError("INVALID_REVISION", f"The task definition {reference} does not exist.") from None

    @staticmethod
    def task_set(service, arn: str | None):
        return next((ts for ts in service.task_sets if ts.task_set_arn == arn), None) if service and arn else None

    @staticmethod
    def primary(service):
        return next((ts for ts in service.task_sets if ts.status == "PRIMARY"), None)

    def create_task_set(self, service, task_definition_arn, target_group_arn, appspec, external_id):
        """The replacement task set: ACTIVE, scale 100 %, on ``target_group_arn`` (STABILIZING until installed)."""
        network = appspec.network_configuration or service.network_configuration or None
        task_set = self.ecs.create_task_set(
            service.name,
            service.cluster_name,
            task_definition_arn,
            external_id=external_id,
            network_configuration=network,
            load_balancers=[
                {
                    "targetGroupArn": target_group_arn,
                    "containerName": appspec.container_name,
                    "containerPort": appspec.container_port,
                }
            ],
            launch_type=service.launch_type,
            platform_version=appspec.platform_version or service.platform_version,
        )
        task_set.stabilityStatus = "STABILIZING"
        settle_task_sets(service)
        return task_set

    def delete_task_set(self, service, arn: str | None) -> None:
        if self.task_set(service, arn) is not None:
            self.ecs.delete_task_set(service.cluster_name, service.name, arn)

    def make_primary(self, service, arn: str | None) -> None:
        """UpdateServicePrimaryTaskSet: the service's taskDefinition and loadBalancers follow the task set."""
        if self.task_set(service, arn) is not None:
            self.ecs.update_service_primary_task_set(service.cluster_name, service.name, arn)

    # ELBv2 ---------------------------------------------------------------------------------------

    def target_group_arns(self, names) -> dict[str, str]:
        """{name: arn} of the named target groups, else ELASTIC_LOAD_BALANCING_INVALID."""
        found = {tg.name: tg.arn for tg in self.elbv2.target_groups.values() if tg.name in names}
        missing = [name for name in names if name not in found]
        if missing:
            raise PlanError("ELASTIC_LOAD_BALANCING_INVALID", f"Target group(s) not found: {', '.join(missing)}.")
        return found

    def listener(self, arn: str):
        for balancer in self.elbv2.load_balancers.values():
            if arn in balancer.listeners:
                return balancer.listeners[arn]
        return None

    def require_listeners(self, arns) -> None:
        missing = [arn for arn in arns if self.listener(arn) is None]
        if missing:
            raise PlanError("ELASTIC_LOAD_BALANCING_INVALID", f"Listener(s) not found: {', '.join(missing)}.")

    def weights(self, arn: str | None) -> dict[str, float]:
        """{target group ARN: percent of the traffic} of a listener's default forward action."""
        listener = self.listener(arn) if arn else None
        for action in (listener.default_actions if listener else None) or []:
            data = getattr(action, "data", {}) or {}
            if str(data.get("Type", "")).lower() != "forward":
                continue
            groups = (data.get("ForwardConfig") or {}).get("TargetGroups") or []
            if not groups and data.get("TargetGroupArn"):
                return {data["TargetGroupArn"]: 100.0}
            total = sum(float(tg.get("Weight", 1)) for tg in groups)
            return {
                tg["TargetGroupArn"]: (float(tg.get("Weight", 1)) * 100.0 / total if total else 0.0) for tg in groups
            }
        return {}

    def route(self, arns, weights: dict[str, int]) -> None:
        """Point the listeners' default action at the target groups with these weights (ModifyListener)."""
        groups = [{"TargetGroupArn": arn, "Weight": int(weight)} for arn, weight in weights.items()]
        action = {
            "Type": "forward",
            "ForwardConfig": {"TargetGroups": groups, "TargetGroupStickinessConfig": {"Enabled": False}},
        }
        for arn in arns:
            if self.listener(arn) is not None:
                self.elbv2.modify_listener(arn, actions=[copy.deepcopy(action)])

    # CloudWatch ----------------------------------------------------------------------------------

    def alarm_states(self, names) -> dict[str, str]:
        """{name: StateValue} of the alarms that exist (metric alarms; composite ones live in the same map)."""
        alarms = cloudwatch_backends[self.account_id][self.region].alarms
        return {name: alarms[name].state_value for name in names if name in alarms}

    # Lambda (hooks) ------------------------------------------------------------------------------

    def hook_function(self, event: str, name: str):
        """The hook's function (name, ARN or partial ARN), else HOOK_EXECUTION_FAILURE."""
        try:
            return lambda_backend(self.account_id, self.region).get_function(name)
        except Exception:  # noqa: BLE001 - moto raises UnknownFunctionException (and others for bad names)
            raise PlanError(
                "HOOK_EXECUTION_FAILURE",
                f"The Lambda function {name} of the {event} lifecycle event hook does not exist.",
            ) from None

    def may_invoke(self, role_arn: str | None, function_arn: str) -> bool:
        """Whether the service role's policies allow lambda:InvokeFunction on the function."""
        partition = function_arn.split(":")[1] if function_arn.count(":") >= 2 else "aws"
        try:
            role = iam_backends[self.account_id][partition].get_role_by_arn(role_arn or "")
        except Exception:  # noqa: BLE001 - a role that is gone allows nothing
            return False
        return hooks.allows(hooks.role_documents(role), hooks.INVOKE, function_arn)

    @staticmethod
    def invoke_hook(fn, deployment_id: str, execution_id: str) -> None:
        """CodeDeploy invokes the hook asynchronously (InvocationType Event)."""
        functions.invoke_event(fn, hooks.payload(deployment_id, execution_id))

    # Target health (the data plane's load balancers) -----------------------------------------------

    @staticmethod
    def target_health_reader():
        """``balancers.target_states`` when the emulated load balancers run health checks, else None."""
        try:
            from emulator.dataplane import balancers  # noqa: PLC0415 - optional: part of the data plane
        except ImportError:
            return None
        return getattr(balancers, "target_states", None)

    def healthy_targets(self, target_group_arn: str) -> int | None:
        """How many registered targets of the group are ready: healthy, or unused (no listener routes to the group
        yet, so ELB runs no health check: Target.NotInUse, API_TargetHealth.html); None when target health is not
        emulated."""
        reader = self.target_health_reader()
        if reader is None:
            return None
        states = reader(target_group_arn) or {}
        return sum(1 for state in states.values() if _state_name(state) in ("healthy", "unused"))


def _state_name(state) -> str:
    """A target state as balancers reports it: a string, or a TargetHealth-like dict."""
    if isinstance(state, dict):
        return str(state.get("State") or state.get("state") or "")
    return str(getattr(state, "state", state))
