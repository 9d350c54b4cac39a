# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of the vpc role's writers a converged network still needs (issue 15, converge time).

The role reads the network once per kind (subnets, NAT gateways, route tables, elastic IPs, security groups,
with the amazon.aws *_info modules) and runs a writer only for what these functions find missing or different;
each writer keeps its own comparison, so a "differs" here that is not one costs a module run and nothing else.
The other way round would hide drift, so every function compares everything its writer manages and, when in
doubt, answers "write". Inputs are the info modules' snake_case results (tags as a dict). Plain functions,
exposed as filters (plugins/filter/vpc_sync.py)."""

from __future__ import annotations

# AWS reserves the aws: tag prefix (EC2 User Guide, "Tag restrictions"); the modules neither add nor purge them.
_RESERVED_TAG_PREFIX = "aws:"


def _user_tags(tags):
    return {key: value for key, value in (tags or {}).items() if not str(key).startswith(_RESERVED_TAG_PREFIX)}


def tags_equal(live, wanted):
    """purge_tags=true semantics: the resource's own tags are exactly ``wanted`` (values compared as strings)."""
    return _user_tags(live) == {str(key): str(value) for key, value in (wanted or {}).items()}


def vpc_in_sync(vpc, cidr, tags):
    """ec2_vpc_net (cidr_block, dns_support, dns_hostnames, tags with Name) would change nothing on ``vpc``.

    ``vpc`` is ec2_vpc_net_info's record ({} when missing); ``tags`` include Name."""
    if not vpc:
        return False
    cidrs = [
        assoc.get("cidr_block")
        for assoc in vpc.get("cidr_block_association_set", [])
        if (assoc.get("cidr_block_state") or {}).get("state") in ("associated", "associating")
    ]
    return (
        vpc.get("cidr_block") == cidr
        and cidr in cidrs
        and vpc.get("enable_dns_support") is True
        and vpc.get("enable_dns_hostnames") is True
        and tags_equal(vpc.get("tags"), tags)
    )


def _subnet_tags(tags, item):
    return dict(tags, Name=item["name"], Tier=item["tier"])


def _subnet_in_sync(live, item, tags):
    return (
        live is not None
        and live.get("availability_zone") == item["az"]
        and live.get("map_public_ip_on_launch") is False
        and not live.get("assign_ipv6_address_on_creation")
        and tags_equal(live.get("tags"), _subnet_tags(tags, item))
    )


def _by_cidr(subnets):
    return {subnet.get("cidr_block"): subnet for subnet in subnets or []}


def subnets_to_write(plan, subnets, tags):
    """The entries of ``plan`` (vpc_subnet_plan) whose subnet is missing or differs (AZ, no public IP on launch, no
    IPv6 address on creation, tags with Name and Tier); ``subnets`` are the VPC's, from ec2_vpc_subnet_info."""
    live = _by_cidr(subnets)
    return [item for item in plan if not _subnet_in_sync(live.get(item["cidr"]), item, tags)]


def subnet_index(plan, subnets, results):
    """Subnet IDs by tier, in AZ order: a written subnet's from the writer's loop ``results``, the others' from
    ``subnets`` (read before). An ID is empty only in check mode, for a subnet not created yet."""
    written = {
        result["item"]["cidr"]: (result.get("subnet") or {}).get("id", "")
        for result in results or []
        if not result.get("skipped")
    }
    live = _by_cidr(subnets)
    ids = {}
    for item in plan:
        if item["cidr"] in written:
            subnet_id = written[item["cidr"]]
        else:
            subnet_id = (live.get(item["cidr"]) or {}).get("id", "")
        ids.setdefault(item["tier"], []).append(subnet_id)
    return ids


def nat_gateways_to_write(public_subnet_ids, count, nat_gateways, names, tags):
    """NAT gateway indexes (0..count-1) whose gateway is missing from its AZ's public subnet, not available, or
    tagged otherwise; ``nat_gateways`` from ec2_vpc_nat_gateway_info, ``names`` the NAT gateway names by index."""
    live = live_nat_gateways(public_subnet_ids, count, nat_gateways)
    return [
        index
        for index in range(int(count))
        if live[index] is None
        or live[index].get("state") != "available"
        or not tags_equal(live[index].get("tags"), dict(tags, Name=names[index]))
    ]


def live_nat_gateways(public_subnet_ids, count, nat_gateways):
    """Per NAT index, the live gateway in that AZ's public subnet (available before pending), or None."""
    order = {"available": 0, "pending": 1}
    candidates = sorted(
        (gateway for gateway in nat_gateways or [] if gateway.get("state") in order),
        key=lambda gateway: order[gateway["state"]],
    )
    live = []
    for index in range(int(count)):
        subnet_id = public_subnet_ids[index] if index < len(public_subnet_ids) else ""
        live.append(next((gw for gw in candidates if subnet_id and gw.get("subnet_id") == subnet_id), None))
    return live


def nat_gateway_records(public_subnet_ids, count, nat_gateways, results):
    """Per NAT index, ``{item: index, nat_gateway_id, nat_gateway_addresses}``: the writer's result where it ran,
    the live gateway otherwise; ``nat_gateway_id`` is empty where there is none (check mode)."""
    written = {result["item"]: result for result in results or [] if not result.get("skipped")}
    live = live_nat_gateways(public_subnet_ids, count, nat_gateways)
    records = []
    for index in range(int(count)):
        source = written.get(index) or live[index] or {}
        records.append(
            {
                "item": index,
                "nat_gateway_id": source.get("nat_gateway_id", ""),
                "nat_gateway_addresses": source.get("nat_gateway_addresses") or [],
            }
        )
    return records


def eips_to_tag(records, addresses, names, tags):
    """The NAT records (nat_gateway_records) whose elastic IP lacks a wanted tag (ec2_tag adds, it does not purge);
    ``addresses`` from ec2_eip_info. A record without an address is left out (nothing to tag)."""
    by_allocation = {address.get("allocation_id"): address for address in addresses or []}
    todo = []
    for record in records:
        if not record["nat_gateway_addresses"]:
            continue
        allocation = record["nat_gateway_addresses"][0].get("allocation_id")
        live = _user_tags((by_allocation.get(allocation) or {}).get("tags"))
        wanted = {str(key): str(value) for key, value in dict(tags, Name=names[record["item"]]).items()}
        if allocation not in by_allocation or any(live.get(key) != value for key, value in wanted.items()):
            todo.append(record)
    return todo


def _route_target(route):
    for key in (
        "gateway_id",
        "nat_gateway_id",
        "transit_gateway_id",
        "vpc_peering_connection_id",
        "network_interface_id",
    ):
        if route.get(key):
            return route[key]
    return route.get("instance_id") or ""


def _managed_routes(table):
    """The routes purge_routes manages: not the local route, not propagated ones, not the gateway endpoints'."""
    routes = set()
    for route in table.get("routes", []):
        target = _route_target(route)
        if (
            route.get("origin") == "CreateRouteTable"
            or target == "local"
            or route.get("origin") == "EnableVgwRoutePropagation"
        ):
            continue
        if str(target).startswith("vpce-"):
            continue
        routes.add((route.get("destination_cidr_block") or route.get("destination_ipv6_cidr_block") or "", target))
    return routes


def route_table_in_sync(route_tables, tags, routes, subnet_ids):
    """ec2_vpc_route_table (lookup by tags, purge_routes, purge_subnets, purge_tags) would change nothing: exactly
    one table carries ``tags``, its own routes are ``routes`` ([{dest, gateway_id}]) and its subnets ``subnet_ids``."""
    wanted_tags = {str(key): str(value) for key, value in tags.items()}
    matches = [
        table
        for table in route_tables or []
        if all(_user_tags(table.get("tags")).get(key) == value for key, value in wanted_tags.items())
    ]
    if len(matches) != 1 or not tags_equal(matches[0].get("tags"), tags):
        return False
    table = matches[0]
    associated = {
        assoc.get("subnet_id")
        for assoc in table.get("associations", [])
        if assoc.get("subnet_id") and (assoc.get("association_state") or {}).get("state", "associated") == "associated"
    }
    wanted_routes = {(route["dest"], route["gateway_id"]) for route in routes}
    return _managed_routes(table) == wanted_routes and associated == set(subnet_ids)


def _route_table_id(route_tables, tags):
    wanted = {str(key): str(value) for key, value in tags.items()}
    matches = [
        table.get("id") or table.get("route_table_id", "")
        for table in route_tables or []
        if all(_user_tags(table.get("tags")).get(key) == value for key, value in wanted.items())
    ]
    return matches[0] if len(matches) == 1 else ""


def private_route_table_ids(route_tables, tags, app_names, data_name):
    """The IDs of the app route tables (one per name, AZ order) and then the data route table, each looked up by
    ``tags`` with its Name and Tier, as the role tags them; '' where none or several carry the tags."""
    tag_sets = [dict(tags, Name=name, Tier="app") for name in app_names] + [dict(tags, Name=data_name, Tier="data")]
    return [_route_table_id(route_tables, tag_set) for tag_set in tag_sets]


def security_group_in_sync(security_groups, name, tags):
    """ec2_security_group with no rules either way (purge on) and purge_tags would change nothing on the group
    called ``name`` (from ec2_security_group_info of the VPC): the default group the role empties."""
    group = next((group for group in security_groups or [] if group.get("group_name") == name), None)
    return (
        group is not None
        and not group.get("ip_permissions")
        and not group.get("ip_permissions_egress")
        and tags_equal(group.get("tags"), tags)
    )


def security_group_exists(security_groups, name):
    """Whether the VPC has a group called ``name`` (ec2_security_group_info of the VPC)."""
    return any(group.get("group_name") == name for group in security_groups or [])
