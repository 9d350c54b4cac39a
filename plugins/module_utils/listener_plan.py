# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alb role's listener plan: which listeners to send to ``amazon.aws.elb_application_lb``.

A release moves traffic by rewriting the listeners: CodeDeploy swaps the production and test listeners'
default actions between blue and green, and during a shift leaves a weighted forward (green 10 / blue 90,
or green 100 / blue 0 after it). Re-applying the role must not undo that. So a live listener that
forwards only to our target groups keeps its forward ("kept"); it is sent again only when its protocol,
TLS policy or certificate must change, and then with the live forward. Listeners are sent with
``purge_listeners: false`` unless a port must go away; then every wanted listener is sent.

Who rotates the forwards is the deployment controller. ``CONTROLLERS`` maps each controller to the function
that reads what it left on the live listeners and to the forwards a fresh listener gets:
- ``CODE_DEPLOY`` swaps plain forwards (and leaves weighted ones during a shift); fresh listeners forward plainly.
- ``ECS`` (ECS-native blue/green) moves the weights of the production and test listener rules, here the listeners'
  default rules (ECS accepts them: AmazonECS developerguide alb-resources-for-blue-green.html). Its rules name both
  target groups, the idle one at weight 0 ("Both targetGroup and alternateTargetGroup must be associated with the
  productionListenerRule or testListenerRule", developerguide/migrate-code-deploy-to-ecs-blue-green.html), so a
  fresh listener gets a weighted forward over the pair, and a live forward over our groups is kept as ECS left it.

Input listeners are as ``elb_application_lb_info`` returns them (snake_case); output listeners are as
``elb_application_lb`` takes them (the ELBv2 CreateListener shape, CamelCase).
"""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils.vpc_layout import parse_cidr

ROLES = ("prod", "test")
# ELBv2 CreateListener Port: 1-65535.
PORT_MIN, PORT_MAX = 1, 65535
# A security group rule's CIDR may have any prefix (0.0.0.0/0 is the world).
RULE_PREFIXES = (0, 32)


class PlanError(ValueError):
    """An argument the role should never pass (a bug, not bad input)."""


def _first_action(listener):
    actions = (listener or {}).get("default_actions") or []
    return actions[0] if actions else {}


def _forward_groups(action):
    """The target groups of a forward's ForwardConfig (DescribeListeners returns one for weighted forwards)."""
    return (action.get("forward_config") or {}).get("target_groups") or []


def _weight(group):
    # ELBv2 TargetGroupTuple Weight: optional, and a group without one has weight 1 (ForwardActionConfig).
    return int(group.get("weight", 1) if group.get("weight") is not None else 1)


def kept_forward(listener, ours):
    """What a live listener's default forward to ``ours`` looks like, or None when it forwards elsewhere.

    ``{'primary': arn, 'action': CreateListener DefaultAction}``: a plain forward keeps its target group; a
    weighted forward over our groups only keeps its weights, and its primary is the heaviest group.
    """
    action = _first_action(listener)
    if action.get("type") != "forward":
        return None
    arn = action.get("target_group_arn") or ""
    if arn in ours:
        return {"primary": arn, "action": {"Type": "forward", "TargetGroupArn": arn}}
    groups = _forward_groups(action)
    if not groups or any(group.get("target_group_arn") not in ours for group in groups):
        return None
    weighted = [{"TargetGroupArn": group["target_group_arn"], "Weight": _weight(group)} for group in groups]
    # sorted() is stable: on a tie the first listed group stays primary.
    primary = sorted(groups, key=_weight, reverse=True)[0]["target_group_arn"]
    return {"primary": primary, "action": {"Type": "forward", "ForwardConfig": {"TargetGroups": weighted}}}


def codedeploy_keep(live, candidates, ours):
    """CodeDeploy's forwards on the live listeners: per role, the first candidate port that keeps one.

    ``candidates`` lists per role the ports to look at, the wanted port first, then the port of the other
    protocol, so that switching HTTP to HTTPS carries the live forward over to the new port.
    """
    keep = {}
    for role in ROLES:
        for port in candidates[role]:
            forward = kept_forward(live.get(port), ours)
            if forward is not None:
                keep[role] = {"port": port, **forward}
                break
    return keep


def ecs_keep(live, candidates, ours):
    """ECS-native blue/green's forwards on the live listeners' default rules, read back like CodeDeploy's: per role,
    the first candidate port whose default rule forwards only to our groups (plain, as the alb role or CodeDeploy left
    it before a migration, or weighted over the pair, as ECS leaves it after every stage)."""
    keep = {}
    for role in ROLES:
        for port in candidates[role]:
            forward = kept_forward(_default_rule_listener(live.get(port)), ours)
            if forward is not None:
                keep[role] = {"port": port, **forward}
                break
    return keep


def _default_rule_listener(listener):
    """The listener with its default rule's actions when ``elb_application_lb_info`` returned its rules (ECS changes
    the default rule, which is the listener's default action); else the listener as given."""
    if not listener:
        return listener
    rule = next((r for r in listener.get("rules") or [] if r.get("is_default")), None)
    if rule is None or not rule.get("actions"):
        return listener
    return {**listener, "default_actions": rule["actions"]}


def _plain_forwards(blue, green, prod_primary):
    """CodeDeploy: production on blue; a fresh test listener serves the group production does not."""
    return {
        "prod": {"Type": "forward", "TargetGroupArn": blue},
        "test": {"Type": "forward", "TargetGroupArn": green if prod_primary == blue else blue},
    }


def _weighted(primary, idle):
    groups = [{"TargetGroupArn": primary, "Weight": 100}, {"TargetGroupArn": idle, "Weight": 0}]
    return {"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}


def _pair_forwards(blue, green, prod_primary):
    """ECS: both rules name both groups; production weighs blue 100, a fresh test listener the other group 100."""
    test_primary = green if prod_primary == blue else blue
    return {
        "prod": _weighted(blue, green),
        "test": _weighted(test_primary, blue if test_primary == green else green),
    }


# Deployment controller -> (reader of the forwards it left on the live listeners, the forwards of fresh listeners).
CONTROLLERS = {
    "CODE_DEPLOY": (codedeploy_keep, _plain_forwards),
    "ECS": (ecs_keep, _pair_forwards),
}


def _tls(layout):
    if not layout["https"]:
        return {}
    return {"SslPolicy": layout["ssl_policy"], "Certificates": [{"CertificateArn": layout["certificate_arn"]}]}


def _redirect(layout):
    """HTTP on http_port answers 301 to the same URL over HTTPS (ELBv2 RedirectActionConfig placeholders)."""
    config = {
        "Protocol": "HTTPS",
        "Port": str(layout["https_port"]),
        "Host": "#{host}",
        "Path": "/#{path}",
        "Query": "#{query}",
        "StatusCode": "HTTP_301",
    }
    return {
        "Port": int(layout["http_port"]),
        "Protocol": "HTTP",
        "DefaultActions": [{"Type": "redirect", "RedirectConfig": config}],
    }


def wanted_listeners(layout, blue, green, keep, fresh=_plain_forwards):
    """``[(role, listener)]``: production and test (with the kept forwards, else the controller's ``fresh`` forwards:
    production on blue, test on the other group), and the HTTP redirect when HTTPS is on."""
    protocol = "HTTPS" if layout["https"] else "HTTP"
    prod_primary = keep["prod"]["primary"] if "prod" in keep else blue
    defaults = fresh(blue, green, prod_primary)
    ports = {"prod": int(layout["prod_port"]), "test": int(layout["test_port"])}
    wanted = []
    for role in ROLES:
        action = keep[role]["action"] if role in keep else defaults[role]
        wanted.append((role, {"Port": ports[role], "Protocol": protocol, **_tls(layout), "DefaultActions": [action]}))
    if layout["https"]:
        wanted.append(("redirect", _redirect(layout)))
    return wanted


def _needs_update(listener, current, kept_here, layout):
    """Whether a wanted listener must be sent: it is missing, not kept, or its protocol or TLS differs."""
    if current is None or not kept_here or current.get("protocol") != listener["Protocol"]:
        return True
    if listener["Protocol"] != "HTTPS":
        return False
    certificates = current.get("certificates") or [{}]
    return (
        current.get("ssl_policy") != layout["ssl_policy"]
        or certificates[0].get("certificate_arn") != layout["certificate_arn"]
    )


def _candidates(layout):
    if layout["https"]:
        return {
            "prod": [layout["https_port"], layout["http_port"]],
            "test": [layout["test_https_port"], layout["test_http_port"]],
        }
    return {
        "prod": [layout["http_port"], layout["https_port"]],
        "test": [layout["test_http_port"], layout["test_https_port"]],
    }


def layout_ports(layout):
    """The production and test ports of a layout (HTTPS ports when HTTPS is on)."""
    if layout["https"]:
        return {"prod": int(layout["https_port"]), "test": int(layout["test_https_port"])}
    return {"prod": int(layout["http_port"]), "test": int(layout["test_http_port"])}


def plan_listeners(live_listeners, target_groups, layout, controller="CODE_DEPLOY"):
    """The listeners to send and whether to purge the others.

    ``live_listeners``: the live load balancer's listeners (``[]`` when it does not exist yet).
    ``target_groups``: ``{'blue': arn, 'green': arn}``.
    ``layout``: ``https`` (bool), ``http_port``, ``test_http_port``, ``https_port``, ``test_https_port``,
    ``ssl_policy`` and ``certificate_arn`` (used when ``https``).
    Returns ``{'listeners', 'purge', 'stale', 'keep'}``: ``stale`` are the live ports no wanted listener
    uses; when there are any, ``listeners`` is every wanted listener and ``purge`` is true.
    """
    if controller not in CONTROLLERS:
        raise PlanError(f"controller: {controller!r} is not one of {', '.join(sorted(CONTROLLERS))}")
    blue, green = target_groups.get("blue"), target_groups.get("green")
    if not blue or not green:
        raise PlanError("target_groups: both blue and green ARNs are needed")
    layout = {**layout, "https": bool(layout["https"])}
    layout.update(prod_port=layout_ports(layout)["prod"], test_port=layout_ports(layout)["test"])
    live = {int(listener["port"]): listener for listener in live_listeners or []}
    candidates = {role: [int(port) for port in ports] for role, ports in _candidates(layout).items()}
    reader, fresh = CONTROLLERS[controller]
    keep = reader(live, candidates, (blue, green))
    wanted = wanted_listeners(layout, blue, green, keep, fresh)
    send = [
        listener
        for role, listener in wanted
        if _needs_update(
            listener, live.get(listener["Port"]), role in keep and keep[role]["port"] == listener["Port"], layout
        )
    ]
    wanted_ports = [listener["Port"] for _role, listener in wanted]
    stale = [port for port in live if port not in wanted_ports]
    return {
        "listeners": [listener for _role, listener in wanted] if stale else send,
        "purge": bool(stale),
        "stale": stale,
        "keep": keep,
    }


def _used_ports(https):
    """The port variables the listeners use, in the order a clash is reported."""
    if https:
        return ("alb_https_port", "alb_test_https_port", "alb_http_port")
    return ("alb_http_port", "alb_test_http_port")


def port_errors(ports, https):
    """Messages for the listener port variables (``{'alb_http_port': 80, ...}``): each is a TCP port, and the
    listeners in use (HTTPS: production, test and the HTTP redirect; HTTP: production and test) each have their own."""
    errors = []
    for var, port in ports.items():
        if not PORT_MIN <= int(port) <= PORT_MAX:
            errors.append(f"{var}: {port} is not a TCP port (allowed {PORT_MIN}-{PORT_MAX})")
    used = _used_ports(https)
    for index, var in enumerate(used):
        for other in used[index + 1 :]:
            if int(ports[other]) == int(ports[var]):
                errors.append(f"{other}: {ports[other]} is also {var}; each listener needs its own port")
    return errors


def cidr_errors(var, cidrs):
    """Messages for the IPv4 CIDRs of a security group rule variable (any prefix, no host bits)."""
    return [error for _network, error in (parse_cidr(var, cidr, RULE_PREFIXES) for cidr in cidrs or []) if error]


# elb_target_group_info numeric field -> the wanted setting it must equal (ELBv2 CreateTargetGroup settings).
TARGET_GROUP_SETTINGS = {
    "health_check_interval_seconds": "interval",
    "health_check_timeout_seconds": "timeout",
    "healthy_threshold_count": "healthy_threshold",
    "unhealthy_threshold_count": "unhealthy_threshold",
    "deregistration_delay_timeout_seconds": "deregistration_delay",
}


def _group_differs(group, wanted):
    if any(int(group.get(field) or 0) != int(wanted[setting]) for field, setting in TARGET_GROUP_SETTINGS.items()):
        return True
    if (group.get("health_check_path") or "") != wanted["health_check_path"]:
        return True
    return str((group.get("matcher") or {}).get("http_code", "")) != str(wanted["matcher"])


def target_group_plan(results, wanted):
    """Per target group read back (the loop results of ``elb_target_group_info``, one name each): ``name``, the live
    ``group`` (None when missing), its ``arn`` ('' when missing) and whether its settings differ from ``wanted``
    (``health_check_path``, ``interval``, ``timeout``, ``healthy_threshold``, ``unhealthy_threshold``, ``matcher``,
    ``deregistration_delay``)."""
    plan = []
    for result in results:
        groups = result.get("target_groups") or []
        group = groups[0] if groups else None
        plan.append(
            {
                "name": result["item"],
                "group": group,
                "arn": (group or {}).get("target_group_arn", ""),
                "differs": group is not None and _group_differs(group, wanted),
            }
        )
    return plan
