"""What one ECS blue/green deployment will do, read from CodeDeploy's data only (no ECS or ELB look-ups).

Follows:
- https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-resources.html (ECS
  AppSpec: TaskDefinition, LoadBalancerInfo ContainerName/ContainerPort, PlatformVersion, NetworkConfiguration)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_BlueGreenDeploymentConfiguration.html
  (deploymentReadyOption, terminateBlueInstancesOnDeploymentSuccess)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_TargetGroupPairInfo.html
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_TrafficRoutingConfig.html (canary, linear, all at once)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_AlarmConfiguration.html and
  API_AutoRollbackConfiguration.html (the deployment's own settings override the group's)
"""

import json
from dataclasses import dataclass, field

import yaml

from emulator.bluegreen.hooks import HOOKABLE
from emulator.patches.codedeploy.configs import find_config


class PlanError(Exception):
    """A deployment that cannot run: ``code`` is a CodeDeploy ErrorCode."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class AppSpec:
    task_definition: str
    container_name: str
    container_port: int
    platform_version: str | None = None
    network_configuration: dict | None = None  # ECS API shape ({"awsvpcConfiguration": {...}})
    hooks: tuple[tuple[str, str], ...] = ()  # (lifecycle event, Lambda function name or ARN), AppSpec order


@dataclass(frozen=True)
class Plan:
    """Everything but the AppSpec is always readable; ``problem`` is the first reason the deployment must fail."""

    cluster: str = ""
    service: str = ""
    appspec: AppSpec | None = None
    target_groups: tuple[str, ...] = ()  # names, as the deployment group lists them
    prod_listeners: tuple[str, ...] = ()
    test_listeners: tuple[str, ...] = ()
    increments: tuple[tuple[int, float], ...] = ((100, 0.0),)  # (production weight of green, minutes held)
    ready_wait: float | None = None  # minutes in Ready (STOP_DEPLOYMENT), None: no ready wait
    termination_wait: float = 0.0
    alarms: tuple[str, ...] = ()  # watched alarm names (empty: alarms off)
    ignore_alarm_failure: bool = False
    rollback_events: frozenset[str] = field(default_factory=frozenset)
    problem: PlanError | None = None


def _get(doc, key: str):
    """AppSpec keys are PascalCase; accept camelCase too, as the YAML AppSpecs in the wild do."""
    if not isinstance(doc, dict):
        return None
    if key in doc:
        return doc[key]
    return doc.get(key[:1].lower() + key[1:])


def _revision_text(revision) -> str | None:
    revision = revision or {}
    for key in ("appSpecContent", "string"):
        content = (revision.get(key) or {}).get("content")
        if content:
            return content
    return None


def _parse_document(text: str):
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _network(props) -> dict | None:
    awsvpc = _get(_get(props, "NetworkConfiguration"), "AwsvpcConfiguration")
    if not isinstance(awsvpc, dict):
        return None
    out = {"subnets": list(_get(awsvpc, "Subnets") or []), "securityGroups": list(_get(awsvpc, "SecurityGroups") or [])}
    if _get(awsvpc, "AssignPublicIp"):
        out["assignPublicIp"] = _get(awsvpc, "AssignPublicIp")
    return {"awsvpcConfiguration": out}


def read_hooks(document) -> tuple[tuple[str, str], ...]:
    """The AppSpec's Hooks: a list of {event: function}; only the five ECS hookable events
    (reference-appspec-file-structure-hooks.html#appspec-hooks-ecs), else INVALID_REVISION."""
    hooks = []
    for entry in _get(document, "Hooks") or []:
        for event, function in (entry or {}).items() if isinstance(entry, dict) else ():
            if event not in HOOKABLE:
                raise PlanError(
                    "INVALID_REVISION",
                    f"The AppSpec file names a hook for {event}; an Amazon ECS deployment can hook only "
                    f"{', '.join(HOOKABLE)}.",
                )
            if not isinstance(function, str) or not function:
                raise PlanError("INVALID_REVISION", f"The {event} hook of the AppSpec file names no Lambda function.")
            hooks.append((event, function))
    return tuple(hooks)


def read_appspec(revision) -> AppSpec:
    """The ECS service resource of the revision's AppSpec (INVALID_REVISION when it has none)."""
    text = _revision_text(revision)
    if not text:
        raise PlanError("INVALID_REVISION", "Only AppSpecContent and String revisions are emulated; none was found.")
    document = _parse_document(text)
    for resource in _get(document, "Resources") or []:
        for value in (resource or {}).values() if isinstance(resource, dict) else ():
            if str(_get(value, "Type") or "").lower() != "aws::ecs::service":
                continue
            props = _get(value, "Properties") or {}
            balancer = _get(props, "LoadBalancerInfo") or {}
            task_definition = _get(props, "TaskDefinition")
            name, port = _get(balancer, "ContainerName"), _get(balancer, "ContainerPort")
            if not task_definition:
                raise PlanError("INVALID_REVISION", "The AppSpec file does not specify a TaskDefinition.")
            if not name or port in (None, ""):
                raise PlanError(
                    "INVALID_REVISION", "The AppSpec file's LoadBalancerInfo needs a ContainerName and a ContainerPort."
                )
            try:
                port = int(port)
            except (TypeError, ValueError):
                raise PlanError("INVALID_REVISION", f"ContainerPort {port!r} is not a number.") from None
            return AppSpec(
                str(task_definition),
                str(name),
                port,
                _get(props, "PlatformVersion"),
                _network(props),
                read_hooks(document),
            )
    raise PlanError("INVALID_REVISION", "The AppSpec file has no resource of Type AWS::ECS::Service.")


def increments(routing: dict | None) -> tuple[tuple[int, float], ...]:
    """Production weights of green, each held for some minutes: canary (p, then 100), linear (p, 2p, ..., 100)."""
    routing = routing or {}
    kind = routing.get("type")
    if kind == "TimeBasedCanary":
        spec = routing.get("timeBasedCanary") or {}
        return ((int(spec["canaryPercentage"]), float(spec["canaryInterval"])), (100, 0.0))
    if kind == "TimeBasedLinear":
        spec = routing.get("timeBasedLinear") or {}
        step, interval = int(spec["linearPercentage"]), float(spec["linearInterval"])
        return tuple((weight, interval) for weight in range(step, 100, step)) + ((100, 0.0),)
    return ((100, 0.0),)


def _alarms(deployment, group) -> tuple[tuple[str, ...], bool]:
    config = deployment.override_alarm_configuration or group.alarm_configuration or {}
    if not isinstance(config, dict) or not config.get("enabled"):
        return (), False
    names = tuple(alarm["name"] for alarm in config.get("alarms") or [] if alarm.get("name"))
    return names, bool(config.get("ignorePollAlarmFailure"))


def _rollback_events(deployment, group) -> frozenset[str]:
    config = deployment.auto_rollback_configuration
    if config is None:
        config = group.auto_rollback_configuration
    if not isinstance(config, dict) or not config.get("enabled"):
        return frozenset()
    return frozenset(config.get("events") or [])


def build_plan(backend, deployment) -> Plan:
    """The plan of ``deployment`` (moto DeploymentInfo) as its group and configuration stand at creation."""
    group = deployment.deployment_group
    blue_green = group.blue_green_deployment_configuration or {}
    ready = blue_green.get("deploymentReadyOption") or {}
    terminate = blue_green.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    config = find_config(backend, str(deployment.deployment_config_name or group.deployment_config_name)) or {}
    alarms, ignore_failure = _alarms(deployment, group)
    fields = {
        "increments": increments(config.get("trafficRoutingConfig")),
        "ready_wait": float(ready.get("waitTimeInMinutes") or 0)
        if ready.get("actionOnTimeout") == "STOP_DEPLOYMENT"
        else None,
        "termination_wait": float(terminate.get("terminationWaitTimeInMinutes") or 0),
        "alarms": alarms,
        "ignore_alarm_failure": ignore_failure,
        "rollback_events": _rollback_events(deployment, group),
    }
    services = group.ecs_services or []
    pairs = (group.load_balancer_info or {}).get("targetGroupPairInfoList") or []
    pair = pairs[0] if pairs else {}
    if services:
        fields.update(cluster=services[0].get("clusterName", ""), service=services[0].get("serviceName", ""))
    fields.update(
        target_groups=tuple(tg.get("name", "") for tg in pair.get("targetGroups") or []),
        prod_listeners=tuple((pair.get("prodTrafficRoute") or {}).get("listenerArns") or []),
        test_listeners=tuple((pair.get("testTrafficRoute") or {}).get("listenerArns") or []),
    )
    try:
        if not services:
            raise PlanError("INVALID_ECS_SERVICE", "The deployment group does not name an ECS service.")
        if len(fields["target_groups"]) != 2 or not fields["prod_listeners"]:
            raise PlanError(
                "MISSING_ELB_INFORMATION",
                "The deployment group needs a target group pair (two target groups and a production listener).",
            )
        fields["appspec"] = read_appspec(deployment.revision)
    except PlanError as err:
        fields["problem"] = err
    return Plan(**fields)
