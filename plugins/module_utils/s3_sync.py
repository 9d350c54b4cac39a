# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether amazon.aws.s3_bucket and community.aws.s3_lifecycle would change a bucket the roles already read with
amazon.aws.s3_bucket_info (bucket_facts; issue 15, converge time). The writers are heavy (one process, about ten S3
calls each); a converged bucket needs neither. Every setting the writers are given is compared; when in doubt the
answer is "write" (the writer keeps its own comparison). Inputs are s3_bucket_info's records (S3 API shapes).
Plain functions, exposed as filters (plugins/filter/s3_sync.py)."""

from __future__ import annotations

import json

from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync


def _rules(section, key):
    return ((section or {}).get(key) or {}).get("Rules") or []


def _policy(document):
    if isinstance(document, str):
        try:
            return json.loads(document)
        except ValueError:
            return None
    return document


def _encryption_matches(bucket, wanted):
    rules = _rules(bucket.get("bucket_encryption"), "ServerSideEncryptionConfiguration")
    if len(rules) != 1:
        return False
    default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
    if default.get("SSEAlgorithm") != wanted["encryption"]:
        return False
    if wanted.get("kms_key") and default.get("KMSMasterKeyID") != wanted["kms_key"]:
        return False
    return wanted.get("bucket_key") is None or bool(rules[0].get("BucketKeyEnabled")) == bool(wanted["bucket_key"])


def _public_access_matches(bucket, wanted):
    live = (bucket.get("public_access_block") or {}).get("PublicAccessBlockConfiguration") or {}
    names = {
        "block_public_acls": "BlockPublicAcls",
        "ignore_public_acls": "IgnorePublicAcls",
        "block_public_policy": "BlockPublicPolicy",
        "restrict_public_buckets": "RestrictPublicBuckets",
    }
    return all(bool(live.get(api)) == bool(wanted["public_access"][option]) for option, api in names.items())


def bucket_in_sync(bucket, wanted):
    """s3_bucket would change nothing on ``bucket`` (an s3_bucket_info record with bucket_encryption,
    public_access_block, bucket_ownership_controls, bucket_versioning, bucket_policy and bucket_tagging; None when the
    bucket is missing). ``wanted``: ``encryption`` (AES256 or aws:kms), ``kms_key``, ``bucket_key`` (None: not set),
    ``public_access`` (the four flags), ``object_ownership``, ``versioning`` (bool; None: not managed), ``policy``
    (a dict), ``tags``."""
    if not bucket:
        return False
    ownership = _rules(bucket.get("bucket_ownership_controls"), "OwnershipControls")
    versioning = (bucket.get("bucket_versioning") or {}).get("Status")
    live_policy = _policy((bucket.get("bucket_policy") or {}).get("Policy"))
    return (
        _encryption_matches(bucket, wanted)
        and _public_access_matches(bucket, wanted)
        and [rule.get("ObjectOwnership") for rule in ownership] == [wanted["object_ownership"]]
        and (wanted.get("versioning") is None or (versioning == "Enabled") == bool(wanted["versioning"]))
        and live_policy is not None
        and live_policy == _policy(wanted["policy"])
        and tag_sync.in_sync(bucket.get("bucket_tagging"), wanted["tags"])
    )


def lifecycle_rule_in_sync(bucket, wanted):
    """s3_lifecycle (state present) would change nothing: ``bucket``'s lifecycle configuration has the rule
    ``wanted['id']``, enabled, for ``prefix``, expiring objects after ``expiration_days`` and, when given, noncurrent
    versions after ``noncurrent_days`` and incomplete multipart uploads after ``abort_days``, and nothing else."""
    configuration = (bucket or {}).get("bucket_lifecycle_configuration") or {}
    rules = [rule for rule in configuration.get("Rules") or [] if rule.get("ID") == wanted["id"]]
    if len(rules) != 1:
        return False
    rule = rules[0]
    prefix = (rule.get("Filter") or {}).get("Prefix", rule.get("Prefix"))
    expected = {
        "Expiration": {"Days": int(wanted["expiration_days"])},
        "NoncurrentVersionExpiration": (
            {"NoncurrentDays": int(wanted["noncurrent_days"])} if wanted.get("noncurrent_days") is not None else None
        ),
        "AbortIncompleteMultipartUpload": (
            {"DaysAfterInitiation": int(wanted["abort_days"])} if wanted.get("abort_days") is not None else None
        ),
    }
    extra = set(rule) - {"ID", "Status", "Filter", "Prefix", *expected}
    return (
        rule.get("Status") == "Enabled"
        and prefix == wanted["prefix"]
        and not extra
        and all(rule.get(key) == value for key, value in expected.items())
    )
