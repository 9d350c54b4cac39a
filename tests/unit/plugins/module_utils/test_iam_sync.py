# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import json

import pytest

from ansible_collections.bluegreen.ecs.plugins.module_utils import iam_sync

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"}]}
TAGS = {"Project": "demo", "ManagedBy": "bluegreen.ecs"}


def answers(**change):
    role = {
        "RoleName": "r",
        "Description": "the role",
        "AssumeRolePolicyDocument": TRUST,
        "Tags": [{"Key": k, "Value": v} for k, v in TAGS.items()] + [{"Key": "aws:cloudformation:x", "Value": "y"}],
    }
    role.update(change)
    return {
        "t_role": {"Role": role},
        "t_attached": {"AttachedPolicies": []},
        "t_policy": {"PolicyDocument": POLICY},
    }


def test_reads_name_each_answer_and_the_inline_policy_only_when_asked():
    assert [read["name"] for read in iam_sync.role_reads("r", "t")] == ["t_role", "t_attached"]
    reads = iam_sync.role_reads("r", "t", "p")
    assert reads[2]["params"] == {"RoleName": "r", "PolicyName": "p"}
    assert all(read["missing"] == ["NoSuchEntity"] for read in reads)


def test_converged_role_is_in_sync_whatever_the_statement_order_or_json_form():
    assert iam_sync.role_in_sync(answers(), "t", json.dumps(TRUST), "the role", TAGS)


@pytest.mark.parametrize(
    ("change", "tags", "managed"),
    [
        ({"Description": "old"}, TAGS, ()),
        (
            {"AssumeRolePolicyDocument": dict(TRUST, Statement=[dict(TRUST["Statement"][0], Action="sts:TagSession")])},
            TAGS,
            (),
        ),
        ({}, dict(TAGS, Extra="1"), ()),
        ({}, TAGS, ("arn:aws:iam::aws:policy/ReadOnlyAccess",)),
    ],
)
def test_any_managed_difference_makes_the_writer_run(change, tags, managed):
    assert not iam_sync.role_in_sync(answers(**change), "t", TRUST, "the role", tags, managed)


def test_missing_role_is_not_in_sync():
    assert not iam_sync.role_in_sync({"t_role": None, "t_attached": None}, "t", TRUST, "d", TAGS)


def test_inline_policy_present_and_absent():
    assert iam_sync.policy_in_sync(answers(), "t", POLICY)
    assert not iam_sync.policy_in_sync(answers(), "t", dict(POLICY, Statement=[]))
    assert not iam_sync.policy_in_sync(answers(), "t", {})
    assert iam_sync.policy_in_sync({"t_policy": None}, "t", {})
    assert not iam_sync.policy_in_sync({"t_policy": None}, "t", POLICY)
