# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of the alb role's target group writers a converged service still needs (issue 15, converge time).

Both groups are read with one elb_target_group_info call; the writer (community.aws.elb_target_group) runs only for a
group that is missing or differs in something it manages. When in doubt the answer is "write": the writer keeps its
own comparison. Plain functions, exposed as filters (plugins/filter/alb_sync.py)."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import batch_read, listener_plan, tag_sync


def target_groups_by_name(groups, names):
    """One ``{item: name, target_groups: [...]}`` per name, the shape of a loop of elb_target_group_info over
    ``names`` (what listener_plan.target_group_plan reads), from one call that named them all. That call returns
    nothing when any name is missing (TargetGroupNotFound): then every group reads as missing."""
    by_name = {group.get("target_group_name"): group for group in groups or []}
    return [{"item": name, "target_groups": [by_name[name]] if name in by_name else []} for name in names]


def target_group_in_sync(group, wanted, port, vpc_id, tags):
    """elb_target_group (IP targets, HTTP on ``port`` in ``vpc_id``, HTTP health check on the traffic port, the
    ``wanted`` settings of listener_plan.target_group_plan, exactly ``tags``) would change nothing on ``group``."""
    return (
        group is not None
        and group.get("target_type") == "ip"
        and group.get("protocol") == "HTTP"
        and int(group.get("port") or 0) == int(port)
        and group.get("vpc_id") == vpc_id
        and group.get("health_check_protocol") == "HTTP"
        and str(group.get("health_check_port")) == "traffic-port"
        and group.get("health_check_enabled", True) is not False
        and not listener_plan.target_group_plan([{"item": "", "target_groups": [group]}], wanted)[0]["differs"]
        and tag_sync.in_sync(group.get("tags"), tags)
    )


def target_groups_to_write(plan, wanted, port, vpc_id, tags):
    """The names in ``plan`` (listener_plan.target_group_plan) whose group is missing or differs; each group's
    tags are ``tags`` with its Name."""
    return [
        entry["name"]
        for entry in plan
        if not target_group_in_sync(entry["group"], wanted, port, vpc_id, dict(tags, Name=entry["name"]))
    ]


def target_group_arns(plan, results):
    """``{name: arn}``: the writer's where it ran (loop ``results`` over names), the plan's otherwise ('' when none)."""
    written = {
        result["item"]: result.get("target_group_arn", "")
        for result in results or []
        if not result.get("skipped") and result.get("target_group_arn")
    }
    return {entry["name"]: written.get(entry["name"], entry["arn"]) for entry in plan}


# --- The layer in two aws_batch_info runs (the second needs the ARNs and the account the first finds) ---

# Error codes of a name that does not exist (ELBv2 API reference: DescribeTargetGroups, DescribeLoadBalancers).
_TG_MISSING = ["TargetGroupNotFound", "TargetGroupNotFoundException"]
_LB_MISSING = ["LoadBalancerNotFound", "LoadBalancerNotFoundException"]
# s3_bucket_info's facts the access log writers compare, by the S3 read that answers each and the codes S3 gives when
# the bucket or the setting does not exist (S3 API reference, each Get* operation).
BUCKET_READS = {
    "bucket_encryption": ("GetBucketEncryption", "ServerSideEncryptionConfigurationNotFoundError"),
    "bucket_lifecycle_configuration": ("GetBucketLifecycleConfiguration", "NoSuchLifecycleConfiguration"),
    "bucket_ownership_controls": ("GetBucketOwnershipControls", "OwnershipControlsNotFoundError"),
    "bucket_policy": ("GetBucketPolicy", "NoSuchBucketPolicy"),
    "bucket_tagging": ("GetBucketTagging", "NoSuchTagSet"),
    "public_access_block": ("GetPublicAccessBlock", "NoSuchPublicAccessBlockConfiguration"),
}


def layer_reads(names, vpc_id, tier, tags, scheme, read_caller):
    """The first run's reads: ``subnets`` of the tier the scheme needs, the validation function's sources
    (``nat_gateways`` for an internet-facing balancer, ``app_subnets`` for an internal one), ``security_groups``
    (the balancer's), ``target_groups`` and ``load_balancer`` by name (null when missing) and, when
    ``read_caller``, the ``caller`` (GetCallerIdentity). ``names``: roles/common's service names; ``tags``: the
    role's tags (ManagedBy, Environment, Project)."""
    vpc = {"Name": "vpc-id", "Values": [vpc_id]}
    managed = {"Name": "tag:ManagedBy", "Values": [tags["ManagedBy"]]}
    reads = [
        _read("subnets", "ec2", "DescribeSubnets", {"Filters": [vpc, {"Name": "tag:Tier", "Values": [tier]}, managed]}),
        _read(
            "security_groups",
            "ec2",
            "DescribeSecurityGroups",
            {"Filters": [vpc, {"Name": "group-name", "Values": [names["alb_security_group"]]}]},
        ),
        _read(
            "target_groups",
            "elbv2",
            "DescribeTargetGroups",
            {"Names": [names["target_group_blue"], names["target_group_green"]]},
            _TG_MISSING,
        ),
        _read("load_balancer", "elbv2", "DescribeLoadBalancers", {"Names": [names["alb"]]}, _LB_MISSING),
    ]
    if scheme == "internet-facing":
        owner = [{"Name": f"tag:{key}", "Values": [tags[key]]} for key in ("ManagedBy", "Environment", "Project")]
        nat_filter = [vpc, {"Name": "state", "Values": ["available"]}, *owner]
        reads.append(_read("nat_gateways", "ec2", "DescribeNatGateways", {"Filter": nat_filter}))
    else:
        app = {"Filters": [vpc, {"Name": "tag:Tier", "Values": ["app"]}, managed]}
        reads.append(_read("app_subnets", "ec2", "DescribeSubnets", app))
    if read_caller:
        reads.append(_read("caller", "sts", "GetCallerIdentity", {}))
    return reads


def _read(name, service, operation, params=None, missing=(), snake=True):
    """batch_read.read, snake by default: the alb layer's plans were written for the *_info modules' shapes."""
    return batch_read.read(name, service, operation, params, missing, snake)


def _target_groups(answers):
    return ((answers or {}).get("target_groups") or {}).get("target_groups") or []


def _load_balancer(answers):
    found = ((answers or {}).get("load_balancer") or {}).get("load_balancers") or []
    return found[0] if found else None


def followup_reads(answers, bucket):
    """The second run's reads, from the first run's ``answers``: each target group's attributes, the tags of the
    groups and the balancer, the balancer's attributes and listeners, and the access log ``bucket``'s settings
    (when a name is given; null where the bucket or the setting does not exist). [] when there is nothing to read."""
    groups = _target_groups(answers)
    balancer = _load_balancer(answers)
    reads = [
        _read(
            f"tg_attributes_{index}",
            "elbv2",
            "DescribeTargetGroupAttributes",
            {"TargetGroupArn": group["target_group_arn"]},
            _TG_MISSING,
            snake=False,
        )
        for index, group in enumerate(groups)
    ]
    arns = [group["target_group_arn"] for group in groups] + ([balancer["load_balancer_arn"]] if balancer else [])
    if arns:
        reads.append(_read("elb_tags", "elbv2", "DescribeTags", {"ResourceArns": arns}, _TG_MISSING + _LB_MISSING))
    if balancer:
        arn = {"LoadBalancerArn": balancer["load_balancer_arn"]}
        reads.append(_read("lb_attributes", "elbv2", "DescribeLoadBalancerAttributes", arn, _LB_MISSING, snake=False))
        reads.append(_read("listeners", "elbv2", "DescribeListeners", arn, _LB_MISSING))
    if bucket:
        reads += [
            _read(fact, "s3", operation, {"Bucket": bucket}, ["NoSuchBucket", missing], snake=False)
            for fact, (operation, missing) in BUCKET_READS.items()
        ]
    return reads


def _attributes(answer):
    """The *_info modules' attribute keys: {'deregistration_delay_timeout_seconds': '30', ...}."""
    return {item["Key"].replace(".", "_"): item["Value"] for item in (answer or {}).get("Attributes") or []}


def _tags_by_arn(answers):
    descriptions = ((answers or {}).get("elb_tags") or {}).get("tag_descriptions") or []
    return {item.get("resource_arn"): item.get("tags") or {} for item in descriptions}


def target_group_records(answers):
    """The groups as community.aws.elb_target_group_info returns them (the group, its attributes, its tags) from
    the two runs' ``answers`` merged."""
    tags = _tags_by_arn(answers)
    return [
        {**group, **_attributes(answers.get(f"tg_attributes_{index}")), "tags": tags.get(group["target_group_arn"], {})}
        for index, group in enumerate(_target_groups(answers))
    ]


def load_balancer_record(answers):
    """The balancer as amazon.aws.elb_application_lb_info returns it without listener rules (roles/common's
    ``_common_alb`` shape: the balancer, its attributes, ``listeners`` and ``tags``); {} when it does not exist."""
    balancer = _load_balancer(answers)
    if not balancer:
        return {}
    listeners = ((answers or {}).get("listeners") or {}).get("listeners") or []
    record = {**balancer, **_attributes(answers.get("lb_attributes")), "listeners": listeners}
    record["tags"] = _tags_by_arn(answers).get(balancer["load_balancer_arn"], {})
    return record


def bucket_record(answers, name):
    """The bucket as amazon.aws.s3_bucket_info returns it with the facts in BUCKET_READS (tags as a dict); {} when
    no read found it."""
    facts = {fact: (answers or {}).get(fact) for fact in BUCKET_READS}
    if all(value is None for value in facts.values()):
        return {}
    tagging = facts["bucket_tagging"]
    if tagging is not None:
        facts["bucket_tagging"] = {tag["Key"]: tag["Value"] for tag in tagging.get("TagSet") or []}
    return {"name": name, **facts}


def load_balancer_in_sync(balancer, wanted):
    """amazon.aws.elb_application_lb (purge_tags on, listeners and purge_listeners as the listener plan says) would
    change nothing on ``balancer`` (load_balancer_record; {} when missing). ``wanted``: ``subnets``,
    ``security_groups``, ``idle_timeout``, ``deletion_protection``, ``access_logs`` (bool), ``bucket``, ``prefix``,
    ``tags`` and ``listener_plan`` (listener_plan.plan_listeners: nothing to send and no purge)."""
    if not balancer or wanted["listener_plan"] is None:
        return False
    plan = wanted["listener_plan"]
    attributes = {
        "access_logs_s3_enabled": str(bool(wanted["access_logs"])).lower(),
        "access_logs_s3_bucket": wanted["bucket"],
        "access_logs_s3_prefix": wanted["prefix"],
        "deletion_protection_enabled": str(bool(wanted["deletion_protection"])).lower(),
        "idle_timeout_timeout_seconds": str(wanted["idle_timeout"]),
        "routing_http_drop_invalid_header_fields_enabled": "true",
    }
    subnets = {zone.get("subnet_id") for zone in balancer.get("availability_zones") or []}
    return (
        not plan.get("listeners")
        and not plan.get("purge")
        and subnets == set(wanted["subnets"])
        and set(balancer.get("security_groups") or []) == set(wanted["security_groups"])
        and all(balancer.get(key) == value for key, value in attributes.items())
        and tag_sync.in_sync(balancer.get("tags"), wanted["tags"])
    )
