# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of service discovery (documented in the discovery_*.yml files beside this one); the decisions live in
module_utils/discovery.py, where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import discovery, discovery_wiring


def _guard(name, func):
    """Turn a bad argument into a filter error that names the filter."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (KeyError, TypeError, ValueError) as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from None

    wrapper.__doc__ = func.__doc__
    return wrapper


FILTERS = {
    "discovery_statements": discovery.discover_statements,
    "discovery_ingress_rules": discovery.ingress_rules,
    "discovery_egress_rules": discovery.egress_rules,
    "discovery_service_registries": discovery.service_registries,
    "discovery_calls_errors": discovery.calls_errors,
    "discovery_inventory_specs": discovery_wiring.inventory_specs,
    "discovery_security_group_rules": discovery_wiring.security_group_rules,
}


class FilterModule:
    """bluegreen.ecs service discovery filters."""

    def filters(self):
        return {name: _guard(name, func) for name, func in FILTERS.items()}
