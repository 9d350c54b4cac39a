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
    context = dict(context)
    for _ in range(3):  # vars refer to other vars of the role
        context.update(
            {key: env.from_string(value).render(context) for key, value in role_vars.items() if key.startswith("_")}
        )
    return env.from_string(role_vars[name]).render(context)


@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov"])
def test_managed_policy_arn_is_in_the_caller_partition(partition):
    caller = {"arn": f"arn:{partition}:iam::123456789012:user/deployer", "account": "123456789012"}
    policy = _render("codedeploy_service_policy", {"_codedeploy_caller": caller})
    assert policy == f"arn:{partition}:iam::aws:policy/AWSCodeDeployRoleForECS"
