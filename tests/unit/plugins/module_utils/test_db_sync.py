"""The db role's one read and its writers' predicates: skipped only when the read shows what they would write."""

import pytest

from ansible_collections.bluegreen.ecs.plugins.filter.db_sync import FilterModule
from ansible_collections.bluegreen.ecs.plugins.module_utils import db_sync

TAGS = {"Environment": "prd", "Project": "demo", "ManagedBy": "bluegreen.ecs", "Name": "stub-db"}
WANTED = {
    "class": "db.t4g.micro",
    "allocated_storage": "20",
    "multi_az": False,
    "port": 5432,
    "subnet_group": "stub-subnets",
    "security_group_ids": ["sg-db"],
    "db_name": "app",
    "master_username": "app_admin",
    "backup_retention": "1",
    "deletion_protection": False,
    "tags": TAGS,
}
VPC = {"id": "vpc-1", "owner_id": "123456789012"}


def live_instance(**changes):
    live = {
        "db_instance_identifier": "stub-db",
        "db_instance_status": "available",
        "pending_modified_values": {},
        "engine": "postgres",
        "engine_version": "16.4",
        "db_instance_class": "db.t4g.micro",
        "allocated_storage": 20,
        "storage_type": "gp3",
        "storage_encrypted": True,
        "publicly_accessible": False,
        "multi_az": False,
        "endpoint": {"address": "stub-db.example", "port": 5432},
        "db_subnet_group": {"db_subnet_group_name": "stub-subnets"},
        "vpc_security_groups": [{"vpc_security_group_id": "sg-db", "status": "active"}],
        "db_name": "app",
        "master_username": "app_admin",
        "backup_retention_period": 1,
        "deletion_protection": False,
        "copy_tags_to_snapshot": True,
        "auto_minor_version_upgrade": True,
        "tag_list": dict(TAGS),
        "master_user_secret": {"secret_arn": "arn:secret", "secret_status": "active", "kms_key_id": "arn:key"},
    }
    live.update(changes)
    return live


def test_a_converged_instance_is_in_sync():
    assert db_sync.instance_in_sync(live_instance(), WANTED)


@pytest.mark.parametrize(
    "changes",
    [
        {"db_instance_status": "modifying"},
        {"pending_modified_values": {"db_instance_class": "db.t4g.small"}},
        {"db_instance_class": "db.t4g.small"},
        {"allocated_storage": 30},
        {"storage_type": "gp2"},
        {"storage_encrypted": False},
        {"publicly_accessible": True},
        {"multi_az": True},
        {"endpoint": {"port": 5433}},
        {"db_subnet_group": {"db_subnet_group_name": "other"}},
        {"vpc_security_groups": [{"vpc_security_group_id": "sg-default"}]},
        {"db_name": "other"},
        {"master_username": "other"},
        {"backup_retention_period": 7},
        {"deletion_protection": True},
        {"copy_tags_to_snapshot": False},
        {"auto_minor_version_upgrade": False},
        {"tag_list": dict(TAGS, Extra="x")},
        {"engine": "mysql"},
    ],
    ids=lambda changes: next(iter(changes)),
)
def test_each_managed_difference_writes_the_instance(changes):
    assert not db_sync.instance_in_sync(live_instance(**changes), WANTED)


def test_a_missing_instance_writes():
    assert not db_sync.instance_in_sync(None, WANTED)
    assert not db_sync.secret_in_sync(None)


def test_aws_tags_are_not_ours():
    assert db_sync.instance_in_sync(live_instance(tag_list=dict(TAGS, **{"aws:rds:x": "y"})), WANTED)


def test_the_secret_writer_runs_until_rds_manages_the_password():
    assert db_sync.secret_in_sync(live_instance())
    assert not db_sync.secret_in_sync(live_instance(master_user_secret=None))


def subnet_answers(**changes):
    group = {
        "db_subnet_group_name": "stub-subnets",
        "db_subnet_group_description": "data subnets",
        "subnets": [{"subnet_identifier": "subnet-b"}, {"subnet_identifier": "subnet-a"}],
    }
    group.update(changes)
    return {"subnet_group": {"db_subnet_groups": [group]}, "subnet_group_tags": {"tag_list": dict(TAGS)}}


def test_a_converged_subnet_group_is_in_sync():
    assert db_sync.subnet_group_in_sync(
        subnet_answers(), "stub-subnets", "data subnets", ["subnet-a", "subnet-b"], TAGS
    )


@pytest.mark.parametrize(
    "answers",
    [
        subnet_answers(db_subnet_group_description="old"),
        subnet_answers(subnets=[{"subnet_identifier": "subnet-a"}]),
        dict(subnet_answers(), subnet_group_tags={"tag_list": {"Environment": "prd"}}),
        {"subnet_group": None, "subnet_group_tags": None},
        dict(subnet_answers(), subnet_group_tags=None),
    ],
    ids=["description", "subnets", "tags", "missing", "tags-unread"],
)
def test_each_subnet_group_difference_writes(answers):
    assert not db_sync.subnet_group_in_sync(answers, "stub-subnets", "data subnets", ["subnet-a", "subnet-b"], TAGS)


def test_the_reads_need_the_vpc_for_all_but_the_instances():
    assert [read["name"] for read in db_sync.reads(["stub-db"], {}, "g", [], "m", "us-east-1")] == ["instances"]
    reads = {
        read["name"]: read for read in db_sync.reads(iter(["stub-db"]), VPC, "g", ["b", "a", "a"], "m", "cn-north-1")
    }
    assert set(reads) == {"instances", "subnets", "security_groups", "subnet_group", "subnet_group_tags"}
    assert reads["instances"]["params"]["Filters"] == [{"Name": "db-instance-id", "Values": ["stub-db"]}]
    assert reads["security_groups"]["params"]["Filters"][1] == {"Name": "group-name", "Values": ["a", "b"]}
    assert reads["subnet_group_tags"]["params"]["ResourceName"] == "arn:aws-cn:rds:cn-north-1:123456789012:subgrp:g"
    assert reads["subnet_group"]["missing"] == ["DBSubnetGroupNotFoundFault"]
    assert all(read["snake"] for read in reads.values())


def test_the_partition_follows_the_region():
    assert [db_sync.partition(r) for r in ("us-east-1", "cn-north-1", "us-gov-west-1")] == [
        "aws",
        "aws-cn",
        "aws-us-gov",
    ]


def test_the_offer_is_read_only_for_a_new_instance_a_new_class_or_another_major():
    plan = [{"names": {"instance": "stub-db"}, "instance_class": "db.t4g.micro", "engine_version": "16"}]
    assert not db_sync.offer_needed(plan, [live_instance()])
    assert not db_sync.offer_needed([dict(plan[0], engine_version="16.2")], [live_instance()])
    assert db_sync.offer_needed(plan, [])
    assert db_sync.offer_needed(plan, [live_instance(db_instance_class="db.t4g.small")])
    assert db_sync.offer_needed([dict(plan[0], engine_version="9.6")], [live_instance()])


def test_filters_are_exposed():
    assert set(FilterModule().filters()) == set(
        [
            "db_reads",
            "db_subnet_group_in_sync",
            "db_instance",
            "db_instance_in_sync",
            "db_secret_in_sync",
            "db_offer_needed",
        ]
    )
