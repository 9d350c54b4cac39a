# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one naming scheme of the collection: ``<env>-<project>[-<service>]-<thing>``.

Shared layers (network, cluster) are named after the environment and project, service layers
(load balancer, service, deployment group, pipeline) after the project and the service too, so two
projects with a ``web`` service can share an account and an environment. Every name is checked
against the AWS length limit of its resource before any call is made.

Names alone cannot keep projects apart (``prd-a-b-web`` is project ``a`` with service ``b-web`` and
project ``a-b`` with service ``web``), so roles also refuse to adopt a resource whose ``Project``
tag names another project (``foreign_owner``).
"""

from __future__ import annotations

import re

from .discovery import namespace_name

MANAGED_BY = "bluegreen.ecs"

# AWS limits, from each service's API reference (CreateX / name constraints).
LIMITS = {
    "alb": 32,  # ELBv2 CreateLoadBalancer Name
    "target_group": 32,  # ELBv2 CreateTargetGroup Name
    "role": 64,  # IAM CreateRole RoleName
    "bucket": 63,  # S3 bucket naming rules
    "connection": 32,  # CodeConnections CreateConnection ConnectionName
    "codedeploy": 100,  # CodeDeploy application, deployment group, deployment config
    "pipeline": 100,  # CodePipeline name
    "lambda": 64,  # Lambda CreateFunction FunctionName (the name; 140 is for a full ARN)
    "tag": 256,  # EC2 CreateTags Tag Value: the Name of subnets, route tables, NAT gateways, addresses, endpoints
    "stack": 128,  # CloudFormation CreateStack StackName
    "log_group": 512,  # CloudWatch Logs CreateLogGroup logGroupName
    "db_instance": 63,  # RDS CreateDBInstance DBInstanceIdentifier (letters, digits, '-'; no '--', no trailing '-')
    "dns_name": 253,  # Cloud Map CreatePrivateDnsNamespace Name (a DNS name)
    "default": 255,  # ECS cluster/service/family, ECR, CodeBuild, security groups, ...
}

_LABEL = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")

# name key -> (suffix, limit key); service-level names.
SERVICE_NAMES = {
    "repository": ("", "default"),
    "alb": ("alb", "alb"),
    "alb_security_group": ("alb-sg", "default"),
    "target_group_blue": ("blue", "target_group"),
    "target_group_green": ("green", "target_group"),
    "log_group": ("logs", "default"),
    "family": ("", "default"),
    "container": (None, "default"),
    "service": ("", "default"),
    "service_security_group": ("svc-sg", "default"),
    "execution_role": ("exec-role", "role"),
    "task_role": ("task-role", "role"),
    # The role ECS-native blue/green assumes to move the listener rules (LoadBalancer.advancedConfiguration.roleArn).
    "ecs_lb_role": ("ecs-lb-role", "role"),
    "scaling_cpu": ("scale-cpu", "default"),
    "scaling_memory": ("scale-memory", "default"),
    "codedeploy_app": ("", "codedeploy"),
    "deployment_group": ("dg", "codedeploy"),
    "codedeploy_role": ("codedeploy-role", "role"),
    "codebuild_project": ("build", "default"),
    "codebuild_role": ("codebuild-role", "role"),
    "pipeline": ("pipeline", "pipeline"),
    "pipeline_role": ("pipeline-role", "role"),
    "connection": ("gh", "connection"),
    "validation_function": ("validate", "lambda"),
    "validation_role": ("validate-role", "role"),
    "validation_security_group": ("validate-sg", "default"),
    # CodeBuild's default log group of the project (community.aws.codebuild_project cannot set another).
    "codebuild_log_group": ("build", "log_group"),
    # The pipeline's deploy step for an ECS-native service: a CodeBuild project in the app subnets, its role,
    # security group and (CodeBuild's default) log group.
    "deploy_project": ("deploy", "default"),
    "deploy_role": ("deploy-role", "role"),
    "deploy_security_group": ("deploy-sg", "default"),
    "deploy_log_group": ("deploy", "log_group"),
    # Lambda's log group of the validation function, /aws/lambda/<function name> (Lambda Developer Guide).
    "validation_log_group": ("validate", "log_group"),
}

# Names that must start with a fixed prefix. AWSCodeDeployRoleForECSLimited lets CodeDeploy invoke only
# functions named CodeDeployHook_* (AWS managed policy reference); AWSCodeDeployRoleForECS allows any, so the
# prefix keeps the hook working under either policy.
SERVICE_PREFIXES = {
    "validation_function": "CodeDeployHook_",
    "codebuild_log_group": "/aws/codebuild/",
    "deploy_log_group": "/aws/codebuild/",
    "validation_log_group": "/aws/lambda/CodeDeployHook_",
}

# Environment-level (shared) names.
PLATFORM_NAMES = {
    "vpc": ("vpc", "default"),
    "igw": ("igw", "default"),
    "cluster": ("cluster", "default"),
    "flow_logs_group": ("flow-logs", "default"),
    "flow_logs_role": ("flow-logs-role", "role"),
    "endpoint_security_group": ("endpoints-sg", "default"),
    # Name tag of the VPC's default security group (the group itself is always called "default").
    "default_security_group": ("vpc-default", "tag"),
    "flow_logs_stack": ("vpc-flow-logs", "stack"),
    "flow_log": ("vpc-flow-log", "tag"),
    # RDS CreateDBSubnetGroup DBSubnetGroupName: up to 255 letters, digits, '.', '_', '-' and spaces.
    "db_subnet_group": ("db-subnets", "default"),
}

# name key -> (suffix, limit key); one PostgreSQL database of the environment (db role), <env>-<project>-<db>-<suffix>.
DATABASE_NAMES = {
    "instance": ("db", "db_instance"),
    "security_group": ("db-sg", "default"),
    # DeleteDBInstance FinalDBSnapshotIdentifier: up to 255; the role appends the UTC time of the destroy.
    "final_snapshot_prefix": ("db-final", "default"),
}

# The VPC's subnet tiers, in the order the vpc role creates them (one subnet per tier and AZ).
NETWORK_TIERS = ("public", "app", "data")


class NamingError(ValueError):
    """A name breaks an AWS rule; the message names the input variable and the limit."""


def check_label(value, field):
    """Environment, project and service names: lowercase DNS-style labels."""
    if not isinstance(value, str) or not _LABEL.match(value):
        raise NamingError(
            f"{field}: {value!r} is not a valid name; use lowercase letters, digits and '-', "
            "starting with a letter and ending with a letter or digit"
        )
    return value


def _join(*parts):
    return "-".join(p for p in parts if p)


def _checked(name, limit_key, key, field):
    limit = LIMITS[limit_key]
    if len(name) > limit:
        raise NamingError(
            f"{field}: the {key} name {name!r} is {len(name)} characters; AWS allows at most {limit}. Choose a shorter {field}."
        )
    return name


def platform_names(env, project):
    """Names of the environment's shared resources (one VPC and one cluster per environment)."""
    check_label(env, "bluegreen_env")
    check_label(project, "bluegreen_project")
    names = {
        key: _checked(_join(env, project, suffix), limit, key, "bluegreen_project")
        for key, (suffix, limit) in PLATFORM_NAMES.items()
    }
    # The Cloud Map private DNS namespace of the environment (module_utils/discovery.py): a DNS name, 253 at most.
    names["discovery_namespace"] = _checked(
        namespace_name(env, project), "dns_name", "discovery_namespace", "bluegreen_project"
    )
    return names


def service_names(env, project, service, account_id=None, region=None):
    """Names of one service's resources. ``account_id``/``region`` complete the globally unique bucket name."""
    names = platform_names(env, project)
    check_label(service, "bluegreen_service.name")
    for key, (suffix, limit) in SERVICE_NAMES.items():
        name = service if suffix is None else _join(env, project, service, suffix)
        name = SERVICE_PREFIXES.get(key, "") + name
        names[key] = _checked(name, limit, key, "bluegreen_service.name")
    names["deployment_config_prefix"] = deployment_config_prefix(env, project, service)
    if account_id and region:
        bucket = _join(env, project, service, "artifacts", str(account_id), region)
        names["artifact_bucket"] = _checked(bucket, "bucket", "artifact_bucket", "bluegreen_service.name")
    return names


def database_names(env, project, database, field="db_instances[].name"):
    """Names of one database's resources. The instance identifier is RDS's strictest (63, no '--')."""
    check_label(env, "bluegreen_env")
    check_label(project, "bluegreen_project")
    check_label(database, field)
    names = {}
    for key, (suffix, limit) in DATABASE_NAMES.items():
        name = _checked(_join(env, project, database, suffix), limit, key, field)
        if "--" in name:
            raise NamingError(f"{field}: the {key} name {name!r} has two consecutive hyphens, which RDS refuses")
        names[key] = name
    return names


def alb_logs_bucket(env, project, service, account_id, region):
    """The default ALB access-log bucket, ``<alb name>-logs-<account>-<region>`` (bucket names are global, so the
    account and region keep it unique). Too long for S3 (63), it names the variable that overrides it."""
    bucket = _join(env, project, service, SERVICE_NAMES["alb"][0], "logs", str(account_id), region)
    return _checked(bucket, "bucket", "alb_logs_bucket", "alb_access_logs_bucket")


def network_names(vpc_name, azs, endpoint_services=()):
    """Names (Name tags) of what the vpc role makes inside the VPC, each ``<vpc name>-<part>``.

    Per tier and AZ (AZ order): subnets ``-<tier>-<az>``; per AZ: NAT gateways and their elastic IPs
    ``-nat-<az>``, app route tables ``-app-<az>`` (each AZ's app subnet leaves through its own NAT gateway);
    one public and one data route table; endpoints ``-<service short name>`` (``s3`` always).
    ``nat_gateway_prefix`` finds the elastic IPs of NAT gateways whatever their AZ.
    """

    def name(*parts):
        return _checked(_join(vpc_name, *parts), "tag", _join(*parts), "bluegreen_project")

    return {
        "subnets": {tier: [name(tier, az) for az in azs] for tier in NETWORK_TIERS},
        "nat_gateways": [name("nat", az) for az in azs],
        "route_tables": {"public": name("public"), "app": [name("app", az) for az in azs], "data": name("data")},
        "endpoints": {service: name(service) for service in ("s3", *endpoint_services)},
        "nat_gateway_prefix": name("nat") + "-",
    }


def deployment_config_prefix(env, project, service):
    """What the name of each of the service's own deployment configs starts with (its policies allow ``<prefix>*``)."""
    return _join(env, project, service) + "-"


def deployment_config_name(env, project, service, strategy, percent=None, interval=None):
    """Deployment configs cannot be updated, so the name carries the settings: a change makes a new config."""
    if strategy == "all_at_once":
        return "CodeDeployDefault.ECSAllAtOnce"
    name = deployment_config_prefix(env, project, service) + f"{strategy}{percent}pct-{interval}min"
    return _checked(name, "codedeploy", "deployment_config", "bluegreen_service.name")


def resource_tags(env, project, application, extra=None):
    """Tags every resource carries; lookups by role find resources through them."""
    tags = dict(extra or {})
    tags.update({"Environment": env, "Project": project, "Application": application, "ManagedBy": MANAGED_BY})
    return tags


def _tag_map(tags):
    """Tags as a dict, from either AWS's list of Key/Value pairs (any casing) or a dict."""
    if isinstance(tags, dict):
        return tags
    pairs = {}
    for tag in tags or []:
        key = tag.get("Key", tag.get("key"))
        pairs[key] = tag.get("Value", tag.get("value"))
    return pairs


def foreign_owner(tags, env, project, what="resource"):
    """Why a resource found by our name must not be adopted, or '' when it is ours (or untagged).

    A resource we made carries ``ManagedBy``/``Environment``/``Project``; one that carries them with
    another project or environment belongs to someone else, whatever its name says.
    """
    tags = _tag_map(tags)
    if tags.get("ManagedBy") != MANAGED_BY:
        return ""
    for key, ours in (("Project", project), ("Environment", env)):
        theirs = tags.get(key)
        if theirs is not None and theirs != ours:
            return (
                f"{what} is tagged {key}={theirs}, not {ours}: it belongs to another bluegreen.ecs {key.lower()} "
                "with a name that collides with this one; refusing to adopt it. Rename bluegreen_project or the service."
            )
    return ""
