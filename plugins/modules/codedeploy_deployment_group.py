#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Ansible wants DOCUMENTATION/EXAMPLES/RETURN before the imports (validate-modules import-before-documentation).

DOCUMENTATION = r"""
---
module: codedeploy_deployment_group
version_added: 1.0.0
short_description: Manage an AWS CodeDeploy blue/green deployment group for an ECS service
description:
  - Creates, updates or deletes a CodeDeploy deployment group that deploys an ECS service blue/green behind an
    Application Load Balancer (C(BLUE_GREEN), C(WITH_TRAFFIC_CONTROL)).
  - Neither C(amazon.aws) nor C(community.aws) has a CodeDeploy module; this one calls the CodeDeploy API through
    C(AnsibleAWSModule).
  - Before any write it checks that the listeners, the target groups and the ECS service exist (the service must
    use the C(CODE_DEPLOY) deployment controller), and that the numbers are in range. Errors name the option.
  - The wanted group is compared with C(GetDeploymentGroup) through one normalizer that ignores what AWS adds and
    the order of lists AWS treats as sets (target groups, listeners, alarms, events, triggers). A converged group
    costs only read calls; a differing one one C(UpdateDeploymentGroup) call.
author:
  - bluegreen.ecs maintainers (@bluegreen-ecs)
options:
  application:
    description:
      - Name of the CodeDeploy application (see M(bluegreen.ecs.codedeploy_app)).
    required: true
    type: str
  name:
    description:
      - Name of the deployment group.
    required: true
    type: str
  service_role_arn:
    description:
      - IAM role CodeDeploy assumes, as an ARN or as a role name (resolved through C(iam:GetRole)).
      - Required with O(state=present).
    type: str
    aliases: ['service_role']
  deployment_config_name:
    description:
      - Deployment configuration, predefined (C(CodeDeployDefault.ECSAllAtOnce), ...) or made by
        M(bluegreen.ecs.codedeploy_deployment_config).
    type: str
    default: CodeDeployDefault.ECSAllAtOnce
  ecs_service:
    description:
      - The ECS service to deploy. Required with O(state=present).
    type: dict
    suboptions:
      cluster:
        description:
          - Cluster name or ARN.
        type: str
        required: true
      service:
        description:
          - Service name or ARN.
        type: str
        required: true
  target_groups:
    description:
      - The two target group names, blue then green. Required with O(state=present).
    type: list
    elements: str
  prod_listener_arns:
    description:
      - ARNs of the listeners that serve production traffic. Required with O(state=present).
    type: list
    elements: str
  test_listener_arns:
    description:
      - ARNs of the listeners that serve test traffic to the new task set before the switch.
    type: list
    elements: str
  ready_option:
    description:
      - When to reroute production traffic to the new task set.
      - When not set, traffic is rerouted at once (V(continue)).
    type: dict
    suboptions:
      action:
        description:
          - V(continue) reroutes as soon as the new task set is ready.
          - V(wait) waits up to O(ready_option.wait_minutes) for a manual C(ContinueDeployment), then stops the
            deployment.
        type: str
        default: continue
        choices: ['continue', 'wait']
      wait_minutes:
        description:
          - Minutes to wait with V(wait), 1 to 2880. Not used with V(continue).
        type: int
  termination_wait_minutes:
    description:
      - Minutes the old (blue) task set keeps running after a successful deployment, 0 to 2880.
    type: int
    default: 5
  auto_rollback:
    description:
      - Automatic rollback. When not set, the live setting is left alone.
    type: dict
    suboptions:
      enabled:
        description:
          - Whether CodeDeploy rolls back automatically.
        type: bool
        default: true
      events:
        description:
          - The events that cause a rollback. V(DEPLOYMENT_STOP_ON_ALARM) needs O(alarms).
        type: list
        elements: str
        default: ['DEPLOYMENT_FAILURE']
        choices: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST']
  alarms:
    description:
      - CloudWatch alarms that stop a deployment. When not set, the live setting is left alone.
    type: dict
    suboptions:
      names:
        description:
          - Alarm names, at most 10.
        type: list
        elements: str
        default: []
      enabled:
        description:
          - Whether the alarms are watched.
        type: bool
        default: true
      ignore_poll_alarm_failure:
        description:
          - Whether a deployment goes on when CodeDeploy cannot read the alarms.
        type: bool
        default: false
  triggers:
    description:
      - SNS notifications on deployment events. When not set, the live setting is left alone; V([]) removes all.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Trigger name, unique in the group.
        type: str
        required: true
      target_arn:
        description:
          - ARN of the SNS topic.
        type: str
        required: true
      events:
        description:
          - Events that notify.
        type: list
        elements: str
        required: true
        choices: ['DeploymentStart', 'DeploymentSuccess', 'DeploymentFailure', 'DeploymentStop', 'DeploymentRollback',
                  'DeploymentReady', 'InstanceStart', 'InstanceSuccess', 'InstanceFailure', 'InstanceReady']
  state:
    description:
      - V(present) creates or updates the group, V(absent) deletes it.
    type: str
    default: present
    choices: ['present', 'absent']
notes:
  - Tags use the deployment group ARN, built from the caller's account (C(sts:GetCallerIdentity)); that call is made
    only when O(tags) is set on an existing group.
  - In check mode a missing application is reported as a group to create, so a play that creates the application
    first can be checked on an empty account.
  - IAM is eventually consistent, so CodeDeploy may not see a service role created a moment ago and answer
    C(InvalidRoleException). The create and update calls are retried on that error with a jittered backoff for
    about two minutes at most; a role that stays invalid (wrong trust policy) fails after that.
  - O(state=absent) refuses to delete a group with a deployment in flight (C(Created), C(Queued), C(InProgress),
    C(Ready), C(Baking); ListDeployments), in check mode too, naming the deployments; AWS does not document what
    becomes of a deployment whose group is deleted.
  - Supports check mode and diff mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Blue/green deployment group of the web service
  bluegreen.ecs.codedeploy_deployment_group:
    application: prd-web
    name: prd-web-dg
    service_role_arn: prd-web-codedeploy-role
    deployment_config_name: prd-web-canary10pct-5min
    ecs_service:
      cluster: prd-demo-cluster
      service: prd-web
    target_groups: [prd-web-blue, prd-web-green]
    prod_listener_arns: ["{{ prod_listener_arn }}"]
    test_listener_arns: ["{{ test_listener_arn }}"]
    ready_option:
      action: continue
    termination_wait_minutes: 5
    auto_rollback:
      enabled: true
      events: [DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM]
    alarms:
      names: [prd-web-5xx]
    tags:
      Environment: prd

- name: Delete it
  bluegreen.ecs.codedeploy_deployment_group:
    application: prd-web
    name: prd-web-dg
    state: absent
"""

RETURN = r"""
deployment_group:
  description:
    - The deployment group as C(GetDeploymentGroup) describes it (snake_case); empty after deletion.
    - In check mode, for a group still to create, the wanted settings.
  returned: always
  type: dict
  contains:
    application_name:
      description: The application name.
      returned: when the group exists
      type: str
      sample: prd-web
    deployment_group_id:
      description: The group ID.
      returned: when the group exists and is not only planned (check mode)
      type: str
      sample: 6f1a2b3c-0000-1111-2222-333344445555
    deployment_group_name:
      description: The group name.
      returned: when the group exists
      type: str
      sample: prd-web-dg
    deployment_config_name:
      description: The deployment configuration.
      returned: when the group exists
      type: str
      sample: prd-web-canary10pct-5min
    service_role_arn:
      description: The service role.
      returned: when the group exists
      type: str
      sample: arn:aws:iam::123456789012:role/prd-web-codedeploy-role
    deployment_style:
      description: Always blue/green with traffic control.
      returned: when the group exists
      type: dict
      sample: {"deployment_type": "BLUE_GREEN", "deployment_option": "WITH_TRAFFIC_CONTROL"}
    blue_green_deployment_configuration:
      description: Ready option and termination of the old task set.
      returned: when the group exists
      type: dict
    load_balancer_info:
      description: Target group pair and listeners.
      returned: when the group exists
      type: dict
    ecs_services:
      description: The ECS service.
      returned: when the group exists
      type: list
      elements: dict
      sample: [{"cluster_name": "prd-demo-cluster", "service_name": "prd-web"}]
    auto_rollback_configuration:
      description: Automatic rollback settings.
      returned: when set
      type: dict
    alarm_configuration:
      description: Alarm settings.
      returned: when set
      type: dict
    trigger_configurations:
      description: SNS triggers.
      returned: when set
      type: list
      elements: dict
    tags:
      description: The group's tags.
      returned: when O(tags) is set
      type: dict
      sample: {"Environment": "prd"}
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import (
    is_boto3_error_code,
    paginated_query_with_retries,
)
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_aws_account_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.bluegreen.ecs.plugins.module_utils import tag_sync
from ansible_collections.bluegreen.ecs.plugins.module_utils.codedeploy import (
    ROLLBACK_EVENTS,
    TRIGGER_EVENTS,
    CodeDeployError,
    changed_keys,
    compare_deployment_group,
    deployment_group_arn,
    deployment_group_request,
    in_flight_refusal,
    update_request,
    validate_deployment_group,
)
from ansible_collections.bluegreen.ecs.plugins.module_utils.errors import BluegreenAWSError, missing_is
from ansible_collections.bluegreen.ecs.plugins.module_utils.release import IN_FLIGHT_STATUSES

# Keys of a deploymentGroupInfo that say nothing about the configuration.
_VOLATILE = ("lastSuccessfulDeployment", "lastAttemptedDeployment", "targetRevision")
# IAM changes are eventually consistent
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency):
# CodeDeploy answers InvalidRoleException for a role created a moment ago. Writes retry on it: 8 attempts, jittered
# sleeps of at most 2+4+8+16+30+30+30 = 120 s in all (terraform-provider-aws retries CreateDeploymentGroup for minutes).
ROLE_PROPAGATION_RETRY = {"retries": 8, "delay": 2, "backoff": 2.0, "max_delay": 30}
GROUP = missing_is("DeploymentGroupDoesNotExistException")
ROLE = missing_is("NoSuchEntity")
# DescribeListeners / DescribeTargetGroups answer ValidationError for an ARN or name that cannot exist.
LISTENER = missing_is("ListenerNotFound", "ValidationError")
TARGET_GROUP = missing_is("TargetGroupNotFound", "ValidationError")
CLUSTER = missing_is("ClusterNotFoundException")


class DeploymentGroupManager:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        retry = AWSRetry.jittered_backoff()
        self.codedeploy = module.client("codedeploy", retry_decorator=retry)
        # The same client, for CreateDeploymentGroup / UpdateDeploymentGroup: also retries while IAM propagates the role.
        self.codedeploy_writes = module.client(
            "codedeploy",
            retry_decorator=AWSRetry.jittered_backoff(
                catch_extra_error_codes=["InvalidRoleException"], **ROLE_PROPAGATION_RETRY
            ),
        )
        self._retry = retry

    def client(self, service):
        return self.module.client(service, retry_decorator=self._retry)

    # -- reads ---------------------------------------------------------------------------------

    @GROUP.list_error_handler("get deployment group {self.params[application]}/{self.params[name]}", (True, None))
    def get_group(self):
        """``(application_exists, deploymentGroupInfo or None)``."""
        try:
            info = self.codedeploy.get_deployment_group(
                applicationName=self.params["application"], deploymentGroupName=self.params["name"], aws_retry=True
            )["deploymentGroupInfo"]
        except is_boto3_error_code("ApplicationDoesNotExistException"):
            return False, None
        for key in _VOLATILE:
            info.pop(key, None)
        return True, info

    def arn(self):
        account_id, partition = get_aws_account_info(self.module)
        return deployment_group_arn(
            partition, self.module.region, account_id, self.params["application"], self.params["name"]
        )

    # -- validation against live resources (read-only) ------------------------------------------

    @ROLE.list_error_handler("get IAM role {role}")
    def role_arn(self, role):
        return self.client("iam").get_role(RoleName=role, aws_retry=True)["Role"]["Arn"]

    def resolve_role(self, role):
        if role.startswith("arn:"):
            return role
        arn = self.role_arn(role)
        if arn is None:
            self.module.fail_json(msg=f"service_role_arn: unknown IAM role {role}")
        return arn

    @LISTENER.list_error_handler("describe listener {arn}", False)
    def listener_exists(self, arn):
        self.client("elbv2").describe_listeners(ListenerArns=[arn], aws_retry=True)
        return True

    def check_listeners(self):
        for option in ("prod_listener_arns", "test_listener_arns"):
            for arn in self.params[option] or []:
                if not self.listener_exists(arn):
                    self.module.fail_json(msg=f"{option}: unknown listener {arn}")

    @TARGET_GROUP.list_error_handler("describe target group {name}", False)
    def target_group_exists(self, name):
        self.client("elbv2").describe_target_groups(Names=[name], aws_retry=True)
        return True

    def check_target_groups(self):
        for name in self.params["target_groups"]:
            if not self.target_group_exists(name):
                self.module.fail_json(msg=f"target_groups: unknown target group {name}")

    @CLUSTER.list_error_handler("describe ECS service {service} in cluster {cluster}")
    def describe_service(self, cluster, service):
        return self.client("ecs").describe_services(cluster=cluster, services=[service], aws_retry=True)

    def check_ecs_service(self):
        cluster = self.params["ecs_service"]["cluster"]
        service = self.params["ecs_service"]["service"]
        answer = self.describe_service(cluster, service)
        if answer is None:
            self.module.fail_json(msg=f"ecs_service.cluster: unknown ECS cluster {cluster}")
        found = [s for s in answer.get("services") or [] if s.get("status") != "INACTIVE"]
        if not found:
            self.module.fail_json(msg=f"ecs_service.service: unknown ECS service {service} in cluster {cluster}")
        controller = (found[0].get("deploymentController") or {}).get("type", "ECS")
        if controller != "CODE_DEPLOY":
            self.module.fail_json(
                msg=(
                    f"ecs_service.service: ECS service {service} in cluster {cluster} uses the {controller} deployment "
                    "controller; CodeDeploy blue/green needs a service created with deployment_controller CODE_DEPLOY"
                )
            )

    # -- state ----------------------------------------------------------------------------------

    def present(self):
        params = self.params
        try:
            validate_deployment_group(params)
        except CodeDeployError as e:
            self.module.fail_json(msg=str(e))
        role_arn = self.resolve_role(params["service_role_arn"])
        self.check_listeners()
        self.check_target_groups()
        self.check_ecs_service()

        request = deployment_group_request(params, role_arn)
        app_exists, live = self.get_group()
        if not app_exists and not self.module.check_mode:
            self.module.fail_json(
                msg=f"application: CodeDeploy application {params['application']} does not exist; create it first"
            )
        before, after = compare_deployment_group(request, live)
        diff = {"before": camel_dict_to_snake_dict(before), "after": camel_dict_to_snake_dict(after)}
        tags = params["tags"]

        if live is None:
            if tags is not None:
                diff["after"]["tags"] = tags
            if self.module.check_mode:
                result = camel_dict_to_snake_dict(request)
                if tags is not None:
                    result["tags"] = tags
                return True, result, diff
            if tags:
                request["tags"] = tag_sync.as_list(tag_sync.CODEDEPLOY, tags)
            self.create(request)
            return True, self.result(tags), diff

        changed = before != after
        if changed and not self.module.check_mode:
            self.update(request, ", ".join(changed_keys(before, after)))
        final_tags = None
        if tags is not None:
            current, change = self.sync_tags(self.arn())
            final_tags = change.final
            diff["before"]["tags"] = current
            diff["after"]["tags"] = final_tags
            changed = change.changed or changed
        if self.module.check_mode or not changed:
            result = camel_dict_to_snake_dict(dict(live, **request) if changed else live)
            result.pop("current_deployment_group_name", None)
            if final_tags is not None:
                result["tags"] = final_tags
            return changed, result, diff
        return changed, self.result(final_tags), diff

    @GROUP.common_error_handler("create deployment group {self.params[application]}/{self.params[name]}")
    def create(self, request):
        self.codedeploy_writes.create_deployment_group(aws_retry=True, **request)

    @GROUP.common_error_handler("update deployment group {self.params[application]}/{self.params[name]} ({changes})")
    def update(self, request, changes):
        self.codedeploy_writes.update_deployment_group(aws_retry=True, **update_request(request))

    @GROUP.deletion_error_handler("delete deployment group {self.params[application]}/{self.params[name]}")
    def delete(self):
        self.codedeploy.delete_deployment_group(
            applicationName=self.params["application"], deploymentGroupName=self.params["name"], aws_retry=True
        )

    @GROUP.common_error_handler("update the tags of {arn}")
    def sync_tags(self, arn):
        """Bring the group's tags to O(tags); return (tags before, plan). Check mode: only the plan."""
        return tag_sync.sync(self.module, self.codedeploy, tag_sync.CODEDEPLOY, arn)

    def result(self, tags):
        _exists, info = self.get_group()
        result = camel_dict_to_snake_dict(info or {})
        if tags is not None:
            result["tags"] = tags
        return result

    @GROUP.list_error_handler("list the deployments in flight of {self.params[application]}/{self.params[name]}", [])
    def in_flight(self):
        return paginated_query_with_retries(
            self.codedeploy,
            "list_deployments",
            applicationName=self.params["application"],
            deploymentGroupName=self.params["name"],
            includeOnlyStatuses=list(IN_FLIGHT_STATUSES),
        ).get("deployments", [])

    def absent(self):
        _app_exists, live = self.get_group()
        if live is None:
            return False, {}, {"before": {}, "after": {}}
        before, _after = compare_deployment_group({}, live)
        diff = {"before": camel_dict_to_snake_dict(before), "after": {}}
        # Also in check mode: the plan fails where the run would.
        refusal = in_flight_refusal(self.params["application"], self.params["name"], self.in_flight())
        if refusal:
            self.module.fail_json(msg=refusal, diff=diff)
        if not self.module.check_mode:
            self.delete()
        return True, {}, diff


def main():
    argument_spec = dict(
        application=dict(type="str", required=True),
        name=dict(type="str", required=True),
        service_role_arn=dict(type="str", aliases=["service_role"]),
        deployment_config_name=dict(type="str", default="CodeDeployDefault.ECSAllAtOnce"),
        ecs_service=dict(
            type="dict",
            options=dict(cluster=dict(type="str", required=True), service=dict(type="str", required=True)),
        ),
        target_groups=dict(type="list", elements="str"),
        prod_listener_arns=dict(type="list", elements="str"),
        test_listener_arns=dict(type="list", elements="str"),
        ready_option=dict(
            type="dict",
            options=dict(
                action=dict(type="str", default="continue", choices=["continue", "wait"]),
                wait_minutes=dict(type="int"),
            ),
        ),
        termination_wait_minutes=dict(type="int", default=5),
        auto_rollback=dict(
            type="dict",
            options=dict(
                enabled=dict(type="bool", default=True),
                events=dict(type="list", elements="str", default=["DEPLOYMENT_FAILURE"], choices=list(ROLLBACK_EVENTS)),
            ),
        ),
        alarms=dict(
            type="dict",
            options=dict(
                names=dict(type="list", elements="str", default=[]),
                enabled=dict(type="bool", default=True),
                ignore_poll_alarm_failure=dict(type="bool", default=False),
            ),
        ),
        triggers=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                target_arn=dict(type="str", required=True),
                events=dict(type="list", elements="str", required=True, choices=list(TRIGGER_EVENTS)),
            ),
        ),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["service_role_arn", "ecs_service", "target_groups", "prod_listener_arns"])],
    )
    manager = DeploymentGroupManager(module)
    try:
        if module.params["state"] == "present":
            changed, group, diff = manager.present()
        else:
            changed, group, diff = manager.absent()
    except BluegreenAWSError as e:
        module.fail_json_aws_error(e)
    result = {"changed": changed, "deployment_group": group}
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
