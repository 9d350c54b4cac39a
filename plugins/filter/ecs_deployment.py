# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the ecs role's ECS-native blue/green settings (documented in the ecs_*.yml files beside this one); the
decisions live in module_utils/ecs_deployment.py, where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import ecs_deployment


def _guard(name, func):
    """Turn a bad argument into a filter error that names the filter."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (ecs_deployment.DeploymentSettingsError, KeyError, TypeError, ValueError) as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from None

    wrapper.__doc__ = func.__doc__
    return wrapper


FILTERS = {
    "ecs_deployment_errors": ecs_deployment.settings_errors,
    "ecs_deployment_configuration": ecs_deployment.deployment_configuration,
    "ecs_lb_role_policy": ecs_deployment.load_balancer_role_policy,
    "ecs_lb_role_trust": ecs_deployment.load_balancer_role_trust,
}


class FilterModule:
    """bluegreen.ecs ECS-native blue/green filters."""

    def filters(self):
        return {name: _guard(name, func) for name, func in FILTERS.items()}
