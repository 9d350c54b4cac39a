# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ecs role reads of its layer and which of its writers a converged service still needs (issue 15).

The layer is read with one bluegreen.ecs.aws_batch_info run (``layer_reads``, raw boto3 answers), plus one for what
needs an ID from the first (``followup_reads``: the target groups' tags, only when a write would use them). Each writer
runs only when its ``*_in_sync`` says the resource is missing or differs in something the writer manages, compared
as that writer compares it; when in doubt the answer is "write" (the writer keeps its own check). Plain functions,
exposed as filters (plugins/filter/ecs_sync.py)."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import batch_read, tag_sync

# One group lookup (and one log group comparison, the ecs_log_group_in_sync filter) for every layer reading them raw.
from ansible_collections.bluegreen.ecs.plugins.module_utils.resource_sync import security_group

SCALABLE_DIMENSION = "ecs:service:DesiredCount"
CONTAINER_INSIGHTS = "containerInsights"


_read = batch_read.read


def layer_reads(names, cluster, vpc_id="", db_instance="", listener_arns=None, ecs_controller=False):
    """The aws_batch_info reads of one service's layer (raw answers): cluster, service, the VPC's app subnets and
    security groups, the target groups, the log group and its tags, the scalable target and its policies, and, when
    given, the DB instance and the listeners' rules (``listener_arns``: {name: arn}). A missing thing reads as null
    (or as an empty list, as its Describe call answers). IAM reads are bluegreen.ecs.iam_role_reads'."""
    resource_id = f"service/{cluster}/{names['service']}"
    scaling = {"ServiceNamespace": "ecs", "ScalableDimension": SCALABLE_DIMENSION}
    groups = [names["target_group_blue"]] + ([names["target_group_green"]] if ecs_controller else [])
    reads = [
        _read("cluster", "ecs", "DescribeClusters", {"clusters": [cluster], "include": ["SETTINGS", "TAGS"]}),
        _read(
            "service",
            "ecs",
            "DescribeServices",
            {"cluster": cluster, "services": [names["service"]], "include": ["TAGS"]},
            ["ClusterNotFoundException"],
        ),
        # Both target groups in one call: it fails (TargetGroupNotFound) when any is missing, then all read as missing.
        _read("target_groups", "elbv2", "DescribeTargetGroups", {"Names": groups}, ["TargetGroupNotFound"]),
        _read("log_groups", "logs", "DescribeLogGroups", {"logGroupNamePrefix": names["log_group"]}),
        # The call amazon.aws.cloudwatchlogs_log_group reads tags with.
        _read(
            "log_group_tags",
            "logs",
            "ListTagsLogGroup",
            {"logGroupName": names["log_group"]},
            ["ResourceNotFoundException"],
        ),
        _read(
            "scaling_targets",
            "application-autoscaling",
            "DescribeScalableTargets",
            dict(scaling, ResourceIds=[resource_id]),
        ),
        _read(
            "scaling_policies",
            "application-autoscaling",
            "DescribeScalingPolicies",
            dict(scaling, ResourceId=resource_id, PolicyNames=[names["scaling_cpu"], names["scaling_memory"]]),
        ),
    ]
    if vpc_id:
        vpc = {"Name": "vpc-id", "Values": [vpc_id]}
        reads.append(
            _read("subnets", "ec2", "DescribeSubnets", {"Filters": [vpc, {"Name": "tag:Tier", "Values": ["app"]}]})
        )
        # Every group of the VPC: the ALB's, the service's, and the peers' its rules may name.
        reads.append(_read("security_groups", "ec2", "DescribeSecurityGroups", {"Filters": [vpc]}))
    if db_instance:
        reads.append(
            _read("db", "rds", "DescribeDBInstances", {"DBInstanceIdentifier": db_instance}, ["DBInstanceNotFound"])
        )
        # Who manages the key of the database's secret, without a read that needs its ID (key_manager).
        reads.append(_read("kms_aliases", "kms", "ListAliases", {}))
    for name, arn in sorted((listener_arns or {}).items()):
        if arn:
            reads.append(_read(f"rules_{name}", "elbv2", "DescribeRules", {"ListenerArn": arn}, ["ListenerNotFound"]))
    return reads


def followup_reads(target_group_arns=()):
    """The reads that need an ID from ``layer_reads``: the target groups' tags (the foreign owner check)."""
    arns = [arn for arn in target_group_arns if arn]
    return [_read("target_group_tags", "elbv2", "DescribeTags", {"ResourceArns": arns})] if arns else []


# KMS reserves the alias/aws/ prefix for AWS managed keys: a customer cannot create such an alias (CreateAlias,
# "The alias name cannot begin with alias/aws/"), and each AWS managed key has one (alias/aws/<service>).
_AWS_MANAGED_ALIAS = "alias/aws/"


def key_manager(aliases_answer, key_id):
    """DescribeKey's KeyManager of ``key_id`` (a key ID or ARN) from the account's ListAliases answer: AWS when an
    alias/aws/ alias targets it, CUSTOMER otherwise (also for a key of another account, which cannot be AWS managed
    for this account's secrets). AWS for no key (nothing is granted on it)."""
    if not key_id or str(key_id).startswith(_AWS_MANAGED_ALIAS) or f":{_AWS_MANAGED_ALIAS}" in str(key_id):
        return "AWS"
    wanted = str(key_id).rsplit("/", 1)[-1]
    for alias in (aliases_answer or {}).get("Aliases") or []:
        if str(alias.get("AliasName", "")).startswith(_AWS_MANAGED_ALIAS) and alias.get("TargetKeyId") == wanted:
            return "AWS"
    return "CUSTOMER"


def _active(answer, key):
    return [item for item in ((answer or {}).get(key) or []) if item.get("status") == "ACTIVE"]


def live_cluster(answer):
    """The ACTIVE cluster of a DescribeClusters answer, or {}."""
    return (_active(answer, "clusters") or [{}])[0]


def live_service(answer):
    """The ACTIVE service of a DescribeServices answer, or {} (a deleted service lingers as INACTIVE)."""
    return (_active(answer, "services") or [{}])[0]


def cluster_in_sync(cluster, providers, strategy):
    """community.aws.ecs_cluster (purge_capacity_providers) would change nothing: the ACTIVE ``cluster`` has exactly
    ``providers`` (in order, as the writer compares them) and the default ``strategy`` (items as
    {capacity_provider, weight, base}, compared as sets)."""
    if not cluster:
        return False
    wanted = [{"capacityProvider": s["capacity_provider"], "weight": s["weight"], "base": s["base"]} for s in strategy]
    live = cluster.get("defaultCapacityProviderStrategy") or []
    return (
        list(cluster.get("capacityProviders") or []) == list(providers)
        and all(item in live for item in wanted)
        and all(item in wanted for item in live)
    )


def cluster_settings_in_sync(cluster, insights, tags):
    """bluegreen.ecs.ecs_cluster_settings (purge_tags) would change nothing: Container Insights is ``insights`` and the
    tags are exactly ``tags``."""
    if not cluster:
        return False
    current = [s for s in cluster.get("settings") or [] if s.get("name") == CONTAINER_INSIGHTS]
    return current == [{"name": CONTAINER_INSIGHTS, "value": insights}] and tag_sync.in_sync(cluster.get("tags"), tags)


def _live_rules(permissions):
    """One (proto, from, to, kind, target, description) per source or destination of the group's permissions."""
    rules = set()
    for perm in permissions or []:
        head = (str(perm.get("IpProtocol")), perm.get("FromPort"), perm.get("ToPort"))
        for entry in perm.get("IpRanges") or []:
            rules.add(head + ("cidr", entry.get("CidrIp"), entry.get("Description")))
        for entry in perm.get("UserIdGroupPairs") or []:
            rules.add(head + ("group", entry.get("GroupId"), entry.get("Description")))
        for entry in perm.get("Ipv6Ranges") or []:
            rules.add(head + ("cidr6", entry.get("CidrIpv6"), entry.get("Description")))
        for entry in perm.get("PrefixListIds") or []:
            rules.add(head + ("prefix", entry.get("PrefixListId"), entry.get("Description")))
    return rules


# The rule keys this predicate understands; a rule with any other (icmp, ipv6, prefix lists, from_port...) is doubt.
_RULE_KEYS = {"proto", "ports", "group_id", "group_name", "group_desc", "cidr_ip", "rule_desc"}


def _ports(port):
    if isinstance(port, int) or str(port).isdigit():
        return int(port), int(port)
    low, _sep, high = str(port).partition("-")
    return int(low), int(high)


def _wanted_rules(rules, group_ids):
    """The (proto, from, to, kind, target, description) of amazon.aws.ec2_security_group ``rules``; None when a rule
    is outside what this compares or names a group that does not exist yet (the writer creates it)."""
    wanted = set()
    for rule in rules or []:
        if set(rule) - _RULE_KEYS or rule.get("proto") != "tcp" or not rule.get("ports"):
            return None
        targets = []
        if rule.get("group_id"):
            if not str(rule["group_id"]).startswith("sg-"):
                return None
            targets.append(("group", rule["group_id"]))
        if rule.get("group_name"):
            if rule["group_name"] not in group_ids:
                return None
            targets.append(("group", group_ids[rule["group_name"]]))
        cidrs = rule.get("cidr_ip") or []
        targets.extend(("cidr", cidr) for cidr in ([cidrs] if isinstance(cidrs, str) else cidrs))
        if len(targets) != 1:
            return None
        for port in rule["ports"]:
            low, high = _ports(port)
            wanted.add(("tcp", low, high) + targets[0] + (rule.get("rule_desc") or None,))
    return wanted


def security_group_in_sync(groups_answer, name, rules, rules_egress, tags):
    """amazon.aws.ec2_security_group (purge_rules, purge_rules_egress, purge_tags) would change nothing on the VPC's
    group ``name``: it has exactly the ingress ``rules`` and egress ``rules_egress`` (with their descriptions) and
    exactly ``tags``. The description is left out: the writer cannot change it (it only warns)."""
    group = security_group(groups_answer, name)
    if not group:
        return False
    ids = {g.get("GroupName"): g.get("GroupId") for g in groups_answer.get("SecurityGroups") or []}
    ingress, egress = _wanted_rules(rules, ids), _wanted_rules(rules_egress, ids)
    return (
        ingress is not None
        and egress is not None
        and _live_rules(group.get("IpPermissions")) == ingress
        and _live_rules(group.get("IpPermissionsEgress")) == egress
        and tag_sync.in_sync(group.get("Tags"), tags)
    )


def service_in_sync(live, grace_period, tags, enable_execute_command):
    """community.aws.ecs_service would change nothing on the existing ``live`` service, to which the role passes back
    its task definition, load balancers and desired count (is_matching_service): the grace period, propagateTags
    SERVICE, exactly ``tags`` (the writer counts aws: tags too), and ECS Exec (sent only to match a live 'true')."""
    if not live:
        return False
    return (
        (not grace_period or live.get("healthCheckGracePeriodSeconds") == int(grace_period))
        and live.get("propagateTags") == "SERVICE"
        and tag_sync.as_plain_dict(live.get("tags")) == {str(k): str(v) for k, v in (tags or {}).items()}
        and (not live.get("enableExecuteCommand", False) or bool(enable_execute_command))
    )


def scaling_policies(names, metrics, scale_in_cooldown, scale_out_cooldown):
    """The target tracking policies the role wants, by name: {name: TargetTrackingScalingPolicyConfiguration} with
    the types community.aws.application_autoscaling_policy gives them (``metrics``: {name: (metric type, target)})."""
    return {
        name: {
            "PredefinedMetricSpecification": {"PredefinedMetricType": metrics[name][0]},
            "TargetValue": float(metrics[name][1]),
            "ScaleInCooldown": int(scale_in_cooldown),
            "ScaleOutCooldown": int(scale_out_cooldown),
            "DisableScaleIn": False,
        }
        for name in names
    }


def scaling_in_sync(targets_answer, policies_answer, minimum, maximum, policies):
    """community.aws.application_autoscaling_policy (override_task_capacity) would change nothing: the scalable
    target has ``minimum`` to ``maximum`` tasks and each of ``policies`` ({name: configuration}) exists as target
    tracking with exactly that configuration."""
    targets = (targets_answer or {}).get("ScalableTargets") or []
    if not targets or targets[0].get("MinCapacity") != int(minimum) or targets[0].get("MaxCapacity") != int(maximum):
        return False
    live = {p.get("PolicyName"): p for p in (policies_answer or {}).get("ScalingPolicies") or []}
    return all(
        name in live
        and live[name].get("PolicyType") == "TargetTrackingScaling"
        and live[name].get("TargetTrackingScalingPolicyConfiguration") == configuration
        for name, configuration in policies.items()
    )
