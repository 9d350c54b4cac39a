"""The bucket checks of the alb and pipeline roles: the writers are skipped only for a bucket that already matches."""

import json

import pytest

from ansible_collections.bluegreen.ecs.plugins.filter.s3_sync import FilterModule
from ansible_collections.bluegreen.ecs.plugins.module_utils import s3_sync

POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Action": "s3:*"}]}
TAGS = {"Environment": "stg", "ManagedBy": "bluegreen.ecs"}
WANTED = {
    "encryption": "AES256",
    "kms_key": "",
    "bucket_key": None,
    "public_access": dict.fromkeys(
        ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"), True
    ),
    "object_ownership": "BucketOwnerEnforced",
    "versioning": True,
    "policy": POLICY,
    "tags": TAGS,
}
RULE = {"id": "expire", "prefix": "", "expiration_days": 30, "noncurrent_days": 30, "abort_days": 1}


def bucket(**changes):
    live = {
        "name": "b",
        "bucket_encryption": {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]
            }
        },
        "public_access_block": {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            }
        },
        "bucket_ownership_controls": {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}},
        "bucket_versioning": {"Status": "Enabled"},
        "bucket_policy": {"Policy": json.dumps(POLICY)},
        "bucket_tagging": dict(TAGS),
        "bucket_lifecycle_configuration": {
            "Rules": [
                {
                    "ID": "expire",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "Expiration": {"Days": 30},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                },
                {"ID": "someone-else", "Status": "Enabled", "Filter": {"Prefix": "x/"}, "Expiration": {"Days": 1}},
            ]
        },
    }
    live.update(changes)
    return live


def test_a_matching_bucket_and_rule_need_no_writer():
    assert s3_sync.bucket_in_sync(bucket(), WANTED)
    assert s3_sync.lifecycle_rule_in_sync(bucket(), RULE)


@pytest.mark.parametrize(
    "changes",
    [
        {"bucket_versioning": {"Status": "Suspended"}},
        {"bucket_versioning": {}},
        {"bucket_tagging": {"Environment": "stg"}},
        {"bucket_policy": {}},
        {"bucket_policy": {"Policy": json.dumps(dict(POLICY, Statement=[]))}},
        {"public_access_block": {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}}},
        {"bucket_ownership_controls": {"OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}}},
        {
            "bucket_encryption": {
                "ServerSideEncryptionConfiguration": {
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
                }
            }
        },
    ],
    ids=["suspended", "never-versioned", "tags", "no-policy", "other-policy", "public-access", "ownership", "kms"],
)
def test_a_bucket_differing_in_what_s3_bucket_manages_runs_it(changes):
    assert not s3_sync.bucket_in_sync(bucket(**changes), WANTED)


def test_versioning_is_compared_only_when_managed():
    suspended = bucket(bucket_versioning={"Status": "Suspended"})
    assert s3_sync.bucket_in_sync(suspended, dict(WANTED, versioning=None))


def test_a_missing_bucket_runs_both_writers():
    assert not s3_sync.bucket_in_sync({}, WANTED)
    assert not s3_sync.lifecycle_rule_in_sync({}, RULE)


def test_a_kms_bucket_compares_its_key_and_bucket_key():
    kms = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:key/1"}
    live = bucket(
        bucket_encryption={
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": kms, "BucketKeyEnabled": True}]
            }
        }
    )
    wanted = dict(WANTED, encryption="aws:kms", kms_key="arn:key/1", bucket_key=True)
    assert s3_sync.bucket_in_sync(live, wanted)
    assert not s3_sync.bucket_in_sync(live, dict(wanted, kms_key="arn:key/2"))


@pytest.mark.parametrize(
    "rule",
    [
        {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 5}},
        {"ID": "expire", "Status": "Disabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 30}},
        {
            "ID": "expire",
            "Status": "Enabled",
            "Filter": {"Prefix": "logs/"},
            "Expiration": {"Days": 30},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        },
        {
            "ID": "expire",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "Expiration": {"Days": 30},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            "Transitions": [{"Days": 10, "StorageClass": "GLACIER"}],
        },
    ],
    ids=["days", "disabled", "prefix", "extra-action"],
)
def test_a_lifecycle_rule_that_differs_runs_s3_lifecycle(rule):
    assert not s3_sync.lifecycle_rule_in_sync(bucket(bucket_lifecycle_configuration={"Rules": [rule]}), RULE)


def test_the_filters_are_exposed_and_name_themselves_on_bad_input():
    filters = FilterModule().filters()
    assert set(filters) == {"s3_bucket_in_sync", "s3_lifecycle_rule_in_sync"}
    with pytest.raises(Exception, match="^s3_lifecycle_rule_in_sync: "):
        filters["s3_lifecycle_rule_in_sync"](bucket(), {})
