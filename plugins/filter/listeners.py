# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters naming the listeners of a blue/green deployment (documented in the YAML files beside this one); the
decisions live in module_utils/deployment_listeners.py, where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import deployment_listeners


def tagged_listeners(load_balancer):
    """The production and test listeners on the ports the alb role tagged ('' when absent)."""
    return deployment_listeners.tagged_listeners(load_balancer)


def deployment_group_listener(group, route, load_balancer):
    """The listener (elb_application_lb_info entry) a deployment group names for ``route``."""
    try:
        arn = deployment_listeners.group_listener_arn(group, route)
        return deployment_listeners.listener_by_arn(load_balancer, arn)
    except deployment_listeners.ListenerError as exc:
        raise AnsibleFilterError(str(exc)) from None


def tagged_listener(load_balancer, route):
    """The listener (elb_application_lb_info entry) on the port the alb role tagged for ``route``."""
    try:
        if route not in deployment_listeners.ROUTES:
            raise deployment_listeners.ListenerError(
                f"route must be one of {', '.join(deployment_listeners.ROUTES)}, not {route!r}"
            )
        arn = deployment_listeners.tagged_listeners(load_balancer)[route]
        if not arn:
            raise deployment_listeners.ListenerError(
                f"load balancer {(load_balancer or {}).get('load_balancer_name', '?')!r} has no {route} listener on "
                "the port its tags name (ProductionListenerPort, TestListenerPort): re-run the alb layer"
            )
        return deployment_listeners.listener_by_arn(load_balancer, arn)
    except deployment_listeners.ListenerError as exc:
        raise AnsibleFilterError(str(exc)) from None


class FilterModule:
    """bluegreen.ecs listener filters."""

    def filters(self):
        return {
            "tagged_listeners": tagged_listeners,
            "deployment_group_listener": deployment_group_listener,
            "tagged_listener": tagged_listener,
        }
