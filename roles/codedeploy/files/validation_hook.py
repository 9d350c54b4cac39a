# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment group's AfterAllowTestTraffic hook: check the test listener from inside the VPC.

CodeDeploy invokes it (Event) with {"DeploymentId", "LifecycleEventHookExecutionId"} and waits for
PutLifecycleEventHookExecutionStatus, up to an hour
(https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-ecs).
So the function reports Failed on any error of its own, and stops attempting before its own timeout, rather than
leave the deployment waiting. Each attempt is one JSON line in its log (CloudWatch Logs /aws/lambda/<name>).

The check definition is in the environment (http_check.ENVIRONMENT, written by the codedeploy role). A body
pattern that names {image_tag} is completed with the tag of the image being deployed, read from the deployment's
AppSpec (GetDeployment, GetApplicationRevision) and its task definition (DescribeTaskDefinition).

Invoked without a DeploymentId (RequestResponse, by hand or by the release), it runs the check and returns the
result without reporting anything.

For a service on the ECS deployment controller the same function answers ECS's lifecycle hook payload
({"serviceArn", "targetServiceRevisionArn", "testTrafficWeights", "productionTrafficWeights"}, ECS developer guide,
"Lifecycle hooks for Amazon ECS service deployments"): the released tag comes from the target service revision
(DescribeServiceRevisions), and the answer carries ``hookStatus`` SUCCEEDED or FAILED, which ECS reads when it invokes
the function as an AWS_LAMBDA hook ("Lambda hooks for Amazon ECS service deployments"; FAILED rolls back). The release
module invokes it so while the PAUSE hook holds POST_TEST_TRAFFIC_SHIFT.
"""

import json
import os
import re
import time

import boto3
import http_check

# Seconds kept in hand to report before Lambda's own timeout ends the invocation.
REPORT_MARGIN_SECONDS = 5
_TASKDEF_IN_TEXT = re.compile(r"""["']?TaskDefinition["']?\s*:\s*["']?([^"'\s,}]+)""")


def log(**fields):
    print(json.dumps(fields, sort_keys=True, default=str), flush=True)


def _client(name):
    return boto3.client(name)


def task_definition_of(appspec_text):
    """The TaskDefinition named in an AppSpec (JSON from the release module, YAML from the pipeline)."""
    try:
        document = json.loads(appspec_text)
    except ValueError:
        document = None
    if isinstance(document, dict):
        for resource in document.get("Resources") or []:
            for value in (resource or {}).values():
                arn = ((value or {}).get("Properties") or {}).get("TaskDefinition")
                if arn:
                    return str(arn)
    match = _TASKDEF_IN_TEXT.search(appspec_text or "")
    return match.group(1) if match else None


def image_tag_of(image):
    """The tag of an image reference (repo:tag, registry:port/repo:tag); None for a digest or no tag."""
    if "@" in image:
        return None
    name = image.rsplit("/", 1)[-1]
    return name.rsplit(":", 1)[1] if ":" in name else None


def released_image_tag(codedeploy, ecs, deployment_id, container_name):
    """The tag of the container's image in the task definition the deployment installs."""
    info = codedeploy.get_deployment(deploymentId=deployment_id)["deploymentInfo"]
    revision = info.get("revision") or {}
    content = (revision.get("appSpecContent") or revision.get("string") or {}).get("content")
    if not content:
        # GetDeployment may show an inline revision by its sha256 only; the content is the application's.
        full = codedeploy.get_application_revision(applicationName=info["applicationName"], revision=revision)
        revision = full.get("revision") or {}
        content = (revision.get("appSpecContent") or revision.get("string") or {}).get("content")
    arn = task_definition_of(content or "")
    if not arn:
        raise http_check.DefinitionError(f"deployment {deployment_id}'s AppSpec names no TaskDefinition")
    return _container_tag(ecs, arn, container_name)


def revision_image_tag(ecs, revision_arn, container_name):
    """The tag of the container's image in an ECS service revision (the ECS controller's target)."""
    found = ecs.describe_service_revisions(serviceRevisionArns=[revision_arn]).get("serviceRevisions") or []
    if not found:
        raise http_check.DefinitionError(f"service revision {revision_arn} not found")
    return _container_tag(ecs, found[0]["taskDefinition"], container_name)


def _container_tag(ecs, arn, container_name):
    containers = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]["containerDefinitions"]
    chosen = [c for c in containers if c["name"] == container_name] if container_name else containers[:1]
    if not chosen:
        raise http_check.DefinitionError(f"task definition {arn} has no container {container_name!r}")
    tag = image_tag_of(chosen[0]["image"])
    if not tag:
        raise http_check.DefinitionError(f"container {chosen[0]['name']} of {arn} has no image tag")
    return tag


def _deadline(context):
    """The monotonic time by which the check must be over, leaving time to report."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    return time.monotonic() + remaining() / 1000.0 - REPORT_MARGIN_SECONDS


def check(event, context, codedeploy):
    """Run the check for this event: the result dict of http_check.run."""
    deployment_id = event.get("DeploymentId") or event.get("targetServiceRevisionArn")
    definition = http_check.definition_from_environment(os.environ)
    image_tag = None
    if http_check.IMAGE_TAG in definition["body_pattern"]:
        image_tag = event.get("ImageTag")
        if not image_tag and event.get("targetServiceRevisionArn"):
            image_tag = revision_image_tag(
                _client("ecs"), event["targetServiceRevisionArn"], definition["container_name"]
            )
        elif not image_tag:
            image_tag = released_image_tag(codedeploy, _client("ecs"), deployment_id, definition["container_name"])

    def on_attempt(attempt):
        log(deployment_id=deployment_id, url=definition["url"], **attempt)

    return http_check.run(definition, image_tag=image_tag, on_attempt=on_attempt, deadline=_deadline(context))


def handler(event, context=None):
    event = event if isinstance(event, dict) else {}
    deployment_id = event.get("DeploymentId")
    hook_id = event.get("LifecycleEventHookExecutionId")
    result = {"ok": False, "detail": "not run", "attempts": []}
    codedeploy = None
    try:
        codedeploy = None if event.get("targetServiceRevisionArn") else _client("codedeploy")
        result = check(event, context, codedeploy)
    except Exception as e:  # noqa: BLE001 - any failure of the function is a failed validation, reported
        result = {"ok": False, "detail": f"validation function error: {type(e).__name__}: {e}", "attempts": []}
    status = "Succeeded" if result["ok"] else "Failed"
    log(deployment_id=deployment_id, result=status, detail=result["detail"], attempts=len(result["attempts"]))
    if deployment_id and hook_id:
        try:
            (codedeploy or _client("codedeploy")).put_lifecycle_event_hook_execution_status(
                deploymentId=deployment_id, lifecycleEventHookExecutionId=hook_id, status=status
            )
        except Exception as e:  # noqa: BLE001 - nothing else can report; say why in the log and to the caller
            log(deployment_id=deployment_id, report_error=f"{type(e).__name__}: {e}")
            raise
    # hookStatus: what ECS reads from a Lambda hook (SUCCEEDED continues, FAILED rolls back); CodeDeploy ignores it.
    return {
        "status": status,
        "hookStatus": "SUCCEEDED" if result["ok"] else "FAILED",
        "detail": result["detail"],
        "attempts": result["attempts"],
    }
