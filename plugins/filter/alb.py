# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the alb role (documented in the alb_*.yml files beside this one); the decisions live in
module_utils/listener_plan.py and module_utils/naming.py, where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import listener_plan, naming


def _guard(name, func):
    """Turn a bad argument into a filter error that names the filter."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (listener_plan.PlanError, naming.NamingError, KeyError, TypeError, ValueError) as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from None

    wrapper.__doc__ = func.__doc__
    return wrapper


def alb_listener_plan(live_listeners, target_groups, layout, controller="CODE_DEPLOY"):
    return listener_plan.plan_listeners(live_listeners, target_groups, layout, controller)


def alb_port_errors(ports, https):
    return listener_plan.port_errors(ports, https)


def alb_cidr_errors(cidrs, var):
    return listener_plan.cidr_errors(var, cidrs)


def alb_target_group_plan(results, wanted):
    return listener_plan.target_group_plan(results, wanted)


def alb_logs_bucket(env, project, service, account_id, region):
    return naming.alb_logs_bucket(env, project, service, account_id, region)


FILTERS = {
    "alb_listener_plan": alb_listener_plan,
    "alb_port_errors": alb_port_errors,
    "alb_cidr_errors": alb_cidr_errors,
    "alb_target_group_plan": alb_target_group_plan,
    "alb_logs_bucket": alb_logs_bucket,
}


class FilterModule:
    """bluegreen.ecs alb filters."""

    def filters(self):
        return {name: _guard(name, func) for name, func in FILTERS.items()}
