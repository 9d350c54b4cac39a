"""The seam between the emulated CodeDeploy API and its deployment engine: base class and one engine per backend.

moto stores every CodeDeploy deployment with status ``Created`` and never moves it. The engine behind this seam
(emulator/bluegreen/codedeploy_engine.py) drives ECS blue/green deployments forward: replacement task set, test traffic, canary /
linear / all-at-once weight shifts on the ALB listener, bake time, termination of the original task set, on the
emulator's clock (emulator/clock.py).

The CodeDeploy patches (emulator/patches/codedeploy/deployments.py) reach the engine only through this class:

=====================================  ==================================================
CreateDeployment (and rollbacks)       ``on_create_deployment(deployment)``
StopDeployment                         ``stop_deployment(deployment, auto_rollback)``
ContinueDeployment                     ``continue_deployment(deployment, wait_type)``
PutLifecycleEventHookExecutionStatus   ``put_hook_status(deployment, execution_id, status)``
ListDeploymentTargets                  ``target_ids(deployment)``
GetDeploymentTarget / BatchGet...      ``ecs_target(deployment, target_id)``
POST /moto-api/reset                   ``reset()``
=====================================  ==================================================

``deployment`` is moto's ``moto.codedeploy.models.DeploymentInfo``; the engine may change ``status``,
``start_time``, ``complete_time`` and the emulator attributes ``error_information`` / ``rollback_info`` (dicts in
the CodeDeploy API shape) and ``previous_revision``. There is one engine per CodeDeploy backend (account + region), see ``engine_for``;
``set_engine_class`` swaps in another implementation. This default engine does the minimum: deployments stay
``Created``; targets have pending lifecycle events and no task sets. The emulator installs the ECS blue/green engine
(emulator/bluegreen/codedeploy_engine.py) in its place when the patches are applied.
"""

import threading

from moto.core.utils import utcnow

from emulator.errors import AwsError

TERMINAL_STATUSES = ("Succeeded", "Failed", "Stopped")
# Lifecycle events of an ECS blue/green deployment, in order:
# https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-ecs
ECS_LIFECYCLE_EVENTS = (
    "BeforeInstall",
    "Install",
    "AfterInstall",
    "AllowTestTraffic",
    "AfterAllowTestTraffic",
    "BeforeAllowTraffic",
    "AllowTraffic",
    "AfterAllowTraffic",
)


class DeploymentEngine:
    """Default (minimal) engine. Subclass and register with ``set_engine_class`` to make deployments progress."""

    def __init__(self, backend):
        self.backend = backend  # moto CodeDeployBackend for one account + region

    def on_create_deployment(self, deployment) -> None:
        """Called once a deployment is stored (status Created). The default leaves it there."""

    def stop_deployment(self, deployment, auto_rollback: bool) -> tuple[str, str]:
        """Stop an active deployment; return StopDeployment's (status, statusMessage).

        The caller creates the rollback deployment when ``auto_rollback`` is true.
        """
        del auto_rollback  # the default engine has no traffic to move back
        if deployment.status in TERMINAL_STATUSES:
            raise AwsError(
                "DeploymentAlreadyCompletedException", f"Deployment {deployment.deployment_id} has already completed."
            )
        deployment.status = "Stopped"
        deployment.complete_time = utcnow()
        deployment.error_information = {"code": "MANUAL_STOP", "message": "The deployment was stopped by the user."}
        return "Succeeded", "Stopped the deployment."

    def continue_deployment(self, deployment, wait_type: str) -> None:
        """READY_WAIT: start shifting traffic of a deployment in Ready; TERMINATION_WAIT: end the bake (Baking)."""
        if deployment.status in TERMINAL_STATUSES:
            raise AwsError(
                "DeploymentAlreadyCompletedException", f"Deployment {deployment.deployment_id} has already completed."
            )
        expected = {"READY_WAIT": "Ready", "TERMINATION_WAIT": "Baking"}[wait_type]
        if deployment.status != expected:
            raise AwsError(
                "DeploymentIsNotInReadyStateException",
                f"Deployment {deployment.deployment_id} is in {deployment.status}, not {expected}; {wait_type} cannot be continued.",
            )
        if wait_type == "READY_WAIT":
            deployment.status = "InProgress"
        else:
            deployment.status = "Succeeded"
            deployment.complete_time = utcnow()

    def put_hook_status(self, deployment, execution_id: str, status: str) -> None:
        """A hook function's report. The default engine runs no hooks, so no execution ID is valid."""
        raise AwsError(
            "InvalidLifecycleEventHookExecutionIdException",
            f"The lifecycle event hook execution ID {execution_id} is not valid for deployment "
            f"{deployment.deployment_id}.",
        )

    def target_ids(self, deployment) -> list[str]:
        """ECS targets are the group's services, as ``<cluster>:<service>``."""
        return [f"{svc['clusterName']}:{svc['serviceName']}" for svc in deployment.deployment_group.ecs_services or []]

    def ecs_target(self, deployment, target_id: str) -> dict:
        """ECSTarget (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_ECSTarget.html)."""
        cluster, service = (target_id.split(":", 1) + [""])[:2]
        backend = self.backend
        return {
            "deploymentId": deployment.deployment_id,
            "targetId": target_id,
            "targetArn": f"arn:{backend.partition}:ecs:{backend.region_name}:{backend.account_id}:service/{cluster}/{service}",
            "lastUpdatedAt": deployment.start_time or deployment.create_time,
            "lifecycleEvents": [{"lifecycleEventName": name, "status": "Pending"} for name in ECS_LIFECYCLE_EVENTS],
            "status": "Pending",
            "taskSetsInfo": [],
        }

    def reset(self) -> None:
        """Forget everything (called on POST /moto-api/reset); stop any timers or threads here."""


_LOCK = threading.Lock()
_ENGINE_CLASS: list[type[DeploymentEngine]] = [DeploymentEngine]
_LIVE: list[DeploymentEngine] = []
_ATTR = "emulator_engine"


def get_engine_class() -> type[DeploymentEngine]:
    return _ENGINE_CLASS[0]


def set_engine_class(engine_class: type[DeploymentEngine]) -> None:
    """Use ``engine_class`` for backends that have no engine yet (call reset_all() to replace existing ones)."""
    _ENGINE_CLASS[0] = engine_class


def engine_for(backend) -> DeploymentEngine:
    """The engine of one CodeDeploy backend. moto's reset wipes the backend, so a new engine follows a reset."""
    with _LOCK:
        engine = backend.__dict__.get(_ATTR)
        if engine is None:
            engine = _ENGINE_CLASS[0](backend)
            setattr(backend, _ATTR, engine)
            _LIVE.append(engine)
        return engine


def is_current(engine: DeploymentEngine) -> bool:
    """False once moto has reset the engine's backend (moto clears a backend in place)."""
    return engine.backend.__dict__.get(_ATTR) is engine


def live_engines() -> list[DeploymentEngine]:
    """The engines created since the last reset."""
    with _LOCK:
        return list(_LIVE)


def reset_all() -> None:
    """Reset and drop every engine (their backends are being reset too)."""
    with _LOCK:
        engines = list(_LIVE)
        _LIVE.clear()
        for engine in engines:
            engine.reset()
            engine.backend.__dict__.pop(_ATTR, None)
