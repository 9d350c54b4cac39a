# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether amazon.aws.iam_role / iam_policy would change a role the roles manage (issue 15, converge time).

A role's IAM state is read once with bluegreen.ecs.aws_batch_info (``role_reads``: GetRole, ListAttachedRolePolicies,
GetRolePolicy; raw answers, botocore decodes the policy documents); the writers run only when these say the role or
its inline policy differs in something they manage. When in doubt the answer is "write": the writer keeps its own
comparison. Plain functions, exposed as filters (plugins/filter/iam_sync.py)."""

from __future__ import annotations

import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync


def role_reads(role_name, key, policy_name=None):
    """The aws_batch_info reads of one role: ``<key>_role``, ``<key>_attached`` and, when ``policy_name`` is given,
    ``<key>_policy`` (its inline policy). A missing role or policy reads as null."""
    reads = [
        {
            "name": f"{key}_role",
            "service": "iam",
            "operation": "GetRole",
            "params": {"RoleName": role_name},
            "missing": ["NoSuchEntity"],
        },
        {
            "name": f"{key}_attached",
            "service": "iam",
            "operation": "ListAttachedRolePolicies",
            "params": {"RoleName": role_name},
            "missing": ["NoSuchEntity"],
        },
    ]
    if policy_name:
        reads.append(
            {
                "name": f"{key}_policy",
                "service": "iam",
                "operation": "GetRolePolicy",
                "params": {"RoleName": role_name, "PolicyName": policy_name},
                "missing": ["NoSuchEntity"],
            }
        )
    return reads


def _document(value):
    """A policy as plain JSON data: ansible-core 2.19 hands filters tagged strings, which compare_policies cannot order
    against its tuples (its fallback looks for 'str' in the TypeError's text)."""
    return json.loads(value if isinstance(value, str) else json.dumps(value))


def role_in_sync(answers, key, trust, description, tags, managed_arns=()):
    """amazon.aws.iam_role (purge_policies and purge_tags on) would change nothing on the role read under ``key``:
    it exists with the ``trust`` policy, ``description``, exactly ``tags`` and exactly ``managed_arns`` attached."""
    role = ((answers or {}).get(f"{key}_role") or {}).get("Role")
    attached = (answers or {}).get(f"{key}_attached")
    if not role or attached is None:
        return False
    live_arns = {policy["PolicyArn"] for policy in attached.get("AttachedPolicies", [])}
    return (
        not compare_policies(_document(role.get("AssumeRolePolicyDocument")) or {}, _document(trust))
        and (not description or role.get("Description") == description)
        and tag_sync.in_sync(role.get("Tags"), tags)
        and live_arns == set(managed_arns or ())
    )


def policy_in_sync(answers, key, document):
    """amazon.aws.iam_policy would change nothing on the inline policy read under ``key``: with ``document`` (state
    present) it holds that document; with none (state absent) it does not exist."""
    live = ((answers or {}).get(f"{key}_policy") or {}).get("PolicyDocument")
    if not document:
        return live is None
    return live is not None and not compare_policies(_document(live), _document(document))
