# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the db role (documented in the db_*.yml files beside this one); the decisions live in
module_utils/db_spec.py, where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import db_spec, naming, service_spec


def _guard(name, func):
    """Turn a bad argument into a filter error that names the filter."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (naming.NamingError, service_spec.SpecError, KeyError, TypeError, ValueError) as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from None

    wrapper.__doc__ = func.__doc__
    return wrapper


FILTERS = {
    "db_instance_errors": db_spec.instance_errors,
    "db_instances_plan": db_spec.plan,
    "db_consumers": db_spec.consumers,
    "db_service_errors": db_spec.service_errors,
    "db_offer_errors": db_spec.offer_errors,
    "db_version_errors": db_spec.version_errors,
    "db_ingress_rules": db_spec.ingress_rules,
}


class FilterModule:
    """bluegreen.ecs db filters."""

    def filters(self):
        return {name: _guard(name, func) for name, func in FILTERS.items()}
