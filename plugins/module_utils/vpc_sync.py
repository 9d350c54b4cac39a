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

from ansible_collections.bluegreen.ecs.plugins.module_utils import iam_sync, resource_sync, tag_sync

# AWS reserves the aws: tag prefix (EC2 User Guide, "Tag restrictions"); the modules neither add nor purge them.
_RESERVED_TAG_PREFIX = "aws:"


def _user_tags(tags):
    return {key: value for key, value in (tags or {}).items() if not str(key).startswith(_RESERVED_TAG_PREFIX)}


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
        and tag_sync.in_sync(vpc.get("tags"), tags)
    )


def _subnet_tags(tags, item):
    return dict(tags, Name=item["name"], Tier=item["tier"])


def _subnet_in_sync(live, item, tags):
    return (
        live is not None
        and live.get("availability_zone") == item["az"]
        and live.get("map_public_ip_on_launch") is False
        and not live.get("assign_ipv6_address_on_creation")
        and tag_sync.in_sync(live.get("tags"), _subnet_tags(tags, item))
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
        or not tag_sync.in_sync(live[index].get("tags"), dict(tags, Name=names[index]))
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
    if len(matches) != 1 or not tag_sync.in_sync(matches[0].get("tags"), tags):
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
        and tag_sync.in_sync(group.get("tags"), tags)
    )


def security_group_exists(security_groups, name):
    """Whether the VPC has a group called ``name`` (ec2_security_group_info of the VPC)."""
    return any(group.get("group_name") == name for group in security_groups or [])


# The layer's reads, made with bluegreen.ecs.aws_batch_info: one module run before the VPC is known (layer_reads)
# and one inside it (network_reads), instead of one amazon.aws *_info run per kind (issue 15).


def ec2_filters(filters):
    """Ansible-style filters ({name: value or [values]}) as the EC2 API's [{Name, Values}] (what
    ansible_dict_to_boto3_filter_list does for the *_info modules)."""
    return [
        {"Name": name, "Values": [str(item) for item in (value if isinstance(value, list) else [value])]}
        for name, value in (filters or {}).items()
    ]


def _ec2_read(name, operation, filters=None, **params):
    if filters is not None:
        params["Filters"] = ec2_filters(filters)
    return {"name": name, "service": "ec2", "operation": operation, "params": params, "snake": True}


def layer_reads(vpc_filters, present, flow_logs_stack, flow_logs_role, flow_logs_group="", caller=False):
    """What the vpc role reads before it knows the VPC's ID: the VPC (by roles/common's filters), the region's
    available zones (``present`` only), the flow logs' stack, delivery role and (``flow_logs_group`` given) log
    group, which live outside the VPC, and with ``caller`` the caller's identity (the account the flow logs' role
    trusts). A missing stack, role or log group reads as null (CloudFormation answers ValidationError for a stack
    that does not exist, IAM NoSuchEntity, CloudWatch Logs ResourceNotFoundException). These reads stay raw: a
    template is data, not keys to snake_case; log group tags are a map already."""
    reads = [_ec2_read("vpcs", "DescribeVpcs", vpc_filters)]
    if caller:
        reads.append({"name": "caller", "service": "sts", "operation": "GetCallerIdentity", "snake": True})
    if flow_logs_group:
        # cloudwatchlogs_log_group reads the same two (DescribeLogGroups by prefix, then ListTagsLogGroup).
        reads += [
            {
                "name": "flow_logs_groups",
                "service": "logs",
                "operation": "DescribeLogGroups",
                "params": {"logGroupNamePrefix": flow_logs_group},
            },
            {
                "name": "flow_logs_group_tags",
                "service": "logs",
                "operation": "ListTagsLogGroup",
                "params": {"logGroupName": flow_logs_group},
                "missing": ["ResourceNotFoundException"],
            },
        ]
    if present:
        reads.append(
            _ec2_read("zones", "DescribeAvailabilityZones", {"state": "available", "zone-type": "availability-zone"})
        )
    for name, operation in (("flow_logs_stack", "DescribeStacks"), ("flow_logs_template", "GetTemplate")):
        reads.append(
            {
                "name": name,
                "service": "cloudformation",
                "operation": operation,
                "params": {"StackName": flow_logs_stack},
                "missing": ["ValidationError"],
            }
        )
    return reads + iam_sync.role_reads(flow_logs_role, "flow_logs", "write-flow-logs")


def network_reads(vpc_id, tags):
    """What the vpc role reads inside the VPC ``vpc_id``, in one module run: its DNS attributes, internet gateway,
    subnets, NAT gateways (pending or available, the collection's), their elastic IPs (by the environment's tags),
    route tables, security groups and endpoints. Each answer in the snake shape (tags as dicts)."""
    in_vpc = {"vpc-id": vpc_id}
    return [
        _ec2_read("dns_support", "DescribeVpcAttribute", VpcId=vpc_id, Attribute="enableDnsSupport"),
        _ec2_read("dns_hostnames", "DescribeVpcAttribute", VpcId=vpc_id, Attribute="enableDnsHostnames"),
        _ec2_read("igws", "DescribeInternetGateways", {"attachment.vpc-id": vpc_id}),
        _ec2_read("subnets", "DescribeSubnets", in_vpc),
        _ec2_read(
            "nat_gateways",
            "DescribeNatGateways",
            dict(in_vpc, state=["pending", "available"], **{"tag:ManagedBy": tags["ManagedBy"]}),
        ),
        _ec2_read(
            "addresses",
            "DescribeAddresses",
            {f"tag:{key}": tags[key] for key in ("ManagedBy", "Environment", "Project")},
        ),
        _ec2_read("route_tables", "DescribeRouteTables", in_vpc),
        _ec2_read("security_groups", "DescribeSecurityGroups", in_vpc),
        _ec2_read(
            "endpoints",
            "DescribeVpcEndpoints",
            dict(in_vpc, **{"vpc-endpoint-state": ["pendingAcceptance", "pending", "available"]}),
        ),
    ]


def _with_id(records, key):
    """The *_info modules add ``id`` (the boto2 name) beside ``<kind>_id``; the checks above read either."""
    return [dict(record, id=record.get(key)) for record in records or []]


def network_state(answers):
    """The network_reads ``answers`` in the shapes the *_info modules return (what the checks above take):
    ``subnets``, ``nat_gateways``, ``addresses``, ``route_tables``, ``security_groups``, ``endpoints``, ``igws``
    and the VPC's ``dns_support``/``dns_hostnames`` (None when unknown). Empty lists for ``answers`` None (a VPC just
    created holds nothing the role manages yet, so every writer runs)."""
    answers = answers or {}

    def listed(name, key):
        return (answers.get(name) or {}).get(key) or []

    def attribute(name, key):
        return ((answers.get(name) or {}).get(key) or {}).get("value")

    return {
        "dns_support": attribute("dns_support", "enable_dns_support"),
        "dns_hostnames": attribute("dns_hostnames", "enable_dns_hostnames"),
        "igws": listed("igws", "internet_gateways"),
        "subnets": _with_id(listed("subnets", "subnets"), "subnet_id"),
        "nat_gateways": listed("nat_gateways", "nat_gateways"),
        "addresses": listed("addresses", "addresses"),
        "route_tables": _with_id(listed("route_tables", "route_tables"), "route_table_id"),
        "security_groups": listed("security_groups", "security_groups"),
        "endpoints": listed("endpoints", "vpc_endpoints"),
    }


def vpc_record(vpcs_answer, network=None):
    """The environment's VPC in ec2_vpc_net_info's shape (what roles/common publishes as _common_vpc): the first VPC
    of the DescribeVpcs answer (snake shape) with ``id`` and, from ``network`` (network_state), the DNS attributes.
    {} when there is none."""
    vpcs = (vpcs_answer or {}).get("vpcs") or []
    if not vpcs:
        return {}
    record = dict(vpcs[0], id=vpcs[0].get("vpc_id"))
    record.setdefault("tags", {})
    for key in ("dns_support", "dns_hostnames"):
        if network and network.get(key) is not None:
            record[f"enable_{key}"] = network[key]
    return record


def igw_in_sync(igws, vpc_id, tags):
    """ec2_vpc_igw (state present, purge_tags) would change nothing: exactly one internet gateway is attached to
    ``vpc_id`` (the module fails on several) and its tags are exactly ``tags`` (Name included)."""
    if len(igws or []) != 1:
        return False
    attached = [att.get("vpc_id") for att in igws[0].get("attachments") or []]
    return attached == [vpc_id] and tag_sync.in_sync(igws[0].get("tags"), tags)


def igw_id(igws):
    """The ID of the VPC's internet gateway read by network_reads; '' when there is not exactly one."""
    return igws[0].get("internet_gateway_id", "") if len(igws or []) == 1 else ""


def endpoints_to_remove(endpoints, managed_by, wanted_services):
    """The VPC endpoints (network_state) the collection tagged ManagedBy ``managed_by`` whose service is not in
    ``wanted_services`` (switched off, or dropped from the list)."""
    return [
        endpoint
        for endpoint in endpoints or []
        if (endpoint.get("tags") or {}).get("ManagedBy") == managed_by
        and endpoint.get("service_name") not in wanted_services
    ]


def _stack_tags(stack):
    return {tag.get("Key"): tag.get("Value") for tag in stack.get("Tags") or []}


def flow_logs_stack(answers):
    """The flow log stack from layer_reads' raw DescribeStacks answer, or None when it does not exist."""
    stacks = ((answers or {}).get("flow_logs_stack") or {}).get("Stacks") or []
    return stacks[0] if stacks else None


def flow_logs_stack_in_sync(answers, template, tags):
    """amazon.aws.cloudformation would change nothing on the flow log stack: it exists, completed, with ``template``
    (GetTemplate decodes a JSON template) and exactly ``tags``."""
    stack = flow_logs_stack(answers)
    body = ((answers or {}).get("flow_logs_template") or {}).get("TemplateBody")
    return (
        stack is not None
        and stack.get("StackStatus") in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
        and body == template
        and _stack_tags(stack) == {str(key): str(value) for key, value in (tags or {}).items()}
    )


def log_group_in_sync(answers, name, retention, tags):
    """amazon.aws.cloudwatchlogs_log_group (retention, purge_tags) would change nothing on the log group ``name``
    read by layer_reads: it exists with ``retention`` days and exactly ``tags`` (resource_sync's comparison)."""
    answers = answers or {}
    return resource_sync.log_group_in_sync(
        answers.get("flow_logs_groups"), answers.get("flow_logs_group_tags"), name, retention, tags
    )


def _group(security_groups, name):
    return next((group for group in security_groups or [] if group.get("group_name") == name), None)


def security_group_id(security_groups, name):
    """The ID of the VPC's group called ``name`` (network_state); '' when there is none."""
    return (_group(security_groups, name) or {}).get("group_id", "")


def _ranges(permission):
    return sorted((item.get("cidr_ip"), item.get("description")) for item in permission.get("ip_ranges") or [])


def endpoint_security_group_in_sync(security_groups, name, cidr, description, tags):
    """ec2_security_group (rules purged either way, purge_tags) would change nothing on the group ``name``: it admits
    exactly TCP 443 from ``cidr`` (rule description ``description``), allows no egress and has exactly ``tags``."""
    group = _group(security_groups, name)
    if group is None or group.get("ip_permissions_egress") or not tag_sync.in_sync(group.get("tags"), tags):
        return False
    permissions = group.get("ip_permissions") or []
    if len(permissions) != 1:
        return False
    rule = permissions[0]
    return (
        rule.get("ip_protocol") == "tcp"
        and rule.get("from_port") == 443
        and rule.get("to_port") == 443
        and _ranges(rule) == [(cidr, description)]
        and not rule.get("ipv6_ranges")
        and not rule.get("prefix_list_ids")
        and not rule.get("user_id_group_pairs")
    )


def endpoint_in_sync(endpoints, vpc_id, service, route_table_ids, tags):
    """ec2_vpc_endpoint would change nothing: as the module matches (VPC, service name, the same route tables; an
    interface endpoint has none), exactly one endpoint matches, and its tags are exactly ``tags``. Subnets and
    security groups of an existing endpoint the module does not compare, so neither does this."""
    wanted = sorted(route_table_ids or [])
    matches = [
        endpoint
        for endpoint in endpoints or []
        if endpoint.get("vpc_id") == vpc_id
        and endpoint.get("service_name") == service
        and sorted(endpoint.get("route_table_ids") or []) == wanted
    ]
    return len(matches) == 1 and tag_sync.in_sync(matches[0].get("tags"), tags)


def interface_endpoints_to_write(short_names, endpoints, vpc_id, region, tags, names):
    """The interface endpoints (service short names such as ecr.api) whose ec2_vpc_endpoint writer would change
    something (endpoint_in_sync, no route tables); ``names`` are the endpoints' Name tags by short name."""
    return [
        short
        for short in short_names or []
        if not endpoint_in_sync(endpoints, vpc_id, f"com.amazonaws.{region}.{short}", [], dict(tags, Name=names[short]))
    ]
