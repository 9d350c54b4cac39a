# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the codedeploy and pipeline roles build for a service's deployment controller (documented in the yml files
beside this one); the decisions live in module_utils/deployment_controller.py, where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import deployment_controller


def _guard(name, func):
    """Turn a refused setting into a filter error that names the filter."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (deployment_controller.ControllerError, AttributeError, TypeError) as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from None

    wrapper.__doc__ = func.__doc__
    return wrapper


FILTERS = {
    "deployment_controller_errors": deployment_controller.controller_errors,
    "codedeploy_layer": deployment_controller.codedeploy_layer,
    "pipeline_deploy_stage": deployment_controller.deploy_stage,
}


class FilterModule:
    """bluegreen.ecs deployment controller filters."""

    def filters(self):
        return {name: _guard(name, func) for name, func in FILTERS.items()}
