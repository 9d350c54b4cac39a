# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ecr role's one read and whether community.aws.ecs_ecr would change the repository (issue 15, converge time).

The repository, its lifecycle policy and its tags are read in one bluegreen.ecs.aws_batch_info run (``reads``); the
writer runs only when ``repository_in_sync`` says something it manages differs. When in doubt the answer is "write":
the writer keeps its own comparison. Plain functions, exposed as filters (plugins/filter/ecr_sync.py)."""

from __future__ import annotations

import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

# ECR answers RepositoryNotFoundException for a repository that does not exist and LifecyclePolicyNotFoundException
# for one without a lifecycle policy (ECR API Reference, DescribeRepositories / GetLifecyclePolicy, Errors).
_NO_REPOSITORY = "RepositoryNotFoundException"
_NO_LIFECYCLE = "LifecyclePolicyNotFoundException"


def repository_arn(name, caller, region):
    """arn:<partition>:ecr:<region>:<account>:repository/<name> (ECR's ARN format; ``caller`` is roles/common's
    _common_caller, {account, partition})."""
    return f"arn:{caller['partition']}:ecr:{region}:{caller['account']}:repository/{name}"


def reads(name, caller, region):
    """The aws_batch_info reads of the repository ``name``: ``repository`` (DescribeRepositories), ``lifecycle``
    (GetLifecyclePolicy) and ``tags`` (ListTagsForResource, by the ARN built from the caller's account); each null
    when the repository (or its lifecycle policy) does not exist. Snake shape: the tags come as a dict."""
    return [
        {
            "name": "repository",
            "service": "ecr",
            "operation": "DescribeRepositories",
            "params": {"repositoryNames": [name]},
            "missing": [_NO_REPOSITORY],
            "snake": True,
        },
        {
            "name": "lifecycle",
            "service": "ecr",
            "operation": "GetLifecyclePolicy",
            "params": {"repositoryName": name},
            "missing": [_NO_REPOSITORY, _NO_LIFECYCLE],
            "snake": True,
        },
        {
            "name": "tags",
            "service": "ecr",
            "operation": "ListTagsForResource",
            "params": {"resourceArn": repository_arn(name, caller, region)},
            "missing": [_NO_REPOSITORY],
            "snake": True,
        },
    ]


def repository(answers):
    """The repository in bluegreen.ecs.ecr_image_info's shape (snake case, ``tags`` a dict), {} when it does not
    exist."""
    found = ((answers or {}).get("repository") or {}).get("repositories") or []
    if not found:
        return {}
    return dict(found[0], tags=((answers or {}).get("tags") or {}).get("tags") or {})


def repository_in_sync(answers, image_tag_mutability, scan_on_push, lifecycle_policy):
    """community.aws.ecs_ecr (state present, no repository policy given) would change nothing: the repository exists
    with ``image_tag_mutability`` (any case, as the module upper-cases it), ``scan_on_push`` and a lifecycle policy
    equal to ``lifecycle_policy`` as the module compares them (amazon.aws compare_policies). The encryption the
    module cannot change; the role refuses a different one before this."""
    repo = repository(answers)
    text = ((answers or {}).get("lifecycle") or {}).get("lifecycle_policy_text")
    if not repo or not text:
        return False
    wanted = json.loads(lifecycle_policy) if isinstance(lifecycle_policy, str) else lifecycle_policy
    return (
        repo.get("image_tag_mutability") == str(image_tag_mutability).upper()
        and (repo.get("image_scanning_configuration") or {}).get("scan_on_push") is bool(scan_on_push)
        and not compare_policies(json.loads(text), wanted)
    )
