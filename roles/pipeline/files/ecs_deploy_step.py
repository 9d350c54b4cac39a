# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pipeline's deploy step for a service on the ECS deployment controller (ECS-native blue/green).

Runs in the deploy CodeBuild project, in the app subnets (so it reaches the test listener as the validation function
does). It registers the build's taskdef.json with the built image, calls UpdateService (a new service deployment),
and follows it with DescribeServiceDeployments: while the PAUSE hook holds POST_TEST_TRAFFIC_SHIFT it checks green
through the test listener (bluegreen.ecs http_check, the validation function's check) and answers
ContinueServiceDeployment CONTINUE or ROLLBACK. It exits 0 only when the deployment is SUCCESSFUL; a rollback, a stop
or the step's own timeout exits 1, so CodePipeline marks the Deploy stage failed.

Settings (environment): CLUSTER, SERVICE, VALIDATION_PATH, VALIDATION_EXPECTED_STATUS, VALIDATION_BODY_PATTERN,
VALIDATION_ATTEMPTS, VALIDATION_INTERVAL_SECONDS, VALIDATION_TIMEOUT_SECONDS, VALIDATION_SERVER_NAME,
DEPLOY_TIMEOUT_MINUTES, POLL_SECONDS.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone

import http_check  # shipped beside this file (plugins/module_utils/http_check.py)

IMAGE_PLACEHOLDER = "<IMAGE1_NAME>"
VALIDATION_STAGE = "POST_TEST_TRAFFIC_SHIFT"
# ServiceDeploymentStatus (ECS API reference): the deployment is over, or on its way back.
FAILED = (
    "STOP_REQUESTED",
    "STOPPED",
    "ROLLBACK_REQUESTED",
    "ROLLBACK_IN_PROGRESS",
    "ROLLBACK_SUCCESSFUL",
    "ROLLBACK_FAILED",
)
SUCCESSFUL = "SUCCESSFUL"

WAIT, VALIDATE, SUCCEEDED, FAILED_STEP = "wait", "validate", "succeeded", "failed"


def waiting_hook(deployment):
    """The PAUSE hook waiting for ContinueServiceDeployment (lifecycleHookDetails), or None."""
    for hook in deployment.get("lifecycleHookDetails") or []:
        if hook.get("status") == "AWAITING_ACTION" and hook.get("targetType", "PAUSE") == "PAUSE":
            return hook
    return None


def next_step(deployment, answered_hooks):
    """One DescribeServiceDeployments answer in, ``(step, detail)`` out: wait, validate (detail: the hook id),
    succeeded, or failed (detail: why). ``answered_hooks``: hook ids this step already continued or rolled back."""
    status = deployment.get("status")
    if status == SUCCESSFUL:
        return SUCCEEDED, ""
    if status in FAILED:
        rollback = deployment.get("rollback") or {}
        reason = rollback.get("reason") or deployment.get("statusReason") or ""
        return FAILED_STEP, f"service deployment {status}" + (f": {reason}" if reason else "")
    hook = waiting_hook(deployment)
    if hook and deployment.get("lifecycleStage") == VALIDATION_STAGE and hook.get("hookId") not in answered_hooks:
        return VALIDATE, hook.get("hookId")
    return WAIT, ""


def listener_of_rule(rule_arn):
    """A listener rule's listener: ELB ARNs nest them (listener-rule/app/<lb>/<id>/<listener id>/<rule id>)."""
    prefix, _sep, path = rule_arn.partition(":listener-rule/")
    if not path:
        raise ValueError(f"{rule_arn!r} is not a listener rule ARN")
    return f"{prefix}:listener/{path.rsplit('/', 1)[0]}"


def image_tag(image_uri):
    """The tag of ``registry/repository:tag`` (the body pattern's {image_tag})."""
    name = image_uri.rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else ""


def task_definition_request(taskdef, image_uri):
    """taskdef.json with the built image in place of the placeholder CodeDeployToECS would fill."""
    text = json.dumps(taskdef)
    if IMAGE_PLACEHOLDER not in text:
        raise ValueError(f"taskdef.json has no {IMAGE_PLACEHOLDER} to put the image {image_uri} in")
    return json.loads(text.replace(IMAGE_PLACEHOLDER, image_uri))


class Step:
    def __init__(self, ecs, elbv2, env, clock=time.monotonic, sleep=time.sleep, log=print):
        self.ecs, self.elbv2, self.env = ecs, elbv2, env
        self.clock, self.sleep, self.log = clock, sleep, log

    def test_url(self):
        """The test listener of the service's advancedConfiguration, on its load balancer's DNS name."""
        service = self.ecs.describe_services(cluster=self.env["CLUSTER"], services=[self.env["SERVICE"]])["services"][0]
        rules = [lb.get("advancedConfiguration", {}).get("testListenerRule") for lb in service.get("loadBalancers", [])]
        rules = [rule for rule in rules if rule]
        if not rules:
            raise RuntimeError(f"service {self.env['SERVICE']} has no test listener rule (advancedConfiguration)")
        listener = self.elbv2.describe_listeners(ListenerArns=[listener_of_rule(rules[0])])["Listeners"][0]
        balancer = self.elbv2.describe_load_balancers(LoadBalancerArns=[listener["LoadBalancerArn"]])
        dns = balancer["LoadBalancers"][0]["DNSName"]
        return http_check.test_listener_url(dns, listener["Protocol"], listener["Port"], self.env["VALIDATION_PATH"])

    def validate(self, tag):
        definition = {
            "url": self.test_url(),
            "expected_status": self.env.get("VALIDATION_EXPECTED_STATUS"),
            "body_pattern": self.env.get("VALIDATION_BODY_PATTERN"),
            "attempts": self.env.get("VALIDATION_ATTEMPTS"),
            "interval_seconds": self.env.get("VALIDATION_INTERVAL_SECONDS"),
            "timeout_seconds": self.env.get("VALIDATION_TIMEOUT_SECONDS"),
            "server_name": self.env.get("VALIDATION_SERVER_NAME"),
        }
        self.log(f"validating green on {definition['url']}")
        result = http_check.run(definition, image_tag=tag, on_attempt=lambda a: self.log(json.dumps(a)))
        return result["ok"], result["detail"]

    def start(self, taskdef, image_uri):
        """Register the task definition, update the service; the new service deployment's ARN."""
        request = task_definition_request(taskdef, image_uri)
        arn = self.ecs.register_task_definition(**request)["taskDefinition"]["taskDefinitionArn"]
        self.log(f"registered {arn}")
        since = datetime.now(timezone.utc) - timedelta(seconds=5)  # noqa: UP017 - the build image's Python may predate 3.11
        self.ecs.update_service(cluster=self.env["CLUSTER"], service=self.env["SERVICE"], taskDefinition=arn)
        found = self.ecs.list_service_deployments(
            cluster=self.env["CLUSTER"], service=self.env["SERVICE"], createdAt={"after": since}
        )["serviceDeployments"]
        if not found:
            raise RuntimeError(f"UpdateService of {self.env['SERVICE']} started no service deployment")
        newest = max(found, key=lambda brief: brief.get("createdAt") or since)
        self.log(f"service deployment {newest['serviceDeploymentArn']}")
        return newest["serviceDeploymentArn"]

    def follow(self, deployment_arn, tag):
        """Exit code: 0 when the deployment is SUCCESSFUL, 1 otherwise."""
        deadline = self.clock() + 60 * int(self.env.get("DEPLOY_TIMEOUT_MINUTES") or 120)
        answered = set()
        stage = None
        while self.clock() < deadline:
            deployment = self.ecs.describe_service_deployments(serviceDeploymentArns=[deployment_arn])[
                "serviceDeployments"
            ][0]
            if deployment.get("lifecycleStage") != stage:
                stage = deployment.get("lifecycleStage")
                self.log(f"{deployment.get('status')} {stage}")
            step, detail = next_step(deployment, answered)
            if step == SUCCEEDED:
                self.log("service deployment SUCCESSFUL")
                return 0
            if step == FAILED_STEP:
                self.log(detail)
                return 1
            if step == VALIDATE:
                ok, why = self.validate(tag)
                action = "CONTINUE" if ok else "ROLLBACK"
                self.log(f"validation {'passed' if ok else 'failed'} ({why}): {action}")
                self.ecs.continue_service_deployment(serviceDeploymentArn=deployment_arn, hookId=detail, action=action)
                answered.add(detail)
                continue
            self.sleep(int(self.env.get("POLL_SECONDS") or 10))
        self.log(
            f"service deployment {deployment_arn} did not finish in {self.env.get('DEPLOY_TIMEOUT_MINUTES')} minutes"
        )
        return 1


def main():
    import boto3  # in CodeBuild's images; imported here so the pure functions load without it

    with open("imageDetail.json", encoding="utf-8") as handle:
        image_uri = json.load(handle)["ImageURI"]
    with open("taskdef.json", encoding="utf-8") as handle:
        taskdef = json.load(handle)
    step = Step(boto3.client("ecs"), boto3.client("elbv2"), os.environ)
    return step.follow(step.start(taskdef, image_uri), image_tag(image_uri))


if __name__ == "__main__":
    sys.exit(main())
