# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Cloud Map calls shared by the servicediscovery_namespace and servicediscovery_service modules.

Lookups page through ListNamespaces/ListServices (botocore paginators) with AWS's own filters, and check the name
again here: the filters narrow the answer, the name decides. Namespace changes are asynchronous: the call returns an
OperationId and GetOperation says when it is SUCCESS or FAIL ("CreatePrivateDnsNamespace", "GetOperation", Cloud Map
API reference); ``wait_operation`` polls it for a bounded time.
"""

from __future__ import annotations

import time

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries

from .errors import missing_is
from .tag_sync import TagApi

# TagResource / UntagResource / ListTagsForResource of Cloud Map.
TAGS = TagApi("ResourceARN", "TagKeys", "Tags", "Key", "Value")

NAMESPACE = missing_is("NamespaceNotFound")
SERVICE = missing_is("ServiceNotFound")
OPERATION = missing_is()
POLL_SECONDS = 2


class OperationFailed(Exception):
    """A Cloud Map operation ended in FAIL, or did not end in time; the message says which and why."""


@NAMESPACE.list_error_handler("find Cloud Map namespace {name}")
def find_namespace(client, name):
    """The namespace called ``name`` (GetNamespace's answer), or None."""
    filters = [{"Name": "NAME", "Values": [name], "Condition": "EQ"}]
    pages = paginated_query_with_retries(client, "list_namespaces", Filters=filters)
    found = next((n for n in pages.get("Namespaces") or [] if n.get("Name") == name), None)
    if found is None:
        return None
    return client.get_namespace(aws_retry=True, Id=found["Id"])["Namespace"]


@SERVICE.list_error_handler("find Cloud Map service {name} in namespace {namespace_id}")
def find_service(client, namespace_id, name):
    """The service called ``name`` in the namespace (GetService's answer), or None."""
    filters = [{"Name": "NAMESPACE_ID", "Values": [namespace_id], "Condition": "EQ"}]
    pages = paginated_query_with_retries(client, "list_services", Filters=filters)
    # A summary does not name its namespace: GetService does, and decides.
    for summary in pages.get("Services") or []:
        if summary.get("Name") == name:
            service = client.get_service(aws_retry=True, Id=summary["Id"])["Service"]
            if service.get("NamespaceId") == namespace_id:
                return service
    return None


@OPERATION.common_error_handler("read Cloud Map operation {operation_id}")
def get_operation(client, operation_id):
    return client.get_operation(aws_retry=True, OperationId=operation_id)["Operation"]


def wait_operation(client, operation_id, timeout, sleep=time.sleep, clock=time.monotonic):
    """The operation once it is SUCCESS; OperationFailed when it FAILs or is still SUBMITTED/PENDING at ``timeout``."""
    deadline = clock() + timeout
    while True:
        operation = get_operation(client, operation_id)
        status = operation.get("Status")
        if status == "SUCCESS":
            return operation
        if status == "FAIL":
            raise OperationFailed(
                f"Cloud Map operation {operation_id} ({operation.get('Type')}) failed: "
                f"{operation.get('ErrorCode')}: {operation.get('ErrorMessage')}"
            )
        if clock() >= deadline:
            raise OperationFailed(
                f"Cloud Map operation {operation_id} ({operation.get('Type')}) is still {status} after {timeout} s"
            )
        sleep(POLL_SECONDS)
