"""ECS blue/green deployment engines; today CodeDeploy's, behind emulator/codedeploy_seam.py.

- ``plan.py``: what a deployment will do, from its AppSpec, deployment group and deployment configuration
- ``deployment.py``: one deployment (or rollback) as a state machine; its docstring lists the states and timings
- ``world.py``: the changes on moto's ECS (task sets), ELBv2 (listener weights) and the CloudWatch alarm reads
- ``codedeploy_engine.py``: the CodeDeploy seam's hooks, the ticker thread and the lock that serialises moto requests with it
- ``ecs_engine.py``, ``service_deployment.py``, ``ecs_config.py``: ECS's own blue/green (deployment controller ECS,
  strategy BLUE_GREEN / LINEAR / CANARY): revisions and service deployments on the same lock, ticker and clock

Emulated minutes last ``emulator.clock.minute_seconds()`` real seconds (``EMULATOR_MINUTE_SECONDS``).
"""

from emulator import codedeploy_seam
from emulator.bluegreen import ecs_engine
from emulator.bluegreen.codedeploy_engine import CodeDeployEcsEngine, serialize_requests


def install() -> None:
    """Make new CodeDeploy backends use the blue/green engine, run ECS-native blue/green deployments on the same
    ticker, and serialise moto requests with it."""
    codedeploy_seam.set_engine_class(CodeDeployEcsEngine)
    ecs_engine.install()
    serialize_requests()
