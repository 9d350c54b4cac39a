# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which listeners a blue/green deployment uses, decided in one place.

The alb role tags its load balancer with the two ports (ProductionListenerPort, TestListenerPort); the codedeploy
role reads those tags once, to create the deployment group. From then on the deployment group is the record:
CodeDeploy's ``loadBalancerInfo.targetGroupPairInfoList[].prodTrafficRoute`` / ``testTrafficRoute`` name the
listeners (CodeDeploy API reference, TargetGroupPairInfo), and everything else (the validation function, the
release's traffic sample and its check from the controller) reads them from there.
"""

from __future__ import annotations

ROUTES = {"production": "prodTrafficRoute", "test": "testTrafficRoute"}
PORT_TAGS = {"production": "ProductionListenerPort", "test": "TestListenerPort"}


class ListenerError(ValueError):
    """A deployment group or load balancer that does not name the listener asked for."""


def _get(mapping, camel):
    """``mapping[camel]``, or its snake_case twin (modules return GetDeploymentGroup in snake_case)."""
    if not isinstance(mapping, dict):
        return None
    if camel in mapping:
        return mapping[camel]
    snake = "".join("_" + c.lower() if c.isupper() else c for c in camel)
    return mapping.get(snake)


def tagged_listeners(load_balancer):
    """``{"production": arn, "test": arn}``: the listeners on the ports the alb role tagged ('' when absent).

    ``load_balancer`` is an elb_application_lb_info entry (``listeners`` with ``port`` and ``listener_arn``,
    ``tags`` as a dict); {} (no load balancer) gives two empty strings.
    """
    load_balancer = load_balancer or {}
    tags = load_balancer.get("tags") or {}
    by_port = {str(lst.get("port")): lst.get("listener_arn", "") for lst in load_balancer.get("listeners") or []}
    return {role: by_port.get(str(tags.get(tag, "")), "") for role, tag in PORT_TAGS.items()}


def group_listener_arn(group, route):
    """The ARN of the ``route`` (production or test) listener a deployment group names.

    ``group`` is GetDeploymentGroup's ``deploymentGroupInfo`` (camelCase) or the codedeploy_deployment_group
    module's ``deployment_group`` (snake_case).
    """
    if route not in ROUTES:
        raise ListenerError(f"route must be one of {', '.join(ROUTES)}, not {route!r}")
    pairs = _get(_get(group, "loadBalancerInfo") or {}, "targetGroupPairInfoList") or []
    arns = _get(_get(pairs[0] if pairs else {}, ROUTES[route]) or {}, "listenerArns") or []
    if not arns:
        name = _get(group, "deploymentGroupName") or "?"
        raise ListenerError(
            f"deployment group {name!r} names no {route} listener (loadBalancerInfo.targetGroupPairInfoList "
            f"{ROUTES[route]}): re-run the codedeploy layer"
        )
    return arns[0]


def listener_by_arn(load_balancer, arn):
    """The listener ``arn`` of an elb_application_lb_info entry."""
    for listener in (load_balancer or {}).get("listeners") or []:
        if listener.get("listener_arn") == arn:
            return listener
    raise ListenerError(
        f"load balancer {(load_balancer or {}).get('load_balancer_name', '?')!r} has no listener {arn}: "
        "re-run the alb and codedeploy layers"
    )
