import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import vpc_layout


def plan(vpc_cidr="10.0.0.0/16", az_count=2, **given):
    return vpc_layout.plan_subnets(vpc_cidr, az_count, **given)


# --- parse_cidr ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["10.0.0.0/16", "10.0.0.0/28", "172.31.255.240/28", "0.0.0.0/16"])
def test_valid_cidrs_parse(text):
    network, error = vpc_layout.parse_cidr("vpc_cidr", text)
    assert error is None
    assert str(network) == text


@pytest.mark.parametrize(
    "text", ["not-a-cidr", "10.0.0.0", "10.0.0/16", "10.0.0.0/", "10.0.0.0/123", " 10.0.0.0/16", ""]
)
def test_text_that_is_no_cidr_is_refused(text):
    assert vpc_layout.parse_cidr("vpc_cidr", text) == (
        None,
        f"vpc_cidr: {text} is not an IPv4 CIDR such as 10.0.0.0/16",
    )


@pytest.mark.parametrize(
    "text", ["10.0.0.0/15", "10.0.0.0/29", "10.0.0.0/33", "10.0.0.256/24", "300.0.0.0/16", "010.0.0.0/16"]
)
def test_prefix_outside_aws_limits_or_bad_octet_is_refused(text):
    network, error = vpc_layout.parse_cidr("vpc_app_subnets", text)
    assert network is None
    assert error == f"vpc_app_subnets: {text} is not a valid IPv4 CIDR with a /16 to /28 prefix (the AWS limits)"


def test_host_bits_suggest_the_network():
    assert vpc_layout.parse_cidr("vpc_data_subnets", "10.70.128.1/20") == (
        None,
        "vpc_data_subnets: 10.70.128.1/20 has host bits set; did you mean 10.70.128.0/20?",
    )


def test_a_non_string_is_read_as_text():
    assert vpc_layout.parse_cidr("vpc_cidr", 10)[1] == "vpc_cidr: 10 is not an IPv4 CIDR such as 10.0.0.0/16"


# --- plan_subnets: derivation -------------------------------------------------------------------


def test_derived_layout_of_a_slash_16_over_two_azs():
    assert plan("10.70.0.0/16") == {
        "errors": [],
        "subnets": {
            "public": ["10.70.0.0/20", "10.70.16.0/20"],
            "app": ["10.70.64.0/20", "10.70.80.0/20"],
            "data": ["10.70.128.0/20", "10.70.144.0/20"],
        },
    }


def test_derived_layout_of_the_smallest_vpc_over_four_azs():
    result = plan("192.168.1.0/24", 4)
    assert result["errors"] == []
    assert result["subnets"]["public"] == ["192.168.1.0/28", "192.168.1.16/28", "192.168.1.32/28", "192.168.1.48/28"]
    assert result["subnets"]["app"][0] == "192.168.1.64/28"
    assert result["subnets"]["data"][3] == "192.168.1.176/28"


@pytest.mark.parametrize("vpc_cidr", ["10.0.0.0/25", "10.0.0.0/28"])
def test_a_vpc_too_small_to_derive_asks_for_lists(vpc_cidr):
    result = plan(vpc_cidr)
    assert result["subnets"] == {}
    assert result["errors"] == [
        f"vpc_{tier}_subnets: cannot be derived (needs a vpc_cidr of /24 or larger and vpc_az_count <= 4); list one CIDR per AZ"
        for tier in ("public", "app", "data")
    ]


def test_more_than_four_azs_cannot_be_derived():
    result = plan("10.0.0.0/16", 5)
    assert len(result["errors"]) == 3
    assert all("vpc_az_count <= 4" in error for error in result["errors"])


def test_given_tiers_are_kept_and_only_missing_ones_derived():
    result = plan("10.0.0.0/16", 2, public=["10.0.200.0/24", "10.0.201.0/24"])
    assert result["errors"] == []
    assert result["subnets"]["public"] == ["10.0.200.0/24", "10.0.201.0/24"]
    assert result["subnets"]["app"] == ["10.0.64.0/20", "10.0.80.0/20"]


def test_a_small_vpc_works_with_every_tier_given():
    result = plan(
        "10.0.0.0/26",
        2,
        public=["10.0.0.0/28", "10.0.0.16/28"],
        app=["10.0.0.32/28", "10.0.0.48/28"],
        data=["10.0.0.0/28", "10.0.0.16/28"],
    )
    # data reuses public's blocks: the only errors are the overlaps, each pair once, reported by the first
    assert result["errors"] == [
        "vpc_public_subnets: 10.0.0.0/28 overlaps 10.0.0.0/28 of vpc_data_subnets",
        "vpc_public_subnets: 10.0.0.16/28 overlaps 10.0.0.16/28 of vpc_data_subnets",
    ]


def test_an_invalid_vpc_cidr_derives_nothing_and_checks_no_placement():
    result = plan("10.0.0.0/8", 2, app=["192.168.0.0/24", "192.168.1.0/24"])
    assert result["errors"] == [
        "vpc_cidr: 10.0.0.0/8 is not a valid IPv4 CIDR with a /16 to /28 prefix (the AWS limits)"
    ]
    assert result["subnets"] == {"app": ["192.168.0.0/24", "192.168.1.0/24"]}


# --- plan_subnets: counts, containment, overlaps --------------------------------------------------


def test_one_cidr_per_az_is_required():
    result = plan(app=["10.0.64.0/20"])
    assert result["errors"] == ["vpc_app_subnets: 1 CIDRs given for vpc_az_count 2; give one per AZ"]


def test_az_count_given_as_text_is_a_number():
    assert plan(az_count="3")["subnets"]["app"] == ["10.0.64.0/20", "10.0.80.0/20", "10.0.96.0/20"]


def test_a_subnet_outside_the_vpc_is_named():
    result = plan("10.70.0.0/16", public=["10.99.0.0/20", "10.99.16.0/20"])
    assert result["errors"] == [
        "vpc_public_subnets: 10.99.0.0/20 is outside vpc_cidr 10.70.0.0/16",
        "vpc_public_subnets: 10.99.16.0/20 is outside vpc_cidr 10.70.0.0/16",
    ]


def test_a_subnet_larger_than_the_vpc_is_outside():
    result = plan("10.0.0.0/24", public=["10.0.0.0/16", "10.1.0.0/16"])
    assert "vpc_public_subnets: 10.0.0.0/16 is outside vpc_cidr 10.0.0.0/24" in result["errors"]


def test_a_subnet_ending_at_the_vpc_edge_is_inside():
    result = plan(
        "10.0.0.0/24",
        public=["10.0.0.224/28", "10.0.0.240/28"],
        app=["10.0.0.0/28", "10.0.0.16/28"],
        data=["10.0.0.32/28", "10.0.0.48/28"],
    )
    assert result["errors"] == []


def test_a_given_subnet_overlapping_a_derived_one_names_both_variables():
    result = plan("10.70.0.0/16", app=["10.70.8.0/24", "10.70.80.0/20"])
    assert result["errors"] == [
        "vpc_app_subnets: 10.70.8.0/24 overlaps 10.70.0.0/20 of vpc_public_subnets (derived from vpc_cidr)"
    ]


def test_overlap_inside_one_tier():
    result = plan(data=["10.0.128.0/20", "10.0.130.0/24"])
    assert result["errors"] == ["vpc_data_subnets: 10.0.128.0/20 overlaps 10.0.130.0/24 of vpc_data_subnets"]


def test_adjacent_subnets_do_not_overlap():
    assert plan(public=["10.0.200.0/24", "10.0.201.0/24"])["errors"] == []


def test_every_error_is_reported_at_once():
    result = plan("10.70.0.0/16", app=["10.70.64.0/20"], data=["10.70.128.0/33", "not-a-cidr"])
    assert result["errors"] == [
        "vpc_app_subnets: 1 CIDRs given for vpc_az_count 2; give one per AZ",
        "vpc_data_subnets: 10.70.128.0/33 is not a valid IPv4 CIDR with a /16 to /28 prefix (the AWS limits)",
        "vpc_data_subnets: not-a-cidr is not an IPv4 CIDR such as 10.0.0.0/16",
    ]


# --- subnet_plan, subnet_ids ----------------------------------------------------------------------


def test_subnet_plan_is_tier_by_tier_in_az_order_with_names():
    subnets = {"public": ["a1", "a2"], "app": ["b1", "b2"], "data": ["c1", "c2"]}
    result = vpc_layout.subnet_plan(subnets, ["us-east-1a", "us-east-1b"], "local-demo-vpc")
    assert [(entry["tier"], entry["az"], entry["index"], entry["cidr"]) for entry in result] == [
        ("public", "us-east-1a", 0, "a1"),
        ("public", "us-east-1b", 1, "a2"),
        ("app", "us-east-1a", 0, "b1"),
        ("app", "us-east-1b", 1, "b2"),
        ("data", "us-east-1a", 0, "c1"),
        ("data", "us-east-1b", 1, "c2"),
    ]
    assert result[3]["name"] == "local-demo-vpc-app-us-east-1b"


def test_subnet_ids_by_tier_with_blanks_for_check_mode():
    results = [
        {"item": {"tier": "public"}, "subnet": {"id": "subnet-1"}},
        {"item": {"tier": "public"}, "subnet": {}},
        {"item": {"tier": "app"}, "changed": True},
        {"item": {"tier": "data"}, "subnet": None},
        {"item": {"tier": "app"}, "subnet": {"id": "subnet-5"}},
    ]
    assert vpc_layout.subnet_ids(results) == {"public": ["subnet-1", ""], "app": ["", "subnet-5"], "data": [""]}


def test_subnet_ids_of_no_results_are_empty_tiers():
    assert vpc_layout.subnet_ids([]) == {"public": [], "app": [], "data": []}


# --- NAT gateways ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("az_count", "mode", "expected"), [(2, "per_az", 2), (3, "per_az", 3), ("4", "per_az", 4), (3, "single", 1)]
)
def test_nat_gateway_count(az_count, mode, expected):
    assert vpc_layout.nat_gateway_count(az_count, mode) == expected


def test_nat_per_az_routes_each_az_through_its_own():
    results = [
        {"item": 0, "nat_gateway_id": "nat-a"},
        {"item": 1, "nat_gateway_id": "nat-b"},
        {"item": 2, "nat_gateway_id": "nat-c"},
    ]
    assert vpc_layout.nat_gateway_per_az(results, 3, "per_az") == ["nat-a", "nat-b", "nat-c"]


def test_nat_single_routes_every_az_through_the_first():
    assert vpc_layout.nat_gateway_per_az([{"item": 0, "nat_gateway_id": "nat-a"}], 3, "single") == ["nat-a"] * 3


def test_nat_skipped_in_check_mode_is_blank():
    results = [{"item": 0, "skipped": True}, {"item": 1, "nat_gateway_id": "nat-b"}]
    assert vpc_layout.nat_gateway_per_az(results, 2, "per_az") == ["", "nat-b"]


@pytest.mark.parametrize(
    "func", [lambda: vpc_layout.nat_gateway_count(2, "both"), lambda: vpc_layout.nat_gateway_per_az([], 2, "both")]
)
def test_unknown_nat_mode_names_the_variable_and_choices(func):
    with pytest.raises(vpc_layout.LayoutError, match="vpc_nat_gateway_mode: 'both' is not one of per_az, single"):
        func()
