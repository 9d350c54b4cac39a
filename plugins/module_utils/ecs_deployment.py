# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECS-native blue/green settings of a service: what the ecs role wants, what differs on the live service, and the
load-balancer role's least-privilege policy. Plain functions over botocore's shapes (ecs service-2.json
DeploymentConfiguration, LoadBalancer.advancedConfiguration), unit tested; the module
``ecs_service_deployment_config`` makes the calls.

Follows:
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html: strategy BLUE_GREEN,
  LINEAR (linearConfiguration stepPercent 3.0-100.0, default 10; stepBakeTimeInMinutes 0-1440, default 6) or CANARY
  (canaryConfiguration canaryPercent 0.1-100.0, default 5; canaryBakeTimeInMinutes 0-1440, default 10);
  bakeTimeInMinutes 0-1440; alarms {alarmNames, enable, rollback}; deploymentCircuitBreaker {enable, rollback}.
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html: targetType defaults to
  AWS_LAMBDA; a PAUSE hook may not sit at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT; timeoutConfiguration
  timeoutInMinutes 1-20160 (default 1440), action CONTINUE | ROLLBACK (default ROLLBACK).
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AmazonECSInfrastructureRolePolicyForLoadBalancers.html:
  the managed policy ECS's load-balancer role uses (elasticloadbalancing Describe* on *, ModifyListener, ModifyRule,
  RegisterTargets, DeregisterTargets); ``load_balancer_role_policy`` scopes the writes to this service's listeners,
  rules and target groups.
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/migrate-code-deploy-to-ecs-blue-green.html: a CODE_DEPLOY
  service moves to ECS in place by UpdateService (deploymentController ECS, the strategy, the load balancer's
  advancedConfiguration) once no deployment is in flight; the production target group is the one serving now.
"""

from __future__ import annotations

import copy

STRATEGIES = {"blue_green": "BLUE_GREEN", "linear": "LINEAR", "canary": "CANARY"}
# The stage the release validates at: green has all test traffic, production is still on blue.
PAUSE_STAGE = "POST_TEST_TRAFFIC_SHIFT"
# The members of deploymentConfiguration this collection owns; the others (maximumPercent, ...) are left as they are.
MANAGED = (
    "strategy",
    "bakeTimeInMinutes",
    "linearConfiguration",
    "canaryConfiguration",
    "alarms",
    "deploymentCircuitBreaker",
    "lifecycleHooks",
)
# (variable, low, high) of each numeric setting, from API_DeploymentConfiguration / API_DeploymentLifecycleHook.
RANGES = (
    ("ecs_canary_percent", 0.1, 100.0),
    ("ecs_canary_bake_minutes", 0, 1440),
    ("ecs_linear_step_percent", 3.0, 100.0),
    ("ecs_linear_step_bake_minutes", 0, 1440),
    ("ecs_bake_minutes", 0, 1440),
    ("ecs_validation_timeout_minutes", 1, 20160),
)
_HOOK_DEFAULTS = {"timeoutInMinutes": 1440, "action": "ROLLBACK"}
_LINEAR_DEFAULTS = {"stepPercent": 10.0, "stepBakeTimeInMinutes": 6}
_CANARY_DEFAULTS = {"canaryPercent": 5.0, "canaryBakeTimeInMinutes": 10}


class DeploymentSettingsError(ValueError):
    """A setting the role should have refused (a bug, not bad input)."""


# -- the role's settings ------------------------------------------------------------------------------------------


def settings_errors(settings):
    """Messages for the ecs role's ECS-native settings (``{'ecs_deployment_strategy': 'canary', ...}``), each naming
    the variable, the value given and what is allowed."""
    errors = []
    strategy = settings.get("ecs_deployment_strategy")
    if strategy not in STRATEGIES:
        errors.append(f"ecs_deployment_strategy: {strategy!r} is not a strategy; allowed: {', '.join(STRATEGIES)}")
    for var, low, high in RANGES:
        value = settings.get(var)
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors.append(f"{var}: {value!r} is not a number; allowed {low:g}-{high:g}")
            continue
        if not low <= number <= high:
            errors.append(f"{var}: {value!r} is out of range; allowed {low:g}-{high:g}")
    names = settings.get("ecs_deployment_alarm_names")
    if not isinstance(names, list) or not all(isinstance(name, str) and name for name in names):
        errors.append(f"ecs_deployment_alarm_names: {names!r} must be a list of CloudWatch alarm names")
    return errors


def deployment_configuration(settings):
    """The DeploymentConfiguration the ecs role wants (the managed members only)."""
    errors = settings_errors(settings)
    if errors:
        raise DeploymentSettingsError("; ".join(errors))
    strategy = STRATEGIES[settings["ecs_deployment_strategy"]]
    alarms = list(settings["ecs_deployment_alarm_names"])
    breaker = bool(settings.get("ecs_circuit_breaker", True))
    config = {
        "strategy": strategy,
        "bakeTimeInMinutes": int(settings["ecs_bake_minutes"]),
        # Alarms roll back from the production shift through the bake; without names the option is off.
        "alarms": {"alarmNames": alarms, "enable": bool(alarms), "rollback": bool(alarms)},
        "deploymentCircuitBreaker": {"enable": breaker, "rollback": breaker},
        # The release validates green while this hook holds, then continues or rolls back; unanswered, ECS rolls back.
        "lifecycleHooks": [
            {
                "targetType": "PAUSE",
                "lifecycleStages": [PAUSE_STAGE],
                "timeoutConfiguration": {
                    "timeoutInMinutes": int(settings["ecs_validation_timeout_minutes"]),
                    "action": "ROLLBACK",
                },
            }
        ],
    }
    if strategy == "CANARY":
        config["canaryConfiguration"] = {
            "canaryPercent": float(settings["ecs_canary_percent"]),
            "canaryBakeTimeInMinutes": int(settings["ecs_canary_bake_minutes"]),
        }
    elif strategy == "LINEAR":
        config["linearConfiguration"] = {
            "stepPercent": float(settings["ecs_linear_step_percent"]),
            "stepBakeTimeInMinutes": int(settings["ecs_linear_step_bake_minutes"]),
        }
    return config


# -- comparing with the live service ------------------------------------------------------------------------------


def _hook(hook):
    timeout = {**_HOOK_DEFAULTS, **(hook.get("timeoutConfiguration") or {})}
    shown = {
        "targetType": hook.get("targetType") or "AWS_LAMBDA",
        "lifecycleStages": sorted(hook.get("lifecycleStages") or []),
        "timeoutConfiguration": {"timeoutInMinutes": int(timeout["timeoutInMinutes"]), "action": timeout["action"]},
    }
    for key in ("hookTargetArn", "roleArn", "hookDetails"):
        if hook.get(key):
            shown[key] = hook[key]
    return shown


def normalized(config):
    """The managed members of a DeploymentConfiguration with AWS's defaults filled in, for comparison."""
    config = config or {}
    strategy = config.get("strategy") or "ROLLING"
    alarms = config.get("alarms") or {}
    breaker = config.get("deploymentCircuitBreaker") or {}
    shown = {
        "strategy": strategy,
        "bakeTimeInMinutes": int(config.get("bakeTimeInMinutes") or 0),
        "alarms": {
            "alarmNames": sorted(alarms.get("alarmNames") or []),
            "enable": bool(alarms.get("enable")),
            "rollback": bool(alarms.get("rollback")),
        },
        "deploymentCircuitBreaker": {"enable": bool(breaker.get("enable")), "rollback": bool(breaker.get("rollback"))},
        "lifecycleHooks": sorted((_hook(h) for h in config.get("lifecycleHooks") or []), key=repr),
    }
    if strategy == "CANARY":
        canary = {**_CANARY_DEFAULTS, **(config.get("canaryConfiguration") or {})}
        shown["canaryConfiguration"] = {
            "canaryPercent": float(canary["canaryPercent"]),
            "canaryBakeTimeInMinutes": int(canary["canaryBakeTimeInMinutes"]),
        }
    if strategy == "LINEAR":
        linear = {**_LINEAR_DEFAULTS, **(config.get("linearConfiguration") or {})}
        shown["linearConfiguration"] = {
            "stepPercent": float(linear["stepPercent"]),
            "stepBakeTimeInMinutes": int(linear["stepBakeTimeInMinutes"]),
        }
    return shown


def controller_of(service):
    """The live service's deployment controller type (ECS when DescribeServices leaves it out, AWS's default)."""
    return ((service or {}).get("deploymentController") or {}).get("type") or "ECS"


def primary_target_group(service, pair):
    """The target group production uses now: a CODE_DEPLOY service's PRIMARY task set's (CodeDeploy swaps blue and
    green at every release), else the service's own ``targetGroupArn`` of the pair."""
    if controller_of(service) == "CODE_DEPLOY":
        for task_set in service.get("taskSets") or []:
            if task_set.get("status") == "PRIMARY":
                for balancer in task_set.get("loadBalancers") or []:
                    if balancer.get("targetGroupArn") in pair:
                        return balancer["targetGroupArn"]
    for balancer in service.get("loadBalancers") or []:
        if balancer.get("targetGroupArn") in pair:
            return balancer["targetGroupArn"]
    return None


def wanted_load_balancers(service, pair, rules, role_arn):
    """The service's loadBalancers with the wanted advancedConfiguration on the one serving our pair of target groups:
    its targetGroupArn is the group production uses now, the alternate the other one (so a re-run never swaps them
    back after ECS or CodeDeploy did)."""
    primary = primary_target_group(service, pair)
    if primary is None:
        raise DeploymentSettingsError(f"the service uses neither target group of {sorted(pair)}")
    alternate = next(arn for arn in pair if arn != primary)
    advanced = {
        "alternateTargetGroupArn": alternate,
        "productionListenerRule": rules["production"],
        "roleArn": role_arn,
    }
    if rules.get("test"):
        advanced["testListenerRule"] = rules["test"]
    balancers = []
    for balancer in service.get("loadBalancers") or []:
        balancer = copy.deepcopy(balancer)
        if balancer.get("targetGroupArn") in pair:
            balancer["targetGroupArn"] = primary
            balancer["advancedConfiguration"] = advanced
        balancers.append(balancer)
    return balancers


def plan_update(service, wanted_config, pair, rules, role_arn):
    """The UpdateService members that bring ``service`` (DescribeServices) to the wanted ECS-native settings, and the
    diff. ``{}`` members: nothing to change.

    ``pair``: the two target group ARNs; ``rules``: ``{'production': arn, 'test': arn or ''}``; ``role_arn``: the
    load-balancer role. A CODE_DEPLOY service is migrated (deploymentController, the configuration and the load
    balancers in one call, as AWS's migration guide does); an EXTERNAL one is refused.
    """
    controller = controller_of(service)
    if controller == "EXTERNAL":
        raise DeploymentSettingsError(
            "the service uses the EXTERNAL deployment controller; ECS cannot take it over in place"
        )
    request = {}
    live_config = service.get("deploymentConfiguration") or {}
    if controller == "CODE_DEPLOY":
        request["deploymentController"] = {"type": "ECS"}
    if controller == "CODE_DEPLOY" or normalized(live_config) != normalized(wanted_config):
        kept = {k: v for k, v in live_config.items() if k not in MANAGED}
        request["deploymentConfiguration"] = {**kept, **wanted_config}
    balancers = wanted_load_balancers(service, pair, rules, role_arn)
    if controller == "CODE_DEPLOY" or _advanced(balancers) != _advanced(service.get("loadBalancers")):
        request["loadBalancers"] = balancers
    before = {
        "deploymentController": controller,
        "deploymentConfiguration": normalized(live_config),
        "loadBalancers": _advanced(service.get("loadBalancers")),
    }
    after = {
        "deploymentController": "ECS",
        "deploymentConfiguration": normalized(request.get("deploymentConfiguration", live_config)),
        "loadBalancers": _advanced(request.get("loadBalancers", service.get("loadBalancers"))),
    }
    return {"request": request, "diff": {"before": before, "after": after}}


def _advanced(balancers):
    """What is compared of the load balancers: the target group and its advancedConfiguration."""
    return sorted(
        (
            {"targetGroupArn": b.get("targetGroupArn"), "advancedConfiguration": b.get("advancedConfiguration") or {}}
            for b in balancers or []
        ),
        key=repr,
    )


def in_flight(service):
    """Why the controller cannot change now ('' when it can): a CodeDeploy deployment still has a second task set, or
    a service deployment of ECS is still running (migrate-code-deploy-to-ecs-blue-green.html prerequisites)."""
    task_sets = service.get("taskSets") or []
    if controller_of(service) == "CODE_DEPLOY" and (
        len(task_sets) > 1 or any(t.get("status") != "PRIMARY" for t in task_sets)
    ):
        return "a CodeDeploy deployment is in progress (the service has a task set besides its PRIMARY one)"
    return ""


# -- the load-balancer role ---------------------------------------------------------------------------------------


def load_balancer_role_policy(listener_arns, rule_arns, target_group_arns):
    """The inline policy of the role ECS assumes to shift traffic: the managed policy's actions, the writes scoped to
    this service's listeners, listener rules and target groups (reads have no resource-level permissions)."""
    listeners = sorted({arn for arn in listener_arns if arn})
    rules = sorted({arn for arn in rule_arns if arn})
    groups = sorted({arn for arn in target_group_arns if arn})
    if not listeners or not rules or len(groups) != 2:
        raise DeploymentSettingsError("the load-balancer role needs the listeners, their rules and both target groups")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DescribeLoadBalancing",
                "Effect": "Allow",
                "Action": [
                    "elasticloadbalancing:DescribeListeners",
                    "elasticloadbalancing:DescribeRules",
                    "elasticloadbalancing:DescribeTargetGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                ],
                "Resource": "*",
            },
            {
                "Sid": "ShiftServiceTraffic",
                "Effect": "Allow",
                "Action": ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule"],
                "Resource": listeners + rules,
            },
            {
                "Sid": "RegisterServiceTargets",
                "Effect": "Allow",
                "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                "Resource": groups,
            },
        ],
    }


def load_balancer_role_trust(account_id):
    """ECS (ecs.amazonaws.com) of this account only may assume the role (confused deputy protection)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EcsShiftsTraffic",
                "Effect": "Allow",
                "Principal": {"Service": "ecs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": str(account_id)}},
            }
        ],
    }
