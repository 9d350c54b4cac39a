# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the ECS task definition of a service from its spec (see service_spec.py).

One function serves the ecs role (first deploy), the pipeline's ``taskdef.json`` (image
``<IMAGE1_NAME>``, filled by CodePipeline) and the release module (each new revision), so a
change of CPU, port or log group is made in one place.
"""

from __future__ import annotations

# A public image that answers 200 on every path, for the very first deploy: the service must
# start before the pipeline has pushed any image of ours (the seed pointed at a missing :latest).
BOOTSTRAP_IMAGE = "public.ecr.aws/docker/library/busybox:1.37"

# Fields AWS adds to a registered task definition; they are not part of what we ask for.
READ_ONLY_FIELDS = (
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
)


def _health_command(spec, bootstrap):
    url = f"http://127.0.0.1:{spec['port']}{spec['health_check_path']}"
    if bootstrap:
        return ["CMD-SHELL", f"wget -q -O /dev/null {url} || exit 1"]
    # http.client, not urllib: a non-200 answer must fail the check too.
    probe = (
        f"import http.client as h, sys; c = h.HTTPConnection('127.0.0.1', {spec['port']}, timeout=3); "
        f"c.request('GET', '{spec['health_check_path']}'); sys.exit(c.getresponse().status != 200)"
    )
    return ["CMD", "python", "-c", probe]


def container_definition(spec, names, image, region, bootstrap=False):
    """The service's only container, in the RegisterTaskDefinition shape."""
    port = spec["port"]
    environment = dict(spec["environment"], PORT=str(port))
    container = {
        "name": names["container"],
        "image": BOOTSTRAP_IMAGE if bootstrap else image,
        "essential": True,
        "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(spec["secrets"].items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": names["log_group"],
                "awslogs-region": region,
                "awslogs-stream-prefix": names["container"],
            },
        },
        "healthCheck": {
            "command": _health_command(spec, bootstrap),
            "interval": 15,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 10,
        },
        "readonlyRootFilesystem": spec["readonly_root_filesystem"],
        "user": spec["user"],
        "stopTimeout": spec["stop_timeout"],
        # A read-only root filesystem still needs a writable /tmp.
        "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
    }
    if bootstrap:
        page = "/tmp/www"
        health = page + spec["health_check_path"]
        container["command"] = [
            "sh",
            "-c",
            f"mkdir -p {page} $(dirname {health}) && echo bootstrap > {page}/index.html"
            f" && cp {page}/index.html {health} && exec httpd -f -p {port} -h {page}",
        ]
    return container


def task_definition(spec, names, image, region, execution_role_arn, task_role_arn, bootstrap=False):
    """Keyword arguments for ecs.register_task_definition (also the body of taskdef.json)."""
    return {
        "family": names["family"],
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": str(spec["cpu"]),
        "memory": str(spec["memory"]),
        "executionRoleArn": execution_role_arn,
        "taskRoleArn": task_role_arn,
        "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": spec["architecture"]},
        "volumes": [{"name": "tmp"}],
        "containerDefinitions": [container_definition(spec, names, image, region, bootstrap)],
    }


def _strip(value):
    """Drop empty values AWS omits when it echoes a definition back, so equal means equal."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if v not in (None, [], {}, "")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def comparable(definition):
    """A task definition (wanted or described) reduced to what we set, for a no-change check."""
    wanted = {k: v for k, v in definition.items() if k not in READ_ONLY_FIELDS and k != "tags"}
    return _strip(wanted)


def same_definition(wanted, live):
    """True when registering ``wanted`` would only repeat ``live``: no new revision is needed."""
    if not live:
        return False
    live_cmp = comparable(live)
    wanted_cmp = comparable(wanted)
    # AWS fills in defaults we do not set; compare only the keys we ask for, recursively.
    return _covers(wanted_cmp, live_cmp)


def _covers(wanted, live):
    if isinstance(wanted, dict):
        return isinstance(live, dict) and all(k in live and _covers(v, live[k]) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(live, list) and len(wanted) == len(live) and all(_covers(a, b) for a, b in zip(wanted, live))
    return wanted == live
