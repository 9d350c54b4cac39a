"""The ecr role's read and its convergence check: the writer is skipped only when what it manages already matches."""

import json

import pytest

from ansible_collections.bluegreen.ecs.plugins.filter.ecr_sync import FilterModule
from ansible_collections.bluegreen.ecs.plugins.module_utils import ecr_sync

CALLER = {"account": "123456789012", "partition": "aws"}
POLICY = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Expire untagged images after 14 days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        }
    ]
}


_UNSET = object()


def answers(mutability="IMMUTABLE", scan=True, policy=_UNSET, tags=None):
    policy = POLICY if policy is _UNSET else policy
    return {
        "repository": {
            "repositories": [
                {
                    "repository_name": "r",
                    "image_tag_mutability": mutability,
                    "image_scanning_configuration": {"scan_on_push": scan},
                    "encryption_configuration": {"encryption_type": "AES256"},
                }
            ]
        },
        "lifecycle": None if policy is None else {"lifecycle_policy_text": json.dumps(policy)},
        "tags": {"tags": {"ManagedBy": "bluegreen.ecs"} if tags is None else tags},
    }


def test_the_reads_name_the_repository_and_its_arn_in_the_callers_partition():
    reads = {read["name"]: read for read in ecr_sync.reads("r", dict(CALLER, partition="aws-cn"), "cn-north-1")}
    assert reads["repository"]["params"] == {"repositoryNames": ["r"]}
    assert reads["lifecycle"]["missing"] == ["RepositoryNotFoundException", "LifecyclePolicyNotFoundException"]
    assert reads["tags"]["params"]["resourceArn"] == "arn:aws-cn:ecr:cn-north-1:123456789012:repository/r"


def test_the_repository_has_the_info_modules_shape_and_is_empty_when_missing():
    assert ecr_sync.repository(answers())["tags"] == {"ManagedBy": "bluegreen.ecs"}
    assert ecr_sync.repository(answers())["encryption_configuration"]["encryption_type"] == "AES256"
    assert ecr_sync.repository({"repository": None, "lifecycle": None, "tags": None}) == {}


def test_a_matching_repository_needs_no_writer_whatever_the_case_or_json_form():
    assert ecr_sync.repository_in_sync(answers(), "immutable", True, POLICY)
    assert ecr_sync.repository_in_sync(answers(), "IMMUTABLE", True, json.dumps(POLICY))


@pytest.mark.parametrize(
    "live",
    [
        {"repository": None, "lifecycle": None, "tags": None},
        answers(mutability="MUTABLE"),
        answers(scan=False),
        answers(policy=None),
        answers(
            policy={"rules": [dict(POLICY["rules"][0], selection=dict(POLICY["rules"][0]["selection"], countNumber=7))]}
        ),
    ],
    ids=["missing", "mutable", "no-scan", "no-lifecycle", "other-lifecycle"],
)
def test_a_missing_or_different_repository_runs_the_writer(live):
    assert not ecr_sync.repository_in_sync(live, "IMMUTABLE", True, POLICY)


def test_the_filters_expose_the_checks_and_name_themselves_on_bad_input():
    filters = FilterModule().filters()
    assert set(filters) == {"ecr_reads", "ecr_repository", "ecr_repository_in_sync"}
    with pytest.raises(Exception, match="^ecr_reads: "):
        filters["ecr_reads"]("r", {}, "us-east-1")
