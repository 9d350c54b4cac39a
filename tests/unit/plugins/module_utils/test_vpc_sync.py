"""The vpc role's convergence checks: a writer is skipped only when what it manages already matches."""

import pytest

from ansible_collections.bluegreen.ecs.plugins.filter.vpc_sync import FilterModule
from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync, vpc_sync

TAGS = {"Environment": "stg", "Project": "p", "ManagedBy": "bluegreen.ecs"}
PLAN = [
    {"tier": "public", "az": "us-east-1a", "index": 0, "cidr": "10.0.0.0/20", "name": "v-public-a"},
    {"tier": "public", "az": "us-east-1b", "index": 1, "cidr": "10.0.16.0/20", "name": "v-public-b"},
    {"tier": "app", "az": "us-east-1a", "index": 0, "cidr": "10.0.64.0/20", "name": "v-app-a"},
]


def subnet(item, sid, **changes):
    live = {
        "id": sid,
        "cidr_block": item["cidr"],
        "availability_zone": item["az"],
        "map_public_ip_on_launch": False,
        "assign_ipv6_address_on_creation": False,
        "tags": dict(TAGS, Name=item["name"], Tier=item["tier"]),
    }
    live.update(changes)
    return live


def vpc(**changes):
    live = {
        "id": "vpc-1",
        "cidr_block": "10.0.0.0/16",
        "cidr_block_association_set": [{"cidr_block": "10.0.0.0/16", "cidr_block_state": {"state": "associated"}}],
        "enable_dns_support": True,
        "enable_dns_hostnames": True,
        "tags": dict(TAGS, Name="v"),
    }
    live.update(changes)
    return live


def test_a_matching_vpc_needs_no_writer():
    assert vpc_sync.vpc_in_sync(vpc(), "10.0.0.0/16", dict(TAGS, Name="v"))


@pytest.mark.parametrize(
    "live",
    [
        {},
        vpc(enable_dns_hostnames=False),
        vpc(enable_dns_support=False),
        vpc(tags=dict(TAGS, Name="v", Extra="x")),
        vpc(tags=dict(TAGS)),
        vpc(cidr_block="10.1.0.0/16"),
    ],
    ids=["missing", "hostnames-off", "dns-off", "extra-tag", "no-name", "other-cidr"],
)
def test_a_missing_or_different_vpc_runs_the_writer(live):
    assert not vpc_sync.vpc_in_sync(live, "10.0.0.0/16", dict(TAGS, Name="v"))


def test_aws_reserved_tags_are_not_drift():
    assert tag_sync.in_sync(dict(TAGS, **{"aws:cloudformation:stack-name": "s"}), TAGS)


def test_only_missing_or_different_subnets_are_written():
    live = [subnet(PLAN[0], "subnet-a"), subnet(PLAN[1], "subnet-b", map_public_ip_on_launch=True)]
    assert vpc_sync.subnets_to_write(PLAN, live, TAGS) == [PLAN[1], PLAN[2]]


@pytest.mark.parametrize(
    "changes",
    [
        {"availability_zone": "us-east-1c"},
        {"assign_ipv6_address_on_creation": True},
        {"tags": dict(TAGS, Name="v-public-a")},
    ],
    ids=["az", "ipv6", "tier-tag-gone"],
)
def test_a_subnet_differing_in_what_the_writer_manages_is_written(changes):
    assert vpc_sync.subnets_to_write(PLAN[:1], [subnet(PLAN[0], "subnet-a", **changes)], TAGS) == PLAN[:1]


def test_the_subnet_index_takes_written_ids_over_live_ones_in_az_order():
    live = [subnet(PLAN[0], "subnet-a"), subnet(PLAN[1], "subnet-old")]
    results = [{"item": PLAN[1], "subnet": {"id": "subnet-b"}}, {"item": PLAN[2], "skipped": True}]
    assert vpc_sync.subnet_index(PLAN, live, results) == {"public": ["subnet-a", "subnet-b"], "app": [""]}


def nat(subnet_id, gid, state="available", name="nat-a", **tags):
    return {
        "nat_gateway_id": gid,
        "subnet_id": subnet_id,
        "state": state,
        "nat_gateway_addresses": [{"allocation_id": f"eipalloc-{gid}", "public_ip": "1.2.3.4"}],
        "tags": dict(TAGS, Name=name, **tags),
    }


def test_nat_gateways_are_written_where_missing_pending_or_tagged_otherwise():
    live = [nat("subnet-a", "nat-1"), nat("subnet-b", "nat-2", state="pending", name="nat-b")]
    assert vpc_sync.nat_gateways_to_write(["subnet-a", "subnet-b"], 2, live, ["nat-a", "nat-b"], TAGS) == [1]
    assert vpc_sync.nat_gateways_to_write(["subnet-a", "subnet-b"], 2, live[:1], ["nat-a", "nat-b"], TAGS) == [1]
    retagged = [nat("subnet-a", "nat-1", Extra="x")]
    assert vpc_sync.nat_gateways_to_write(["subnet-a"], 1, retagged, ["nat-a"], TAGS) == [0]


def test_nat_records_merge_the_writer_results_with_the_live_gateways():
    live = [nat("subnet-a", "nat-1")]
    results = [{"item": 1, "nat_gateway_id": "nat-new", "nat_gateway_addresses": []}]
    records = vpc_sync.nat_gateway_records(["subnet-a", "subnet-b"], 2, live, results)
    assert [record["nat_gateway_id"] for record in records] == ["nat-1", "nat-new"]
    assert vpc_sync.nat_gateway_records([""], 1, live, [{"item": 0, "skipped": True}])[0]["nat_gateway_id"] == ""


def test_an_elastic_ip_is_tagged_only_when_a_wanted_tag_is_missing():
    records = vpc_sync.nat_gateway_records(["subnet-a"], 1, [nat("subnet-a", "nat-1")], [])
    tagged = [{"allocation_id": "eipalloc-nat-1", "tags": dict(TAGS, Name="nat-a", Other="kept")}]
    assert vpc_sync.eips_to_tag(records, tagged, ["nat-a"], TAGS) == []
    untagged = [{"allocation_id": "eipalloc-nat-1", "tags": {"Name": "nat-a"}}]
    assert vpc_sync.eips_to_tag(records, untagged, ["nat-a"], TAGS) == records
    assert vpc_sync.eips_to_tag(records, [], ["nat-a"], TAGS) == records


def table(tid, name, routes, subnets, **extra_tags):
    return {
        "id": tid,
        "tags": dict(TAGS, Name=name, Tier="app", **extra_tags),
        "routes": [{"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local", "origin": "CreateRouteTable"}]
        + routes,
        "associations": [
            {"subnet_id": s, "main": False, "association_state": {"state": "associated"}} for s in subnets
        ],
    }


NAT_ROUTE = {
    "destination_cidr_block": "0.0.0.0/0",
    "gateway_id": None,
    "nat_gateway_id": "nat-1",
    "origin": "CreateRoute",
}
S3_ROUTE = {"destination_prefix_list_id": "pl-1", "gateway_id": "vpce-1", "origin": "CreateRoute"}
WANT = dict(TAGS, Name="rt-a", Tier="app")


def test_a_route_table_with_its_routes_and_subnets_needs_no_writer():
    tables = [table("rtb-1", "rt-a", [NAT_ROUTE, S3_ROUTE], ["subnet-a"])]
    assert vpc_sync.route_table_in_sync(tables, WANT, [{"dest": "0.0.0.0/0", "gateway_id": "nat-1"}], ["subnet-a"])


@pytest.mark.parametrize(
    ("tables", "routes", "subnets"),
    [
        ([], [{"dest": "0.0.0.0/0", "gateway_id": "nat-1"}], ["subnet-a"]),
        (
            [table("rtb-1", "rt-a", [NAT_ROUTE], ["subnet-a"])],
            [{"dest": "0.0.0.0/0", "gateway_id": "nat-2"}],
            ["subnet-a"],
        ),
        ([table("rtb-1", "rt-a", [NAT_ROUTE], ["subnet-a"])], [], ["subnet-a"]),
        (
            [table("rtb-1", "rt-a", [NAT_ROUTE], ["subnet-a", "subnet-x"])],
            [{"dest": "0.0.0.0/0", "gateway_id": "nat-1"}],
            ["subnet-a"],
        ),
        (
            [table("rtb-1", "rt-a", [NAT_ROUTE], ["subnet-a"], Extra="x")],
            [{"dest": "0.0.0.0/0", "gateway_id": "nat-1"}],
            ["subnet-a"],
        ),
        (
            [table("rtb-1", "rt-a", [NAT_ROUTE], ["subnet-a"]), table("rtb-2", "rt-a", [NAT_ROUTE], ["subnet-a"])],
            [{"dest": "0.0.0.0/0", "gateway_id": "nat-1"}],
            ["subnet-a"],
        ),
    ],
    ids=["missing", "other-target", "extra-route", "extra-subnet", "extra-tag", "two-tables"],
)
def test_a_route_table_that_differs_runs_the_writer(tables, routes, subnets):
    assert not vpc_sync.route_table_in_sync(tables, WANT, routes, subnets)


def test_private_route_table_ids_are_found_by_name_and_tier():
    tables = [
        table("rtb-1", "rt-a", [], []),
        dict(table("rtb-9", "rt-d", [], []), tags=dict(TAGS, Name="rt-d", Tier="data")),
    ]
    assert vpc_sync.private_route_table_ids(tables, TAGS, ["rt-a", "rt-b"], "rt-d") == ["rtb-1", "", "rtb-9"]


def test_the_default_group_is_emptied_only_when_it_has_a_rule_or_other_tags():
    empty = {"group_name": "default", "ip_permissions": [], "ip_permissions_egress": [], "tags": dict(TAGS, Name="d")}
    assert vpc_sync.security_group_in_sync([empty], "default", dict(TAGS, Name="d"))
    egress = dict(empty, ip_permissions_egress=[{"ip_protocol": "-1"}])
    assert not vpc_sync.security_group_in_sync([egress], "default", dict(TAGS, Name="d"))
    assert not vpc_sync.security_group_in_sync([dict(empty, tags=TAGS)], "default", dict(TAGS, Name="d"))
    assert not vpc_sync.security_group_in_sync([], "default", dict(TAGS, Name="d"))
    assert vpc_sync.security_group_exists([empty], "default") and not vpc_sync.security_group_exists([empty], "x")


def test_the_filters_expose_every_check_and_name_themselves_on_bad_input():
    filters = FilterModule().filters()
    assert set(filters) == {
        "vpc_in_sync",
        "vpc_subnets_to_write",
        "vpc_subnet_index",
        "vpc_nat_gateways_to_write",
        "vpc_nat_gateway_records",
        "vpc_eips_to_tag",
        "vpc_route_table_in_sync",
        "vpc_private_route_table_ids",
        "vpc_security_group_in_sync",
        "vpc_security_group_exists",
        "vpc_layer_reads",
        "vpc_network_reads",
        "vpc_network_state",
        "vpc_record",
        "vpc_igw_in_sync",
        "vpc_igw_id",
        "vpc_endpoints_to_remove",
        "vpc_flow_logs_stack",
        "vpc_flow_logs_stack_in_sync",
        "vpc_log_group_in_sync",
        "vpc_security_group_id",
        "vpc_endpoint_security_group_in_sync",
        "vpc_endpoint_in_sync",
        "vpc_interface_endpoints_to_write",
    }
    with pytest.raises(Exception, match="^vpc_subnets_to_write: "):
        filters["vpc_subnets_to_write"]([{}], [], TAGS)


# The layer's reads (aws_batch_info) and the shapes the checks take from them.


def test_the_layer_reads_find_the_vpc_by_the_common_filters_and_read_zones_only_for_present():
    reads = vpc_sync.layer_reads({"tag:Name": "v", "state": ["a", "b"]}, True, "stack", "role")
    by_name = {read["name"]: read for read in reads}
    assert by_name["vpcs"]["params"] == {
        "Filters": [{"Name": "tag:Name", "Values": ["v"]}, {"Name": "state", "Values": ["a", "b"]}]
    }
    assert by_name["zones"]["operation"] == "DescribeAvailabilityZones"
    assert by_name["flow_logs_stack"]["missing"] == ["ValidationError"]
    assert not by_name["flow_logs_template"].get("snake")
    assert {"flow_logs_role", "flow_logs_attached", "flow_logs_policy"} <= set(by_name)
    assert "zones" not in {read["name"] for read in vpc_sync.layer_reads({}, False, "stack", "role")}


def test_the_network_reads_stay_inside_the_vpc():
    reads = vpc_sync.network_reads("vpc-1", TAGS)
    assert len({read["name"] for read in reads}) == len(reads)
    for read in reads:
        filters = {item["Name"]: item["Values"] for item in read["params"].get("Filters", [])}
        assert (
            read["params"].get("VpcId") == "vpc-1"
            or filters.get("vpc-id") == ["vpc-1"]
            or (read["operation"] == "DescribeAddresses" and filters["tag:ManagedBy"] == ["bluegreen.ecs"])
            or filters.get("attachment.vpc-id") == ["vpc-1"]
        )


def test_the_network_state_has_the_info_modules_ids_and_is_empty_when_not_read():
    answers = {
        "dns_support": {"vpc_id": "vpc-1", "enable_dns_support": {"value": True}},
        "dns_hostnames": {"vpc_id": "vpc-1", "enable_dns_hostnames": {"value": False}},
        "subnets": {"subnets": [{"subnet_id": "subnet-1"}]},
        "route_tables": {"route_tables": [{"route_table_id": "rtb-1"}]},
    }
    state = vpc_sync.network_state(answers)
    assert state["subnets"] == [{"subnet_id": "subnet-1", "id": "subnet-1"}]
    assert state["route_tables"][0]["id"] == "rtb-1"
    assert (state["dns_support"], state["dns_hostnames"]) == (True, False)
    assert state["nat_gateways"] == [] and state["endpoints"] == []
    empty = vpc_sync.network_state(None)
    assert empty["dns_support"] is None and all(empty[key] == [] for key in ("igws", "subnets", "route_tables"))


def test_the_vpc_record_is_the_info_module_shape_and_in_sync_only_with_both_dns_attributes():
    live = vpc()
    del live["id"], live["enable_dns_support"], live["enable_dns_hostnames"]
    answer = {"vpcs": [dict(live, vpc_id="vpc-1")]}
    without_dns = vpc_sync.vpc_record(answer)
    assert without_dns["id"] == "vpc-1"
    assert not vpc_sync.vpc_in_sync(without_dns, "10.0.0.0/16", dict(TAGS, Name="v"))
    network = {"dns_support": True, "dns_hostnames": True}
    assert vpc_sync.vpc_in_sync(vpc_sync.vpc_record(answer, network), "10.0.0.0/16", dict(TAGS, Name="v"))
    network["dns_hostnames"] = False
    assert not vpc_sync.vpc_in_sync(vpc_sync.vpc_record(answer, network), "10.0.0.0/16", dict(TAGS, Name="v"))
    assert vpc_sync.vpc_record({"vpcs": []}) == {} and vpc_sync.vpc_record(None) == {}


def igw(**changes):
    live = {
        "internet_gateway_id": "igw-1",
        "attachments": [{"vpc_id": "vpc-1", "state": "available"}],
        "tags": dict(TAGS, Name="g"),
    }
    live.update(changes)
    return live


def test_an_attached_and_tagged_internet_gateway_needs_no_writer_and_gives_its_id():
    assert vpc_sync.igw_in_sync([igw()], "vpc-1", dict(TAGS, Name="g"))
    assert vpc_sync.igw_id([igw()]) == "igw-1"


@pytest.mark.parametrize(
    "igws",
    [
        [],
        [igw(), igw(internet_gateway_id="igw-2")],
        [igw(attachments=[])],
        [igw(tags=TAGS)],
        [igw(tags=dict(TAGS, Name="g", X="1"))],
    ],
    ids=["missing", "two", "detached", "no-name", "extra-tag"],
)
def test_an_internet_gateway_missing_or_different_runs_the_writer(igws):
    assert not vpc_sync.igw_in_sync(igws, "vpc-1", dict(TAGS, Name="g"))


def test_the_igw_id_is_empty_unless_exactly_one_is_read():
    assert vpc_sync.igw_id([]) == "" and vpc_sync.igw_id([igw(), igw()]) == ""


def test_only_the_collections_unwanted_endpoints_are_removed():
    ours = {"vpc_endpoint_id": "vpce-1", "service_name": "com.amazonaws.r.logs", "tags": {"ManagedBy": "bluegreen.ecs"}}
    wanted = dict(ours, vpc_endpoint_id="vpce-2", service_name="com.amazonaws.r.s3")
    foreign = dict(ours, vpc_endpoint_id="vpce-3", tags={})
    assert vpc_sync.endpoints_to_remove([ours, wanted, foreign], "bluegreen.ecs", ["com.amazonaws.r.s3"]) == [ours]


TEMPLATE = {"Resources": {"FlowLog": {"Type": "AWS::EC2::FlowLog"}}}


def stack_answers(status="CREATE_COMPLETE", tags=None, template=None):
    tag_list = [{"Key": key, "Value": value} for key, value in (tags or dict(TAGS, Name="s")).items()]
    return {
        "flow_logs_stack": {"Stacks": [{"StackName": "s", "StackStatus": status, "Tags": tag_list}]},
        "flow_logs_template": {"TemplateBody": template or TEMPLATE},
    }


def test_a_complete_flow_log_stack_with_its_template_and_tags_needs_no_writer():
    assert vpc_sync.flow_logs_stack_in_sync(stack_answers(), TEMPLATE, dict(TAGS, Name="s"))
    assert vpc_sync.flow_logs_stack(stack_answers())["StackName"] == "s"


@pytest.mark.parametrize(
    "answers",
    [
        {"flow_logs_stack": None, "flow_logs_template": None},
        stack_answers(status="UPDATE_ROLLBACK_COMPLETE"),
        stack_answers(tags=TAGS),
        stack_answers(template={"Resources": {}}),
    ],
    ids=["missing", "rolled-back", "other-tags", "other-template"],
)
def test_a_flow_log_stack_missing_or_different_runs_the_writer(answers):
    assert not vpc_sync.flow_logs_stack_in_sync(answers, TEMPLATE, dict(TAGS, Name="s"))


def test_a_missing_flow_log_stack_reads_as_none():
    assert vpc_sync.flow_logs_stack({"flow_logs_stack": None}) is None


def test_the_layer_reads_add_the_log_group_and_the_caller_when_asked():
    names = {read["name"] for read in vpc_sync.layer_reads({}, True, "s", "r", "g", True)}
    assert {"caller", "flow_logs_groups", "flow_logs_group_tags"} <= names
    assert not {"caller", "flow_logs_groups"} & {read["name"] for read in vpc_sync.layer_reads({}, True, "s", "r")}


def log_answers(retention=90, tags=None, name="g"):
    return {
        "flow_logs_groups": {"logGroups": [{"logGroupName": name, "retentionInDays": retention}]},
        "flow_logs_group_tags": {"tags": dict(TAGS, Name="g") if tags is None else tags},
    }


def test_a_log_group_with_its_retention_and_tags_needs_no_writer():
    assert vpc_sync.log_group_in_sync(log_answers(), "g", "90", dict(TAGS, Name="g"))


@pytest.mark.parametrize(
    "answers",
    [{}, log_answers(name="g-other"), log_answers(retention=30), log_answers(retention=None), log_answers(tags=TAGS)],
    ids=["missing", "prefix-only", "retention", "no-retention", "tags"],
)
def test_a_log_group_missing_or_different_runs_the_writer(answers):
    assert not vpc_sync.log_group_in_sync(answers, "g", 90, dict(TAGS, Name="g"))


def endpoint_group(**changes):
    group = {
        "group_name": "e",
        "group_id": "sg-1",
        "ip_permissions": [
            {
                "ip_protocol": "tcp",
                "from_port": 443,
                "to_port": 443,
                "ip_ranges": [{"cidr_ip": "10.0.0.0/16", "description": "HTTPS"}],
                "ipv6_ranges": [],
                "prefix_list_ids": [],
                "user_id_group_pairs": [],
            }
        ],
        "ip_permissions_egress": [],
        "tags": dict(TAGS, Name="e"),
    }
    group.update(changes)
    return group


def test_the_endpoint_group_with_only_https_from_the_vpc_needs_no_writer_and_gives_its_id():
    assert vpc_sync.endpoint_security_group_in_sync(
        [endpoint_group()], "e", "10.0.0.0/16", "HTTPS", dict(TAGS, Name="e")
    )
    assert vpc_sync.security_group_id([endpoint_group()], "e") == "sg-1"
    assert vpc_sync.security_group_id([], "e") == ""


def _rule(**changes):
    return [dict(endpoint_group()["ip_permissions"][0], **changes)]


@pytest.mark.parametrize(
    "groups",
    [
        [],
        [endpoint_group(ip_permissions_egress=[{"ip_protocol": "-1"}])],
        [endpoint_group(ip_permissions=_rule(from_port=80, to_port=80))],
        [endpoint_group(ip_permissions=_rule(ip_ranges=[{"cidr_ip": "0.0.0.0/0", "description": "HTTPS"}]))],
        [endpoint_group(ip_permissions=_rule(ip_ranges=[{"cidr_ip": "10.0.0.0/16"}]))],
        [endpoint_group(ip_permissions=_rule(user_id_group_pairs=[{"group_id": "sg-2"}]))],
        [endpoint_group(ip_permissions=_rule() * 2)],
        [endpoint_group(tags=TAGS)],
    ],
    ids=["missing", "egress", "port", "cidr", "description", "group-pair", "two-rules", "tags"],
)
def test_an_endpoint_group_missing_or_different_runs_the_writer(groups):
    assert not vpc_sync.endpoint_security_group_in_sync(groups, "e", "10.0.0.0/16", "HTTPS", dict(TAGS, Name="e"))


def endpoint(service="com.amazonaws.r.s3", route_table_ids=("rtb-1", "rtb-2"), **changes):
    live = {
        "vpc_id": "vpc-1",
        "service_name": service,
        "route_table_ids": list(route_table_ids),
        "tags": dict(TAGS, Name=service.rsplit(".", 1)[-1]),
    }
    live.update(changes)
    return live


def test_an_endpoint_matched_as_the_module_matches_it_with_its_tags_needs_no_writer():
    tags = dict(TAGS, Name="s3")
    assert vpc_sync.endpoint_in_sync([endpoint()], "vpc-1", "com.amazonaws.r.s3", ["rtb-2", "rtb-1"], tags)
    assert not vpc_sync.endpoint_in_sync([endpoint()], "vpc-1", "com.amazonaws.r.s3", ["rtb-1"], tags)
    assert not vpc_sync.endpoint_in_sync([endpoint(tags=TAGS)], "vpc-1", "com.amazonaws.r.s3", ["rtb-1", "rtb-2"], tags)
    assert not vpc_sync.endpoint_in_sync(
        [endpoint(vpc_id="vpc-2")], "vpc-1", "com.amazonaws.r.s3", ["rtb-1", "rtb-2"], tags
    )
    assert not vpc_sync.endpoint_in_sync([endpoint()] * 2, "vpc-1", "com.amazonaws.r.s3", ["rtb-1", "rtb-2"], tags)


def test_only_missing_or_retagged_interface_endpoints_are_written():
    live = [endpoint("com.amazonaws.r.logs", ()), endpoint("com.amazonaws.r.ecr.api", (), tags=TAGS)]
    names = {"logs": "logs", "ecr.api": "ecr.api", "ecr.dkr": "ecr.dkr"}
    assert vpc_sync.interface_endpoints_to_write(["ecr.api", "ecr.dkr", "logs"], live, "vpc-1", "r", TAGS, names) == [
        "ecr.api",
        "ecr.dkr",
    ]
