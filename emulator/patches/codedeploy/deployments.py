"""CodeDeploy deployments: creation, stop, continue, ECS targets. Progress is the engine's job (emulator/codedeploy_seam.py).

Follows:
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_CreateDeployment.html (ids look like d-XXXXXXXXX;
  unknown config name is DeploymentConfigDoesNotExistException; a group with a deployment in flight answers
  DeploymentLimitExceededException)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentInfo.html (GetDeployment / BatchGetDeployments;
  an AppSpecContent or String revision is shown by its sha256 only, as AWS may: the content is read with
  API_GetApplicationRevision.html, which answers RevisionDoesNotExistException for a revision never deployed)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_AutoRollbackConfiguration.html and CreateDeployment's
  InvalidAutoRollbackConfigException ("automatic rollback is enabled, but ... no event types were listed")
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_StopDeployment.html (Stopped; autoRollbackEnabled
  creates a rollback deployment and fills rollbackInfo, see API_RollbackInfo.html)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_ContinueDeployment.html
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_ListDeploymentTargets.html
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_PutLifecycleEventHookExecutionStatus.html (only
  Succeeded and Failed may be passed: InvalidLifecycleEventHookExecutionStatusException; an ID of no hook of the
  deployment: InvalidLifecycleEventHookExecutionIdException; a hook that already reported, or whose deployment ended:
  LifecycleEventAlreadyCompletedException; an EC2/on-premises deployment has no hook functions:
  UnsupportedActionForDeploymentTypeException)
- https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_GetDeploymentTarget.html and
  API_BatchGetDeploymentTargets.html (ECS targets: targetId <cluster>:<service>, ecsTarget)
"""

import hashlib
import random
import string

from moto.codedeploy.responses import CodeDeployResponse
from moto.core.responses import ActionResult, EmptyResult

from emulator.codedeploy_seam import engine_for
from emulator.patches._util import aws_error
from emulator.patches.codedeploy.configs import require_config
from emulator.patches.codedeploy.groups import default_style

_ID_CHARS = string.ascii_uppercase + string.digits
ACTIVE_STATUSES = ("Created", "Queued", "InProgress", "Ready", "Baking")
_RANDOM = random.SystemRandom()


def _new_deployment_id(existing) -> str:
    while True:
        candidate = "d-" + "".join(_RANDOM.choices(_ID_CHARS, k=9))
        if candidate not in existing:
            return candidate


def create_deployment(backend, creator: str = "user", rollback_of: str | None = None, **kwargs):
    """Create through moto, give it a CodeDeploy-style id, tell the engine. Returns moto's DeploymentInfo.

    ``rollback_of`` is the id of the deployment this one rolls back (rollbackInfo is set before the engine hears).
    """
    config = kwargs.get("deployment_config_name")
    if config:
        require_config(backend, config)
    _require_no_active(backend, kwargs.get("application_name"), kwargs.get("deployment_group_name"))
    moto_id = backend.create_deployment(**kwargs)
    deployment = backend.deployments.pop(moto_id)
    old_arn = backend._arn(f"deployment:{moto_id}")  # pylint: disable=protected-access
    deployment.deployment_id = _new_deployment_id(backend.deployments)
    deployment.creator = creator
    backend.deployments[deployment.deployment_id] = deployment
    tags = backend.tagger.list_tags_for_resource(old_arn)["Tags"]
    backend.tagger.delete_all_tags_for_resource(old_arn)
    if tags:
        backend.tagger.tag_resource(backend._arn(f"deployment:{deployment.deployment_id}"), tags)  # pylint: disable=protected-access
    if rollback_of:
        deployment.rollback_info = {"rollbackTriggeringDeploymentId": rollback_of}
    engine_for(backend).on_create_deployment(deployment)
    return deployment


def _require_no_active(backend, app_name, group_name) -> None:
    """One deployment in flight per group, as CodeDeploy enforces."""
    group = backend.deployment_groups.get(app_name, {}).get(group_name)
    for deployment in list(backend.deployments.values()):
        if group is not None and deployment.deployment_group is group and deployment.status in ACTIVE_STATUSES:
            raise aws_error(
                "DeploymentLimitExceededException",
                f"The Deployment Group '{group_name}' already has an active Deployment '{deployment.deployment_id}'",
            )


_INLINE = {"AppSpecContent": "appSpecContent", "String": "string"}


def _digest(revision) -> tuple:
    """(type, sha256) of an inline revision, computed from its content when the caller sent none."""
    revision = revision or {}
    key = _INLINE.get(revision.get("revisionType") or "")
    inline = revision.get(key) or {} if key else {}
    sha = inline.get("sha256") or hashlib.sha256(str(inline.get("content") or "").encode()).hexdigest()
    return revision.get("revisionType"), sha


def revision_summary(revision):
    """A RevisionLocation as GetDeployment shows it: an inline (AppSpecContent / String) one by its sha256 only."""
    revision = revision or {}
    key = _INLINE.get(revision.get("revisionType") or "")
    if not key:
        return revision or None
    return {"revisionType": revision["revisionType"], key: {"sha256": _digest(revision)[1]}}


def application_revision(backend, application_name, revision) -> dict:
    """GetApplicationRevision for an inline revision: the deployment that used it holds its content."""
    backend.get_application(application_name)  # ApplicationDoesNotExistException
    if not revision or not revision.get("revisionType"):
        raise aws_error("RevisionRequiredException", "The revision ID was not specified.")
    wanted = _digest(revision)
    used = [
        d
        for d in backend.deployments.values()
        if d.application_name == application_name and d.revision and _digest(d.revision) == wanted
    ]
    if not used:
        raise aws_error(
            "RevisionDoesNotExistException", "The named revision does not exist with the user or AWS account."
        )
    first, last = min(used, key=lambda d: d.create_time), max(used, key=lambda d: d.create_time)
    full = dict(first.revision)
    key = _INLINE.get(full.get("revisionType") or "")
    if key:
        full[key] = {"content": (full.get(key) or {}).get("content"), "sha256": wanted[1]}
    info = {
        "deploymentGroups": sorted({d.deployment_group_name for d in used}),
        "firstUsedTime": first.create_time,
        "lastUsedTime": last.create_time,
        "registerTime": first.create_time,
    }
    if first.description:
        info["description"] = first.description
    return {"applicationName": application_name, "revision": full, "revisionInfo": info}


def require_rollback_config(config) -> None:
    """CreateDeployment's autoRollbackConfiguration: enabled needs at least one event."""
    if isinstance(config, dict) and config.get("enabled") and not config.get("events"):
        raise aws_error(
            "InvalidAutoRollbackConfigException",
            "The automatic rollback configuration was specified in an invalid format: automatic rollback is "
            "enabled, but no event types were listed.",
        )


def deployment_info(deployment) -> dict:
    """DeploymentInfo as CodeDeploy shapes it (unset members omitted)."""
    group = deployment.deployment_group
    platform = deployment.application.compute_platform or "Server"
    info = {
        "applicationName": deployment.application_name,
        "deploymentGroupName": deployment.deployment_group_name,
        "deploymentConfigName": str(deployment.deployment_config_name or group.deployment_config_name),
        "deploymentId": deployment.deployment_id,
        "revision": revision_summary(deployment.revision),
        "status": deployment.status,
        "createTime": deployment.create_time,
        "creator": deployment.creator,
        "ignoreApplicationStopFailures": bool(deployment.ignore_application_stop_failures),
        "updateOutdatedInstancesOnly": bool(deployment.update_outdated_instances_only),
        "instanceTerminationWaitTimeStarted": bool(deployment.instance_termination_wait_time_started),
        "fileExistsBehavior": deployment.file_exists_behavior or "DISALLOW",
        "deploymentStatusMessages": list(deployment.deployment_status_messages),
        "computePlatform": platform,
        "deploymentStyle": group.deployment_style or default_style(platform),
    }
    if platform == "Server":
        info["deploymentOverview"] = deployment.deployment_overview
    optional = {
        "description": deployment.description,
        "startTime": deployment.start_time,
        "completeTime": deployment.complete_time,
        "previousRevision": revision_summary(getattr(deployment, "previous_revision", None)),
        "errorInformation": getattr(deployment, "error_information", None),
        "rollbackInfo": getattr(deployment, "rollback_info", None),
        "autoRollbackConfiguration": deployment.auto_rollback_configuration or group.auto_rollback_configuration,
        "blueGreenDeploymentConfiguration": group.blue_green_deployment_configuration,
        "loadBalancerInfo": group.load_balancer_info,
        "targetInstances": deployment.target_instances,
        "overrideAlarmConfiguration": deployment.override_alarm_configuration,
        "externalId": deployment.external_id,
    }
    info.update({key: value for key, value in optional.items() if value})
    return info


def start_rollback(backend, stopped) -> None:
    """Start the rollback deployment of a stopped or failed deployment and link the two.

    StopDeployment(autoRollbackEnabled=true) calls it; so does the engine for an alarm, a ready timeout or a failure.
    """
    rollback = create_deployment(
        backend,
        creator="codeDeployRollback",
        rollback_of=stopped.deployment_id,
        application_name=stopped.application_name,
        deployment_group_name=stopped.deployment_group.deployment_group_name,
        revision=stopped.revision,
        deployment_config_name=stopped.deployment_config_name,
        description=f"Rollback of {stopped.deployment_id}",
    )
    stopped.rollback_info = {
        "rollbackDeploymentId": rollback.deployment_id,
        "rollbackMessage": f"Deployment {stopped.deployment_id} was {stopped.status.lower()}; "
        f"{rollback.deployment_id} rolls it back.",
    }


class DeploymentPatch(CodeDeployResponse):
    """Operations copied onto moto's CodeDeployResponse."""

    def create_deployment(self):
        require_rollback_config(self._get_param("autoRollbackConfiguration"))
        deployment = create_deployment(
            self.codedeploy_backend,
            application_name=self._get_param("applicationName"),
            deployment_group_name=self._get_param("deploymentGroupName"),
            revision=self._get_param("revision"),
            deployment_config_name=self._get_param("deploymentConfigName"),
            description=self._get_param("description"),
            ignore_application_stop_failures=self._get_bool_param("ignoreApplicationStopFailures"),
            target_instances=self._get_param("targetInstances"),
            auto_rollback_configuration=self._get_param("autoRollbackConfiguration"),
            update_outdated_instances_only=self._get_bool_param("updateOutdatedInstancesOnly"),
            file_exists_behavior=self._get_param("fileExistsBehavior"),
            override_alarm_configuration=self._get_param("overrideAlarmConfiguration"),
        )
        return ActionResult({"deploymentId": deployment.deployment_id})

    def get_deployment(self):
        deployment = self.codedeploy_backend.get_deployment(self._get_param("deploymentId"))
        return ActionResult({"deploymentInfo": deployment_info(deployment)})

    def batch_get_deployments(self):
        deployments = self.codedeploy_backend.batch_get_deployments(self._get_param("deploymentIds") or [])
        return ActionResult({"deploymentsInfo": [deployment_info(d) for d in deployments]})

    def get_application_revision(self):
        answer = application_revision(
            self.codedeploy_backend, self._get_param("applicationName"), self._get_param("revision")
        )
        return ActionResult(answer)

    def stop_deployment(self):
        backend = self.codedeploy_backend
        deployment = backend.get_deployment(self._get_param("deploymentId"))
        # autoRollbackEnabled is the caller's choice for this stop, whatever the group's settings (the console's
        # "Stop and roll back deployment"); left out, the rollback settings' DEPLOYMENT_STOP_ON_REQUEST decide.
        auto_rollback = self._get_bool_param("autoRollbackEnabled")
        if auto_rollback is None:
            config = deployment.auto_rollback_configuration or deployment.deployment_group.auto_rollback_configuration
            config = config or {}
            auto_rollback = bool(config.get("enabled")) and "DEPLOYMENT_STOP_ON_REQUEST" in (config.get("events") or [])
        status, message = engine_for(backend).stop_deployment(deployment, auto_rollback)
        if auto_rollback:
            start_rollback(backend, deployment)
        return ActionResult({"status": status, "statusMessage": message})

    def continue_deployment(self):
        backend = self.codedeploy_backend
        deployment = backend.get_deployment(self._get_param("deploymentId"))
        wait_type = self._get_param("deploymentWaitType") or "READY_WAIT"
        if wait_type not in ("READY_WAIT", "TERMINATION_WAIT"):
            raise aws_error(
                "InvalidDeploymentWaitTypeException",
                f"The wait type {wait_type} is invalid; use READY_WAIT or TERMINATION_WAIT.",
            )
        engine_for(backend).continue_deployment(deployment, wait_type)
        return EmptyResult()

    def put_lifecycle_event_hook_execution_status(self):
        backend = self.codedeploy_backend
        deployment_id = self._get_param("deploymentId")
        if not deployment_id:
            raise aws_error("DeploymentIdRequiredException", "At least one deployment ID must be specified.")
        deployment = backend.get_deployment(deployment_id)
        status = self._get_param("status")
        if status not in ("Succeeded", "Failed"):
            raise aws_error(
                "InvalidLifecycleEventHookExecutionStatusException",
                f"The status {status} is not valid; a lifecycle event hook reports Succeeded or Failed.",
            )
        if (deployment.application.compute_platform or "Server") == "Server":
            raise aws_error(
                "UnsupportedActionForDeploymentTypeException",
                "PutLifecycleEventHookExecutionStatus is supported only for AWS Lambda and Amazon ECS deployments.",
            )
        execution_id = self._get_param("lifecycleEventHookExecutionId") or ""
        engine_for(backend).put_hook_status(deployment, execution_id, status)
        return ActionResult({"lifecycleEventHookExecutionId": execution_id})

    def list_deployment_targets(self):
        backend = self.codedeploy_backend
        deployment = backend.get_deployment(self._get_param("deploymentId"))
        return ActionResult({"targetIds": engine_for(backend).target_ids(deployment)})

    def get_deployment_target(self):
        backend = self.codedeploy_backend
        deployment = backend.get_deployment(self._get_param("deploymentId"))
        return ActionResult({"deploymentTarget": _target(backend, deployment, self._get_param("targetId"))})

    def batch_get_deployment_targets(self):
        backend = self.codedeploy_backend
        deployment = backend.get_deployment(self._get_param("deploymentId"))
        targets = [_target(backend, deployment, target_id) for target_id in self._get_param("targetIds") or []]
        return ActionResult({"deploymentTargets": targets})


def _target(backend, deployment, target_id: str | None) -> dict:
    if not target_id:
        raise aws_error("DeploymentTargetIdRequiredException", "A deployment target ID was not provided.")
    engine = engine_for(backend)
    if target_id not in engine.target_ids(deployment):
        raise aws_error(
            "DeploymentTargetDoesNotExistException",
            f"The deployment target {target_id} does not exist in deployment {deployment.deployment_id}.",
        )
    if (deployment.application.compute_platform or "Server") != "ECS":
        raise aws_error("InvalidDeploymentTargetIdException", "Only ECS deployment targets are emulated.")
    return {"deploymentTargetType": "ECSTarget", "ecsTarget": engine.ecs_target(deployment, target_id)}
