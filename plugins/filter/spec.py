# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that expose the collection's single source of names, tags and task definitions to roles."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.bluegreen.ecs.plugins.module_utils import codedeploy, context, naming, service_spec
from ansible_collections.bluegreen.ecs.plugins.module_utils import task_definition as taskdef


def _guard(func):
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (naming.NamingError, service_spec.SpecError) as exc:
            raise AnsibleFilterError(str(exc)) from None

    wrapper.__doc__ = func.__doc__
    return wrapper


def service_spec_filter(service, default_name=None):
    """Validate a service spec and fill its defaults."""
    return service_spec.normalize(service, default_name)


def service_context(service, host, env, project, extra_tags=None):
    """Spec, names, tags and VPC filters of one service host (roles/common resolves it once per host)."""
    return context.service_context(service, host, env, project, extra_tags)


def caller_context(caller_arn, account):
    """Partition and account of the caller, for ARNs."""
    try:
        return context.caller_context(caller_arn, account)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from None


def platform_names(env, project):
    """Names of the environment's shared resources."""
    return naming.platform_names(env, project)


def service_names(env, project, service, account_id=None, region=None):
    """Names of one service's resources (and the shared ones)."""
    return naming.service_names(env, project, service, account_id, region)


def resource_tags(env, project, application, extra=None):
    """Standard tags plus the user's."""
    return naming.resource_tags(env, project, application, extra)


def task_definition(spec, names, image, region, execution_role_arn, task_role_arn, bootstrap=False, database=None):
    """RegisterTaskDefinition arguments built from the service spec (``database``: the database_facts filter's)."""
    return taskdef.task_definition(
        spec, names, image, region, execution_role_arn, task_role_arn, bootstrap, database or None
    )


def database_facts(instance, database=""):
    """What a service needs of its DB instance (an amazon.aws.rds_instance_info instance)."""
    return taskdef.database_facts(instance, database)


def database_policy_statements(database, key_manager="AWS"):
    """IAM statements reading the database's secret (and decrypting it with a customer managed key)."""
    return taskdef.database_policy_statements(database, key_manager)


def database_egress_rules(database):
    """Egress rules of a service's security group to its database, and nothing wider."""
    return taskdef.database_egress_rules(database)


def deployment_config_name(env, project, service, strategy, percent=None, interval=None):
    """Name of the CodeDeploy deployment config for a strategy."""
    return naming.deployment_config_name(env, project, service, strategy, percent, interval)


def foreign_owner(tags, env, project, what="resource"):
    """Why a resource found by name belongs to another project or environment ('' when it is ours)."""
    return naming.foreign_owner(tags, env, project, what)


def code_deploy_service_plan(live, wanted):
    """What an existing CODE_DEPLOY service needs that ecs_service cannot apply: {'release': [...], 'refused': [...]}."""
    return codedeploy.code_deploy_service_plan(live, wanted)


class FilterModule:
    """bluegreen.ecs naming, tagging and task definition filters."""

    def filters(self):
        return {
            "service_spec": _guard(service_spec_filter),
            "service_context": _guard(service_context),
            "caller_context": caller_context,
            "platform_names": _guard(platform_names),
            "service_names": _guard(service_names),
            "resource_tags": _guard(resource_tags),
            "task_definition": _guard(task_definition),
            "database_facts": _guard(database_facts),
            "database_policy_statements": database_policy_statements,
            "database_egress_rules": database_egress_rules,
            "deployment_config_name": _guard(deployment_config_name),
            "foreign_owner": _guard(foreign_owner),
            "code_deploy_service_plan": code_deploy_service_plan,
        }
