# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IAM predicates get their documents from Ansible templates: ansible-core 2.19 hands filters tagged strings
(_AnsibleTaggedStr), which amazon.aws's compare_policies cannot order against its tuples (its fallback looks for
'str' in the TypeError's text). They compare as plain JSON data."""

from ansible._internal._datatag._tags import Origin

from ansible_collections.bluegreen.ecs.plugins.module_utils import iam_sync


def tagged(value):
    return Origin(path="/roles/x/vars/main.yml").tag(value)


# Actions and resources as strings in some statements and lists in others: compare_policies then orders a string
# against a tuple.
DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "WriteOwnLog",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": ["arn:aws:logs:us-east-1:1:log-group:/x", "arn:aws:logs:us-east-1:1:log-group:/x:*"],
        },
        {
            "Sid": "ReportHookStatus",
            "Effect": "Allow",
            "Action": ["codedeploy:PutLifecycleEventHookExecutionStatus", "codedeploy:GetDeployment"],
            "Resource": "arn:aws:codedeploy:us-east-1:1:deploymentgroup:a/b",
        },
        {"Sid": "ReadRevision", "Effect": "Allow", "Action": "codedeploy:GetApplicationRevision", "Resource": "arn:1"},
        {"Sid": "ReadReleasedImage", "Effect": "Allow", "Action": "ecs:DescribeTaskDefinition", "Resource": "*"},
    ],
}


def tag_all(value):
    if isinstance(value, dict):
        return {tagged(key): tag_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tag_all(item) for item in value]
    return tagged(value)


def as_template_output():
    return tag_all(DOCUMENT)


def test_tagged_documents_compare_like_plain_ones():
    answers = {"k_policy": {"PolicyDocument": DOCUMENT}}
    assert iam_sync.policy_in_sync(answers, "k", as_template_output())
    changed = as_template_output()
    changed["Statement"][3]["Resource"] = [tagged("arn:2")]
    assert not iam_sync.policy_in_sync(answers, "k", changed)


def test_tagged_trust_policies_compare_like_plain_ones():
    role = {"Description": "d", "AssumeRolePolicyDocument": DOCUMENT, "Tags": []}
    answers = {"k_role": {"Role": role}, "k_attached": {"AttachedPolicies": []}}
    assert iam_sync.role_in_sync(answers, "k", as_template_output(), "d", {})
