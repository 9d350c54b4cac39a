# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS controller of a release (deploymentController ECS, ECS's own blue/green)."""

from __future__ import annotations

from .release_aws import ReleaseError
from .release_runtime import Run


class EcsRun(Run):
    kind = "ecs"

    def setup(self):
        raise ReleaseError(
            f"ECS service {self.service_name!r} uses the ECS deployment controller; "
            "this module releases through CodeDeploy (CODE_DEPLOY)"
        )
