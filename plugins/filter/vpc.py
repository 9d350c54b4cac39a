# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the vpc role's layout (documented in the vpc_*.yml files beside this one); the decisions
live in module_utils/vpc_layout.py, where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import naming, vpc_layout


def _guard(name, func):
    """Turn a bad argument into a filter error that names the filter."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (vpc_layout.LayoutError, naming.NamingError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise AnsibleFilterError(f"{name}: {exc}") from None

    wrapper.__doc__ = func.__doc__
    return wrapper


FILTERS = {
    "vpc_cidr_plan": vpc_layout.plan_subnets,
    "vpc_subnet_plan": vpc_layout.subnet_plan,
    "vpc_subnet_ids": vpc_layout.subnet_ids,
    "vpc_nat_count": vpc_layout.nat_gateway_count,
    "vpc_nat_per_az": vpc_layout.nat_gateway_per_az,
    "vpc_network_names": naming.network_names,
}


class FilterModule:
    """bluegreen.ecs vpc layout filters."""

    def filters(self):
        return {name: _guard(name, func) for name, func in FILTERS.items()}
