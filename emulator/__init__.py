"""Local AWS for the bluegreen.ecs collection: moto 5 plus fidelity patches, on 127.0.0.1 only.

Run ``python -m emulator --help`` from the repository root.
"""

HOST = "127.0.0.1"
DEFAULT_PORT = 5000
# Returned by GET /emulator/health so clients can tell this server from anything else on the port.
SERVICE_ID = "bluegreen-ecs-emulator"
