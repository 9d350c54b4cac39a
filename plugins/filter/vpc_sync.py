# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that tell the vpc role which writers a converged network still needs (documented in the vpc_*.yml
files beside this one); the decisions live in module_utils/vpc_sync.py, where they are unit tested."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import vpc_sync


def _guard(name, func):
    """Turn a bad argument into a filter error that names the filter."""

    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            raise AnsibleFilterError(f"{name}: {exc!r}") from None

    wrapper.__doc__ = func.__doc__
    return wrapper


FILTERS = {
    "vpc_in_sync": vpc_sync.vpc_in_sync,
    "vpc_subnets_to_write": vpc_sync.subnets_to_write,
    "vpc_subnet_index": vpc_sync.subnet_index,
    "vpc_nat_gateways_to_write": vpc_sync.nat_gateways_to_write,
    "vpc_nat_gateway_records": vpc_sync.nat_gateway_records,
    "vpc_eips_to_tag": vpc_sync.eips_to_tag,
    "vpc_route_table_in_sync": vpc_sync.route_table_in_sync,
    "vpc_private_route_table_ids": vpc_sync.private_route_table_ids,
    "vpc_security_group_in_sync": vpc_sync.security_group_in_sync,
    "vpc_security_group_exists": vpc_sync.security_group_exists,
}


class FilterModule:
    """bluegreen.ecs vpc convergence filters."""

    def filters(self):
        return {name: _guard(name, func) for name, func in FILTERS.items()}
