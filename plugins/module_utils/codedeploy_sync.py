# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The codedeploy layer in one read, and whether its CodeDeploy writers would change anything (issue 15, converge
time).

``layer_reads`` lists the bluegreen.ecs.aws_batch_info reads of the whole layer (the ECS service, the CodeDeploy
application, config and group with their tags, the target groups, the two IAM roles, the validation function, its log
group, subnets and security groups); the ``*_in_sync`` predicates compare those raw answers with what the writers
(codedeploy_app, codedeploy_deployment_config, codedeploy_deployment_group) would send, through the same functions the
modules use (module_utils/codedeploy.py). When in doubt the answer is "write": the writer keeps its own checks and
comparison. Plain functions, exposed as filters (plugins/filter/codedeploy_sync.py)."""

from __future__ import annotations

from ansible_collections.bluegreen.ecs.plugins.module_utils import batch_read, codedeploy, iam_sync, tag_sync

# What a missing resource answers (API reference of each operation, "Errors").
_NO_APPLICATION = "ApplicationDoesNotExistException"
_NO_GROUP = "DeploymentGroupDoesNotExistException"
# CodeDeploy ListTagsForResource names no not-found error; an ARN of a missing resource answers one of these.
_NO_TAGGED = [_NO_APPLICATION, _NO_GROUP, "ResourceNotFoundException", "InvalidArnException"]


_read = batch_read.read


def layer_reads(names, application_arn, group_arn, config_name, vpc_id):
    """The reads of the codedeploy layer, by answer name: ``service`` (DescribeServices, raw), ``application``,
    ``application_tags``, ``config`` (only for a config of our own), ``group``, ``group_tags``, ``target_groups``,
    ``function`` (GetFunction), ``log_group`` (DescribeLogGroups by prefix), ``log_group_tags``, the IAM reads of the
    service role (``service_*``) and the validation role (``validation_*``, inline policy validation-hook) and, when
    ``vpc_id`` is known, ``subnets`` (app tier, snake_cased as ec2_vpc_subnet_info) and ``security_groups`` (the load
    balancer's and the validation function's, raw)."""
    app = names["codedeploy_app"]
    group = names["deployment_group"]
    reads = [
        _read(
            "service",
            "ecs",
            "DescribeServices",
            {"cluster": names["cluster"], "services": [names["service"]]},
            ["ClusterNotFoundException"],
        ),
        _read("application", "codedeploy", "GetApplication", {"applicationName": app}, [_NO_APPLICATION]),
        _read("application_tags", "codedeploy", "ListTagsForResource", {"ResourceArn": application_arn}, _NO_TAGGED),
        _read(
            "group",
            "codedeploy",
            "GetDeploymentGroup",
            {"applicationName": app, "deploymentGroupName": group},
            [_NO_APPLICATION, _NO_GROUP],
        ),
        _read("group_tags", "codedeploy", "ListTagsForResource", {"ResourceArn": group_arn}, _NO_TAGGED),
        # One call for both names: it answers TargetGroupNotFound when either is missing.
        _read(
            "target_groups",
            "elbv2",
            "DescribeTargetGroups",
            {"Names": [names["target_group_blue"], names["target_group_green"]]},
            ["TargetGroupNotFound"],
        ),
        _read(
            "function",
            "lambda",
            "GetFunction",
            {"FunctionName": names["validation_function"]},
            ["ResourceNotFoundException"],
        ),
        _read("log_group", "logs", "DescribeLogGroups", {"logGroupNamePrefix": names["validation_log_group"]}),
        _read(
            "log_group_tags",
            "logs",
            "ListTagsLogGroup",
            {"logGroupName": names["validation_log_group"]},
            ["ResourceNotFoundException"],
        ),
    ]
    if config_name and not codedeploy.is_predefined_config(config_name):
        reads.append(
            _read(
                "config",
                "codedeploy",
                "GetDeploymentConfig",
                {"deploymentConfigName": config_name},
                ["DeploymentConfigDoesNotExistException"],
            )
        )
    reads += iam_sync.role_reads(names["codedeploy_role"], "service")
    reads += iam_sync.role_reads(names["validation_role"], "validation", "validation-hook")
    if vpc_id:
        reads.append(
            _read(
                "subnets",
                "ec2",
                "DescribeSubnets",
                {"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "tag:Tier", "Values": ["app"]}]},
                snake=True,
            )
        )
        reads.append(
            _read(
                "security_groups",
                "ec2",
                "DescribeSecurityGroups",
                {
                    "Filters": [
                        {"Name": "vpc-id", "Values": [vpc_id]},
                        {
                            "Name": "group-name",
                            "Values": [names["alb_security_group"], names["validation_security_group"]],
                        },
                    ]
                },
            )
        )
    return reads


def _tags_in_sync(tag_answer, wanted):
    """Tags (purge_tags on) as tag_sync would bring them: nothing to add or remove; aws: tags are never purged."""
    if tag_answer is None:
        return False
    return tag_sync.in_sync(tag_answer.get("Tags"), wanted)


def application_in_sync(answers, compute_platform, tags):
    """codedeploy_app (state present, purge_tags on) would change nothing: the application exists on
    ``compute_platform`` with exactly ``tags``. Another platform is a write: the module refuses it with its reason."""
    answers = answers or {}
    application = (answers.get("application") or {}).get("application")
    return (
        bool(application)
        and application.get("computePlatform") == compute_platform
        and _tags_in_sync(answers.get("application_tags"), tags)
    )


def deployment_config_in_sync(answers, compute_platform, traffic_routing):
    """codedeploy_deployment_config (state present) would change nothing: the config exists with ``compute_platform``
    and the routing of ``traffic_routing`` (the module's option). Bad input is a write: the module names the option."""
    live = ((answers or {}).get("config") or {}).get("deploymentConfigInfo")
    if not live:
        return False
    try:
        routing = codedeploy.traffic_routing_config(traffic_routing)
    except codedeploy.CodeDeployError:
        return False
    wanted = {"computePlatform": compute_platform, "trafficRoutingConfig": routing}
    return codedeploy.normalize_deployment_config(live) == codedeploy.normalize_deployment_config(wanted)


def deployment_group_in_sync(answers, params, tags):
    """codedeploy_deployment_group (state present, purge_tags on) would change nothing: ``params`` (the module's
    options, service_role_arn an ARN) validate, both target groups exist, and the live group has the same managed
    settings (codedeploy.compare_deployment_group) and exactly ``tags``. The module's other checks (listeners, the
    service's controller) concern what the layer read itself: the listeners come from the load balancer read, the
    controller is decided by bluegreen.ecs.codedeploy_layer."""
    answers = answers or {}
    live = (answers.get("group") or {}).get("deploymentGroupInfo")
    role_arn = (params or {}).get("service_role_arn") or ""
    if not live or not role_arn.startswith("arn:"):
        return False
    if len((answers.get("target_groups") or {}).get("TargetGroups") or []) != 2:
        return False
    try:
        codedeploy.validate_deployment_group(params)
        request = codedeploy.deployment_group_request(params, role_arn)
    except (codedeploy.CodeDeployError, KeyError):
        return False
    before, after = codedeploy.compare_deployment_group(request, live)
    return before == after and _tags_in_sync(answers.get("group_tags"), tags)
