# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the codedeploy and pipeline layers build for a service, by its deployment controller.

``bluegreen_deployment_controller`` (group_vars, overridable per service in host_vars) is ``codedeploy`` (CodeDeploy
blue/green, the service's deploymentController CODE_DEPLOY) or ``ecs`` (ECS-native blue/green, deploymentController
ECS). Pure functions: the roles pass what they read from AWS and get the decision back.
"""

from __future__ import annotations

CONTROLLERS = {"codedeploy": "CODE_DEPLOY", "ecs": "ECS"}
SETTING = "bluegreen_deployment_controller"

# The pipeline's deploy stage per controller (roles/pipeline README, "The deploy stage"):
# codedeploy: CodePipeline's CodeDeployToECS action; ecs: the CodeBuild release step.
DEPLOY_STAGES = {"codedeploy": "codedeploy_to_ecs", "ecs": "codebuild_release"}


class ControllerError(ValueError):
    """A setting the layers cannot act on; the message names the variable and the allowed values."""


def controller_errors(setting):
    """[] when ``setting`` is a deployment controller, else the one message naming the variable and its values."""
    if setting in CONTROLLERS:
        return []
    return [
        f"{SETTING}: {setting!r} is not a deployment controller; allowed: codedeploy (CodeDeploy blue/green) "
        "or ecs (ECS-native blue/green)"
    ]


def live_controller(services):
    """The live service's controller type (CODE_DEPLOY, ECS, EXTERNAL) or None when it does not exist.

    ``services`` is DescribeServices' ``services`` (community.aws.ecs_service_info with details); only an ACTIVE one
    counts (a deleted service stays INACTIVE for a while). DescribeServices leaves ``deploymentController`` out for
    the ECS controller, AWS's default (ECS API reference, DeploymentController: "The default is ECS")."""
    for service in services or []:
        if service.get("status") == "ACTIVE":
            return (service.get("deploymentController") or {}).get("type") or "ECS"
    return None


def codedeploy_layer(services, setting, state, service_name):
    """What the codedeploy role does for one service: ``{'state': 'present'|'absent', 'validation':
    'present'|'absent', 'reason': str}``.

    ``validation``: the validation function stays for both controllers while the layer is wanted: CodeDeploy invokes
    it as the AfterAllowTestTraffic hook, and on the ECS controller the release invokes it while the PAUSE hook holds
    POST_TEST_TRAFFIC_SHIFT (it answers ECS's Lambda hook payload too), so both controllers validate from inside the
    VPC.

    - ``codedeploy_state: absent`` removes the layer, whatever the controller.
    - ``codedeploy`` builds it, unless the live service already runs on ECS: AWS documents no move back from ECS to
      CODE_DEPLOY (the ecs role refuses it too), so that raises ControllerError naming the setting.
    - ``ecs`` needs no CodeDeploy resources: they are removed (nothing to
      do when none exist). A service still live on CODE_DEPLOY is moved by the ecs layer; AWS's migration guide turns
      CodeDeploy automation off before that move ("Migrate CodeDeploy blue/green deployments to Amazon ECS blue/green
      deployments", prerequisites), so removing the deployment group first is the documented order.
    """
    errors = controller_errors(setting)
    if errors:
        raise ControllerError(errors[0])
    if state not in ("present", "absent"):
        raise ControllerError(f"codedeploy_state: {state!r} is not a state; allowed: present, absent")
    live = live_controller(services)
    if state == "absent":
        return {"state": "absent", "validation": "absent", "reason": "codedeploy_state is absent"}
    if setting == "codedeploy":
        if live not in (None, "CODE_DEPLOY"):
            raise ControllerError(
                f"{SETTING}: codedeploy, but service {service_name} uses the {live} deployment controller, and AWS "
                "documents no in-place move back to CODE_DEPLOY (allowed here: ecs). Keep ecs, or remove the service "
                "(ecs_state=absent) and build it again."
            )
        return {
            "state": "present",
            "validation": "present",
            "reason": f"service {service_name} is released by CodeDeploy",
        }
    if live == "CODE_DEPLOY":
        reason = (
            f"{SETTING} is ecs: service {service_name} still uses CODE_DEPLOY; the ecs layer moves it to ECS-native "
            "blue/green in place (run it next: playbooks/site.yml --tags ecs)"
        )
    else:
        reason = f"service {service_name} is released by ECS-native blue/green ({SETTING} is ecs)"
    return {"state": "absent", "validation": "present", "reason": reason}


def deploy_stage(setting):
    """The pipeline's deploy stage for the controller (a key of DEPLOY_STAGES)."""
    errors = controller_errors(setting)
    if errors:
        raise ControllerError(errors[0])
    return DEPLOY_STAGES[setting]
