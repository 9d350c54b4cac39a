"""An ECS-native blue/green service's deployment settings: what AWS refuses, and the traffic steps they mean.

Pure functions over the CreateService / UpdateService request (botocore 1.44.8 ecs service-2.json shapes
DeploymentConfiguration, DeploymentLifecycleHook, LoadBalancer.advancedConfiguration); the lookups they need (listener
rules, IAM roles) are passed in, so emulator/bluegreen/ecs_engine.py owns every moto access.

Follows:
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html: ``linearConfiguration``
  "Only valid when the deployment strategy is LINEAR", ``canaryConfiguration`` "Only valid when ... CANARY";
  LinearConfiguration stepPercent 3.0-100.0 (default 10), stepBakeTimeInMinutes 0-1440 (default 6, "not applied after
  reaching 100 percent"); CanaryConfiguration canaryPercent 0.1-100.0 (default 5), canaryBakeTimeInMinutes 0-1440
  (default 10).
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html: targetType AWS_LAMBDA
  (the default) needs hookTargetArn; "PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or
  PRODUCTION_TRAFFIC_SHIFT"; lifecycleStages must be given; timeoutConfiguration.timeoutInMinutes 1-20160 (default
  1440), action CONTINUE | ROLLBACK (default ROLLBACK) (developerguide/pause-lifecycle-hooks.html).
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html and
  API_AdvancedConfiguration.html: a blue/green, linear or canary service behind an Application Load Balancer names the
  alternate target group, the production listener rule (the test listener rule is optional) and the role ECS assumes
  to call Elastic Load Balancing; that role is trusted by ecs.amazonaws.com
  (developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html).
- https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-action-types.html: a rule has exactly one
  routing action; ECS shifts weights inside a forward action, so a rule whose actions mix forward with redirect,
  fixed-response or authenticate actions is refused.
"""

from __future__ import annotations

import math

from emulator.errors import AwsError

BLUE_GREEN_STRATEGIES = ("BLUE_GREEN", "LINEAR", "CANARY")
HOOK_STAGES = (
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRE_PRODUCTION_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
)
NO_PAUSE_STAGES = ("TEST_TRAFFIC_SHIFT", "PRODUCTION_TRAFFIC_SHIFT")
DEFAULT_HOOK_TIMEOUT = 1440  # minutes
MAX_HOOK_TIMEOUT = 20160  # 14 days
LINEAR_DEFAULTS = {"stepPercent": 10.0, "stepBakeTimeInMinutes": 6}
CANARY_DEFAULTS = {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 10}
LB_ROLE_PRINCIPAL = "ecs.amazonaws.com"


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def strategy_of(service_or_config) -> str:
    """The deploymentConfiguration's strategy (ROLLING when unset)."""
    config = service_or_config if isinstance(service_or_config, dict) else {}
    return str(config.get("strategy") or "ROLLING")


def is_blue_green(controller: dict | None, config: dict | None) -> bool:
    """Whether ECS itself runs blue/green deployments of this service (ECS controller, BLUE_GREEN/LINEAR/CANARY)."""
    return (controller or {}).get("type", "ECS") == "ECS" and strategy_of(config or {}) in BLUE_GREEN_STRATEGIES


# -- refusals ---------------------------------------------------------------------------------------------------


def check_deployment_configuration(config: dict | None) -> None:
    """InvalidParameterException for a strategy configuration AWS refuses."""
    config = config or {}
    strategy = strategy_of(config)
    for key, wanted in (("linearConfiguration", "LINEAR"), ("canaryConfiguration", "CANARY")):
        if config.get(key) is not None and strategy != wanted:
            raise invalid(f"{key} is only valid when the deployment strategy is {wanted}; the strategy is {strategy}.")
    linear = config.get("linearConfiguration") or {}
    _in_range("linearConfiguration.stepPercent", linear.get("stepPercent"), 3.0, 100.0)
    _in_range("linearConfiguration.stepBakeTimeInMinutes", linear.get("stepBakeTimeInMinutes"), 0, 1440)
    canary = config.get("canaryConfiguration") or {}
    _in_range("canaryConfiguration.canaryPercent", canary.get("canaryPercent"), 0.1, 100.0)
    _in_range("canaryConfiguration.canaryBakeTimeInMinutes", canary.get("canaryBakeTimeInMinutes"), 0, 1440)
    _in_range("bakeTimeInMinutes", config.get("bakeTimeInMinutes"), 0, 1440)
    for hook in config.get("lifecycleHooks") or []:
        check_hook(hook)


def _in_range(name: str, value, low: float, high: float) -> None:
    if value is not None and not low <= float(value) <= high:
        raise invalid(f"{name} must be between {low:g} and {high:g}; {value:g} is not.")


def check_hook(hook: dict) -> None:
    target_type = hook.get("targetType") or "AWS_LAMBDA"
    stages = hook.get("lifecycleStages") or []
    if not stages:
        raise invalid("lifecycleStages must contain at least one lifecycle stage for a deployment lifecycle hook.")
    unknown = [stage for stage in stages if stage not in HOOK_STAGES]
    if unknown:
        raise invalid(f"Invalid lifecycle stage(s) {', '.join(unknown)}; valid stages are {', '.join(HOOK_STAGES)}.")
    if target_type == "PAUSE":
        paused = [stage for stage in stages if stage in NO_PAUSE_STAGES]
        if paused:
            raise invalid(
                f"PAUSE hooks cannot be configured at the {' or '.join(paused)} lifecycle stage; "
                "use a stage such as POST_TEST_TRAFFIC_SHIFT or PRE_PRODUCTION_TRAFFIC_SHIFT."
            )
    elif not hook.get("hookTargetArn"):
        raise invalid("hookTargetArn is required for an AWS_LAMBDA deployment lifecycle hook.")
    timeout = (hook.get("timeoutConfiguration") or {}).get("timeoutInMinutes")
    _in_range("timeoutConfiguration.timeoutInMinutes", timeout, 1, MAX_HOOK_TIMEOUT)


def check_load_balancers(load_balancers: list | None, strategy: str, rule_actions, role_trusts) -> None:
    """A blue/green, linear or canary service's load balancers need their advancedConfiguration, with listener rules
    that exist and forward only, and a role ECS may assume.

    ``rule_actions(arn)`` returns the rule's action types (None: no such rule); ``role_trusts(arn)`` returns None when
    IAM has no such role, else whether its trust policy lets ecs.amazonaws.com assume it.
    """
    for balancer in load_balancers or []:
        if not balancer.get("targetGroupArn"):
            continue  # a Classic Load Balancer by name: not emulated here
        advanced = balancer.get("advancedConfiguration")
        if not advanced:
            raise invalid(
                f"advancedConfiguration is required in loadBalancers for the {strategy} deployment strategy: "
                "name the alternateTargetGroupArn, the productionListenerRule and the roleArn."
            )
        for key in ("alternateTargetGroupArn", "productionListenerRule", "roleArn"):
            if not advanced.get(key):
                raise invalid(f"advancedConfiguration.{key} is required for the {strategy} deployment strategy.")
        if advanced["alternateTargetGroupArn"] == balancer["targetGroupArn"]:
            raise invalid("advancedConfiguration.alternateTargetGroupArn must differ from the targetGroupArn.")
        for key in ("productionListenerRule", "testListenerRule"):
            if advanced.get(key):
                _check_rule(key, advanced[key], rule_actions(advanced[key]))
        trusted = role_trusts(advanced["roleArn"])
        if not trusted:
            # AWS's wording (as terraform-provider-aws #38538 quotes it); a role not propagated yet gets it too.
            raise invalid(
                f"ECS was unable to assume the configured ECS Infrastructure Role '{advanced['roleArn']}'. Please "
                f"verify that the role being passed has the proper trust relationship with Amazon ECS "
                f"({LB_ROLE_PRINCIPAL}, sts:AssumeRole)."
            )


def _check_rule(key: str, arn: str, actions: list[str] | None) -> None:
    if actions is None:
        raise invalid(f"The listener rule {arn} in advancedConfiguration.{key} does not exist.")
    kinds = {str(kind).lower() for kind in actions}
    if "forward" not in kinds or len(kinds) > 1:
        raise invalid(
            f"The listener rule {arn} in advancedConfiguration.{key} must have a single forward action; "
            f"rules whose actions combine forward with other types ({', '.join(sorted(kinds))}) are not supported."
        )


# -- what the strategy does -------------------------------------------------------------------------------------


def traffic_steps(config: dict | None) -> list[tuple[float, float]]:
    """(green percent of production traffic, minutes to hold it) per step; the last step is 100 % and holds 0
    (the bake time follows separately)."""
    config = config or {}
    strategy = strategy_of(config)
    if strategy == "CANARY":
        canary = {**CANARY_DEFAULTS, **(config.get("canaryConfiguration") or {})}
        percent = float(canary["canaryPercent"])
        if percent >= 100.0:
            return [(100.0, 0.0)]
        return [(percent, float(canary["canaryBakeTimeInMinutes"])), (100.0, 0.0)]
    if strategy == "LINEAR":
        linear = {**LINEAR_DEFAULTS, **(config.get("linearConfiguration") or {})}
        step, hold = float(linear["stepPercent"]), float(linear["stepBakeTimeInMinutes"])
        count = math.ceil(100.0 / step - 1e-9)
        percents = [round(min(step * (i + 1), 100.0), 1) for i in range(count)]
        return [(p, hold if p < 100.0 else 0.0) for p in percents]
    return [(100.0, 0.0)]


def hooks_at(config: dict | None, stage: str) -> list[dict]:
    """The configured hooks that run at ``stage``."""
    return [h for h in (config or {}).get("lifecycleHooks") or [] if stage in (h.get("lifecycleStages") or [])]


def hook_timeout(hook: dict) -> tuple[float, str]:
    """(minutes, action) of a hook's timeoutConfiguration, with AWS's defaults (1440 minutes, ROLLBACK)."""
    timeout = hook.get("timeoutConfiguration") or {}
    return float(timeout.get("timeoutInMinutes") or DEFAULT_HOOK_TIMEOUT), str(timeout.get("action") or "ROLLBACK")


def circuit_breaker_threshold(desired_count: int) -> int:
    """API_ServiceDeploymentCircuitBreaker.html: 0.5 x desired task count, at least 3 and at most 200."""
    return min(max(math.ceil(0.5 * desired_count), 3), 200)
