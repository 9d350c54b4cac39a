# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The db role's one read of its layer and which of its writers a converged environment still needs (issue 15).

``reads`` lists the bluegreen.ecs.aws_batch_info calls (instances, data subnets, security groups, DB subnet group
and its tags); the predicates say whether amazon.aws.rds_subnet_group, amazon.aws.rds_instance and
bluegreen.ecs.rds_instance_secret would change anything, comparing what the role gives them. When in doubt the answer
is "write": each writer keeps its own comparison. Inputs are snake_case answers (``snake: true``, tags as dicts).
Plain functions, exposed as filters (plugins/filter/db_sync.py)."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import db_spec, rds_secret, tag_sync

# ARN partitions by region prefix (AWS General Reference, "Amazon Resource Names"; botocore's partitions.json).
_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc"),
)


def partition(region):
    """The ARN partition of ``region``."""
    return next((name for prefix, name in _PARTITIONS if str(region).startswith(prefix)), "aws")


def subnet_group_arn(name, region, account):
    """arn:<partition>:rds:<region>:<account>:subgrp:<name> (RDS User Guide, "Amazon Resource Names in Amazon RDS")."""
    return f"arn:{partition(region)}:rds:{region}:{account}:subgrp:{name}"


def reads(identifiers, vpc, subnet_group, group_names, managed_by, region):
    """The aws_batch_info reads of the layer: ``instances`` (DescribeDBInstances of ``identifiers``) always; with a
    ``vpc`` (roles/common's record: id, owner_id) also ``subnets`` (its data tier), ``security_groups`` (those named
    ``group_names``), ``subnet_group`` and ``subnet_group_tags`` (null when the group does not exist)."""
    found = [
        {
            "name": "instances",
            "service": "rds",
            "operation": "DescribeDBInstances",
            "params": {"Filters": [{"Name": "db-instance-id", "Values": list(identifiers)}]},
            "snake": True,
        }
    ]
    if not vpc:
        return found
    vpc_filter = {"Name": "vpc-id", "Values": [vpc["id"]]}
    missing = ["DBSubnetGroupNotFoundFault"]
    return found + [
        {
            "name": "subnets",
            "service": "ec2",
            "operation": "DescribeSubnets",
            "params": {
                "Filters": [
                    vpc_filter,
                    {"Name": "tag:Tier", "Values": ["data"]},
                    {"Name": "tag:ManagedBy", "Values": [managed_by]},
                ]
            },
            "snake": True,
        },
        {
            "name": "security_groups",
            "service": "ec2",
            "operation": "DescribeSecurityGroups",
            "params": {"Filters": [vpc_filter, {"Name": "group-name", "Values": sorted(set(group_names))}]},
            "snake": True,
        },
        {
            "name": "subnet_group",
            "service": "rds",
            "operation": "DescribeDBSubnetGroups",
            "params": {"DBSubnetGroupName": subnet_group},
            "missing": missing,
            "snake": True,
        },
        {
            "name": "subnet_group_tags",
            "service": "rds",
            "operation": "ListTagsForResource",
            "params": {"ResourceName": subnet_group_arn(subnet_group, region, vpc["owner_id"])},
            "missing": missing,
            "snake": True,
        },
    ]


def subnet_group_in_sync(answers, name, description, subnet_ids, tags):
    """rds_subnet_group (purge_tags on) would change nothing: the group ``answers`` read (aws_batch_info ``reads``)
    has ``name``, ``description``, exactly ``subnet_ids`` and exactly ``tags``."""
    groups = ((answers or {}).get("subnet_group") or {}).get("db_subnet_groups") or []
    tag_answer = (answers or {}).get("subnet_group_tags")
    if len(groups) != 1 or tag_answer is None:
        return False
    group = groups[0]
    live_subnets = sorted(subnet.get("subnet_identifier") for subnet in group.get("subnets") or [])
    return (
        group.get("db_subnet_group_name") == name
        and group.get("db_subnet_group_description") == description
        and live_subnets == sorted(subnet_ids)
        and tag_sync.in_sync(tag_answer.get("tag_list"), tags)
    )


def instance(instances, identifier):
    """The instance ``identifier`` among ``instances`` (the ``instances`` answer's list), or None."""
    return next((item for item in instances or [] if item.get("db_instance_identifier") == identifier), None)


def instance_in_sync(live, wanted):
    """rds_instance would change nothing on ``live`` (a DescribeDBInstances record, snake_case; None when missing):
    it is available with nothing pending and has every setting the role gives the writer. ``wanted``: ``class``,
    ``allocated_storage``, ``multi_az``, ``port``, ``subnet_group``, ``security_group_ids``, ``db_name``,
    ``master_username``, ``backup_retention``, ``deletion_protection``, ``tags``; the fixed ones (engine postgres,
    gp3, encrypted, private, copy tags to snapshots, minor upgrades by RDS) are checked here."""
    if not live or live.get("db_instance_status") != "available" or live.get("pending_modified_values"):
        return False
    groups = {group.get("vpc_security_group_id") for group in live.get("vpc_security_groups") or []}
    return (
        live.get("engine") == "postgres"
        and live.get("db_instance_class") == wanted["class"]
        and int(live.get("allocated_storage") or 0) == int(wanted["allocated_storage"])
        and live.get("storage_type") == "gp3"
        and live.get("storage_encrypted") is True
        and live.get("publicly_accessible") is False
        and bool(live.get("multi_az")) == bool(wanted["multi_az"])
        and int((live.get("endpoint") or {}).get("port") or 0) == int(wanted["port"])
        and (live.get("db_subnet_group") or {}).get("db_subnet_group_name") == wanted["subnet_group"]
        and groups == set(wanted["security_group_ids"])
        and live.get("db_name") == wanted["db_name"]
        and live.get("master_username") == wanted["master_username"]
        and int(live.get("backup_retention_period", -1)) == int(wanted["backup_retention"])
        and bool(live.get("deletion_protection")) == bool(wanted["deletion_protection"])
        and live.get("copy_tags_to_snapshot") is True
        and live.get("auto_minor_version_upgrade") is True
        and tag_sync.in_sync(live.get("tag_list"), wanted["tags"])
    )


def secret_in_sync(live):
    """bluegreen.ecs.rds_instance_secret (manage on, no key given) would change nothing: RDS already manages the
    master password of ``live`` (rds_secret.plan sends nothing)."""
    if not live:
        return False
    raw = {
        "DBInstanceIdentifier": live.get("db_instance_identifier"),
        "MasterUserSecret": live.get("master_user_secret"),
    }
    request, error = rds_secret.plan(raw, True)
    return request is None and error is None


def offer_needed(plan, instances):
    """Whether DescribeOrderableDBInstanceOptions must be read: a planned database is missing, is to change class, or
    names another major version than its instance runs (refused anyway; the offer then names what RDS has). A running
    instance of the planned class and major is proof of the offer (the writer omits the version of an existing
    instance), so a converged layer needs no such read."""
    for database in plan:
        identifier = database["names"]["instance"]
        live = instance(instances, identifier)
        if (
            live is None
            or live.get("db_instance_class") != database["instance_class"]
            or db_spec.version_errors([database], {identifier: live.get("engine_version")})
        ):
            return True
    return False
