"""Fidelity patches for moto: one module (or package) per AWS service, each naming the AWS pages it follows.

``apply()`` installs them all and is idempotent; ``reset_state()`` clears what lives outside moto's backends
(called on POST /moto-api/reset after moto's own reset).
"""

import threading

from emulator import codedeploy_seam
from emulator.patches import (
    appautoscaling,
    awslambda,
    codebuild,
    codedeploy,
    connections,
    ec2,
    ecs,
    elbv2,
    iam,
    rds,
    secretsmanager,
    servicediscovery,
)

_MODULES = {
    "ec2": ec2,
    "ecs": ecs,
    "elbv2": elbv2,
    "iam": iam,
    "application-autoscaling": appautoscaling,
    "codebuild": codebuild,
    "codedeploy": codedeploy,
    "codestar-connections": connections,
    "lambda": awslambda,
    "rds": rds,
    "secretsmanager": secretsmanager,
    "servicediscovery": servicediscovery,
}
_LOCK = threading.Lock()
_APPLIED: list[str] = []


def apply() -> list[str]:
    """Install every patch once, and the ECS blue/green deployment engine; return the names of the patched services."""
    from emulator import bluegreen  # pylint: disable=import-outside-toplevel  # bluegreen imports these patches

    with _LOCK:
        if not _APPLIED:
            for name, module in _MODULES.items():
                module.apply()
                _APPLIED.append(name)
            bluegreen.install()
        return list(_APPLIED)


def reset_state() -> None:
    codedeploy_seam.reset_all()
