# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Services that find each other: AWS Cloud Map service discovery, decided here, called by the roles and modules.

A service that declares ``discovery`` in its spec (the callee) is registered by ECS in a Cloud Map service of the
environment's private DNS namespace through the ECS service's ``serviceRegistries`` (A and SRV records, awsvpc: ECS
registers each task's private IP and container port, "Use service discovery to connect Amazon ECS services with DNS
names", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-discovery.html). A service that declares
``calls`` (the caller) only resolves names: its container gets ``UPSTREAM_<NAME>=<name>.<namespace>``, its task role
may call ``servicediscovery:DiscoverInstances`` for exactly those names, and its security group may reach the callee's
on the callee's port (and the callee admits it). Service Connect is not used: the CODE_DEPLOY controller does not
support it (docs/design.md, "Service discovery").
"""

from __future__ import annotations

import re

# One private DNS namespace per environment and project: <env>.<project>.internal (both are DNS labels already).
NAMESPACE_SUFFIX = "internal"
DEFAULT_TTL = 10  # seconds; a task that stops leaves the answers of resolvers that cached it within this time
# Cloud Map DnsRecord.TTL: 0..2147483647 (botocore servicediscovery RecordTTL); a day is a sane upper bound here.
TTL_RANGE = (0, 86400)
# Routing policy for several A records: MULTIVALUE answers up to eight healthy records (Cloud Map API, DnsConfig).
ROUTING_POLICY = "MULTIVALUE"
RECORD_TYPES = ("A", "SRV")
FIELD = "bluegreen_service"


class DiscoveryError(ValueError):
    """A discovery setting AWS or the collection cannot apply; the message names the field."""


def namespace_name(env, project):
    """The environment's Cloud Map namespace (a private hosted zone of the same name): ``<env>.<project>.internal``."""
    return f"{env}.{project}.{NAMESPACE_SUFFIX}"


def upstream_variable(service):
    """The caller's environment variable for one callee: ``UPSTREAM_<SERVICE>`` (``-`` becomes ``_``)."""
    return "UPSTREAM_" + re.sub(r"[^A-Za-z0-9]", "_", service).upper()


def upstream_environment(calls, namespace):
    """``{UPSTREAM_<NAME>: <name>.<namespace>}`` for each service the spec calls (app/upstream.py reads them)."""
    return {upstream_variable(name): f"{name}.{namespace}" for name in calls}


def dns_config(ttl):
    """Cloud Map CreateService DnsConfig: A (the task's IP) and SRV (IP and port) records, several answers."""
    return {
        "RoutingPolicy": ROUTING_POLICY,
        "DnsRecords": [{"Type": kind, "TTL": int(ttl)} for kind in RECORD_TYPES],
    }


def service_registries(registry_arn, container, port):
    """ECS serviceRegistries: with awsvpc and an SRV record, ECS needs containerName and containerPort (or port)."""
    if not registry_arn:
        return []
    return [{"registryArn": registry_arn, "containerName": container, "containerPort": int(port)}]


def same_registries(live, wanted):
    """True when the live service's serviceRegistries are the wanted ones (ECS echoes what it was given)."""

    def key(entries):
        return sorted(
            (e.get("registryArn"), e.get("containerName"), e.get("containerPort"), e.get("port")) for e in entries or []
        )

    return key(live) == key(wanted)


def dns_records_change(live_config, ttl):
    """What UpdateService's DnsConfigChange must send to reach ``ttl``, or None when the records are as wanted.

    Cloud Map's UpdateService changes only the records' TTLs (and the health check settings): the routing policy and
    the record types are fixed at CreateService (Cloud Map API reference, UpdateService / ServiceChange), so a
    service that differs in those is refused, naming what to do."""
    live_config = live_config or {}
    records = live_config.get("DnsRecords") or []
    if live_config.get("RoutingPolicy", ROUTING_POLICY) != ROUTING_POLICY or sorted(
        r["Type"] for r in records
    ) != sorted(RECORD_TYPES):
        raise DiscoveryError(
            f"the Cloud Map service has routing policy {live_config.get('RoutingPolicy')!r} and records "
            f"{sorted(r['Type'] for r in records)}; this collection needs {ROUTING_POLICY} with {list(RECORD_TYPES)}, "
            "which Cloud Map cannot change in place: delete the service (state=absent) and create it again"
        )
    if all(r.get("TTL") == int(ttl) for r in records):
        return None
    return {"DnsRecords": [{"Type": kind, "TTL": int(ttl)} for kind in RECORD_TYPES]}


def discover_statements(calls, namespace):
    """The caller's task role statement: DiscoverInstances for exactly its callees' names.

    DiscoverInstances has no resource ARN; Cloud Map offers the condition keys servicediscovery:NamespaceName and
    servicediscovery:ServiceName for it (Service Authorization Reference, "Actions, resources, and condition keys for
    AWS Cloud Map")."""
    if not calls:
        return []
    return [
        {
            "Sid": "DiscoverUpstreams",
            "Effect": "Allow",
            "Action": "servicediscovery:DiscoverInstances",
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "servicediscovery:NamespaceName": namespace,
                    "servicediscovery:ServiceName": sorted(calls),
                }
            },
        }
    ]


def callers_of(service, specs):
    """The services (normalized specs) that call ``service``, by name, sorted."""
    return sorted(s["name"] for s in specs if service in (s.get("calls") or []))


def ingress_rules(spec, caller_groups):
    """amazon.aws ec2_security_group rules: the callee's port from each caller's security group (``{name: id}``)."""
    if not spec.get("discovery"):
        return []
    return [
        {
            "proto": "tcp",
            "ports": [int(spec["port"])],
            "group_id": group_id,
            "rule_desc": f"Service discovery: {name} calls {spec['name']}",
        }
        for name, group_id in sorted(caller_groups.items())
        if group_id
    ]


def egress_rules(spec, callee_groups):
    """The caller's egress: each callee's port (``{name: {'port': p, 'group_id': id}}``) to its security group only."""
    rules = []
    for name in spec.get("calls") or []:
        callee = callee_groups.get(name) or {}
        if callee.get("group_id"):
            rules.append(
                {
                    "proto": "tcp",
                    "ports": [int(callee["port"])],
                    "group_id": callee["group_id"],
                    "rule_desc": f"Service discovery: {spec['name']} calls {name}",
                }
            )
    return rules


def check_calls(spec, specs):
    """Refuse a ``calls`` entry that names no service of the inventory, or one that does not declare discovery.

    ``specs``: the normalized specs of every service host. The message names the field and the allowed values."""
    by_name = {s["name"]: s for s in specs}
    discoverable = sorted(n for n, s in by_name.items() if s.get("discovery") and n != spec["name"])
    for name in spec.get("calls") or []:
        if name not in by_name or not by_name[name].get("discovery"):
            raise DiscoveryError(
                f"{FIELD}.calls: {name!r} is not a service of this inventory that declares discovery; "
                f"allowed: {discoverable or 'none (no service declares discovery)'}"
            )
    return True


def calls_errors(spec, specs):
    """``check_calls`` as a list of messages (empty when every callee is a discoverable service), for an assert."""
    try:
        check_calls(spec, specs)
    except DiscoveryError as exc:
        return [str(exc)]
    return []
