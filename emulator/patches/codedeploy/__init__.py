"""CodeDeploy patches: deployment configs, applications & groups, deployments (see each module for the AWS pages)."""

from moto.codedeploy.responses import CodeDeployResponse

from emulator.patches._util import install
from emulator.patches.codedeploy.configs import DeploymentConfigPatch
from emulator.patches.codedeploy.deployments import DeploymentPatch
from emulator.patches.codedeploy.groups import DeploymentGroupPatch


def apply() -> None:
    for patch in (DeploymentConfigPatch, DeploymentGroupPatch, DeploymentPatch):
        install(CodeDeployResponse, patch)
