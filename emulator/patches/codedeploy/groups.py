"""CodeDeploy applications, deployment groups and their tags.

Follows:
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_CreateDeploymentGroup.html (config name checked, ECS default config)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_GetDeploymentGroup.html and
  https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentGroupInfo.html (shape of the answer)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_UpdateDeploymentGroup.html (incl. rename)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeleteDeploymentGroup.html
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_BatchGetDeploymentGroups.html
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_ListDeploymentGroups.html (no empty nextToken)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeleteApplication.html (its groups go too)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_UpdateApplication.html
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_TagResource.html, API_UntagResource.html,
  API_ListTagsForResource.html (unknown application / group ARNs are errors)

What CreateDeploymentGroup / UpdateDeploymentGroup check before storing (``check_group``), with the error codes
botocore's codedeploy model lists for them:
- the service role (https://docs.aws.amazon.com/codedeploy/latest/userguide/getting-started-create-service-role.html):
  it exists, its trust policy lets codedeploy.amazonaws.com assume it, and IAM has propagated it (a role created a
  moment ago is not visible yet: emulator/patches/iam.py) -> InvalidRoleException, as AWS answers when it cannot
  assume the role;
- an ECS group (https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-groups-create-ecs.html,
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-bluegreen.html): one ECS service
  that exists and uses the CODE_DEPLOY deployment controller (InvalidECSServiceException), in no other deployment
  group (ECSServiceMappingLimitExceededException: "An Amazon ECS service can be associated with only one deployment
  group"), and a target group pair of exactly two target groups (TargetGroupPairInfo) whose production and test
  routes have at most one listener each (TrafficRoute.listenerArns: "an array of strings with a maximum size of
  one") -> InvalidTargetGroupPairException.
"""

from moto.codedeploy.responses import CodeDeployResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import camelcase_to_underscores
from moto.ecs.models import ecs_backends
from moto.iam.models import iam_backends

from emulator.patches import iam
from emulator.patches._util import aws_error
from emulator.patches.codedeploy.configs import DEFAULT_FOR_PLATFORM, require_config

# Optional CreateDeploymentGroup / UpdateDeploymentGroup members stored as-is on moto's DeploymentGroup.
GROUP_FIELDS = (
    "ec2TagFilters",
    "onPremisesInstanceTagFilters",
    "autoScalingGroups",
    "serviceRoleArn",
    "triggerConfigurations",
    "alarmConfiguration",
    "autoRollbackConfiguration",
    "outdatedInstancesStrategy",
    "deploymentStyle",
    "blueGreenDeploymentConfiguration",
    "loadBalancerInfo",
    "ec2TagSet",
    "ecsServices",
    "onPremisesTagSet",
    "ec2DeploymentOptions",
    "terminationHookEnabled",
)
# Returned only when set (CodeDeploy omits them otherwise).
OPTIONAL_OUTPUT = (
    "autoRollbackConfiguration",
    "blueGreenDeploymentConfiguration",
    "loadBalancerInfo",
    "ec2TagSet",
    "onPremisesTagSet",
    "ec2DeploymentOptions",
)


def _attr(field: str) -> str:
    return camelcase_to_underscores(field)


def default_style(platform: str) -> dict:
    if platform in ("ECS", "Lambda"):
        return {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"}
    return {"deploymentType": "IN_PLACE", "deploymentOption": "WITHOUT_TRAFFIC_CONTROL"}


def _alarm_configuration(value) -> dict:
    value = value or {}
    return {
        "enabled": bool(value.get("enabled", False)),
        "ignorePollAlarmFailure": bool(value.get("ignorePollAlarmFailure", False)),
        "alarms": list(value.get("alarms") or []),
    }


def _last_deployment(backend, group, status: str | None = None) -> dict | None:
    found = [
        d
        for d in backend.deployments.values()
        if d.deployment_group is group and (status is None or d.status == status)
    ]
    if not found:
        return None
    latest = max(found, key=lambda d: d.create_time)
    info = {"deploymentId": latest.deployment_id, "status": latest.status, "createTime": latest.create_time}
    if latest.complete_time:
        info["endTime"] = latest.complete_time
    return info


def group_info(backend, group) -> dict:
    """DeploymentGroupInfo as CodeDeploy shapes it: lists always present, unset structures omitted."""
    platform = group.application.compute_platform or "Server"
    info = {
        "applicationName": group.application.application_name,
        "deploymentGroupId": group.deployment_group_id,
        "deploymentGroupName": group.deployment_group_name,
        "deploymentConfigName": str(group.deployment_config_name),
        "ec2TagFilters": list(group.ec2_tag_filters or []),
        "onPremisesInstanceTagFilters": list(group.on_premises_instance_tag_filters or []),
        "autoScalingGroups": [{"name": name} for name in group.auto_scaling_groups or []],
        "serviceRoleArn": group.service_role_arn,
        "triggerConfigurations": list(group.trigger_configurations or []),
        "alarmConfiguration": _alarm_configuration(group.alarm_configuration),
        "deploymentStyle": group.deployment_style or default_style(platform),
        "outdatedInstancesStrategy": group.outdated_instances_strategy or "UPDATE",
        "computePlatform": platform,
        "ecsServices": list(group.ecs_services or []),
        "terminationHookEnabled": bool(group.termination_hook_enabled),
    }
    for field in OPTIONAL_OUTPUT:
        value = getattr(group, _attr(field), None)
        if value:
            info[field] = value
    for key, status in (("lastAttemptedDeployment", None), ("lastSuccessfulDeployment", "Succeeded")):
        last = _last_deployment(backend, group, status)
        if last:
            info[key] = last
    return info


def _move_tags(backend, old_arn: str, new_arn: str) -> None:
    tags = backend.tagger.list_tags_for_resource(old_arn)["Tags"]
    backend.tagger.delete_all_tags_for_resource(old_arn)
    if tags:
        backend.tagger.tag_resource(new_arn, tags)


def _group_arn(backend, app_name: str, group_name: str) -> str:
    return backend._deployment_group_arn(app_name, group_name)  # pylint: disable=protected-access


def _app_arn(backend, app_name: str) -> str:
    return backend._application_arn(app_name)  # pylint: disable=protected-access


def _check_resource_arn(backend, arn: str) -> None:
    """TagResource & co. answer ...DoesNotExistException for an application or group that does not exist."""
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    kind, name = (resource.split(":", 1) + [""])[:2]
    if kind == "application":
        backend.get_application(name)
    elif kind == "deploymentgroup" and "/" in name:
        backend.get_deployment_group(*name.split("/", 1))
    elif kind != "deploymentconfig":
        raise aws_error(
            "InvalidArnException", f"The ARN {arn} is not a CodeDeploy application or deployment group ARN."
        )


def check_role(backend, role_arn: str | None) -> None:
    """InvalidRoleException unless CodeDeploy could assume ``role_arn`` now (exists, trusts it, propagated)."""
    if not role_arn:
        raise aws_error("RoleRequiredException", "Role ARN is required for deployment group creation.")
    denied = aws_error(
        "InvalidRoleException", f"AWS CodeDeploy does not have the permissions required to assume the role {role_arn}."
    )
    try:
        role = iam_backends[backend.account_id][backend.partition].get_role_by_arn(role_arn)
    except Exception:  # moto's IAMNotFoundException: CodeDeploy sees only that it cannot assume the role
        raise denied from None
    if not iam.trusts_service(role, "codedeploy.amazonaws.com") or not iam.role_propagated(role):
        raise denied


def _ecs_service(backend, cluster: str, name: str):
    services = ecs_backends[backend.account_id][backend.region_name].services
    cluster_name = cluster.rsplit("/", 1)[-1]
    service = services.get(f"{cluster_name}:{name.rsplit('/', 1)[-1]}")
    return service if service is not None and service.status == "ACTIVE" else None


def check_ecs_services(backend, app_name: str, group_name: str, ecs_services: list) -> None:
    """One existing CODE_DEPLOY service, not already in another deployment group."""
    if len(ecs_services) > 1:
        raise aws_error("InvalidECSServiceException", "A deployment group can be associated with only one ECS service.")
    for entry in ecs_services:
        cluster, name = entry.get("clusterName") or "", entry.get("serviceName") or ""
        service = _ecs_service(backend, cluster, name)
        if service is None:
            raise aws_error(
                "InvalidECSServiceException", f"The ECS service {name} in cluster {cluster} does not exist."
            )
        if (service.deployment_controller or {}).get("type") != "CODE_DEPLOY":
            raise aws_error(
                "InvalidECSServiceException",
                "Deployment group's ECS service must be configured for a CODE_DEPLOY deployment controller.",
            )
        for other_app, groups in backend.deployment_groups.items():
            for other_name, other in groups.items():
                if (other_app, other_name) == (app_name, group_name):
                    continue
                taken = {
                    (s.get("clusterName", "").rsplit("/", 1)[-1], s.get("serviceName"))
                    for s in other.ecs_services or []
                }
                if (cluster.rsplit("/", 1)[-1], name) in taken:
                    raise aws_error(
                        "ECSServiceMappingLimitExceededException",
                        f"The ECS service {name} in cluster {cluster} is already associated with deployment group "
                        f"{other_name} of application {other_app}; an ECS service can be associated with only one "
                        "deployment group.",
                    )


def check_target_group_pairs(load_balancer_info: dict) -> None:
    """Each pair: exactly two target groups, at most one listener per traffic route."""
    for pair in load_balancer_info.get("targetGroupPairInfoList") or []:
        if len(pair.get("targetGroups") or []) != 2:
            raise aws_error(
                "InvalidTargetGroupPairException", "A target group pair must contain exactly two target groups."
            )
        for route in ("prodTrafficRoute", "testTrafficRoute"):
            if len((pair.get(route) or {}).get("listenerArns") or []) > 1:
                raise aws_error(
                    "InvalidTargetGroupPairException",
                    f"The {route} of a target group pair can have at most one listener ARN.",
                )


def check_group(backend, app, group_name: str, fields: dict) -> None:
    """What AWS checks before it stores a group (see the module docstring); ``fields`` holds the sent members."""
    if "serviceRoleArn" in fields:
        check_role(backend, fields["serviceRoleArn"])
    if (app.compute_platform or "Server") != "ECS":
        return
    if fields.get("ecsServices") is not None:
        check_ecs_services(backend, app.application_name, group_name, fields["ecsServices"])
    if fields.get("loadBalancerInfo") is not None:
        check_target_group_pairs(fields["loadBalancerInfo"])


class DeploymentGroupPatch(CodeDeployResponse):
    """Operations copied onto moto's CodeDeployResponse."""

    def create_deployment_group(self):
        backend = self.codedeploy_backend
        app_name = self._get_param("applicationName")
        app = backend.get_application(app_name)
        config = self._get_param("deploymentConfigName") or DEFAULT_FOR_PLATFORM.get(app.compute_platform or "Server")
        require_config(backend, config)
        sent = {field: self._get_param(field) for field in ("ecsServices", "loadBalancerInfo")}
        sent["serviceRoleArn"] = self._get_param("serviceRoleArn")
        check_group(backend, app, self._get_param("deploymentGroupName"), sent)
        fields = {_attr(field): self._get_param(field) for field in GROUP_FIELDS if field != "ec2DeploymentOptions"}
        group_id = backend.create_deployment_group(
            application_name=app_name,
            deployment_group_name=self._get_param("deploymentGroupName"),
            deployment_config_name=config,
            tags=self._get_param("tags"),
            **fields,
        )
        group = backend.deployment_groups[app_name][self._get_param("deploymentGroupName")]
        group.ec2_deployment_options = self._get_param("ec2DeploymentOptions")
        return ActionResult({"deploymentGroupId": group_id})

    def get_deployment_group(self):
        backend = self.codedeploy_backend
        group = backend.get_deployment_group(self._get_param("applicationName"), self._get_param("deploymentGroupName"))
        return ActionResult({"deploymentGroupInfo": group_info(backend, group)})

    def batch_get_deployment_groups(self):
        backend = self.codedeploy_backend
        app_name = self._get_param("applicationName")
        backend.get_application(app_name)
        groups = backend.deployment_groups.get(app_name, {})
        names = self._get_param("deploymentGroupNames") or []
        missing = [name for name in names if name not in groups]
        result = {"deploymentGroupsInfo": [group_info(backend, groups[name]) for name in names if name in groups]}
        if missing:
            result["errorMessage"] = f"Deployment groups not found: {', '.join(missing)}"
        return ActionResult(result)

    def list_deployment_groups(self):
        backend = self.codedeploy_backend
        app_name = self._get_param("applicationName")
        backend.get_application(app_name)
        names = sorted(backend.deployment_groups.get(app_name, {}))
        return ActionResult({"applicationName": app_name, "deploymentGroups": names})

    def update_deployment_group(self):
        backend = self.codedeploy_backend
        app_name = self._get_param("applicationName")
        current = self._get_param("currentDeploymentGroupName")
        group = backend.get_deployment_group(app_name, current)
        new_name = self._get_param("newDeploymentGroupName")
        sent = {
            field: self._get_param(field)
            for field in ("serviceRoleArn", "ecsServices", "loadBalancerInfo")
            if self._get_param(field) is not None
        }
        check_group(backend, backend.get_application(app_name), current, sent)
        groups = backend.deployment_groups[app_name]
        if new_name and new_name != current:
            if new_name in groups:
                raise aws_error("DeploymentGroupAlreadyExistsException", f"Deployment group {new_name} already exists.")
            groups[new_name] = groups.pop(current)
            group.deployment_group_name = new_name
            _move_tags(backend, _group_arn(backend, app_name, current), _group_arn(backend, app_name, new_name))
        config = self._get_param("deploymentConfigName")
        if config:
            require_config(backend, config)
            group.deployment_config_name = config
        for field in GROUP_FIELDS:
            value = self._get_param(field)
            if value is not None:
                setattr(group, _attr(field), value)
        return ActionResult({"hooksNotCleanedUp": []})

    def delete_deployment_group(self):
        backend = self.codedeploy_backend
        app_name = self._get_param("applicationName")
        name = self._get_param("deploymentGroupName")
        # CodeDeploy answers success for a group (or application) that does not exist.
        if backend.deployment_groups.get(app_name, {}).pop(name, None) is not None:
            backend.tagger.delete_all_tags_for_resource(_group_arn(backend, app_name, name))
        return ActionResult({"hooksNotCleanedUp": []})

    def delete_application(self):
        backend = self.codedeploy_backend
        app_name = self._get_param("applicationName")
        for name in backend.deployment_groups.pop(app_name, {}):
            backend.tagger.delete_all_tags_for_resource(_group_arn(backend, app_name, name))
        if backend.applications.pop(app_name, None) is not None:
            backend.tagger.delete_all_tags_for_resource(_app_arn(backend, app_name))
        return EmptyResult()

    def update_application(self):
        backend = self.codedeploy_backend
        old = self._get_param("applicationName")
        new = self._get_param("newApplicationName")
        app = backend.get_application(old)
        if new and new != old:
            if new in backend.applications:
                raise aws_error(
                    "ApplicationAlreadyExistsException",
                    f"The application {new} already exists with the user or AWS account.",
                )
            backend.applications[new] = backend.applications.pop(old)
            app.application_name = new
            groups = backend.deployment_groups.pop(old, {})
            backend.deployment_groups[new] = groups
            _move_tags(backend, _app_arn(backend, old), _app_arn(backend, new))
            for name in groups:
                _move_tags(backend, _group_arn(backend, old, name), _group_arn(backend, new, name))
            for deployment in backend.deployments.values():
                if deployment.application is app:
                    deployment.application_name = new
        return EmptyResult()

    def list_tags_for_resource(self):
        arn = self._get_param("ResourceArn")
        _check_resource_arn(self.codedeploy_backend, arn)
        return ActionResult({"Tags": self.codedeploy_backend.list_tags_for_resource(arn)})

    def tag_resource(self):
        arn = self._get_param("ResourceArn")
        _check_resource_arn(self.codedeploy_backend, arn)
        tags = self._get_param("Tags") or []
        self.codedeploy_backend.tag_resource(arn, {tag["Key"]: tag.get("Value", "") for tag in tags})
        return EmptyResult()

    def untag_resource(self):
        arn = self._get_param("ResourceArn")
        _check_resource_arn(self.codedeploy_backend, arn)
        self.codedeploy_backend.untag_resource(arn, self._get_param("TagKeys") or [])
        return EmptyResult()
