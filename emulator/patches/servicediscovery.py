"""AWS Cloud Map: what AWS refuses on delete, which moto allows.

Follows:
- https://docs.aws.amazon.com/cloud-map/latest/api/API_DeleteService.html: "ResourceInUse: The specified resource
  can't be deleted because it contains other resources. For example, you can't delete a service that contains any
  instances." moto deletes the service with its instances; here the call is refused while instances are registered
  (ECS deregisters a task when it stops, emulator/dataplane/discovery.py).
- https://docs.aws.amazon.com/cloud-map/latest/api/API_DeleteNamespace.html: the same ResourceInUse for a namespace
  that still contains services. moto deletes it and leaves its services behind.
"""

from __future__ import annotations

import functools

from moto.core.exceptions import JsonRESTError
from moto.servicediscovery.models import ServiceDiscoveryBackend

_MARK = "_emulator_servicediscovery"


class ResourceInUse(JsonRESTError):
    def __init__(self, message: str):
        super().__init__("ResourceInUse", message)


def _patch(name, wrapper_factory):
    original = getattr(ServiceDiscoveryBackend, name)
    if getattr(original, _MARK, False):
        return
    wrapper = functools.wraps(original)(wrapper_factory(original))
    setattr(wrapper, _MARK, True)
    setattr(ServiceDiscoveryBackend, name, wrapper)


def _delete_service(original):
    def delete_service(self, service_id):
        service = self.services.get(service_id)
        if service is not None and service.instances:
            raise ResourceInUse(
                f"Service {service_id} contains {len(service.instances)} registered instance(s); "
                "deregister them before deleting the service"
            )
        return original(self, service_id)

    return delete_service


def _delete_namespace(original):
    def delete_namespace(self, namespace_id):
        used = sorted(s.id for s in self.services.values() if s.namespace_id == namespace_id)
        if namespace_id in self.namespaces and used:
            raise ResourceInUse(f"Namespace {namespace_id} contains services {used}; delete them first")
        return original(self, namespace_id)

    return delete_namespace


def apply() -> None:
    _patch("delete_service", _delete_service)
    _patch("delete_namespace", _delete_namespace)
