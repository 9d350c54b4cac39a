#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: release
version_added: 1.0.0
short_description: Release a new image of an ECS service blue/green through CodeDeploy
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
  - Other verbs, with O(action)
    V(rollback) (stop the deployment in flight with rollback, or deploy the previous ACTIVE revision),
    V(stop) (stop the deployment in flight, no rollback) and V(continue) (let a deployment waiting in C(Ready)
    shift production traffic).
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
      - V(continue) lets the deployment waiting in C(Ready) shift production traffic
        (C(ContinueDeployment READY_WAIT)), after O(validation) if given. With O(wait=true) a deployment that is
        not yet C(Ready) is waited for.
    type: str
    default: release
    choices: ['release', 'rollback', 'stop', 'continue']
  validation_hook:
    description:
      - Lambda function (name or ARN) the AppSpec names as the C(AfterAllowTestTraffic) hook of every deployment
        the module creates, that is the validation function the C(codedeploy) role deploys in the app subnets
        (naming key C(validation_function)). It checks the test listener from inside the VPC and reports to
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
  - The service must have been created with the C(CODE_DEPLOY) deployment controller (C(ecs) role). The AppSpec is
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
  description: The CodeDeploy deployment created, attached to, stopped or continued.
  returned: when a deployment was involved
  type: str
  sample: d-ABCDEFGH1
status:
  description: The deployment's last status (Created, Queued, InProgress, Ready, Baking, Succeeded, Failed, Stopped).
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
  description: Whether CodeDeploy rolled the service back to the blue task set (its rollback deployment succeeded).
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

import http.client
import ssl
import time
from datetime import datetime, timezone
from urllib.error import HTTPError
from urllib.parse import urlsplit

try:
    import botocore
except ImportError:
    pass  # Handled by AnsibleAWSModule

from ansible.module_utils.urls import open_url

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import naming
from ansible_collections.bluegreen.ecs.plugins.module_utils import release as logic
from ansible_collections.bluegreen.ecs.plugins.module_utils.clients import SessionClients
from ansible_collections.bluegreen.ecs.plugins.module_utils.http_check import (
    DefinitionError,
    NamedHTTPSConnection,
    test_listener_url,
)
from ansible_collections.bluegreen.ecs.plugins.module_utils.release_aws import CodeDeployECS, GroupBusy, ReleaseError
from ansible_collections.bluegreen.ecs.plugins.module_utils.service_spec import SpecError, normalize
from ansible_collections.bluegreen.ecs.plugins.module_utils.task_definition import same_definition, task_definition

# Replaced by the unit tests with a fake clock.
_clock = time.monotonic
_sleep = time.sleep

# How many times a verb starts over when a deployment appears between reading the group and creating one.
_GROUP_BUSY_RETRIES = 2
# Seconds to wait for the validation function's verdict line in CloudWatch Logs after its lifecycle event ended
# (Lambda delivers its output to CloudWatch Logs asynchronously, usually within seconds).
_HOOK_LOG_WAIT = 30
# Requests without any answer after which the traffic sample gives up (the listener is not reachable from here).
_UNREACHABLE_AFTER = 3


def _now():
    return datetime.now(timezone.utc)


def _fetch_as(url, timeout, validate_certs, server_name):
    parts = urlsplit(url)
    if validate_certs:
        context = ssl.create_default_context()
    else:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    default = 443 if parts.scheme.lower() == "https" else 80
    host_header = server_name if port == default else f"{server_name}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if parts.scheme.lower() == "https":
        conn = NamedHTTPSConnection(parts.hostname, port, server_name, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host_header})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def fetch(url, timeout, validate_certs, server_name=None):
    """One GET: (status, body), or (None, error text) when nothing answered.

    With ``server_name`` the request goes to the URL's address but says ``server_name`` in SNI and Host, and
    the certificate is checked against ``server_name``: an ALB's DNS name with a certificate for its domain.
    """
    try:
        if server_name:
            return _fetch_as(url, timeout, validate_certs, server_name)
        response = open_url(url, method="GET", timeout=timeout, validate_certs=validate_certs)
        return response.getcode(), response.read()
    except HTTPError as e:
        return e.code, e.read() if hasattr(e, "read") else b""
    except Exception as e:  # pylint: disable=broad-except
        return None, str(e)


class Release:
    def __init__(self, module):
        self.module = module
        params = module.params
        self.params = params
        self.action = params["action"]
        self.timeout = params["timeout"]
        self.poll_interval = params["poll_interval"]
        self.validation_cfg = dict(params["validation"]) if params["validation"] else None
        self.hook = params["validation_hook"]
        self._hook_checked = False
        self.traffic_cfg = params["traffic_sample"] if (params["traffic_sample"] or {}).get("requests") else None
        self.production = None  # the production listener, read once when sampling traffic
        self.hooked = set()  # deployments this run created with the validation hook in their AppSpec
        self.versions = {}  # deployment id -> (blue tag, green tag), for the traffic sample
        self.alarms = list(params["alarms"] or [])
        # A release (and a continue) checks the alarms before production traffic moves, not only while it moves.
        self.gate_alarms = self.action in ("release", "continue")
        self.auto_rollback = None
        if params["auto_rollback"] is not None:
            override = params["auto_rollback"]
            self.auto_rollback = {"enabled": override["enabled"], "events": list(override["events"] or [])}
        self.wanted_network = None
        if params["subnets"]:
            self.wanted_network = logic.network_configuration(
                params["subnets"], params["security_groups"], params["assign_public_ip"]
            )
        self.started = _clock()
        self.changed = False
        self.writes = 0  # write calls that AWS accepted
        self.live_read_at = -1  # self.writes when the live task definition was last read
        self.group_info = None
        self._wanted = None  # the task definition to release, built once (a verb may start over)
        self._alarms_known = False
        self.log = logic.StepLog()
        self.weights = {}
        self.result = {"task_definition_before": None, "task_definition_after": None, "registered": False}

        self.spec = None
        label = params["service"]
        try:
            if params["spec"] is not None:
                self.spec = normalize(params["spec"], label)
                if label and self.spec["name"] != label:
                    raise SpecError(f"bluegreen_service.name: {self.spec['name']!r} differs from service {label!r}")
                label = self.spec["name"]
            self.label = label
            self.names = naming.service_names(params["env"], params["project"], label)
        except (SpecError, naming.NamingError) as e:
            module.fail_json(msg=str(e))
        self.cluster = params["cluster_name"] or self.names["cluster"]
        self.service_name = params["service_name"] or self.names["service"]
        self.application = params["application_name"] or self.names["codedeploy_app"]
        self.group_name = params["deployment_group_name"] or self.names["deployment_group"]
        self.target_id = f"{self.cluster}:{self.service_name}"

        client = SessionClients(module, retry_decorator=AWSRetry.jittered_backoff())
        self.aws = CodeDeployECS(
            ecs=client("ecs"),
            codedeploy=client("codedeploy"),
            ecr=client("ecr") if params["image_tag"] else None,
            iam=client("iam")
            if self.action == "release" and not (params["execution_role_arn"] and params["task_role_arn"])
            else None,
            cloudwatch=client("cloudwatch") if self.alarms else None,
            lambda_=client("lambda") if self.hook else None,
            logs=client("logs") if self.hook else None,
            # The listeners the deployment group names: production for the sample, test for a check by path.
            elbv2=client("elbv2")
            if self.traffic_cfg or (self.validation_cfg and not self.validation_cfg["url"])
            else None,
        )

    # -- results -------------------------------------------------------------------------------

    def _result(self, **extra):
        result = dict(self.result)
        result.update(extra)
        result["steps"] = self.log.report()
        result["duration_seconds"] = round(self.elapsed(), 2)
        if self.weights:
            result["traffic_weights"] = self.weights
        return result

    def exit(self, msg, diff=None, **extra):
        result = self._result(msg=msg, **extra)
        if diff is not None and self.module._diff:
            result["diff"] = diff
        self.module.exit_json(changed=self.changed, **result)

    def fail(self, msg, **extra):
        self.refresh_live()
        result = self._result(reason=msg, **extra)
        self.module.fail_json(msg=msg, changed=self.changed, **result)

    def fail_aws(self, error):
        """An AWS error the module cannot read its way around: still say what is live."""
        msg = f"{self.action} of {self.service_name} failed"
        self.refresh_live()
        result = self._result(reason=msg)
        self.module.fail_json_aws(error, msg=msg, changed=self.changed, **result)

    def refresh_live(self):
        """Make task_definition_before/after true before failing (best effort: the failure itself may be that the
        service cannot be read). Nothing written that moves traffic: what is live is what was live."""
        try:
            if not self.writes:
                if not self.result["task_definition_before"]:
                    service = self.aws.service(self.cluster, self.service_name)
                    self.result["task_definition_before"] = logic.live_task_definition_arn(service)
                self.result["task_definition_after"] = self.result["task_definition_before"]
            elif self.live_read_at != self.writes:
                self.read_live_after()
        except Exception:  # noqa: BLE001 - the original failure is what gets reported
            return

    def read_live_after(self):
        """Read what the service runs now into task_definition_after; returns the service."""
        service = self.live_service()
        self.result["task_definition_after"] = logic.live_task_definition_arn(service)
        self.live_read_at = self.writes
        return service

    def wrote(self):
        """A write that can move traffic (create, stop, continue) was accepted."""
        self.changed = True
        self.writes += 1

    def elapsed(self):
        return _clock() - self.started

    # -- reads -----------------------------------------------------------------------------------

    def live_service(self):
        service = self.aws.service(self.cluster, self.service_name)
        controller = (service.get("deploymentController") or {}).get("type", "ECS")
        if controller != "CODE_DEPLOY":
            raise ReleaseError(
                f"ECS service {self.service_name!r} uses the {controller} deployment controller; "
                "this module releases through CodeDeploy (CODE_DEPLOY)"
            )
        return service

    def group(self):
        self.group_info = self.aws.deployment_group(self.application, self.group_name)
        return self.group_info

    def ready_wait(self):
        return logic.ready_wait_configured(self.group_info)

    def check_alarms_exist(self):
        if not self.alarms or self._alarms_known:
            return
        known = self.aws.alarm_states(self.alarms)
        unknown = sorted(set(self.alarms) - set(known))
        if unknown:
            raise ReleaseError(f"unknown CloudWatch alarm(s): {', '.join(unknown)}")
        self._alarms_known = True

    def alarm_gate(self):
        """Before a deployment that will not pause in Ready: an alarm in ALARM refuses the release."""
        if not self.alarms or self.ready_wait():
            return
        states = self.aws.alarm_states(self.alarms)
        self.log.alarm_check(states, _now())
        firing = logic.alarms_in_alarm(states)
        if firing:
            self.fail(
                f"alarm(s) in ALARM before the release started: {', '.join(firing)}; nothing was released "
                f"(the deployment group does not pause in Ready, so production traffic would move at once)"
            )

    def check_hook_exists(self):
        """The validation function must exist before a deployment names it (else CodeDeploy fails it later)."""
        if self.hook and not self._hook_checked:
            self.aws.function_arn(self.hook)
            self._hook_checked = True

    def resolve_validation_url(self):
        """The controller's check without a URL: its path on the test listener the deployment group names."""
        cfg = self.validation_cfg
        if not cfg or cfg["url"]:
            return
        listener = self.aws.listener(self.group_info or self.group(), "test")
        try:
            cfg["url"] = test_listener_url(listener["dns_name"], listener["protocol"], listener["port"], cfg["path"])
        except DefinitionError as e:
            raise ReleaseError(f"validation from the controller: {e}") from None
        if listener["protocol"] != "HTTPS":
            cfg["server_name"] = None  # SNI and a certificate's name mean nothing to an HTTP listener

    def production_listener(self):
        if self.traffic_cfg and self.production is None:
            self.production = self.aws.production_listener(self.group_info or self.group())
        return self.production

    def wanted_definition(self):
        if self._wanted is None:
            self._wanted = self.build_definition()
        return self._wanted

    def build_definition(self):
        params = self.params
        image = params["image"]
        if params["image_tag"]:
            image = self.aws.image_uri(self.names["repository"], params["image_tag"])
        exec_arn = params["execution_role_arn"] or self.aws.role_arn(self.names["execution_role"])
        task_arn = params["task_role_arn"] or self.aws.role_arn(self.names["task_role"])
        wanted = task_definition(self.spec, self.names, image, self.module.region, exec_arn, task_arn)
        if params["container_overrides"]:
            wanted["containerDefinitions"][0].update(params["container_overrides"])
        return wanted

    def wanted_platform(self, service):
        return self.params["platform_version"] or logic.live_platform_version(service)

    # -- the wait loop ---------------------------------------------------------------------------

    def wait_terminal(self, deployment_id, deadline):
        """Poll a deployment (not ours, or a rollback) until it ends or ``deadline`` (clock) passes."""
        while True:
            info = self.aws.deployment(deployment_id)
            if info.get("status") in logic.TERMINAL_STATUSES or _clock() >= deadline:
                return info
            _sleep(self.poll_interval)

    def validate(self, where):
        cfg = self.validation_cfg
        started = _now()
        attempts = []
        ok, detail = False, ""
        for number in range(1, max(1, cfg["attempts"]) + 1):
            status, body = fetch(cfg["url"], cfg["timeout_seconds"], cfg["validate_certs"], cfg["server_name"])
            ok, detail = logic.check_response(status, body, cfg["expected_status"], cfg["body_pattern"])
            attempts.append({"attempt": number, "ok": ok, "detail": detail})
            if ok:
                break
            if number < cfg["attempts"]:
                _sleep(cfg["interval_seconds"])
        detail_args = {"server_name": cfg["server_name"]} if cfg["server_name"] else {}
        self.log.add(
            "validation",
            "passed" if ok else "failed",
            started,
            _now(),
            by="controller",
            url=cfg["url"],
            phase=where,
            before_production_traffic=where in (logic.PHASE_READY, logic.PHASE_TEST_TRAFFIC),
            attempts=attempts,
            **detail_args,
        )
        return logic.Validation(logic.VALIDATION_PASSED if ok else logic.VALIDATION_FAILED, detail)

    def stop(self, deployment_id, rollback, reason):
        """StopDeployment. False when AWS says the deployment had already completed: the caller reads how."""
        at = _now()
        answer = self.aws.stop(deployment_id, rollback)
        detail = dict(deployment_id=deployment_id, rollback=bool(rollback), reason=reason)
        if answer is None:
            self.log.add("stop_deployment", "already_completed", at, _now(), **detail)
            return False
        self.wrote()
        self.log.add("stop_deployment", answer.get("status") or "requested", at, _now(), **detail)
        return True

    def continue_ready(self, deployment_id, reason):
        """ContinueDeployment(READY_WAIT). False when the deployment had left Ready: the caller reads how."""
        at = _now()
        if not self.aws.continue_ready(deployment_id):
            self.log.add("continue_deployment", "not_ready", at, _now(), deployment_id=deployment_id, reason=reason)
            return False
        self.wrote()
        self.log.add("continue_deployment", "sent", at, _now(), deployment_id=deployment_id, reason=reason)
        return True

    def follow(self, deployment_id, ready_wait, stop_reason=None, rollback=True, checks=True, undo_arn=None):
        """Drive one deployment to its end; returns an outcome dict (success, status, reason, rollback).

        ``checks``: validation and alarms apply (not to a deployment that undoes a faulty one).
        ``undo_arn``: the revision to redeploy if the deployment completes although we stopped it with rollback.
        """
        validation = logic.Validation(
            logic.VALIDATION_PENDING
            if self.validation_cfg and checks and stop_reason is None
            else logic.VALIDATION_NOT_CONFIGURED
        )
        alarms = self.alarms if checks else []
        continued = False
        stop_requested = stop_reason is not None
        stop_deadline = _clock() + logic.stop_grace(self.timeout) if stop_requested else None
        hook = {}  # the validation hook of this deployment, once its lifecycle event ended
        sampled = set()
        while True:
            info = self.aws.deployment(deployment_id)
            status = info.get("status")
            target = None
            if status not in (logic.CREATED, logic.QUEUED):
                target = self.aws.deployment_target(deployment_id, self.target_id)
                if target:
                    self.log.lifecycle_events(target)
                    self.weights = logic.traffic_weights(target.get("taskSetsInfo")) or self.weights
                    if checks and self.hook and not hook and logic.hook_ended(target):
                        hook = self.report_hook(deployment_id, info, target)
            termination = bool(info.get("instanceTerminationWaitTimeStarted"))
            where = logic.phase(status, target, termination)
            if self.traffic_cfg and checks and not stop_requested and logic.sample_due(where, self.weights, sampled):
                self.sample_traffic("canary", deployment_id, info)
                sampled.add("canary")
            alarm_states = None
            if alarms and not stop_requested and logic.watch_alarms(where, self.gate_alarms):
                alarm_states = self.aws.alarm_states(alarms)
                self.log.alarm_check(alarm_states, _now())
            action = logic.next_action(
                status,
                target,
                validation,
                alarm_states,
                self.elapsed(),
                self.timeout,
                ready_wait,
                continued=continued,
                stop_requested=stop_requested,
                termination_wait_started=termination,
                error_message=_error_message(info),
                gate_alarms=self.gate_alarms and checks,
            )
            if action.kind == logic.DONE_SUCCESS:
                if self.traffic_cfg and checks:
                    self.sample_traffic("after", deployment_id, info)
                return {"success": True, "status": status, "info": info}
            if action.kind == logic.DONE_FAILED:
                reason = stop_reason or action.reason
                if hook.get("status") == "Failed" and not stop_reason:
                    reason = logic.hook_failure_reason(hook["function"], hook.get("report"), _error_message(info))
                if stop_reason and status == logic.SUCCEEDED:
                    reason = f"{stop_reason}; {action.reason}"
                    return self.completed_despite_stop(info, reason, rollback, undo_arn)
                return self.finish_failed(info, reason, stop_requested and rollback)
            if action.kind == logic.VALIDATE:
                validation = self.validate(where)
                continue
            if action.kind == logic.CONTINUE:
                self.continue_ready(deployment_id, action.reason)
                continued = True  # sent or refused: the next read shows where the deployment went
            elif action.kind == logic.STOP_ROLLBACK:
                self.stop(deployment_id, True, action.reason)  # refused: the next read shows how it ended
                stop_requested, stop_reason, rollback = True, action.reason, True
                stop_deadline = _clock() + logic.stop_grace(self.timeout)
                continue
            elif stop_requested and _clock() >= stop_deadline:
                return {
                    "success": False,
                    "status": status,
                    "info": info,
                    "reason": f"{stop_reason}; CodeDeploy has not finished the stop (still {status})",
                    "rolled_back": False,
                    "unfinished": True,
                }
            _sleep(self.poll_interval)

    # -- the validation hook and the traffic sample -------------------------------------------------

    def hook_function_of(self, deployment_id, info):
        """The AfterAllowTestTraffic function of a deployment: ours, or the one its AppSpec names (pipeline)."""
        if deployment_id in self.hooked:
            return self.hook
        return self.aws.revision_hooks(self.application, info.get("revision")).get(logic.VALIDATION_EVENT)

    def report_hook(self, deployment_id, info, target):
        """The hook's event ended: read its attempts from the function's log into a validation step.

        Returns {"function", "status", "report"} ({"status": None} when the deployment has no such hook)."""
        function = self.hook_function_of(deployment_id, info)
        status = logic.lifecycle_status(target)
        if not function:
            return {"function": None, "status": None}
        group = logic.hook_log_group(function)
        created = info.get("createTime")
        # A minute of margin for clock skew between this machine and CloudWatch Logs' timestamps.
        start_ms = int(created.timestamp() * 1000) - 60000 if isinstance(created, datetime) else 0
        deadline = _clock() + _HOOK_LOG_WAIT
        while True:
            report = logic.hook_report(self.aws.log_messages(group, start_ms, deployment_id), deployment_id)
            if report["result"] or _clock() >= deadline:
                break
            _sleep(max(self.poll_interval, 0.2))
        event = next(
            (e for e in target.get("lifecycleEvents") or [] if e.get("lifecycleEventName") == logic.VALIDATION_EVENT),
            {},
        )
        started = _from_ms(report["started_ms"]) or event.get("startTime") or _now()
        ended = _from_ms(report["ended_ms"]) or event.get("endTime") or started
        detail = {"by": "hook", "function": logic.function_name(function), "log_group": group}
        if report["url"]:
            detail["url"] = report["url"]
        if not report["result"]:
            detail["note"] = f"no verdict for {deployment_id} in {group} within {_HOOK_LOG_WAIT} s"
        elif report["detail"]:
            detail["detail"] = report["detail"]
        self.log.add(
            "validation",
            {"Succeeded": "passed", "Failed": "failed"}.get(status, str(status).lower()),
            started,
            ended,
            phase=logic.PHASE_TEST_TRAFFIC,
            before_production_traffic=True,
            attempts=report["attempts"],
            **detail,
        )
        return {"function": function, "status": status, "report": report}

    def deployment_versions(self, deployment_id, info):
        """(blue tag, green tag): the image tags of the live revision before and of the deployment's revision."""
        if deployment_id not in self.versions:
            green_arn = self.aws.revision_task_definition(self.application, info.get("revision"))
            tags = []
            for arn in (self.result["task_definition_before"], green_arn):
                definition = self.aws.task_definition(arn) or {}
                containers = definition.get("containerDefinitions") or [{}]
                tags.append(logic.image_tag(containers[0].get("image")))
            self.versions[deployment_id] = tuple(tags)
        return self.versions[deployment_id]

    def sample_traffic(self, when, deployment_id, info):
        """GET the production listener ``requests`` times; count the answers by version (blue, green, other)."""
        cfg = self.traffic_cfg
        listener = self.production_listener()
        url = f"{listener['protocol'].lower()}://{listener['dns_name']}:{listener['port']}{cfg['path']}"
        blue, green = self.deployment_versions(deployment_id, info)
        weights = dict(self.weights)
        started = _now()
        answers = []
        unreachable = False
        for _request in range(cfg["requests"]):
            status, body = fetch(url, cfg["timeout_seconds"], cfg["validate_certs"], cfg["server_name"])
            answers.append((status, logic.answered_version(body) if status is not None else None))
            # Not reachable from here (an internal balancer, a firewall): do not hold the deployment's watch.
            if len(answers) == _UNREACHABLE_AFTER and all(a[0] is None for a in answers):
                unreachable = True
                break
        counts = logic.traffic_count(answers, blue, green)
        sample = {"when": when, "url": url, "weights": weights, "blue_version": blue, "green_version": green}
        sample.update(counts)
        if unreachable:
            sample["note"] = f"no answer to the first {_UNREACHABLE_AFTER} requests from this machine; sample stopped"
        if when == "canary":
            # Did CodeDeploy move the weights while we sampled? Then the counts straddle two steps: say so.
            target = self.aws.deployment_target(deployment_id, self.target_id)
            after = logic.traffic_weights((target or {}).get("taskSetsInfo")) or weights
            if after != weights:
                sample["weights_after"] = after
        self.result.setdefault("traffic_samples", []).append(sample)
        self.log.add("traffic_sample", when, started, _now(), **{k: v for k, v in sample.items() if k != "when"})

    def completed_despite_stop(self, info, reason, rollback, undo_arn):
        """The deployment completed before our stop: if a rollback was wanted, redeploy the previous revision."""
        deployment_id = info.get("deploymentId")
        deployed = self.aws.revision_task_definition(self.application, info.get("revision"))
        outcome = {"success": False, "status": info.get("status"), "info": info, "reason": reason}
        outcome["rolled_back"] = False
        choice = logic.after_refused_stop(info.get("status"), rollback, undo_arn, deployed)
        if choice != logic.UNDO_REDEPLOY:
            return outcome
        service = self.live_service()
        undo_id = self.deploy_revision(
            undo_arn,
            service,
            f"bluegreen.ecs rollback of {deployment_id} to {undo_arn.rsplit('/', 1)[-1]}",
            checks=False,
        )
        undone = self.follow(undo_id, self.ready_wait(), checks=False)
        outcome["rollback_deployment_id"] = undo_id
        outcome["rolled_back"] = undone["success"]
        verb = "redeployed" if undone["success"] else f"tried to redeploy ({undone.get('status')})"
        outcome["reason"] = f"{reason}; deployment {undo_id} {verb} {undo_arn}"
        return outcome

    def finish_failed(self, info, reason, rollback_requested):
        """The deployment ended without success: follow CodeDeploy's rollback deployment, if any."""
        deployment_id = info.get("deploymentId")
        rollback_id = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
        auto_rollback = (info.get("autoRollbackConfiguration") or {}).get("enabled")
        tries = 3 if (rollback_requested or auto_rollback) and not rollback_id else 0
        while tries and not rollback_id:
            _sleep(self.poll_interval)
            info = self.aws.deployment(deployment_id)
            rollback_id = (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
            tries -= 1
        outcome = {"success": False, "status": info.get("status"), "info": info, "reason": reason}
        outcome["rolled_back"] = False
        if rollback_id:
            outcome["rollback_deployment_id"] = rollback_id
            started = _now()
            rollback = self.wait_terminal(rollback_id, _clock() + logic.stop_grace(self.timeout))
            outcome["rolled_back"] = rollback.get("status") == logic.SUCCEEDED
            self.log.add("rollback_deployment", rollback.get("status"), started, _now(), deployment_id=rollback_id)
        return outcome

    def report(self, deployment_id, outcome, expected_arn=None, success_msg="released", diff=None):
        """Exit with the outcome of a followed deployment; fail unless it succeeded."""
        if diff is not None and self.module._diff:
            self.result["diff"] = diff
        self.result["deployment_id"] = deployment_id
        self.result["status"] = outcome["status"]
        self.read_live_after()
        if outcome["success"]:
            if expected_arn and self.result["task_definition_after"] != expected_arn:
                self.fail(
                    f"deployment {deployment_id} succeeded but the service runs "
                    f"{self.result['task_definition_after']}, not {expected_arn}",
                    rolled_back=False,
                )
            self.exit(f"{success_msg}: deployment {deployment_id} succeeded")
        extra = {"rolled_back": outcome.get("rolled_back", False)}
        if outcome.get("rollback_deployment_id"):
            extra["rollback_deployment_id"] = outcome["rollback_deployment_id"]
        self.fail(outcome["reason"], **extra)

    # -- start / conflicts -------------------------------------------------------------------------

    def start_deployment(self, arn, service, container_name, container_port, description, checks=True):
        """CreateDeployment; ``checks``: the AppSpec names the validation hook (not when undoing a faulty one)."""
        hooked = bool(self.hook and checks)
        content, digest = logic.appspec(
            arn,
            container_name,
            container_port,
            network_configuration=self.wanted_network or logic.live_network(service),
            capacity_provider_strategy=service.get("capacityProviderStrategy"),
            platform_version=self.wanted_platform(service),
            hooks=[(logic.VALIDATION_EVENT, self.hook)] if hooked else None,
        )
        at = _now()
        deployment_id = self.aws.create_deployment(
            self.application, self.group_name, content, digest, description, auto_rollback=self.auto_rollback
        )
        self.wrote()
        if hooked:
            self.hooked.add(deployment_id)
        self.log.add("create_deployment", "done", at, _now(), deployment_id=deployment_id, task_definition=arn)
        return deployment_id

    def deploy_revision(self, target, service, description, checks=True):
        """A new deployment of ``target`` with the container and port the service's load balancer uses."""
        container_name = self.names["container"]
        container_port = self.spec["port"] if self.spec else None
        balancers = service.get("loadBalancers") or []
        if balancers and balancers[0].get("containerName"):
            container_name, container_port = balancers[0]["containerName"], balancers[0]["containerPort"]
        if not container_port:
            self.fail(f"ECS service {self.service_name!r} has no load balancer container port; pass spec")
        return self.start_deployment(target, service, container_name, container_port, description, checks=checks)

    def resolve_conflicts(self, wanted):
        """Classify; on a conflict apply on_conflict until the way is clear. Returns (service, live, classification)."""
        stopped = set()
        while True:
            service = self.live_service()
            live_arn = logic.live_task_definition_arn(service)
            live = self.aws.task_definition(live_arn)
            inflight = self.aws.in_flight(self.application, self.group_name)
            found = logic.classify(live, wanted, inflight)
            self.result["task_definition_before"] = self.result["task_definition_before"] or live_arn
            if found.decision != logic.CONFLICT:
                return service, live_arn, live, found
            other = found.deployment
            choice = logic.conflict_choice(self.params["on_conflict"], other, stopped)
            if choice == logic.CONFLICT_FAIL:
                self.fail(f"{found.reason}; on_conflict=fail", deployment_id=other.deployment_id, status=other.status)
            if self.module.check_mode:
                verb = "stop it with rollback" if choice == logic.CONFLICT_STOP else "wait for it"
                self.changed = True
                self.exit(f"{found.reason}; would {verb}, then release", deployment_id=other.deployment_id)
            if choice == logic.CONFLICT_STOP:
                self.stop(other.deployment_id, True, "on_conflict=stop")  # already completed: nothing to wait for
                stopped.add(other.deployment_id)
            started = _now()
            info = self.wait_terminal(other.deployment_id, self.started + self.timeout)
            self.log.add(
                "wait_for_other_deployment",
                info.get("status"),
                started,
                _now(),
                deployment_id=other.deployment_id,
            )
            if info.get("status") not in logic.TERMINAL_STATUSES:
                self.fail(
                    f"timed out after {self.timeout}s waiting for deployment {other.deployment_id} "
                    f"({info.get('status')}) to end",
                    deployment_id=other.deployment_id,
                    status=info.get("status"),
                )

    def revision_for(self, wanted, live_arn, live):
        """(arn, registered): reuse the latest ACTIVE revision when identical, else register one."""
        family = wanted["family"]
        active = self.aws.active_revisions(family)
        if active:
            latest = active[0]
            latest_def = live if latest == live_arn else self.aws.task_definition(latest)
            if same_definition(wanted, latest_def):
                return latest, False
        if self.module.check_mode:
            return None, True
        tags = naming.resource_tags(self.params["env"], self.params["project"], self.label, self.params["tags"])
        registered = self.aws.register(wanted, tags)
        self.changed = True
        at = _now()
        self.log.add("register_task_definition", "done", at, at, task_definition=registered["taskDefinitionArn"])
        return registered["taskDefinitionArn"], True

    # -- verbs -------------------------------------------------------------------------------------

    def release(self):
        if not self.params["wait"] and (self.validation_cfg or self.alarms or self.traffic_cfg):
            self.module.warn(
                "validation from the controller, alarms and the traffic sample apply only with wait: true "
                "(the validation hook still runs: it is CodeDeploy's)"
            )
        wanted = self.wanted_definition()
        self.check_alarms_exist()
        self.group()
        self.check_hook_exists()
        self.production_listener()
        self.resolve_validation_url()
        service, live_arn, live, found = self.resolve_conflicts(wanted)
        diff = logic.diff_definitions(live, wanted, live_arn)
        changes = logic.service_changes(service, self.wanted_network, self.params["platform_version"])
        if changes:
            self.log.add("service_changes", "planned", _now(), changes=changes)
            diff["before"]["service"] = self.service_settings(
                logic.live_network(service), logic.live_platform_version(service)
            )
            diff["after"]["service"] = self.service_settings(
                self.wanted_network or logic.live_network(service), self.wanted_platform(service)
            )

        if found.decision == logic.NOTHING_TO_DO and not changes:
            self.result["task_definition_after"] = live_arn
            self.exit(f"{live_arn} is already live; nothing to do", diff=None)

        if found.decision == logic.ATTACH:
            deployment = found.deployment
            self.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
            self.result["task_definition_after"] = deployment.task_definition_arn
            if self.module.check_mode or not self.params["wait"]:
                verb = "would wait" if self.module.check_mode else "not waiting"
                self.exit(
                    f"deployment {deployment.deployment_id} ({deployment.status}) already installs this revision; "
                    f"{verb} for it",
                    diff=diff,
                )
            outcome = self.follow(deployment.deployment_id, self.ready_wait(), undo_arn=live_arn)
            self.report(deployment.deployment_id, outcome, deployment.task_definition_arn, diff=diff)

        self.alarm_gate()
        arn, registered = (live_arn, False) if found.decision == logic.NOTHING_TO_DO else (None, None)
        if arn is None:
            arn, registered = self.revision_for(wanted, live_arn, live)
        self.result["registered"] = registered
        self.result["task_definition_after"] = arn
        diff["after_header"] = arn or "(new revision)"
        also = f" (service changes: {'; '.join(changes)})" if changes else ""
        if self.module.check_mode:
            self.changed = True
            what = f"register a new revision of {wanted['family']}" if registered else f"reuse {arn}"
            self.exit(f"would {what} and start a CodeDeploy deployment in {self.group_name}{also}", diff=diff)

        image = wanted["containerDefinitions"][0]["image"]
        deployment_id = self.start_deployment(
            arn,
            service,
            self.names["container"],
            self.spec["port"],
            f"bluegreen.ecs release of {arn.rsplit('/', 1)[-1]} ({image}){also}"[:512],
        )
        self.result.update(deployment_id=deployment_id, status=logic.CREATED)
        if not self.params["wait"]:
            self.exit(f"started deployment {deployment_id}{also}", diff=diff)
        outcome = self.follow(deployment_id, self.ready_wait(), undo_arn=live_arn)
        self.report(deployment_id, outcome, arn, diff=diff)

    @staticmethod
    def service_settings(network, platform):
        return {"networkConfiguration": network or {}, "platformVersion": platform or "(default)"}

    def rollback(self):
        self.check_alarms_exist()
        self.group()
        self.check_hook_exists()
        self.production_listener()
        service = self.live_service()
        live_arn = logic.live_task_definition_arn(service)
        self.result["task_definition_before"] = self.result["task_definition_before"] or live_arn
        self.result["task_definition_after"] = live_arn
        everything = self.aws.in_flight(self.application, self.group_name)
        inflight = [d for d in everything if not d.rollback_of]
        rollbacks = [d for d in everything if d.rollback_of]
        if rollbacks and not inflight:
            deployment = rollbacks[0]
            self.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
            msg = f"rollback deployment {deployment.deployment_id} ({deployment.status}) is already in flight"
            if self.module.check_mode or not self.params["wait"]:
                self.exit(f"{msg}; {'would wait' if self.module.check_mode else 'not waiting'} for it")
            info = self.wait_terminal(deployment.deployment_id, self.started + self.timeout)
            self.result["status"] = info.get("status")
            self.read_live_after()
            if info.get("status") != logic.SUCCEEDED:
                self.fail(f"{msg}; it ended {info.get('status')}")
            self.exit(f"{msg}; it succeeded")
        if inflight:
            self.rollback_in_flight(inflight[0], live_arn)

        family = logic.arn_family(live_arn) or self.names["family"]
        previous = self.aws.previous_revision_arn(self.application, self.group_name, live_arn)
        target = logic.rollback_target(live_arn, previous, self.aws.active_revisions(family))
        if not target:
            self.fail(f"no ACTIVE revision of {family} older than {live_arn} to roll back to")
        self.result["task_definition_after"] = target
        if self.module.check_mode:
            self.changed = True
            self.exit(f"would deploy the previous revision {target}")
        deployment_id = self.deploy_revision(target, service, f"bluegreen.ecs rollback to {target.rsplit('/', 1)[-1]}")
        self.result.update(deployment_id=deployment_id, status=logic.CREATED)
        if not self.params["wait"]:
            self.exit(f"started deployment {deployment_id} of {target}")
        outcome = self.follow(deployment_id, self.ready_wait())
        self.report(deployment_id, outcome, target, success_msg=f"rolled back to {target}")

    def rollback_in_flight(self, deployment, live_arn):
        """Stop the deployment in flight with rollback; if it completed first, redeploy what was live."""
        self.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
        if self.module.check_mode:
            self.changed = True
            self.exit(f"would stop deployment {deployment.deployment_id} ({deployment.status}) with rollback")
        accepted = self.stop(deployment.deployment_id, True, "rollback requested")
        if not self.params["wait"] and accepted:
            self.exit(f"stopping deployment {deployment.deployment_id} with rollback")
        outcome = self.follow(
            deployment.deployment_id, self.ready_wait(), stop_reason="rollback requested", undo_arn=live_arn
        )
        self.result["status"] = outcome["status"]
        self.result["rolled_back"] = outcome.get("rolled_back", False)
        if outcome.get("rollback_deployment_id"):
            self.result["rollback_deployment_id"] = outcome["rollback_deployment_id"]
        self.read_live_after()
        if outcome.get("unfinished") or (outcome["status"] == logic.SUCCEEDED and not outcome["rolled_back"]):
            self.fail(outcome["reason"])
        if outcome.get("rollback_deployment_id") and not outcome.get("rolled_back"):
            self.fail(f"rollback deployment {outcome['rollback_deployment_id']} did not succeed")
        if outcome["status"] == logic.SUCCEEDED:
            self.exit(f"deployment {deployment.deployment_id} completed before the stop; {outcome['reason']}")
        self.exit(f"stopped deployment {deployment.deployment_id} with rollback")

    def stop_verb(self):
        service = self.live_service()
        self.result["task_definition_before"] = logic.live_task_definition_arn(service)
        self.result["task_definition_after"] = self.result["task_definition_before"]
        inflight = self.aws.in_flight(self.application, self.group_name)
        if not inflight:
            self.exit("no deployment in flight; nothing to stop")
        deployment = inflight[0]
        self.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
        if self.module.check_mode:
            self.changed = True
            self.exit(f"would stop deployment {deployment.deployment_id} ({deployment.status}){STOP_LEAVES}")
        if not self.stop(deployment.deployment_id, False, "stop requested"):
            info = self.aws.deployment(deployment.deployment_id)
            self.result["status"] = info.get("status")
            self.read_live_after()
            self.exit(
                f"deployment {deployment.deployment_id} had already ended ({info.get('status')}) before the stop; "
                "nothing to stop"
            )
        if not self.params["wait"]:
            self.exit(f"stopping deployment {deployment.deployment_id}{STOP_LEAVES}")
        outcome = self.follow(deployment.deployment_id, False, stop_reason="stop requested", rollback=False)
        self.result["status"] = outcome["status"]
        self.read_live_after()
        if outcome["status"] not in (logic.STOPPED, logic.FAILED):
            self.fail(outcome["reason"])
        self.exit(f"stopped deployment {deployment.deployment_id}{STOP_LEAVES}")

    def continue_verb(self):
        self.check_alarms_exist()
        self.group()
        self.production_listener()
        self.resolve_validation_url()
        service = self.live_service()
        self.result["task_definition_before"] = logic.live_task_definition_arn(service)
        inflight = self.aws.in_flight(self.application, self.group_name)
        if not inflight:
            self.result["task_definition_after"] = self.result["task_definition_before"]
            self.exit("no deployment in flight; nothing to continue")
        ready = [d for d in inflight if d.status == logic.READY]
        deployment = ready[0] if ready else inflight[0]
        self.result.update(deployment_id=deployment.deployment_id, status=deployment.status)
        self.result["task_definition_after"] = deployment.task_definition_arn
        if self.module.check_mode:
            self.changed = deployment.status == logic.READY
            if self.changed:
                self.exit(f"would continue deployment {deployment.deployment_id}")
            self.exit(
                f"deployment {deployment.deployment_id} is {deployment.status}; would wait for Ready, then continue"
            )
        if not self.params["wait"]:
            if deployment.status != logic.READY:
                self.fail(f"deployment {deployment.deployment_id} is {deployment.status}, not Ready; use wait: true")
            if self.alarms:
                firing = logic.alarms_in_alarm(self.aws.alarm_states(self.alarms))
                if firing:
                    self.fail(
                        f"alarm(s) in ALARM: {', '.join(firing)}; deployment {deployment.deployment_id} "
                        "not continued (stop it with action=rollback)"
                    )
            if not self.continue_ready(deployment.deployment_id, "continue requested"):
                info = self.aws.deployment(deployment.deployment_id)
                self.result["status"] = info.get("status")
                self.read_live_after()
                if info.get("status") in (logic.FAILED, logic.STOPPED):
                    self.fail(
                        f"deployment {deployment.deployment_id} ended {info.get('status')} before the continue: "
                        f"{_error_message(info) or 'no message'}"
                    )
                self.exit(f"deployment {deployment.deployment_id} had already left Ready ({info.get('status')})")
            self.exit(f"continued deployment {deployment.deployment_id}")
        outcome = self.follow(
            deployment.deployment_id, self.ready_wait(), undo_arn=self.result["task_definition_before"]
        )
        self.report(deployment.deployment_id, outcome, deployment.task_definition_arn, success_msg="continued")

    def run(self):
        verbs = {"release": self.release, "rollback": self.rollback, "stop": self.stop_verb}
        verb = verbs.get(self.action, self.continue_verb)
        for attempt in range(_GROUP_BUSY_RETRIES + 1):
            try:
                verb()
            except GroupBusy as e:
                # Someone started a deployment between our read and CreateDeployment: read again and decide again.
                self.log.add("create_deployment", "group_busy", _now(), detail=str(e))
                if attempt == _GROUP_BUSY_RETRIES:
                    self.fail(f"{e}, {attempt + 1} times; run again once it ends")


STOP_LEAVES = (
    "; without rollback CodeDeploy leaves everything where it is: both task sets stay and production traffic "
    "stays split at its last weights until the next release or rollback"
)


def _from_ms(value):
    return datetime.fromtimestamp(value / 1000.0, timezone.utc) if value is not None else None


def _error_message(info):
    error = info.get("errorInformation") or {}
    message = error.get("message") or error.get("code") or ""
    rollback = (info.get("rollbackInfo") or {}).get("rollbackMessage")
    return f"{message} ({rollback})" if message and rollback else message or rollback or ""


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

    release = Release(module)
    try:
        release.run()
    except ReleaseError as e:
        release.fail(str(e))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        release.fail_aws(e)


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
