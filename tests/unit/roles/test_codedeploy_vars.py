# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The codedeploy role's derived values (vars/main.yml), rendered with jinja2 as Ansible renders them."""

import os

import jinja2
import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _render(name: str, context: dict) -> str:
    with open(os.path.join(ROOT, "roles", "codedeploy", "vars", "main.yml"), encoding="utf-8") as handle:
        role_vars = yaml.safe_load(handle)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    given = set(context)
    context = dict(context)
    for _round in range(3):  # vars refer to other vars of the role; those whose inputs are not given stay out
        for key, value in role_vars.items():
            if key.startswith("_") and isinstance(value, str) and key not in given:
                try:
                    context[key] = env.from_string(value).render(context).strip()
                except (jinja2.UndefinedError, jinja2.TemplateAssertionError):  # inputs or filters not given
                    continue
    value = role_vars[name]
    if isinstance(value, str):
        return env.from_string(value).render(context).strip()
    return yaml.safe_load(env.from_string(yaml.safe_dump(value)).render(context))


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_managed_policy_arn_is_in_the_caller_partition(partition):
    caller = {"partition": partition, "account": "123456789012"}
    policy = _render("_codedeploy_service_policy", {"_common_caller": caller})
    assert policy == f"arn:{partition}:iam::aws:policy/AWSCodeDeployRoleForECS"


def test_validation_function_may_report_only_to_its_own_group_and_log():
    from ansible_collections.bluegreen.ecs.plugins.module_utils import naming

    caller = {"partition": "aws-cn", "account": "123456789012"}
    names = naming.service_names("prd", "demo", "web")
    context = {"_common_caller": caller, "_codedeploy_names": names, "bluegreen_region": "cn-north-1"}
    policy = _render("_codedeploy_validation_policy", context)
    statements = {s["Sid"]: s for s in policy["Statement"]}
    prefix = "arn:aws-cn:codedeploy:cn-north-1:123456789012"
    assert statements["ReportHookStatus"]["Resource"] == f"{prefix}:deploymentgroup:prd-demo-web/prd-demo-web-dg"
    assert statements["ReadRevision"]["Resource"] == f"{prefix}:application:prd-demo-web"
    log_group = "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/lambda/CodeDeployHook_prd-demo-web-validate"
    assert statements["WriteOwnLog"]["Resource"] == [log_group, log_group + ":*"]
    assert _render("_codedeploy_validation_eni_policy", context) == (
        "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaENIManagementAccess"
    )


def test_service_role_is_assumed_by_codedeploy_for_this_account_only():
    caller = {"partition": "aws-us-gov", "account": "123456789012"}
    trust = _render("_codedeploy_trust_policy", {"_common_caller": caller, "bluegreen_region": "us-gov-west-1"})
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "codedeploy.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    # The same confused-deputy condition as the ecs role's task roles: this account, CodeDeploy in this region.
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws-us-gov:codedeploy:us-gov-west-1:123456789012:*"},
    }


def test_validation_function_of_an_ecs_service_may_read_only_its_own_revisions_and_log():
    from ansible_collections.bluegreen.ecs.plugins.module_utils import naming

    caller = {"partition": "aws", "account": "123456789012"}
    names = naming.service_names("prd", "demo", "api")
    context = {"_common_caller": caller, "_codedeploy_names": names, "bluegreen_region": "eu-west-1"}
    policy = _render("_codedeploy_validation_policy_ecs", context)
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert set(statements) == {"WriteOwnLog", "ReadServiceRevision", "ReadReleasedImage"}  # nothing of CodeDeploy
    assert statements["ReadServiceRevision"] == {
        "Sid": "ReadServiceRevision",
        "Effect": "Allow",
        "Action": "ecs:DescribeServiceRevisions",
        "Resource": "arn:aws:ecs:eu-west-1:123456789012:service-revision/prd-demo-cluster/prd-demo-api/*",
    }
