"""ECS service discovery: each RUNNING task of a service with ``serviceRegistries`` is an instance of its Cloud Map
service, and leaves it when it stops.

Follows https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-discovery.html: "When a task starts,
Amazon ECS registers it with the Cloud Map service; when it stops, Amazon ECS deregisters it", with the task's ID
as the instance ID and the attributes ECS writes (``AWS_INSTANCE_IPV4`` the task's private IP, ``AWS_INSTANCE_PORT``
the registry's container port, ``AVAILABILITY_ZONE``, ``REGION``, ``ECS_CLUSTER_NAME``, ``ECS_SERVICE_NAME``,
``ECS_TASK_DEFINITION_FAMILY``; https://docs.aws.amazon.com/cloud-map/latest/api/API_RegisterInstance.html for the
attribute names). A task set created by CodeDeploy registers into its own ``serviceRegistries``, else the service's.

The one difference: ``AWS_INSTANCE_IPV4`` is the task's loopback address, not its private IP. Nothing on this machine
listens on a VPC address; the task's process listens on its loopback (tasks.py), as a load balancer's ``DNSName`` and
an RDS ``Endpoint.Address`` are loopbacks here. So ``DiscoverInstances`` (moto's) answers what a caller can reach.

Called with the moto lock held (tasks.py).
"""

from __future__ import annotations

import contextlib
import logging

_LOG = logging.getLogger("emulator.dataplane.discovery")


def registries(service, task_set) -> list[dict]:
    """The registries a task of this task set (or ECS-native revision) registers into.

    An ECS-native service revision carries its own (empty included: an UpdateService that removed them starts a
    revision without them, API_UpdateService.html serviceRegistries); a task set without any takes the service's."""
    if hasattr(task_set, "configured_load_balancers"):  # emulator/bluegreen/service_deployment.py Revision
        return [dict(r) for r in task_set.service_registries]
    return list(getattr(task_set, "service_registries", None) or getattr(service, "service_registries", None) or [])


def _backend(account: str, registry_arn: str):
    from moto.servicediscovery.models import servicediscovery_backends  # pylint: disable=import-outside-toplevel

    region = registry_arn.split(":")[3]
    return servicediscovery_backends[account][region]


def _service_id(registry_arn: str) -> str:
    return registry_arn.rsplit("/", 1)[-1]


def attributes(task, registry: dict) -> dict[str, str]:
    """The instance attributes ECS registers for an awsvpc task."""
    port = registry.get("containerPort") or registry.get("port") or task.port
    found = {
        "AWS_INSTANCE_IPV4": task.loopback or "",
        "AVAILABILITY_ZONE": (task.eni or {}).get("az") or "",
        "REGION": task.region,
        "ECS_CLUSTER_NAME": task.cluster,
        "ECS_SERVICE_NAME": task.service,
        "ECS_TASK_DEFINITION_FAMILY": task.task_definition_arn.rsplit("/", 1)[-1].split(":")[0],
    }
    if port:
        found["AWS_INSTANCE_PORT"] = str(port)
    return {key: value for key, value in found.items() if value}


def register(task) -> None:
    """RegisterInstance in each of the task's registries (a deleted Cloud Map service: the task runs unregistered)."""
    for registry in task.registries or []:
        arn = registry.get("registryArn", "")
        try:
            _backend(task.account, arn).register_instance(
                _service_id(arn), task.task_id, f"ecs-{task.task_id}", attributes(task, registry)
            )
            task.discovered.append(arn)
        except Exception:  # noqa: BLE001 - moto raises its own ServiceNotFound
            _LOG.warning("task %s: Cloud Map service %s is gone", task.arn, arn)


def deregister(task) -> None:
    """DeregisterInstance from every registry the task joined."""
    while task.discovered:
        arn = task.discovered.pop()
        with contextlib.suppress(Exception):
            _backend(task.account, arn).deregister_instance(_service_id(arn), task.task_id)
