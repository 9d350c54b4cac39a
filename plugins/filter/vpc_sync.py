# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that tell the vpc role which writers a converged network still needs (documented in the vpc_*.yml
files beside this one); the decisions live in module_utils/vpc_sync.py, where they are unit tested."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import vpc_sync
from ansible_collections.bluegreen.ecs.plugins.plugin_utils.filter_guard import guarded

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
    "vpc_layer_reads": vpc_sync.layer_reads,
    "vpc_network_reads": vpc_sync.network_reads,
    "vpc_network_state": vpc_sync.network_state,
    "vpc_record": vpc_sync.vpc_record,
    "vpc_igw_in_sync": vpc_sync.igw_in_sync,
    "vpc_igw_id": vpc_sync.igw_id,
    "vpc_endpoints_to_remove": vpc_sync.endpoints_to_remove,
    "vpc_flow_logs_stack": vpc_sync.flow_logs_stack,
    "vpc_flow_logs_stack_in_sync": vpc_sync.flow_logs_stack_in_sync,
    "vpc_log_group_in_sync": vpc_sync.log_group_in_sync,
    "vpc_security_group_id": vpc_sync.security_group_id,
    "vpc_endpoint_security_group_in_sync": vpc_sync.endpoint_security_group_in_sync,
    "vpc_endpoint_in_sync": vpc_sync.endpoint_in_sync,
    "vpc_interface_endpoints_to_write": vpc_sync.interface_endpoints_to_write,
}


class FilterModule:
    """bluegreen.ecs vpc convergence filters."""

    def filters(self):
        return guarded(FILTERS)
