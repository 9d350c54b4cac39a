#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: release
version_added: 1.0.0
short_description: Release a new image of an ECS service blue/green, through CodeDeploy or ECS itself
description:
  - Releases a new image of an ECS Fargate service whose deployment controller is C(CODE_DEPLOY), through a
    CodeDeploy blue/green deployment, validates the new (green) task set through the test listener before
    production traffic moves (by the deployment's own C(AfterAllowTestTraffic) hook, O(validation_hook)),
    watches CloudWatch alarms while traffic shifts and during the bake (blue's termination wait), and rolls
    back when anything fails.
  - The task definition is built from the service spec (the one the C(ecs) role and the pipeline use) and the
    image. When it equals the one the service runs and no deployment is in flight, nothing happens
    (C(changed=false)). A new revision is registered only when the definition differs, and an identical latest
    ACTIVE revision is reused, so a re-run registers nothing.
  - Re-running while our own deployment is in flight attaches to it and waits; a different deployment in flight
    is handled by O(on_conflict).
  - On a service whose deployment controller is C(ECS) (strategy C(BLUE_GREEN), C(LINEAR) or C(CANARY)), read from
    C(DescribeServices), ECS runs the blue/green deployment itself and the module offers the same options, verbs
    and result (ECS Developer Guide, "Amazon ECS blue/green service deployments"). A release is C(UpdateService)
    with the task definition (a new service revision and a service deployment). While a C(PAUSE) lifecycle hook
    holds C(POST_TEST_TRAFFIC_SHIFT) (test traffic on green, production on blue), the module runs O(validation)
    and the alarm gate, then answers the hook with C(ContinueServiceDeployment) C(CONTINUE), or C(ROLLBACK) on a
    failure; other C(PAUSE) hooks are continued. O(alarms) are watched through the production shift and the bake
    (the deployment's own C(deploymentConfiguration.alarms) roll back by ECS). The module's rollback is
    C(StopServiceDeployment) C(ROLLBACK). RV(deployment_id) is the service deployment's ARN, RV(status) its
    status, and RV(steps) show each lifecycle stage the module saw (with its hooks, rollback reason and triggered
    alarms).
  - Other verbs, with O(action)
    V(rollback) (stop the deployment in flight with rollback, or deploy the previous ACTIVE revision),
    V(stop) (stop the deployment in flight, no rollback) and V(continue) (let a deployment waiting in C(Ready),
    or held by a C(PAUSE) hook on the C(ECS) controller, shift production traffic).
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
options:
  env:
    description:
      - Environment name (C(bluegreen_env)); with O(project) and O(service) it derives every name
        (cluster, service, family, container, repository, roles, CodeDeploy application and deployment group).
    type: str
    required: true
  project:
    description:
      - Project name (C(bluegreen_project)); names the shared cluster.
    type: str
    required: true
  service:
    description:
      - Service name (C(bluegreen_service.name)). Defaults to the C(name) of O(spec); one of the two is required.
    type: str
  cluster_name:
    description:
      - ECS cluster name. Default C(<env>-<project>-cluster).
    type: str
  service_name:
    description:
      - ECS service name. Default C(<env>-<service>).
    type: str
  application_name:
    description:
      - CodeDeploy application name. Default C(<env>-<service>).
    type: str
  deployment_group_name:
    description:
      - CodeDeploy deployment group name. Default C(<env>-<service>-dg).
    type: str
  spec:
    description:
      - The service spec (C(bluegreen_service)), validated and completed like the C(bluegreen.ecs.service_spec)
        filter does (fields, defaults and allowed values in the collection's C(docs/service-spec.md)).
        Required with O(action=release).
    type: dict
  image:
    description:
      - Full image URI of the container. Mutually exclusive with O(image_tag).
      - The module does not check that this image exists.
    type: str
  image_tag:
    description:
      - Tag of an image in the service's ECR repository (C(<env>-<service>)); the URI is the repository's.
      - The tag must exist (C(ecr:DescribeImages)); an unknown tag fails before anything changes.
    type: str
  execution_role_arn:
    description:
      - Task execution role ARN. Default the ARN of role C(<env>-<service>-exec-role) (C(iam:GetRole)).
    type: str
  task_role_arn:
    description:
      - Task role ARN. Default the ARN of role C(<env>-<service>-task-role) (C(iam:GetRole)).
    type: str
  container_overrides:
    description:
      - Keys merged into the container definition built from the spec (RegisterTaskDefinition
        C(containerDefinitions) names, for example C(command) or C(dockerLabels)).
    type: dict
  tags:
    description:
      - User tags added to the standard tags (Environment, Project, Application, ManagedBy) of a new revision.
    type: dict
  action:
    description:
      - V(release) makes the service run the task definition built from O(spec) and the image.
      - V(rollback) stops the deployment in flight with rollback; with none in flight it deploys the previous
        ACTIVE revision (the one the last successful deployment replaced, else the newest ACTIVE revision older
        than the live one). Validation and alarms apply to that deployment too.
      - V(stop) stops the deployment in flight without rollback. CodeDeploy then leaves everything where it is
        (AWS CodeDeploy User Guide, deployments on an ECS compute platform, the components "remain in their current
        state"), so stopped mid-shift, both task sets stay and production traffic stays split at its last weights.
        The next release installs its new task set after moving all traffic back to the PRIMARY (original)
        task set and removing the one left over, as a CodeDeploy rollback does; O(action=rollback) after a
        stop deploys the previous revision the same way.
      - On the C(ECS) controller ECS stops a service deployment only with rollback (C(StopServiceDeployment) accepts
        the stop type C(ROLLBACK) alone), so V(stop) with a deployment in flight fails before anything changes and
        names V(rollback); V(rollback) after success deploys the previous revision by C(UpdateService).
      - V(continue) lets the deployment waiting in C(Ready) shift production traffic
        (C(ContinueDeployment READY_WAIT)), after O(validation) if given. With O(wait=true) a deployment that is
        not yet C(Ready) is waited for.
    type: str
    default: release
    choices: ['release', 'rollback', 'stop', 'continue']
  validation_hook:
    description:
      - The validation function (name or ARN) the C(codedeploy) role deploys in the app subnets for either
        controller (naming key C(validation_function)).
      - On the C(ECS) controller the module invokes the function itself (C(lambda:InvokeFunction), C(RequestResponse),
        with ECS's Lambda hook payload C(serviceArn) and C(targetServiceRevisionArn)) while the C(PAUSE) hook holds
        C(POST_TEST_TRAFFIC_SHIFT), and reads its C(hookStatus) (C(SUCCEEDED) continues, C(FAILED) rolls back,
        C(IN_PROGRESS) asks again after its C(callBackDelay)), so both controllers validate from inside the VPC. The
        answer's attempts make the C(validation) step.
      - On the C(CODE_DEPLOY) controller, the AppSpec names it as the C(AfterAllowTestTraffic) hook of every
        deployment the module creates. It checks the test listener from inside the VPC and reports to
        CodeDeploy; this is the release's validation.
      - Its outcome is read from C(GetDeploymentTarget) (the lifecycle event C(AfterAllowTestTraffic)
        C(Succeeded) or C(Failed)), and its attempts (status, latency, the body excerpt that failed) from its
        CloudWatch Logs lines for this deployment (C(/aws/lambda/<function>)), into a C(validation) step.
      - A C(Failed) report fails the deployment (C(HOOK_EXECUTION_FAILURE)) and CodeDeploy rolls it back when
        C(DEPLOYMENT_FAILURE) is one of its rollback events; the module follows the rollback and fails with
        the hook's verdict.
      - The hook runs before the C(Ready) pause; with a ready wait the module then checks the alarms and
        continues. The function must exist (C(lambda:GetFunction)) before anything changes.
    type: str
  validation:
    description:
      - A check of the green task set from the controller, through the test listener, besides (or instead of)
        O(validation_hook). Only when asked for with O(validation.from=controller); on AWS the test listener
        admits the validation function's path and C(alb_test_ingress_cidrs), so the controller's address
        must be one of those.
      - When the deployment group's ready option is C(STOP_DEPLOYMENT) (a ready wait), the deployment pauses in
        C(Ready); the module checks, then continues it, or stops it with rollback when the check fails.
      - When the ready option is C(CONTINUE_DEPLOYMENT), CodeDeploy does not wait; the module checks as soon as
        it sees green serving test traffic and stops with rollback on failure, but production traffic may
        already be shifting by then. Configure a ready wait for a check that gates production.
    type: dict
    suboptions:
      from:
        description:
          - Where the check runs. V(controller) is the only value; the hook's check is O(validation_hook).
        type: str
        required: true
        choices: ['controller']
      url:
        description:
          - URL answered by the test listener, for example C(http://<alb dns>:8080/health).
          - An C(http://) or C(https://) URL; anything else fails before the release starts.
          - Without it, the URL is O(validation.path) on the test listener the deployment group names
            (C(loadBalancerInfo.targetGroupPairInfoList[0].testTrafficRoute)), with that listener's protocol and port
            and its load balancer's DNS name. One of O(validation.url) and O(validation.path) is required.
        type: str
      path:
        description:
          - Path requested on the deployment group's test listener when O(validation.url) is not given; starts
            with C(/).
          - O(validation.server_name) then applies only when that listener is HTTPS.
        type: str
      expected_status:
        description:
          - HTTP status an attempt must return.
        type: int
        default: 200
      body_pattern:
        description:
          - Regular expression the body must match (C(re.search)).
        type: str
      attempts:
        description:
          - Attempts before the check fails; it passes at the first attempt that succeeds.
        type: int
        default: 3
      interval_seconds:
        description:
          - Seconds between attempts.
        type: int
        default: 5
      timeout_seconds:
        description:
          - Timeout of one request, in seconds.
        type: int
        default: 10
      validate_certs:
        description:
          - Verify the TLS certificate of an C(https) URL.
        type: bool
        default: true
      server_name:
        description:
          - Host name the check presents (TLS SNI and the HTTP C(Host) header) and verifies the certificate
            against, while connecting to the address in O(validation.url). Use the domain of the load balancer's
            certificate (C(alb_certificate_domain)) with the load balancer's DNS name in the URL, since the DNS name
            never matches a certificate issued for a custom domain.
        type: str
  traffic_sample:
    description:
      - Measure live traffic through the deployment group's production listener (which admits the world; the
        test listener is never used), O(traffic_sample.requests) GETs of O(traffic_sample.path) once in the
        canary step (green has some production traffic, not all) and once after a successful deployment,
        counted by the version each answer names (JSON C(version)) against blue's and green's image tags.
      - Reported in RV(traffic_samples) and as C(traffic_sample) steps. It only observes; nothing is decided
        on it.
    type: dict
    suboptions:
      requests:
        description:
          - Requests per sample; V(0) turns the sample off.
        type: int
        default: 20
      path:
        description:
          - Path requested; its answer should name the version (the app's C(/version)).
        type: str
        default: /version
      timeout_seconds:
        description:
          - Timeout of one request, in seconds.
        type: int
        default: 5
      validate_certs:
        description:
          - Verify the certificate of an HTTPS production listener.
        type: bool
        default: true
      server_name:
        description:
          - Host name presented (SNI and C(Host)) to an HTTPS listener, the domain of its certificate.
        type: str
  alarms:
    description:
      - CloudWatch alarm names (metric or composite). A release checks them before production traffic moves
        (while green serves test traffic, in C(Ready) before continuing, and before creating a deployment whose
        group does not pause in C(Ready)), and watches them while production traffic shifts and during the bake.
        One in state C(ALARM) stops the deployment with rollback (before the deployment is created, refuses to
        create it). Unknown names fail before anything changes.
      - When a stop comes too late (the deployment completed between the alarm check and C(StopDeployment)),
        the module deploys the revision that was live before, as O(action=rollback) does, and fails with both
        deployments named.
    type: list
    elements: str
    default: []
  on_conflict:
    description:
      - What to do when a deployment of the group that installs something else is in flight.
      - V(fail) fails and names it; V(wait) waits until it ends, then releases; V(stop) stops it with rollback,
        waits for the rollback, then releases.
    type: str
    default: fail
    choices: ['fail', 'wait', 'stop']
  timeout:
    description:
      - Seconds the module waits in all (conflicts included). When the time is up the deployment is stopped
        with rollback and the module fails.
    type: int
    default: 1800
  poll_interval:
    description:
      - Seconds between two reads of the deployment (fractions allowed).
    type: float
    default: 5
  auto_rollback:
    description:
      - CodeDeploy controller only (on C(ECS), C(deploymentConfiguration.alarms) and the circuit breaker say when ECS
        rolls back; a warning says so).
      - Overrides the deployment group's automatic rollback settings for this deployment
        (C(autoRollbackConfiguration) of C(CreateDeployment)). Without it the group's settings apply.
      - The module's own stops (failed validation, an alarm, the timeout, O(action=rollback)) always roll back, as
        C(StopDeployment) with C(autoRollbackEnabled=true) rolls back whatever the group's settings are.
    type: dict
    suboptions:
      enabled:
        description:
          - Whether CodeDeploy rolls back automatically on O(auto_rollback.events).
        type: bool
        required: true
      events:
        description:
          - Events that trigger a rollback; at least one when O(auto_rollback.enabled=true).
        type: list
        elements: str
        choices: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST']
  platform_version:
    description:
      - Fargate platform version of the new task set (AppSpec C(PlatformVersion)). Default the service's own
        (C(platformVersion) of the live service, else of its PRIMARY task set); pass the C(ecs) role's
        C(ecs_platform_version) to change it with the release.
    type: str
  subnets:
    description:
      - Subnets of the new task set (AppSpec C(NetworkConfiguration)), normally the environment's app subnets
        (tag C(Tier=app)). A CODE_DEPLOY service's network can only change through a deployment, so a release
        applies a changed network, and one with only a network or platform change still deploys (the live
        revision). Without it the live service's network is kept.
    type: list
    elements: str
  security_groups:
    description:
      - Security groups of the new task set, with O(subnets); normally the service's own
        (C(<env>-<project>-<service>-svc-sg)).
    type: list
    elements: str
  assign_public_ip:
    description:
      - AppSpec C(AssignPublicIp) with O(subnets).
    type: bool
    default: false
  wait:
    description:
      - Wait for the deployment to end. With V(false) the module returns once the deployment is created (or the
        stop or continue is sent); O(validation) and O(alarms) then do not apply.
    type: bool
    default: true
notes:
  - Supports check mode (reports what it would do; no write call) and diff mode (the task definition before and
    after).
  - When O(spec) names a database (C(database)), the new revision gets its C(DB_*) variables and the C(DB_USER) and
    C(DB_PASSWORD) secrets from the DB instance as C(rds:DescribeDBInstances) reads it, as the C(ecs) role and the
    pipeline render them; the credentials stay references to the secret RDS manages, never values.
  - On the C(CODE_DEPLOY) controller (C(ecs) role), the AppSpec is
    built by the module (task definition ARN, container name and port, platform version (O(platform_version)),
    network configuration (O(subnets)) and the capacity provider strategy of the live service).
  - The deployment follows the deployment group's automatic rollback settings unless O(auto_rollback) is given.
  - Between reading a deployment and acting on it (stop, continue, create), the deployment may move on. The
    module then reads how it ended and acts on that (follows CodeDeploy's rollback, redeploys the previous
    revision, or starts over when another deployment appeared); the result always names what is live.
  - Without O(validation), a deployment that pauses in C(Ready) is continued at once (after the hook of
    O(validation_hook) passed and the alarms were checked). For a manual gate, release
    with O(wait=false), run your own checks, then run the module with O(action=continue) or O(action=rollback).
  - A release that does not succeed (failed, stopped, rolled back, timed out) makes the task fail, with
    RV(reason), RV(rolled_back) and RV(rollback_deployment_id) in the result.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Release image tag 1f3c2a9 of the web service, validated by the hook inside the VPC
  bluegreen.ecs.release:
    env: prd
    project: demo
    spec: "{{ bluegreen_service }}"
    image_tag: 1f3c2a9
    tags: "{{ bluegreen_tags }}"
    validation_hook: CodeDeployHook_prd-demo-web-validate
    traffic_sample:
      requests: 20
    alarms:
      - prd-web-5xx
      - prd-web-unhealthy-hosts
    on_conflict: wait
    timeout: 3600
  register: release

- name: Start a release and return at once
  bluegreen.ecs.release:
    env: prd
    project: demo
    spec: "{{ bluegreen_service }}"
    image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/prd-web:1f3c2a9
    wait: false

- name: Let the deployment waiting in Ready shift production traffic
  bluegreen.ecs.release:
    env: prd
    project: demo
    service: web
    action: continue

- name: Roll back (stop the deployment in flight, or redeploy the previous revision)
  bluegreen.ecs.release:
    env: prd
    project: demo
    service: web
    action: rollback
"""

RETURN = r"""
deployment_id:
  description: The CodeDeploy deployment (or, on the C(ECS) controller, the service deployment's ARN) created, attached
    to, stopped or continued.
  returned: when a deployment was involved
  type: str
  sample: d-ABCDEFGH1
status:
  description:
    - The deployment's last status (Created, Queued, InProgress, Ready, Baking, Succeeded, Failed, Stopped).
    - On the C(ECS) controller the service deployment's (PENDING, IN_PROGRESS, SUCCESSFUL, STOPPED, ROLLBACK_REQUESTED,
      ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED).
  returned: when a deployment was involved
  type: str
  sample: Succeeded
task_definition_before:
  description: The task definition ARN the service ran when the module started.
  returned: always
  type: str
  sample: arn:aws:ecs:eu-west-1:123456789012:task-definition/prd-web:41
task_definition_after:
  description:
    - The task definition ARN the service runs when the module returns, read again after the deployment ended.
    - In check mode, or with O(wait=false), the revision the deployment installs (C(null) for a revision not
      registered yet).
  returned: always
  type: str
  sample: arn:aws:ecs:eu-west-1:123456789012:task-definition/prd-web:42
registered:
  description: Whether a new task definition revision was registered (in check mode, whether one would be).
  returned: always
  type: bool
  sample: true
traffic_weights:
  description: Last production traffic weights per task set, from C(GetDeploymentTarget).
  returned: when the module followed a deployment
  type: dict
  sample: {"blue": 0.0, "green": 100.0}
duration_seconds:
  description: How long the module ran, from reading the service to the end of the release, in seconds.
  returned: always
  type: float
  sample: 412.7
steps:
  description:
    - What happened, in time order. CodeDeploy lifecycle events (C(kind=lifecycle_event)), the module's checks
      (C(kind=check), names C(validation) and C(alarms)) and actions (C(kind=action), for example
      C(create_deployment), C(continue_deployment), C(stop_deployment)), each with ISO 8601 times and a duration.
    - On the C(ECS) controller, one C(kind=lifecycle_stage) step per lifecycle stage and status the module saw in
      C(DescribeServiceDeployments) (C(stage), C(hooks), C(rollback_reason), C(triggered_alarms)), and the actions
      C(update_service), C(continue_service_deployment) and C(stop_service_deployment).
  returned: always
  type: list
  elements: dict
  sample:
    - {"name": "create_deployment", "kind": "action", "status": "done", "started": "2026-01-01T12:00:00+00:00",
       "ended": "2026-01-01T12:00:00+00:00", "duration_seconds": 0.0, "deployment_id": "d-ABCDEFGH1"}
    - {"name": "validation", "kind": "check", "status": "passed", "started": "2026-01-01T12:03:10+00:00",
       "ended": "2026-01-01T12:03:11+00:00", "duration_seconds": 0.4, "by": "hook",
       "function": "CodeDeployHook_prd-demo-web-validate", "url": "http://alb:8080/version",
       "before_production_traffic": true,
       "attempts": [{"attempt": 1, "ok": true, "status": 200, "latency_ms": 12, "detail": "HTTP 200"}]}
traffic_samples:
  description:
    - Live traffic measured through the production listener (O(traffic_sample)), with when (C(canary), C(after)),
      the weights CodeDeploy had set, the URL, and how many answers came from blue, green or neither, by version.
  returned: when O(traffic_sample) measured something
  type: list
  elements: dict
  sample:
    - {"when": "canary", "url": "http://203.0.113.7:80/version", "weights": {"blue": 90.0, "green": 10.0},
       "requests": 20, "blue": 18, "green": 2, "other": 0, "versions": {"1.0.0": 18, "2.0.0": 2}}
reason:
  description: Why the release, rollback, stop or continue did not succeed.
  returned: on failure
  type: str
  sample: "validation failed: HTTP 500, expected 200"
rolled_back:
  description:
    - Whether CodeDeploy rolled the service back to the blue task set (its rollback deployment succeeded).
    - On the C(ECS) controller, whether the service deployment ended C(ROLLBACK_SUCCESSFUL).
  returned: when a deployment ended without success
  type: bool
  sample: true
rollback_deployment_id:
  description: The rollback deployment CodeDeploy created.
  returned: when CodeDeploy reports one
  type: str
  sample: d-ABCDEFGH2
msg:
  description: What the module did, or in check mode would do.
  returned: always
  type: str
  sample: "would register a new revision of prd-web and start a CodeDeploy deployment"
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import (
    naming,
    release_verb_continue,
    release_verb_release,
    release_verb_rollback,
    release_verb_stop,
)
from ansible_collections.bluegreen.ecs.plugins.module_utils.clients import SessionClients
from ansible_collections.bluegreen.ecs.plugins.module_utils.release_runtime import (
    AwsFailed,
    Failed,
    Finished,
    Run,
    drive,
)
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import SpecError, normalize

VERBS = {
    "release": release_verb_release,
    "rollback": release_verb_rollback,
    "stop": release_verb_stop,
    "continue": release_verb_continue,
}


def service_identity(params):
    """(spec, label, names): the validated spec and every name, or SpecError / NamingError naming the field."""
    spec = None
    label = params["service"]
    if params["spec"] is not None:
        spec = normalize(params["spec"], label)
        if label and spec["name"] != label:
            raise SpecError(f"bluegreen_service.name: {spec['name']!r} differs from service {label!r}")
        label = spec["name"]
    return spec, label, naming.service_names(params["env"], params["project"], label)


def main():
    validation_options = dict(
        **{"from": dict(type="str", required=True, choices=["controller"])},
        url=dict(type="str"),
        path=dict(type="str"),
        expected_status=dict(type="int", default=200),
        body_pattern=dict(type="str"),
        attempts=dict(type="int", default=3),
        interval_seconds=dict(type="int", default=5),
        timeout_seconds=dict(type="int", default=10),
        validate_certs=dict(type="bool", default=True),
        server_name=dict(type="str"),
    )
    traffic_options = dict(
        requests=dict(type="int", default=20),
        path=dict(type="str", default="/version"),
        timeout_seconds=dict(type="int", default=5),
        validate_certs=dict(type="bool", default=True),
        server_name=dict(type="str"),
    )
    auto_rollback_options = dict(
        enabled=dict(type="bool", required=True),
        events=dict(type="list", elements="str", choices=list(AUTO_ROLLBACK_EVENTS)),
    )
    argument_spec = dict(
        env=dict(type="str", required=True),
        project=dict(type="str", required=True),
        service=dict(type="str"),
        cluster_name=dict(type="str"),
        service_name=dict(type="str"),
        application_name=dict(type="str"),
        deployment_group_name=dict(type="str"),
        spec=dict(type="dict"),
        image=dict(type="str"),
        image_tag=dict(type="str"),
        execution_role_arn=dict(type="str"),
        task_role_arn=dict(type="str"),
        container_overrides=dict(type="dict"),
        tags=dict(type="dict"),
        action=dict(type="str", default="release", choices=["release", "rollback", "stop", "continue"]),
        validation_hook=dict(type="str"),
        validation=dict(type="dict", options=validation_options),
        traffic_sample=dict(type="dict", options=traffic_options),
        alarms=dict(type="list", elements="str", default=[]),
        on_conflict=dict(type="str", default="fail", choices=["fail", "wait", "stop"]),
        timeout=dict(type="int", default=1800),
        poll_interval=dict(type="float", default=5),
        wait=dict(type="bool", default=True),
        auto_rollback=dict(type="dict", options=auto_rollback_options),
        platform_version=dict(type="str"),
        subnets=dict(type="list", elements="str"),
        security_groups=dict(type="list", elements="str"),
        assign_public_ip=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("image", "image_tag")],
        required_one_of=[("service", "spec")],
        required_by={"security_groups": "subnets"},
        required_if=[("action", "release", ("spec",)), ("action", "release", ("image", "image_tag"), True)],
    )
    if module.params["timeout"] < 1 or module.params["poll_interval"] < 0:
        module.fail_json(msg="timeout must be at least 1 and poll_interval at least 0")
    validation = module.params["validation"]
    if validation and validation["attempts"] < 1:
        module.fail_json(msg="validation.attempts must be at least 1")
    if validation and not (validation["url"] or validation["path"]):
        module.fail_json(msg="validation needs url, or path on the deployment group's test listener")
    if validation and validation["url"] and not validation["url"].lower().startswith(("http://", "https://")):
        module.fail_json(msg=f"validation.url must be an http:// or https:// URL, not {validation['url']!r}")
    if validation and not validation["url"] and not validation["path"].startswith("/"):
        module.fail_json(msg=f"validation.path must start with '/', not {validation['path']!r}")

    traffic = module.params["traffic_sample"]
    if traffic and (traffic["requests"] < 0 or traffic["requests"] > 1000):
        module.fail_json(msg=f"traffic_sample.requests must be from 0 to 1000, not {traffic['requests']}")
    if traffic and not traffic["path"].startswith("/"):
        module.fail_json(msg=f"traffic_sample.path must start with '/', not {traffic['path']!r}")

    check_auto_rollback(module)

    try:
        spec, label, names = service_identity(module.params)
    except (SpecError, naming.NamingError) as e:
        module.fail_json(msg=str(e))
    clients = SessionClients(module, retry_decorator=AWSRetry.jittered_backoff())
    try:
        drive(Run(module, spec, label, names, clients), VERBS[module.params["action"]])
    except Finished as done:
        module.exit_json(**done.result)
    except Failed as failure:
        module.fail_json(**failure.result)
    except AwsFailed as failure:
        module.fail_json_aws(failure.error, msg=failure.msg, **failure.result)


# AutoRollbackEvent (botocore codedeploy model).
AUTO_ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")


def check_auto_rollback(module):
    """What CreateDeployment accepts: enabled needs at least one event (else InvalidAutoRollbackConfigException)."""
    override = module.params["auto_rollback"]
    if override is None:
        return
    if override["enabled"] and not override["events"]:
        module.fail_json(
            msg="auto_rollback.events must list at least one of "
            f"{', '.join(AUTO_ROLLBACK_EVENTS)} when auto_rollback.enabled is true"
        )


if __name__ == "__main__":
    main()
