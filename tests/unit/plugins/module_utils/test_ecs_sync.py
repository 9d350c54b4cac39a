"""The ecs role's layer read and writer predicates: each writer is skipped only when the read shows nothing it would
change; each managed difference, and a missing resource, means "write"."""

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.filter import ecs_sync as ecs_sync_filters
from ansible_collections.bluegreen.ecs.plugins.module_utils import ecs_sync, resource_sync, tag_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.naming import service_names

NAMES = service_names("prd", "demo", "web")
CLUSTER = "prd-demo"
TAGS = {"Environment": "prd", "Project": "demo", "ManagedBy": "bluegreen.ecs", "CostCenter": 7}
PROVIDERS = ["FARGATE", "FARGATE_SPOT"]
STRATEGY = [{"capacity_provider": "FARGATE", "weight": 1, "base": 0}]


def tag_list(tags, key="Key", value="Value"):
    return [{key: k, value: str(v)} for k, v in tags.items()]


# --- the reads ---------------------------------------------------------------------------------------------------


def test_layer_reads_names_each_read_once_and_only_reads():
    reads = ecs_sync.layer_reads(NAMES, CLUSTER, "vpc-1", "prd-demo-app-db", {"prod": "arn:l/1", "test": ""}, True)
    names = [read["name"] for read in reads]
    assert len(names) == len(set(names))
    assert {r["operation"][:4] for r in reads} <= {"Desc", "List", "Get"}
    by_name = {read["name"]: read for read in reads}
    assert by_name["target_groups"]["params"]["Names"] == [NAMES["target_group_blue"], NAMES["target_group_green"]]
    assert by_name["service"]["missing"] == ["ClusterNotFoundException"]
    assert by_name["db"]["params"] == {"DBInstanceIdentifier": "prd-demo-app-db"}
    assert by_name["kms_aliases"]["operation"] == "ListAliases"
    assert "rules_prod" in by_name and "rules_test" not in by_name
    assert by_name["scaling_targets"]["params"]["ResourceIds"] == [f"service/{CLUSTER}/{NAMES['service']}"]


def test_layer_reads_leave_out_what_is_not_known():
    names = [read["name"] for read in ecs_sync.layer_reads(NAMES, CLUSTER)]
    assert not {"subnets", "security_groups", "db", "kms_aliases"} & set(names)
    tg = next(r for r in ecs_sync.layer_reads(NAMES, CLUSTER) if r["name"] == "target_groups")
    # A CodeDeploy service needs only the blue group: a missing green one must not hide it.
    assert tg["params"]["Names"] == [NAMES["target_group_blue"]]


def test_followup_reads_only_what_is_needed():
    assert ecs_sync.followup_reads([""]) == []
    [read] = ecs_sync.followup_reads(["arn:tg/blue"])
    assert (read["name"], read["params"]) == ("target_group_tags", {"ResourceArns": ["arn:tg/blue"]})


KEY_ID = "0f6b1c2d-0000-4000-8000-000000000000"
ALIASES = {
    "Aliases": [
        {"AliasName": "alias/aws/secretsmanager", "TargetKeyId": KEY_ID},
        {"AliasName": "alias/mine", "TargetKeyId": "1111"},
        {"AliasName": "alias/aws/ebs"},  # an AWS managed alias whose key is not created yet
    ]
}


@pytest.mark.parametrize(
    "key_id, manager",
    [
        (f"arn:aws:kms:eu-west-1:123456789012:key/{KEY_ID}", "AWS"),
        (KEY_ID, "AWS"),
        ("arn:aws:kms:eu-west-1:123456789012:alias/aws/secretsmanager", "AWS"),
        ("arn:aws:kms:eu-west-1:123456789012:key/1111", "CUSTOMER"),  # only its own alias
        ("arn:aws:kms:eu-west-1:999999999999:key/2222", "CUSTOMER"),  # no alias here
        ("", "AWS"),
    ],
)
def test_key_manager_from_the_reserved_aliases(key_id, manager):
    assert ecs_sync.key_manager(ALIASES, key_id) == manager


def test_key_manager_without_aliases_is_customer():
    assert ecs_sync.key_manager({"Aliases": []}, KEY_ID) == "CUSTOMER"
    assert ecs_sync.key_manager(None, KEY_ID) == "CUSTOMER"


# --- tags, cluster, log group ------------------------------------------------------------------------------------


def test_tags_in_sync_ignores_aws_tags_and_compares_values_as_strings():
    assert tag_sync.in_sync(tag_list(TAGS) + [{"Key": "aws:cloudformation:stack-name", "Value": "x"}], TAGS)
    assert tag_sync.in_sync(tag_list(TAGS, "key", "value"), TAGS)
    assert not tag_sync.in_sync(tag_list(dict(TAGS, Extra="1")), TAGS)
    assert not tag_sync.in_sync(tag_list(dict(TAGS, CostCenter=8)), TAGS)
    assert not tag_sync.in_sync([], TAGS)


def cluster(**changes):
    live = {
        "status": "ACTIVE",
        "capacityProviders": list(PROVIDERS),
        "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        "settings": [{"name": "containerInsights", "value": "enabled"}],
        "tags": tag_list(TAGS, "key", "value"),
    }
    live.update(changes)
    return live


def test_live_cluster_and_service_are_the_active_ones():
    assert ecs_sync.live_cluster({"clusters": [cluster(status="INACTIVE")]}) == {}
    assert ecs_sync.live_cluster({"clusters": [], "failures": [{"reason": "MISSING"}]}) == {}
    assert ecs_sync.live_service(None) == {}
    assert ecs_sync.live_service({"services": [{"status": "INACTIVE"}, {"status": "ACTIVE", "n": 1}]}) == {
        "status": "ACTIVE",
        "n": 1,
    }


def test_cluster_in_sync():
    assert ecs_sync.cluster_in_sync(cluster(), PROVIDERS, STRATEGY)


@pytest.mark.parametrize(
    "changes",
    [
        {"capacityProviders": ["FARGATE"]},
        {"capacityProviders": ["FARGATE_SPOT", "FARGATE"]},  # the writer compares the list as given
        {"defaultCapacityProviderStrategy": []},
        {"defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 2, "base": 0}]},
        {
            "defaultCapacityProviderStrategy": [
                {"capacityProvider": "FARGATE", "weight": 1, "base": 0},
                {"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0},
            ]
        },
    ],
)
def test_cluster_differences_write(changes):
    assert not ecs_sync.cluster_in_sync(cluster(**changes), PROVIDERS, STRATEGY)


def test_missing_cluster_writes():
    assert not ecs_sync.cluster_in_sync({}, PROVIDERS, STRATEGY)
    assert not ecs_sync.cluster_settings_in_sync({}, "enabled", TAGS)


def test_cluster_settings():
    assert ecs_sync.cluster_settings_in_sync(cluster(), "enabled", TAGS)
    assert not ecs_sync.cluster_settings_in_sync(cluster(), "enhanced", TAGS)
    assert not ecs_sync.cluster_settings_in_sync(cluster(settings=[]), "enabled", TAGS)
    assert not ecs_sync.cluster_settings_in_sync(cluster(tags=[]), "enabled", TAGS)


LOG_GROUP = NAMES["log_group"]


def log_groups(retention=30, name=LOG_GROUP):
    return {
        "logGroups": [
            {"logGroupName": name + "-other", "retentionInDays": 30},
            {"logGroupName": name, "retentionInDays": retention},
        ]
    }


def test_log_group():
    tags = {"tags": {k: str(v) for k, v in TAGS.items()}}
    assert resource_sync.log_group_in_sync(log_groups(), tags, LOG_GROUP, 30, TAGS)
    assert not resource_sync.log_group_in_sync(log_groups(retention=7), tags, LOG_GROUP, 30, TAGS)
    assert not resource_sync.log_group_in_sync(log_groups(retention=None), tags, LOG_GROUP, 30, TAGS)
    assert not resource_sync.log_group_in_sync(log_groups(), {"tags": {}}, LOG_GROUP, 30, TAGS)
    # Only the prefix matches: the group itself is missing.
    assert not resource_sync.log_group_in_sync(log_groups(name=LOG_GROUP + "x"), tags, LOG_GROUP, 30, TAGS)
    assert not resource_sync.log_group_in_sync({"logGroups": []}, None, LOG_GROUP, 30, TAGS)


# --- security group ----------------------------------------------------------------------------------------------

SG = NAMES["service_security_group"]
SG_TAGS = dict(TAGS, Name=SG)
INGRESS = [{"proto": "tcp", "ports": [8080], "group_id": "sg-alb", "rule_desc": "from the ALB"}]
EGRESS = [
    {"proto": "tcp", "ports": [443], "cidr_ip": "0.0.0.0/0", "rule_desc": "HTTPS"},
    {"proto": "tcp", "ports": [5432], "group_id": "sg-db", "rule_desc": "PostgreSQL"},
]


def groups(**changes):
    service = {
        "GroupName": SG,
        "GroupId": "sg-svc",
        "Description": "anything",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "IpRanges": [],
                "UserIdGroupPairs": [{"GroupId": "sg-alb", "UserId": "1", "Description": "from the ALB"}],
            }
        ],
        "IpPermissionsEgress": [
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "HTTPS"}],
            },
            {
                "IpProtocol": "tcp",
                "FromPort": 5432,
                "ToPort": 5432,
                "UserIdGroupPairs": [{"GroupId": "sg-db", "Description": "PostgreSQL"}],
            },
        ],
        "Tags": tag_list(SG_TAGS),
    }
    service.update(changes)
    return {"SecurityGroups": [{"GroupName": "peer", "GroupId": "sg-peer"}, service]}


def test_security_group_lookup():
    assert resource_sync.security_group(groups(), SG)["GroupId"] == "sg-svc"
    assert resource_sync.security_group(None, SG) == {}


def test_security_group_in_sync():
    assert ecs_sync.security_group_in_sync(groups(), SG, INGRESS, EGRESS, SG_TAGS)
    # A peer's group named in a rule is resolved among the VPC's groups.
    peer_rule = [{"proto": "tcp", "ports": [8080], "group_name": "peer", "group_desc": "d", "rule_desc": "peer"}]
    live = groups()
    live["SecurityGroups"][1]["IpPermissions"][0]["UserIdGroupPairs"].append(
        {"GroupId": "sg-peer", "Description": "peer"}
    )
    assert ecs_sync.security_group_in_sync(live, SG, INGRESS + peer_rule, EGRESS, SG_TAGS)


def without_egress_443():
    live = groups()
    live["SecurityGroups"][1]["IpPermissionsEgress"] = live["SecurityGroups"][1]["IpPermissionsEgress"][1:]
    return live


def with_extra_ingress():
    live = groups()
    live["SecurityGroups"][1]["IpPermissions"][0]["IpRanges"] = [{"CidrIp": "10.0.0.0/8"}]
    return live


def with_changed_description():
    live = groups()
    live["SecurityGroups"][1]["IpPermissions"][0]["UserIdGroupPairs"][0]["Description"] = "old"
    return live


def with_ipv6_egress():
    live = groups()
    live["SecurityGroups"][1]["IpPermissionsEgress"][0]["Ipv6Ranges"] = [{"CidrIpv6": "::/0"}]
    return live


@pytest.mark.parametrize(
    "live",
    [without_egress_443(), with_extra_ingress(), with_changed_description(), with_ipv6_egress(), groups(Tags=[])],
    ids=["missing egress", "extra ingress", "rule description", "ipv6 egress", "tags"],
)
def test_security_group_differences_write(live):
    assert not ecs_sync.security_group_in_sync(live, SG, INGRESS, EGRESS, SG_TAGS)


@pytest.mark.parametrize(
    "rules",
    [
        [
            {"proto": "tcp", "ports": [8080], "group_name": "not-yet", "rule_desc": "from the ALB"}
        ],  # the writer creates it
        [{"proto": "icmp", "from_port": 8, "to_port": -1, "cidr_ip": "0.0.0.0/0"}],
        [{"proto": "tcp", "ports": [8080], "group_id": "other-account/sg-1"}],
    ],
    ids=["group to create", "icmp", "not a group ID"],
)
def test_security_group_rules_it_does_not_compare_write(rules):
    assert not ecs_sync.security_group_in_sync(groups(), SG, rules, EGRESS, SG_TAGS)


def test_missing_security_group_writes():
    assert not ecs_sync.security_group_in_sync({"SecurityGroups": []}, SG, INGRESS, EGRESS, SG_TAGS)
    assert not ecs_sync.security_group_in_sync({}, SG, INGRESS, EGRESS, SG_TAGS)


def test_port_ranges():
    live = groups()
    live["SecurityGroups"][1]["IpPermissions"][0].update(FromPort=8000, ToPort=8100)
    rules = [dict(INGRESS[0], ports=["8000-8100"])]
    assert ecs_sync.security_group_in_sync(live, SG, rules, EGRESS, SG_TAGS)


# --- service and scaling -----------------------------------------------------------------------------------------


def service(**changes):
    live = {
        "status": "ACTIVE",
        "healthCheckGracePeriodSeconds": 60,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
        "tags": tag_list(TAGS, "key", "value"),
    }
    live.update(changes)
    return live


def test_service_in_sync():
    assert ecs_sync.service_in_sync(service(), 60, TAGS, False)
    # ECS Exec on, kept on.
    assert ecs_sync.service_in_sync(service(enableExecuteCommand=True), 60, TAGS, True)
    # A grace period of 0 is not compared by the writer.
    assert ecs_sync.service_in_sync(service(healthCheckGracePeriodSeconds=30), 0, TAGS, False)


@pytest.mark.parametrize(
    "changes, exec_wanted",
    [
        ({"healthCheckGracePeriodSeconds": 30}, False),
        ({"propagateTags": "NONE"}, False),
        ({"tags": []}, False),
        # The writer counts aws: tags too (it would try to change them and fail): in doubt, write.
        ({"tags": tag_list(dict(TAGS, **{"aws:x": "1"}), "key", "value")}, False),
        ({"enableExecuteCommand": True}, False),
    ],
)
def test_service_differences_write(changes, exec_wanted):
    assert not ecs_sync.service_in_sync(service(**changes), 60, TAGS, exec_wanted)


def test_missing_service_writes():
    assert not ecs_sync.service_in_sync({}, 60, TAGS, False)


CPU, MEM = NAMES["scaling_cpu"], NAMES["scaling_memory"]
POLICIES = ecs_sync.scaling_policies(
    [CPU, MEM],
    {CPU: ["ECSServiceAverageCPUUtilization", "80"], MEM: ["ECSServiceAverageMemoryUtilization", 75]},
    "300",
    60,
)


def scaling(min_capacity=1, max_capacity=2, policies=None):
    targets = {"ScalableTargets": [{"MinCapacity": min_capacity, "MaxCapacity": max_capacity}]}
    live = policies if policies is not None else POLICIES
    answer = {
        "ScalingPolicies": [
            {
                "PolicyName": name,
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": copy.deepcopy(conf),
            }
            for name, conf in live.items()
        ]
    }
    return targets, answer


def test_scaling_policies_have_the_writers_types():
    assert POLICIES[CPU] == {
        "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        "TargetValue": 80.0,
        "ScaleInCooldown": 300,
        "ScaleOutCooldown": 60,
        "DisableScaleIn": False,
    }


def test_scaling_in_sync():
    assert ecs_sync.scaling_in_sync(*scaling(), 1, 2, POLICIES)


def changed_target_value():
    live = copy.deepcopy(POLICIES)
    live[MEM]["TargetValue"] = 70.0
    return live


@pytest.mark.parametrize(
    "targets, answer",
    [
        scaling(max_capacity=3),
        scaling(min_capacity=0),
        scaling(policies={CPU: POLICIES[CPU]}),
        scaling(policies=changed_target_value()),
        ({"ScalableTargets": []}, {"ScalingPolicies": []}),
    ],
    ids=["max", "min", "missing policy", "target value", "nothing registered"],
)
def test_scaling_differences_write(targets, answer):
    assert not ecs_sync.scaling_in_sync(targets, answer, 1, 2, POLICIES)


def test_filters_are_guarded_and_documented():
    filters = ecs_sync_filters.FilterModule().filters()
    assert set(filters) == set(ecs_sync_filters.FILTERS)
    for name, func in ecs_sync_filters.FILTERS.items():
        assert filters[name].__doc__ == func.__doc__
    with pytest.raises(AnsibleFilterError, match=r"^ecs_cluster_in_sync: "):
        filters["ecs_cluster_in_sync"](cluster(), PROVIDERS, [{"weight": 1}])
