# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS calls of a blue/green release (ECS, CodeDeploy, ECR, IAM, CloudWatch, Lambda, Logs, ELBv2), one method each.

The clients come from ``clients.SessionClients`` with ``AWSRetry.jittered_backoff()`` and are called
with ``aws_retry=True``; listings use amazon.aws's ``paginated_query_with_retries``. Answers AWS gives for a missing resource become
``ReleaseError`` with a message that names the resource; every other error propagates to the
module, which reports it with ``fail_json_aws``. Decisions live in ``release.py``.
"""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.botocore import (
    is_boto3_error_code,
    paginated_query_with_retries,
)

from . import deployment_listeners
from .release import (
    IN_FLIGHT_STATUSES,
    InFlight,
    appspec_hooks,
    appspec_task_definition,
    arn_family,
    revision_content,
    revision_number,
)


class ReleaseError(Exception):
    """A resource the release needs is missing or in the wrong shape; the message says which."""


class GroupBusy(Exception):
    """CreateDeployment answered DeploymentLimitExceededException: a deployment started since we looked."""


class AwsClients:
    """The clients, each made on first use from ``clients(service)`` (``clients.SessionClients``): a run makes
    only those its controller and options need."""

    def __init__(self, clients):
        self._clients = clients

    ecs = property(lambda self: self._clients("ecs"))
    codedeploy = property(lambda self: self._clients("codedeploy"))
    ecr = property(lambda self: self._clients("ecr"))
    iam = property(lambda self: self._clients("iam"))
    cloudwatch = property(lambda self: self._clients("cloudwatch"))
    lambda_ = property(lambda self: self._clients("lambda"))
    logs = property(lambda self: self._clients("logs"))
    elbv2 = property(lambda self: self._clients("elbv2"))
    rds = property(lambda self: self._clients("rds"))


class ReleaseAWS(AwsClients):
    """The calls both controllers make: the image, the roles, the alarms, the service and its task definitions."""

    def image_uri(self, repository, tag):
        """``<repositoryUri>:<tag>`` once ECR confirms the tag exists."""
        try:
            repos = self.ecr.describe_repositories(repositoryNames=[repository], aws_retry=True)["repositories"]
        except is_boto3_error_code("RepositoryNotFoundException"):
            raise ReleaseError(f"ECR repository {repository!r} does not exist") from None
        try:
            images = self.ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}], aws_retry=True)[
                "imageDetails"
            ]
        except is_boto3_error_code("ImageNotFoundException"):
            images = []
        if not images:
            raise ReleaseError(f"unknown image tag {tag!r}: ECR repository {repository!r} has no image with this tag")
        return f"{repos[0]['repositoryUri']}:{tag}"

    def function_arn(self, name):
        """The validation function's ARN; a missing one fails before a deployment needs it."""
        try:
            return self.lambda_.get_function(FunctionName=name, aws_retry=True)["Configuration"]["FunctionArn"]
        except is_boto3_error_code("ResourceNotFoundException"):
            raise ReleaseError(
                f"Lambda function {name!r} (the validation hook) does not exist; build the codedeploy layer with "
                "codedeploy_validation_enabled, or release without validation_hook"
            ) from None

    def db_instance(self, identifier):
        """DescribeDBInstances' DBInstance, or ReleaseError when it does not exist."""
        try:
            found = self.rds.describe_db_instances(DBInstanceIdentifier=identifier, aws_retry=True)["DBInstances"]
        except is_boto3_error_code("DBInstanceNotFound"):
            found = []
        if not found:
            raise ReleaseError(f"bluegreen_service.database: DB instance {identifier!r} does not exist (db role)")
        return found[0]

    def role_arn(self, role_name):
        try:
            return self.iam.get_role(RoleName=role_name, aws_retry=True)["Role"]["Arn"]
        except is_boto3_error_code("NoSuchEntity"):
            raise ReleaseError(f"IAM role {role_name!r} does not exist; create it (ecs role) or pass its ARN") from None

    def alarm_states(self, names):
        """{alarm name: StateValue} for metric and composite alarms."""
        found = paginated_query_with_retries(
            self.cloudwatch, "describe_alarms", AlarmNames=list(names), AlarmTypes=["MetricAlarm", "CompositeAlarm"]
        )
        states = {}
        for alarm in (found.get("MetricAlarms") or []) + (found.get("CompositeAlarms") or []):
            states[alarm["AlarmName"]] = alarm.get("StateValue")
        return states

    def service(self, cluster, service):
        try:
            answer = self.ecs.describe_services(cluster=cluster, services=[service], aws_retry=True)
        except is_boto3_error_code("ClusterNotFoundException"):
            raise ReleaseError(f"ECS cluster {cluster!r} does not exist") from None
        for found in answer.get("services") or []:
            if found.get("status") != "INACTIVE":
                return found
        raise ReleaseError(f"ECS service {service!r} does not exist in cluster {cluster!r}")

    def task_definition(self, arn):
        if not arn:
            return None
        try:
            return self.ecs.describe_task_definition(taskDefinition=arn, aws_retry=True)["taskDefinition"]
        except is_boto3_error_code("ClientException"):
            return None

    def active_revisions(self, family):
        """ACTIVE revisions of exactly this family, newest first (familyPrefix also matches longer names)."""
        arns = paginated_query_with_retries(
            self.ecs, "list_task_definitions", familyPrefix=family, status="ACTIVE", sort="DESC"
        ).get("taskDefinitionArns", [])
        # Sorted here too: the emulator (moto) ignores sort=DESC.
        return sorted((arn for arn in arns if arn_family(arn) == family), key=revision_number, reverse=True)

    def register(self, definition, tags):
        args = dict(definition)
        if tags:
            args["tags"] = [{"key": k, "value": str(v)} for k, v in sorted(tags.items())]
        return self.ecs.register_task_definition(aws_retry=True, **args)["taskDefinition"]

    def listener_address(self, arn, what):
        """{"protocol", "port", "dns_name", "arn"} of a listener: where a check or a traffic sample connects."""
        try:
            listener = self.elbv2.describe_listeners(ListenerArns=[arn], aws_retry=True)["Listeners"][0]
        except is_boto3_error_code("ListenerNotFound"):
            raise ReleaseError(f"the {what} listener {arn} does not exist") from None
        lb = self.elbv2.describe_load_balancers(LoadBalancerArns=[listener["LoadBalancerArn"]], aws_retry=True)[
            "LoadBalancers"
        ][0]
        return {
            "protocol": listener.get("Protocol") or "HTTP",
            "port": listener["Port"],
            "dns_name": lb["DNSName"],
            "arn": listener["ListenerArn"],
        }


class CodeDeployECS(ReleaseAWS):
    """The CodeDeploy controller's calls."""

    # Lambda / CloudWatch Logs (the validation hook) --------------------------------------------

    def log_messages(self, group, start_ms, term):
        """(timestamp ms, message) of the group's events since ``start_ms`` that contain ``term``; [] without the group."""
        try:
            found = paginated_query_with_retries(
                self.logs, "filter_log_events", logGroupName=group, startTime=int(start_ms), filterPattern=f'"{term}"'
            )
        except is_boto3_error_code("ResourceNotFoundException"):
            return []
        return [(event.get("timestamp"), event.get("message", "")) for event in found.get("events") or []]

    # ELBv2 (the listeners the deployment group names) -------------------------------------------

    def listener(self, group_info, route):
        """{"protocol", "port", "dns_name", "arn"} of the ``route`` (production or test) listener the deployment
        group names: the production one for the traffic sample, the test one for the controller's check."""
        try:
            arn = deployment_listeners.group_listener_arn(group_info, route)
        except deployment_listeners.ListenerError as e:
            raise ReleaseError(str(e)) from None
        return self.listener_address(arn, route)

    def production_listener(self, group_info):
        return self.listener(group_info, "production")

    # CodeDeploy ----------------------------------------------------------------------------------

    def deployment_group(self, application, group):
        try:
            return self.codedeploy.get_deployment_group(
                applicationName=application, deploymentGroupName=group, aws_retry=True
            )["deploymentGroupInfo"]
        except is_boto3_error_code(["ApplicationDoesNotExistException", "DeploymentGroupDoesNotExistException"]):
            raise ReleaseError(
                f"CodeDeploy deployment group {group!r} of application {application!r} does not exist"
            ) from None

    def deployment(self, deployment_id):
        return self.codedeploy.get_deployment(deploymentId=deployment_id, aws_retry=True)["deploymentInfo"]

    def deployment_target(self, deployment_id, target_id):
        """GetDeploymentTarget's ecsTarget, or None while CodeDeploy has not created the target yet."""
        try:
            target = self.codedeploy.get_deployment_target(
                deploymentId=deployment_id, targetId=target_id, aws_retry=True
            )["deploymentTarget"]
        except is_boto3_error_code(["DeploymentTargetDoesNotExistException", "DeploymentNotStartedException"]):
            return None
        return target.get("ecsTarget")

    def revision_appspec(self, application, revision):
        """A revision's AppSpec text: GetDeployment may show an inline one by its sha256 only, so read it back."""
        content = revision_content(revision)
        if not content and revision:
            found = self.codedeploy.get_application_revision(
                applicationName=application, revision=revision, aws_retry=True
            )
            content = revision_content(found.get("revision"))
        return content

    def revision_task_definition(self, application, revision):
        """The TaskDefinition ARN a revision (AppSpecContent or String) installs."""
        return appspec_task_definition(self.revision_appspec(application, revision))

    def revision_hooks(self, application, revision):
        """{lifecycle event: function} of a revision's AppSpec ``Hooks``."""
        return appspec_hooks(self.revision_appspec(application, revision))

    def in_flight(self, application, group):
        """Deployments of the group that have not finished, newest first, with their task definitions."""
        ids = paginated_query_with_retries(
            self.codedeploy,
            "list_deployments",
            applicationName=application,
            deploymentGroupName=group,
            includeOnlyStatuses=list(IN_FLIGHT_STATUSES),
        ).get("deployments", [])
        found = []
        for deployment_id in ids:
            info = self.deployment(deployment_id)
            if info.get("status") not in IN_FLIGHT_STATUSES:
                continue  # finished between the two calls
            arn = self.revision_task_definition(application, info.get("revision"))
            found.append(
                InFlight(
                    deployment_id=deployment_id,
                    status=info["status"],
                    task_definition_arn=arn,
                    task_definition=self.task_definition(arn),
                    rollback_of=(info.get("rollbackInfo") or {}).get("rollbackTriggeringDeploymentId"),
                )
            )
        return found

    def previous_revision_arn(self, application, group, live_arn):
        """The revision the last successful deployment replaced, if that deployment installed ``live_arn``.

        None when the newest successful deployment is a rollback (its previous revision is the bad
        one) or installed something else; the caller then falls back to the family's ACTIVE list.
        """
        ids = paginated_query_with_retries(
            self.codedeploy,
            "list_deployments",
            applicationName=application,
            deploymentGroupName=group,
            includeOnlyStatuses=["Succeeded"],
            PaginationConfig={"MaxItems": 25},
        ).get("deployments", [])
        if not ids:
            return None
        infos = self.codedeploy.batch_get_deployments(deploymentIds=ids[:25], aws_retry=True).get("deploymentsInfo", [])
        if not infos:
            return None
        newest = max(infos, key=lambda info: info.get("createTime") or 0)
        if newest.get("creator") == "codeDeployRollback" or (newest.get("rollbackInfo") or {}).get(
            "rollbackTriggeringDeploymentId"
        ):
            return None
        if self.revision_task_definition(application, newest.get("revision")) != live_arn:
            return None
        if not newest.get("previousRevision"):
            return None
        return self.revision_task_definition(application, newest["previousRevision"])

    def create_deployment(self, application, group, content, sha256, description, auto_rollback=None):
        """CreateDeployment; ``auto_rollback`` (AutoRollbackConfiguration) only when the user overrides the
        group's rollback settings: sent, it replaces them for this deployment (botocore CreateDeploymentInput)."""
        args = dict(
            applicationName=application,
            deploymentGroupName=group,
            revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content, "sha256": sha256}},
            description=description,
        )
        if auto_rollback is not None:
            args["autoRollbackConfiguration"] = auto_rollback
        try:
            return self.codedeploy.create_deployment(aws_retry=True, **args)["deploymentId"]
        except is_boto3_error_code("DeploymentLimitExceededException"):
            raise GroupBusy(f"a deployment of {group} started meanwhile") from None

    def stop(self, deployment_id, rollback):
        """StopDeployment; None when the deployment had already completed (DeploymentAlreadyCompletedException)."""
        try:
            return self.codedeploy.stop_deployment(
                deploymentId=deployment_id, autoRollbackEnabled=bool(rollback), aws_retry=True
            )
        except is_boto3_error_code("DeploymentAlreadyCompletedException"):
            return None

    def continue_ready(self, deployment_id):
        """ContinueDeployment(READY_WAIT); False when the deployment is no longer in Ready (it completed, was
        stopped by its ready timeout, or someone else continued it)."""
        try:
            self.codedeploy.continue_deployment(
                deploymentId=deployment_id, deploymentWaitType="READY_WAIT", aws_retry=True
            )
        except is_boto3_error_code(["DeploymentAlreadyCompletedException", "DeploymentIsNotInReadyStateException"]):
            return False
        return True
