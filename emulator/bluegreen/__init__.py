"""ECS blue/green deployments for the emulated CodeDeploy: the engine behind emulator/engine.py's seam.

- ``plan.py``: what a deployment will do, from its AppSpec, deployment group and deployment configuration
- ``run.py``: one deployment (or rollback) as a state machine; its docstring lists the states and timings
- ``world.py``: the changes on moto's ECS (task sets), ELBv2 (listener weights) and the CloudWatch alarm reads
- ``engine.py``: the CodeDeploy hooks, the ticker thread and the lock that serialises moto requests with it

Emulated minutes last ``emulator.engine.minute_seconds()`` real seconds (``EMULATOR_MINUTE_SECONDS``).
"""

from emulator import engine as seam
from emulator.bluegreen.engine import BlueGreenEngine, serialize_requests


def install() -> None:
    """Make new CodeDeploy backends use the blue/green engine and serialise moto requests with its ticker."""
    seam.set_engine_class(BlueGreenEngine)
    serialize_requests()
