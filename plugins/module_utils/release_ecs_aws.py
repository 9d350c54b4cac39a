# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWS calls of a release by ECS itself (deployment controller ECS), one method each.

Service deployments and revisions: ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions,
UpdateService, ContinueServiceDeployment, StopServiceDeployment (ECS API reference). The listeners come from the
service's ``loadBalancers[].advancedConfiguration`` rules (ELBv2 DescribeRules / DescribeListeners). Decisions live in
``release_ecs.py``.
"""

from __future__ import annotations

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code

from .release import InFlight
from .release_aws import ReleaseAWS, ReleaseError
from .release_ecs import IN_FLIGHT_STATUSES

# Lambda runs a function for at most 15 minutes (Lambda quotas): a synchronous invocation's answer comes before.
_INVOKE_READ_TIMEOUT = 15 * 60 + 30


def listener_arn_of_rule(rule_arn):
    """A listener rule's listener: ``...:listener-rule/app/<lb>/<lb id>/<listener id>/<rule id>`` -> ``...:listener/
    app/<lb>/<lb id>/<listener id>`` (the ELBv2 ARN formats, Elastic Load Balancing user guide)."""
    if ":listener-rule/" not in str(rule_arn or ""):
        return None
    return rule_arn.replace(":listener-rule/", ":listener/", 1).rsplit("/", 1)[0]


class EcsNative(ReleaseAWS):
    """The ECS controller's calls."""

    def invoke_validation(self, name, payload):
        """Invoke the validation function and wait for its answer (Lambda Invoke, RequestResponse): its JSON answer, or
        ``{"hookStatus": "FAILED", "detail": ...}`` when the function itself failed (``FunctionError``)."""
        lambda_ = self._clients("lambda", read_timeout=_INVOKE_READ_TIMEOUT)
        answer = lambda_.invoke(FunctionName=name, InvocationType="RequestResponse", Payload=json.dumps(payload))
        body = answer["Payload"].read().decode("utf-8", "replace")
        if answer.get("FunctionError"):
            return {"hookStatus": "FAILED", "detail": f"function error ({answer['FunctionError']}): {body[:300]}"}
        try:
            found = json.loads(body)
        except ValueError:
            found = None
        if not isinstance(found, dict):
            return {"hookStatus": "FAILED", "detail": f"the function answered no JSON object: {body[:300]}"}
        return found

    def deployment(self, arn):
        """DescribeServiceDeployments of one deployment (its ServiceDeployment), or None when ECS has no such one."""
        found = self.ecs.describe_service_deployments(serviceDeploymentArns=[arn], aws_retry=True)
        deployments = found.get("serviceDeployments") or []
        return deployments[0] if deployments else None

    def deployments(self, cluster, service, statuses=None):
        """ListServiceDeployments (ServiceDeploymentBrief), every page, newest first."""
        args = dict(cluster=cluster, service=service)
        if statuses:
            args["status"] = list(statuses)
        briefs = []
        while True:  # botocore has no paginator for ListServiceDeployments: follow nextToken
            page = self.ecs.list_service_deployments(aws_retry=True, **args)
            briefs.extend(page.get("serviceDeployments") or [])
            if not page.get("nextToken"):
                break
            args["nextToken"] = page["nextToken"]
        return sorted(briefs, key=lambda b: str(b.get("createdAt") or ""), reverse=True)

    def revision_task_definition(self, revision_arn):
        """The task definition of a service revision (DescribeServiceRevisions), or None."""
        if not revision_arn:
            return None
        found = self.ecs.describe_service_revisions(serviceRevisionArns=[revision_arn], aws_retry=True)
        revisions = found.get("serviceRevisions") or []
        return revisions[0].get("taskDefinition") if revisions else None

    def in_flight(self, cluster, service):
        """Deployments of the service that have not finished, newest first, with their task definitions."""
        found = []
        for brief in self.deployments(cluster, service, IN_FLIGHT_STATUSES):
            arn = self.revision_task_definition(brief.get("targetServiceRevisionArn"))
            found.append(
                InFlight(
                    deployment_id=brief["serviceDeploymentArn"],
                    status=brief.get("status"),
                    task_definition_arn=arn,
                    task_definition=self.task_definition(arn),
                )
            )
        return found

    def update_service(self, cluster, service, task_definition, network=None, platform=None):
        """UpdateService: a new service revision, and so a service deployment (ECS developer guide, service
        revisions). Only what changes is sent."""
        args = dict(cluster=cluster, service=service, taskDefinition=task_definition)
        if network:
            args["networkConfiguration"] = network
        if platform:
            args["platformVersion"] = platform
        return self.ecs.update_service(aws_retry=True, **args)["service"]

    def continue_hook(self, arn, hook_id, action):
        """ContinueServiceDeployment; False when the hook no longer awaits action (ECS moved on, its timeout
        acted, or someone else answered): InvalidParameterException / ClientException, read again."""
        try:
            self.ecs.continue_service_deployment(
                serviceDeploymentArn=arn, hookId=hook_id, action=action, aws_retry=True
            )
        except is_boto3_error_code(["InvalidParameterException", "ClientException"]):
            return False
        return True

    def stop_rollback(self, arn):
        """StopServiceDeployment ROLLBACK (the only stop type ECS accepts); False when the deployment had already
        ended (ConflictException)."""
        try:
            self.ecs.stop_service_deployment(serviceDeploymentArn=arn, stopType="ROLLBACK", aws_retry=True)
        except is_boto3_error_code("ConflictException"):
            return False
        return True

    def rule_listener(self, rule_arn, what):
        """{"protocol", "port", "dns_name", "arn"} of the listener a rule of the service belongs to."""
        arn = listener_arn_of_rule(rule_arn)
        if not arn:
            raise ReleaseError(f"the service's {what} listener rule {rule_arn!r} is not a listener rule ARN")
        return self.listener_address(arn, what)
