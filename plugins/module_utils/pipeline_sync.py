# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pipeline layer in one read, and whether its writers would change anything (issue 15, converge time).

``layer_reads`` lists the bluegreen.ecs.aws_batch_info reads of the layer (the service's task roles and database, the
artifact bucket's settings, the build log group, the build and pipeline roles with their inline policies, the build
project, the pipeline and its tags). ``bucket_record`` gives the bucket's answers the s3_bucket_info shape the s3_sync
predicates read; ``codebuild_project_in_sync`` and ``pipeline_in_sync`` compare what community.aws.codebuild_project
and bluegreen.ecs.codepipeline would send. When in doubt the answer is "write": the writer keeps its own comparison.
Plain functions, exposed as filters (plugins/filter/pipeline_sync.py)."""

from __future__ import annotations

import json

from ansible.module_utils.common.dict_transformations import snake_dict_to_camel_dict

from ansible_collections.bluegreen.ecs.plugins.module_utils import batch_read, codepipeline, iam_sync, tag_sync

# The bucket reads: answer name, S3 operation, and the error S3 answers when that setting was never made (S3 API
# reference, each operation's "Errors" or example). Every read answers NoSuchBucket for a missing bucket.
_BUCKET_READS = (
    ("bucket_versioning", "GetBucketVersioning", None),
    ("bucket_encryption", "GetBucketEncryption", "ServerSideEncryptionConfigurationNotFoundError"),
    ("bucket_lifecycle_configuration", "GetBucketLifecycleConfiguration", "NoSuchLifecycleConfiguration"),
    ("bucket_ownership_controls", "GetBucketOwnershipControls", "OwnershipControlsNotFoundError"),
    ("bucket_policy", "GetBucketPolicy", "NoSuchBucketPolicy"),
    ("bucket_tagging", "GetBucketTagging", "NoSuchTagSet"),
    ("public_access_block", "GetPublicAccessBlock", "NoSuchPublicAccessBlockConfiguration"),
)

# The project options community.aws.codebuild_project sends to UpdateProject that this predicate can compare.
_PROJECT_OPTIONS = (
    "description",
    "source",
    "artifacts",
    "environment",
    "service_role",
    "timeout_in_minutes",
    "encryption_key",
    "vpc_config",
)
_PROJECT_IGNORED = ("name", "tags", "purge_tags", "state")
# CodeBuild API reference, ProjectArtifacts: with type CODEPIPELINE, "CodePipeline ignores this value" for location,
# path, namespaceType, name and packaging (CodePipeline manages its build output); CodeBuild still answers name and
# packaging NONE.
_CODEPIPELINE_ARTIFACT_IGNORED = ("location", "path", "namespaceType", "name", "packaging")


_read = batch_read.read


def layer_reads(names, pipeline_arn, db_instance=""):
    """The reads of the pipeline layer, by answer name: ``execution_role_role`` and ``task_role_role`` (GetRole), ``db``
    (DescribeDBInstances, raw, only with ``db_instance``), the bucket's ``bucket_*`` and
    ``public_access_block``, ``log_group`` and ``log_group_tags``, the build role's ``build_*`` and the pipeline role's
    ``pipeline_*`` (iam_sync.role_reads; each inline policy is named as its role), ``project`` (BatchGetProjects),
    ``pipeline`` (GetPipeline) and ``pipeline_tags``."""
    bucket = names["artifact_bucket"]
    reads = [
        _read(f"{key}_role", "iam", "GetRole", {"RoleName": names[key]}, ["NoSuchEntity"])
        for key in ("execution_role", "task_role")
    ]
    if db_instance:
        reads.append(
            _read("db", "rds", "DescribeDBInstances", {"DBInstanceIdentifier": db_instance}, ["DBInstanceNotFound"])
        )
    reads += [
        _read(name, "s3", operation, {"Bucket": bucket}, ["NoSuchBucket"] + ([missing] if missing else []))
        for name, operation, missing in _BUCKET_READS
    ]
    reads += [
        _read("log_group", "logs", "DescribeLogGroups", {"logGroupNamePrefix": names["codebuild_log_group"]}),
        _read(
            "log_group_tags",
            "logs",
            "ListTagsLogGroup",
            {"logGroupName": names["codebuild_log_group"]},
            ["ResourceNotFoundException"],
        ),
        _read("project", "codebuild", "BatchGetProjects", {"names": [names["codebuild_project"]]}),
        _read("pipeline", "codepipeline", "GetPipeline", {"name": names["pipeline"]}, ["PipelineNotFoundException"]),
        _read(
            "pipeline_tags",
            "codepipeline",
            "ListTagsForResource",
            {"resourceArn": pipeline_arn},
            ["ResourceNotFoundException", "PipelineNotFoundException"],
        ),
    ]
    reads += iam_sync.role_reads(names["codebuild_role"], "build", names["codebuild_role"])
    reads += iam_sync.role_reads(names["pipeline_role"], "pipeline", names["pipeline_role"])
    return reads


def bucket_record(answers):
    """The artifact bucket as amazon.aws.s3_bucket_info returns it with its bucket_facts (the shape s3_sync reads):
    each setting's answer, tags as a dict; {} when the bucket does not exist."""
    answers = answers or {}
    if answers.get("bucket_versioning") is None:
        return {}
    record = {name: answers.get(name) or {} for name, _operation, _missing in _BUCKET_READS}
    record["bucket_tagging"] = {t["Key"]: t["Value"] for t in record["bucket_tagging"].get("TagSet") or []}
    return record


def plain(value):
    """``value`` as plain JSON data: ansible-core 2.19 hands filters lazy template containers and tagged strings, which
    the dict transformations cannot rebuild."""
    return json.loads(json.dumps(value))


def _prune(value):
    """Drop what is unset (None, False, 0, '', [] and {}): AWS answers its defaults where a request left a field out."""
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (None, False, 0, "", [], {})}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def _comparable(key, value):
    value = _prune(value)
    if key == "artifacts" and isinstance(value, dict) and value.get("type") == "CODEPIPELINE":
        value = {k: v for k, v in value.items() if k not in _CODEPIPELINE_ARTIFACT_IGNORED}
    return value


def codebuild_project_in_sync(answer, params, tags):
    """community.aws.codebuild_project (state present, purge_tags on) would change nothing on the project
    BatchGetProjects answered: each option of ``params`` (the module's options, snake_cased) equals the live field it
    replaces (unset fields aside), and the project has exactly ``tags``. Options it cannot compare make it write."""
    projects = (answer or {}).get("projects") or []
    if len(projects) != 1 or set(params) - set(_PROJECT_OPTIONS) - set(_PROJECT_IGNORED):
        return False
    project = projects[0]
    wanted = snake_dict_to_camel_dict(
        plain({key: params[key] for key in _PROJECT_OPTIONS if params.get(key) is not None})
    )
    for key, value in wanted.items():
        if _comparable(key, project.get(key)) != _comparable(key, value):
            return False
    live_tags = tag_sync.as_dict(tag_sync.CODEPIPELINE, project.get("tags"))
    return not tag_sync.plan(live_tags, tags or {}, True).changed


def pipeline_in_sync(answers, params, tags):
    """bluegreen.ecs.codepipeline (state present, purge_tags on) would change nothing: ``params`` (the module's
    options) build a valid declaration equal to the live pipeline (codepipeline.compare_pipeline), and the pipeline
    has exactly ``tags``. Bad input is a write: the module names the option."""
    answers = answers or {}
    live = (answers.get("pipeline") or {}).get("pipeline")
    tag_answer = answers.get("pipeline_tags")
    if not live or tag_answer is None:
        return False
    try:
        wanted = codepipeline.build_declaration(plain(params))
        codepipeline.validate_declaration(wanted)
    except (codepipeline.PipelineError, KeyError):
        return False
    before, after = codepipeline.compare_pipeline(wanted, live)
    live_tags = tag_sync.as_dict(tag_sync.CODEPIPELINE, tag_answer.get("tags"))
    return before == after and not tag_sync.plan(live_tags, tags or {}, True).changed
