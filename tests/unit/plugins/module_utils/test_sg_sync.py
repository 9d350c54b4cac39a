"""ec2_security_group is skipped only when the group read has exactly the rules (descriptions included) and tags."""

import pytest

from ansible_collections.bluegreen.ecs.plugins.filter.sg_sync import FilterModule
from ansible_collections.bluegreen.ecs.plugins.module_utils import sg_sync

TAGS = {"Environment": "prd", "Project": "demo", "Name": "prd-demo-web-alb"}
RULES = [
    {"proto": "tcp", "ports": [80], "cidr_ip": ["0.0.0.0/0"], "rule_desc": "Production listener"},
    {"proto": "tcp", "ports": [8080], "cidr_ip": ["203.0.113.7/32", "10.0.0.0/16"], "rule_desc": "Test listener"},
]
EGRESS = [{"proto": "tcp", "ports": ["8000"], "cidr_ip": "10.0.0.0/16", "rule_desc": "Service tasks"}]


def perm(port, cidrs, desc, to_port=None):
    return {
        "ip_protocol": "tcp",
        "from_port": port,
        "to_port": to_port or port,
        "ip_ranges": [{"cidr_ip": cidr, "description": desc} for cidr in cidrs],
        "ipv6_ranges": [],
        "prefix_list_ids": [],
        "user_id_group_pairs": [],
    }


def live_group(**changes):
    group = {
        "group_name": "prd-demo-web-alb",
        "group_id": "sg-1",
        "vpc_id": "vpc-1",
        "ip_permissions": [
            perm(80, ["0.0.0.0/0"], "Production listener"),
            perm(8080, ["10.0.0.0/16", "203.0.113.7/32"], "Test listener"),
        ],
        "ip_permissions_egress": [perm(8000, ["10.0.0.0/16"], "Service tasks")],
        "tags": dict(TAGS, **{"aws:cloudformation:stack-name": "ignored"}),
    }
    group.update(changes)
    return group


def test_a_converged_group_is_in_sync():
    assert sg_sync.security_group_in_sync(live_group(), RULES, EGRESS, TAGS)


@pytest.mark.parametrize(
    "changes",
    [
        {"ip_permissions": [perm(80, ["0.0.0.0/0"], "Production listener")]},  # a missing rule
        {"ip_permissions_egress": []},  # a missing egress rule
        {"ip_permissions_egress": [perm(8000, ["10.0.0.0/16"], "Service tasks"), perm(0, ["0.0.0.0/0"], "", 65535)]},
        {
            "ip_permissions": [
                perm(80, ["0.0.0.0/0"], "Production"),  # another description: the module updates it
                perm(8080, ["10.0.0.0/16", "203.0.113.7/32"], "Test listener"),
            ]
        },
        {
            "ip_permissions": [
                perm(80, ["0.0.0.0/0"], "Production listener"),
                perm(8080, ["10.0.0.0/16"], "Test listener"),  # a source gone
            ]
        },
        {"tags": dict(TAGS, Extra="x")},  # purge_tags removes it
        {"tags": {"Environment": "prd"}},
    ],
    ids=["ingress-missing", "egress-missing", "egress-extra", "description", "source", "tag-extra", "tag-missing"],
)
def test_each_managed_difference_writes(changes):
    assert not sg_sync.security_group_in_sync(live_group(**changes), RULES, EGRESS, TAGS)


def test_a_missing_group_writes():
    assert not sg_sync.security_group_in_sync(None, RULES, EGRESS, TAGS)


def test_a_rule_form_it_does_not_compare_writes():
    rules = [{"proto": "tcp", "ports": [80], "cidr_ipv6": "::/0"}]
    assert not sg_sync.security_group_in_sync(live_group(), rules, EGRESS, TAGS)
    assert not sg_sync.security_group_in_sync(live_group(), [{"proto": "icmp", "cidr_ip": "0.0.0.0/0"}], [], TAGS)


def test_group_rules_and_port_ranges_are_expanded_as_the_module_does():
    rules = [{"proto": "tcp", "ports": [5432, "6000-6001"], "group_id": ["sg-a", "sg-b"], "rule_desc": "d"}]
    assert sg_sync.expand(rules) == {
        ("tcp", 5432, 5432, "group", "sg-a", "d"),
        ("tcp", 5432, 5432, "group", "sg-b", "d"),
        ("tcp", 6000, 6001, "group", "sg-a", "d"),
        ("tcp", 6000, 6001, "group", "sg-b", "d"),
    }
    live = {
        "ip_permissions": [
            {
                "ip_protocol": "tcp",
                "from_port": 5432,
                "to_port": 5432,
                "user_id_group_pairs": [{"group_id": "sg-a", "user_id": "1", "description": "d"}],
            }
        ],
        "ip_permissions_egress": [],
        "tags": {},
    }
    assert sg_sync.security_group_in_sync(live, [dict(rules[0], ports=[5432], group_id="sg-a")], [], {})
    assert not sg_sync.security_group_in_sync(live, rules, [], {})


def test_empty_rules_want_an_empty_group():
    empty = live_group(ip_permissions=[], ip_permissions_egress=[])
    assert sg_sync.security_group_in_sync(empty, [], [], TAGS)
    assert not sg_sync.security_group_in_sync(live_group(), [], [], TAGS)


def test_find_and_group_id_prefer_the_writer():
    groups = [live_group(), live_group(vpc_id="vpc-2", group_id="sg-2")]
    assert sg_sync.find(groups, "prd-demo-web-alb", "vpc-2")["group_id"] == "sg-2"
    assert sg_sync.find(groups, "other", "vpc-1") is None
    assert sg_sync.group_id(groups, "prd-demo-web-alb", "vpc-1") == "sg-1"
    assert sg_sync.group_id(groups, "prd-demo-web-alb", "vpc-1", {"skipped": True}) == "sg-1"
    assert sg_sync.group_id(groups, "prd-demo-web-alb", "vpc-1", {"group_id": "sg-new", "changed": True}) == "sg-new"
    assert sg_sync.group_id([], "prd-demo-web-alb", "vpc-1", {"changed": True}) == ""


def test_filters_are_exposed():
    assert set(FilterModule().filters()) == {"security_group_find", "security_group_in_sync", "security_group_id"}
