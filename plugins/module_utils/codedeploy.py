# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of the CodeDeploy modules: request building, validation and comparison.

Nothing here calls AWS. The modules build the wanted request with these functions, fetch the live
object, and compare both through the same normalizer, so a converged resource costs no write call.
"""

from __future__ import annotations

import copy

ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")
TRIGGER_EVENTS = (
    "DeploymentStart",
    "DeploymentSuccess",
    "DeploymentFailure",
    "DeploymentStop",
    "DeploymentRollback",
    "DeploymentReady",
    "InstanceStart",
    "InstanceSuccess",
    "InstanceFailure",
    "InstanceReady",
)
MAX_ALARMS = 10  # CodeDeploy AlarmConfiguration: "You can add up to 10 alarms."
MAX_MINUTES = 2880  # two days: the longest ready wait, termination wait and traffic shift interval accepted here
PREDEFINED_CONFIG_PREFIX = "CodeDeployDefault."

TRAFFIC_TYPES = {
    "time_based_canary": "TimeBasedCanary",
    "time_based_linear": "TimeBasedLinear",
    "all_at_once": "AllAtOnce",
}
READY_ACTIONS = {"continue": "CONTINUE_DEPLOYMENT", "wait": "STOP_DEPLOYMENT"}
DEFAULT_DEPLOYMENT_CONFIG = "CodeDeployDefault.ECSAllAtOnce"


class CodeDeployError(ValueError):
    """Invalid module input; the message names the option."""


def _int_in_range(value, low, high, field):
    if isinstance(value, bool) or not isinstance(value, int):
        raise CodeDeployError(f"{field}: {value!r} is not an integer")
    if not low <= value <= high:
        raise CodeDeployError(f"{field}: {value} is out of range; allowed {low}..{high}")
    return value


def _name_from_arn(value):
    """ECS clusters and services may be given by ARN; CodeDeploy stores and returns names."""
    if isinstance(value, str) and value.startswith("arn:"):
        return value.rsplit("/", 1)[-1]
    return value


def is_predefined_config(name):
    return name.startswith(PREDEFINED_CONFIG_PREFIX)


# ---------------------------------------------------------------------------------------------
# Deployment configs
# ---------------------------------------------------------------------------------------------


def traffic_routing_config(traffic):
    """``traffic_routing`` option -> the API's ``trafficRoutingConfig``; validates ranges.

    Canary shifts ``percentage`` (1..99), waits ``interval`` minutes, then shifts the rest. Linear shifts
    ``percentage`` (1..100) every ``interval`` minutes. All-at-once takes neither.
    """
    traffic = traffic or {}
    kind = traffic.get("type")
    if kind not in TRAFFIC_TYPES:
        raise CodeDeployError(f"traffic_routing.type: {kind!r} is not one of {', '.join(TRAFFIC_TYPES)}")
    percentage = traffic.get("percentage")
    interval = traffic.get("interval")
    if kind == "all_at_once":
        if percentage is not None or interval is not None:
            raise CodeDeployError("traffic_routing: percentage and interval do not apply to type all_at_once")
        return {"type": "AllAtOnce"}
    if percentage is None or interval is None:
        raise CodeDeployError(f"traffic_routing: type {kind} needs both percentage and interval")
    high = 99 if kind == "time_based_canary" else 100
    _int_in_range(percentage, 1, high, "traffic_routing.percentage")
    _int_in_range(interval, 1, MAX_MINUTES, "traffic_routing.interval")
    if kind == "time_based_canary":
        return {
            "type": "TimeBasedCanary",
            "timeBasedCanary": {"canaryPercentage": percentage, "canaryInterval": interval},
        }
    return {"type": "TimeBasedLinear", "timeBasedLinear": {"linearPercentage": percentage, "linearInterval": interval}}


def normalize_deployment_config(info):
    """The comparable part of a deployment config (request or ``deploymentConfigInfo``)."""
    routing = info.get("trafficRoutingConfig") or {"type": "AllAtOnce"}
    kind = routing.get("type") or "AllAtOnce"
    result = {"computePlatform": info.get("computePlatform"), "trafficRoutingConfig": {"type": kind}}
    if kind == "TimeBasedCanary":
        result["trafficRoutingConfig"]["timeBasedCanary"] = dict(routing.get("timeBasedCanary") or {})
    elif kind == "TimeBasedLinear":
        result["trafficRoutingConfig"]["timeBasedLinear"] = dict(routing.get("timeBasedLinear") or {})
    return result


def describe_traffic(info):
    """Human text for error messages: ``TimeBasedCanary 10% every 5 min``."""
    routing = normalize_deployment_config(info)["trafficRoutingConfig"]
    if routing["type"] == "TimeBasedCanary":
        canary = routing["timeBasedCanary"]
        return (
            f"TimeBasedCanary {canary.get('canaryPercentage')}% then the rest after {canary.get('canaryInterval')} min"
        )
    if routing["type"] == "TimeBasedLinear":
        linear = routing["timeBasedLinear"]
        return f"TimeBasedLinear {linear.get('linearPercentage')}% every {linear.get('linearInterval')} min"
    return routing["type"]


# ---------------------------------------------------------------------------------------------
# Deployment groups (ECS blue/green)
# ---------------------------------------------------------------------------------------------


def validate_deployment_group(params):
    """Checks that need no AWS call; raises CodeDeployError naming the option."""
    if not params.get("service_role_arn"):
        raise CodeDeployError("service_role_arn is required with state=present")
    groups = params.get("target_groups") or []
    if len(groups) != 2 or len(set(groups)) != 2:
        raise CodeDeployError(
            f"target_groups: give exactly two different target group names (blue, green), got {groups}"
        )
    prod = params.get("prod_listener_arns") or []
    test = params.get("test_listener_arns") or []
    if not prod:
        raise CodeDeployError("prod_listener_arns: give at least one listener ARN")
    both = sorted(set(prod) & set(test))
    if both:
        raise CodeDeployError(
            f"test_listener_arns: {both[0]} is also a production listener; use a separate test listener"
        )
    service = params.get("ecs_service") or {}
    for key in ("cluster", "service"):
        if not service.get(key):
            raise CodeDeployError(f"ecs_service.{key} is required")
    ready = params.get("ready_option") or {}
    action = ready.get("action") or "continue"
    if action not in READY_ACTIONS:
        raise CodeDeployError(f"ready_option.action: {action!r} is not one of {', '.join(READY_ACTIONS)}")
    wait = ready.get("wait_minutes")
    if action == "continue" and wait:
        raise CodeDeployError("ready_option.wait_minutes applies only to action=wait (continue reroutes at once)")
    if action == "wait":
        if wait is None:
            raise CodeDeployError("ready_option.wait_minutes is required with action=wait")
        _int_in_range(wait, 1, MAX_MINUTES, "ready_option.wait_minutes")
    _int_in_range(params.get("termination_wait_minutes", 0), 0, MAX_MINUTES, "termination_wait_minutes")
    rollback = params.get("auto_rollback")
    if rollback is not None:
        for event in rollback.get("events") or []:
            if event not in ROLLBACK_EVENTS:
                raise CodeDeployError(f"auto_rollback.events: {event!r} is not one of {', '.join(ROLLBACK_EVENTS)}")
        if rollback.get("enabled", True) and not rollback.get("events"):
            raise CodeDeployError("auto_rollback.events: give at least one event when auto rollback is enabled")
    alarms = params.get("alarms")
    if alarms is not None:
        names = alarms.get("names") or []
        if len(names) > MAX_ALARMS:
            raise CodeDeployError(f"alarms.names: {len(names)} alarms given; CodeDeploy allows at most {MAX_ALARMS}")
        if alarms.get("enabled", True) and not names:
            raise CodeDeployError("alarms.names: give at least one alarm when alarms are enabled")
    uses_alarm_stop = (
        rollback and rollback.get("enabled", True) and "DEPLOYMENT_STOP_ON_ALARM" in (rollback.get("events") or [])
    )
    if uses_alarm_stop and not (alarms and alarms.get("enabled", True) and alarms.get("names")):
        raise CodeDeployError("auto_rollback.events: DEPLOYMENT_STOP_ON_ALARM needs alarms.names with alarms enabled")
    seen = set()
    for index, trigger in enumerate(params.get("triggers") or []):
        name = trigger.get("name")
        if not name or not trigger.get("target_arn"):
            raise CodeDeployError(f"triggers[{index}]: name and target_arn are required")
        if name in seen:
            raise CodeDeployError(f"triggers[{index}]: trigger name {name!r} is used twice")
        seen.add(name)
        for event in trigger.get("events") or []:
            if event not in TRIGGER_EVENTS:
                raise CodeDeployError(f"triggers[{index}].events: {event!r} is not one of {', '.join(TRIGGER_EVENTS)}")
        if not trigger.get("events"):
            raise CodeDeployError(f"triggers[{index}].events: give at least one event")


def deployment_group_request(params, service_role_arn):
    """Module params -> CreateDeploymentGroup arguments (without tags). Options left unset (None) are not sent."""
    ready = params.get("ready_option") or {}
    action = ready.get("action") or "continue"
    pair = {
        "targetGroups": [{"name": name} for name in params["target_groups"]],
        "prodTrafficRoute": {"listenerArns": list(params["prod_listener_arns"])},
    }
    if params.get("test_listener_arns"):
        pair["testTrafficRoute"] = {"listenerArns": list(params["test_listener_arns"])}
    request = {
        "applicationName": params["application"],
        "deploymentGroupName": params["name"],
        "deploymentConfigName": params.get("deployment_config_name") or DEFAULT_DEPLOYMENT_CONFIG,
        "serviceRoleArn": service_role_arn,
        "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        "blueGreenDeploymentConfiguration": {
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": params.get("termination_wait_minutes", 0),
            },
            "deploymentReadyOption": {
                "actionOnTimeout": READY_ACTIONS[action],
                "waitTimeInMinutes": (ready.get("wait_minutes") or 0) if action == "wait" else 0,
            },
        },
        "loadBalancerInfo": {"targetGroupPairInfoList": [pair]},
        "ecsServices": [
            {
                "serviceName": _name_from_arn(params["ecs_service"]["service"]),
                "clusterName": _name_from_arn(params["ecs_service"]["cluster"]),
            }
        ],
    }
    rollback = params.get("auto_rollback")
    if rollback is not None:
        request["autoRollbackConfiguration"] = {
            "enabled": bool(rollback.get("enabled", True)),
            "events": list(rollback.get("events") or []),
        }
    alarms = params.get("alarms")
    if alarms is not None:
        request["alarmConfiguration"] = {
            "enabled": bool(alarms.get("enabled", True)),
            "ignorePollAlarmFailure": bool(alarms.get("ignore_poll_alarm_failure", False)),
            "alarms": [{"name": name} for name in alarms.get("names") or []],
        }
    triggers = params.get("triggers")
    if triggers is not None:
        request["triggerConfigurations"] = [
            {"triggerName": t["name"], "triggerTargetArn": t["target_arn"], "triggerEvents": list(t["events"])}
            for t in triggers
        ]
    return request


def update_request(request):
    """CreateDeploymentGroup arguments -> UpdateDeploymentGroup arguments."""
    update = copy.deepcopy(request)
    update["currentDeploymentGroupName"] = update.pop("deploymentGroupName")
    update.pop("tags", None)
    return update


def _sorted_names(items):
    return sorted({item.get("name") for item in items or [] if item.get("name")})


def normalize_deployment_group(info):
    """The comparable part of a deployment group, from a request or a ``deploymentGroupInfo``.

    Drops what AWS adds (ids, computePlatform, last deployments, EC2-only fields), fills AWS defaults
    for absent blocks, and sorts what AWS treats as sets (target group pair, listener ARNs, alarms,
    rollback and trigger events, triggers by name, ECS services).
    """
    blue_green = info.get("blueGreenDeploymentConfiguration") or {}
    terminate = blue_green.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    ready = blue_green.get("deploymentReadyOption") or {}
    ready_action = ready.get("actionOnTimeout") or "CONTINUE_DEPLOYMENT"
    pairs = []
    for pair in (info.get("loadBalancerInfo") or {}).get("targetGroupPairInfoList") or []:
        pairs.append(
            {
                "targetGroups": [{"name": name} for name in _sorted_names(pair.get("targetGroups"))],
                "prodTrafficRoute": {
                    "listenerArns": sorted(set((pair.get("prodTrafficRoute") or {}).get("listenerArns") or []))
                },
                "testTrafficRoute": {
                    "listenerArns": sorted(set((pair.get("testTrafficRoute") or {}).get("listenerArns") or []))
                },
            }
        )
    style = info.get("deploymentStyle") or {}
    rollback = info.get("autoRollbackConfiguration") or {}
    alarms = info.get("alarmConfiguration") or {}
    triggers = sorted(
        (
            {
                "triggerName": t.get("triggerName"),
                "triggerTargetArn": t.get("triggerTargetArn"),
                "triggerEvents": sorted(set(t.get("triggerEvents") or [])),
            }
            for t in info.get("triggerConfigurations") or []
        ),
        key=lambda t: t["triggerName"] or "",
    )
    services = sorted(
        (
            {"clusterName": _name_from_arn(s.get("clusterName")), "serviceName": _name_from_arn(s.get("serviceName"))}
            for s in info.get("ecsServices") or []
        ),
        key=lambda s: (s["clusterName"] or "", s["serviceName"] or ""),
    )
    return {
        "deploymentConfigName": info.get("deploymentConfigName"),
        "serviceRoleArn": info.get("serviceRoleArn"),
        "deploymentStyle": {
            "deploymentType": style.get("deploymentType") or "IN_PLACE",
            "deploymentOption": style.get("deploymentOption") or "WITHOUT_TRAFFIC_CONTROL",
        },
        "blueGreenDeploymentConfiguration": {
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": terminate.get("action") or "TERMINATE",
                "terminationWaitTimeInMinutes": terminate.get("terminationWaitTimeInMinutes") or 0,
            },
            "deploymentReadyOption": {
                "actionOnTimeout": ready_action,
                # AWS ignores the wait time when traffic is rerouted at once.
                "waitTimeInMinutes": 0
                if ready_action == "CONTINUE_DEPLOYMENT"
                else (ready.get("waitTimeInMinutes") or 0),
            },
        },
        "loadBalancerInfo": {"targetGroupPairInfoList": pairs},
        "ecsServices": services,
        # Events of a disabled rollback have no effect; AWS may or may not keep them.
        "autoRollbackConfiguration": {
            "enabled": bool(rollback.get("enabled", False)),
            "events": sorted(set(rollback.get("events") or [])) if rollback.get("enabled") else [],
        },
        "alarmConfiguration": {
            "enabled": bool(alarms.get("enabled", False)),
            "ignorePollAlarmFailure": bool(alarms.get("ignorePollAlarmFailure", False)),
            "alarms": [{"name": name} for name in _sorted_names(alarms.get("alarms"))],
        },
        "triggerConfigurations": triggers,
    }


# Request keys the module always sends; the optional ones are compared only when the task sets them.
_ALWAYS_MANAGED = (
    "deploymentConfigName",
    "serviceRoleArn",
    "deploymentStyle",
    "blueGreenDeploymentConfiguration",
    "loadBalancerInfo",
    "ecsServices",
)
_OPTIONAL_MANAGED = ("autoRollbackConfiguration", "alarmConfiguration", "triggerConfigurations")


def compare_deployment_group(request, live_info):
    """Return ``(before, after)``: the managed settings of the live group and of the request.

    ``before == after`` means nothing to do. ``live_info`` None (missing group) gives ``before = {}``.
    """
    keys = list(_ALWAYS_MANAGED) + [key for key in _OPTIONAL_MANAGED if key in request]
    after_all = normalize_deployment_group(request)
    after = {key: after_all[key] for key in keys}
    if live_info is None:
        return {}, after
    before_all = normalize_deployment_group(live_info)
    return {key: before_all[key] for key in keys}, after


def changed_keys(before, after):
    """Top-level keys whose values differ (for messages and tests)."""
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


# ---------------------------------------------------------------------------------------------
# Tags (CodeDeploy uses Key/Value tag lists and ARNs the API never returns)
# ---------------------------------------------------------------------------------------------


def application_arn(partition, region, account_id, name):
    return f"arn:{partition}:codedeploy:{region}:{account_id}:application:{name}"


def deployment_group_arn(partition, region, account_id, application, name):
    return f"arn:{partition}:codedeploy:{region}:{account_id}:deploymentgroup:{application}/{name}"


# -- an existing ECS service under the CODE_DEPLOY controller ------------------------------------------------------


def _public_ip(value) -> str:
    if isinstance(value, str):
        return value.upper()
    return "ENABLED" if value else "DISABLED"


def code_deploy_service_plan(live: dict, wanted: dict) -> dict:
    """What an existing CODE_DEPLOY service needs that community.aws.ecs_service cannot give it.

    ``live`` is the service as DescribeServices returns it (camelCase); ``wanted`` has ``subnets``,
    ``security_groups``, ``assign_public_ip`` (bool), ``platform_version``, ``enable_execute_command`` (bool) and
    ``health_check_grace_period_seconds``. UpdateService on such a service may change only the desired count,
    deployment configuration, health check grace period, placement and tag options (botocore's UpdateService
    documentation); the rest goes through CodeDeploy. Returns:

    - ``release``: differences in the network configuration or platform version, one sentence each. ecs_service does
      not send them on this service (AWS would refuse them); the next release's AppSpec carries them.
    - ``refused``: settings no path applies, one sentence each naming the variable: ``enableExecuteCommand``
      cannot be updated on a CODE_DEPLOY service and CodeDeploy's AppSpec has no such field.
    """
    release = []
    awsvpc = (live.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
    for label, live_value, want in (
        ("subnets", sorted(awsvpc.get("subnets") or []), sorted(wanted.get("subnets") or [])),
        ("security groups", sorted(awsvpc.get("securityGroups") or []), sorted(wanted.get("security_groups") or [])),
        (
            "assignPublicIp",
            _public_ip(awsvpc.get("assignPublicIp", "DISABLED")),
            _public_ip(wanted.get("assign_public_ip", False)),
        ),
    ):
        if live_value != want:
            release.append(f"{label}: {_words(live_value)} -> {_words(want)}")
    live_platform = live.get("platformVersion")
    if live_platform and wanted.get("platform_version") and live_platform != wanted["platform_version"]:
        release.append(f"platform version: {live_platform} -> {wanted['platform_version']}")

    refused = []
    live_exec = bool(live.get("enableExecuteCommand", False))
    want_exec = bool(wanted.get("enable_execute_command", False))
    name = live.get("serviceName", "the service")
    if live_exec != want_exec:
        refused.append(
            f"ecs_enable_execute_command: service {name} has ECS Exec {'on' if live_exec else 'off'}; AWS cannot change "
            "it on a service with the CODE_DEPLOY deployment controller (UpdateService refuses enableExecuteCommand, "
            f"and a CodeDeploy AppSpec has no such setting). Set ecs_enable_execute_command: {str(live_exec).lower()}, "
            "or delete and recreate the service"
        )
    grace = wanted.get("health_check_grace_period_seconds")
    if live_exec and want_exec and grace and grace != live.get("healthCheckGracePeriodSeconds"):
        # community.aws.ecs_service sends enableExecuteCommand with any update, which AWS refuses here.
        refused.append(
            f"ecs_health_check_grace_period_seconds: cannot change it ({live.get('healthCheckGracePeriodSeconds')} -> "
            f"{grace}) on service {name}, which has ECS Exec on: community.aws.ecs_service would send "
            "enableExecuteCommand with it, which AWS refuses on a CODE_DEPLOY service"
        )
    return {"release": release, "refused": refused}


def _words(value) -> str:
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    return str(value)


def in_flight_refusal(application, group, deployment_ids):
    """'' when the group has no deployment in flight, else why it is not deleted now.

    AWS documents no refusal of DeleteDeploymentGroup during a deployment, nor what becomes of that deployment (its
    traffic shift, its replacement task set): deleting the group under it could leave production split between two
    task sets with nothing to finish or roll back the shift. So the module refuses, naming the deployments.
    """
    if not deployment_ids:
        return ""
    ids = ", ".join(sorted(deployment_ids))
    return (
        f"deployment group {application}/{group} has a deployment in flight ({ids}); it is not deleted while CodeDeploy "
        "moves traffic. Let the deployment finish, or stop it (bluegreen.ecs.release with release_action=stop or "
        "rollback), then run again."
    )
