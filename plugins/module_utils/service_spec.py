# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service spec: the one description of a service's container, shared by every layer.

The ecs role registers its task definition from it, the pipeline role renders ``taskdef.json``
from it, and the release module builds each new revision from it. ``normalize`` validates it
and fills defaults; errors name the field and the allowed values.
"""

from __future__ import annotations

import re

from .discovery import DEFAULT_TTL as DISCOVERY_TTL
from .discovery import TTL_RANGE as DISCOVERY_TTL_RANGE
from .naming import NamingError, check_label

FIELD = "bluegreen_service"

# Fargate task sizes, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
FARGATE_MEMORY = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4097, 1024)),
    1024: list(range(2048, 8193, 1024)),
    2048: list(range(4096, 16385, 1024)),
    4096: list(range(8192, 30721, 1024)),
    8192: list(range(16384, 61441, 4096)),
    16384: list(range(32768, 122881, 8192)),
}

DEFAULTS = {
    "port": 8000,
    "cpu": 256,
    "memory": 512,
    "health_check_path": "/health",
    "user": "10001",
    "stop_timeout": 30,
    "readonly_root_filesystem": True,
    "environment": {},
    "secrets": {},
    "architecture": "X86_64",
    "health_check": {},
    # The name of the environment's database the service uses (db role, db_instances), '' for none.
    "database": "",
    # Service discovery (module_utils/discovery.py): register this service's tasks in the environment's Cloud Map
    # namespace ({} for no; true or {ttl: seconds} for yes), and the services this one calls by their names.
    "discovery": {},
    "calls": [],
}

# The container health check. ``command`` unset: the default app's probe (task_definition.py);
# ``[]`` (or ``health_check: none``): no container health check, the target group's decides;
# a list starting with CMD or CMD-SHELL, or a string run as CMD-SHELL: any image's own probe.
# Limits are the ECS API's (botocore ecs HealthCheck: interval 5-300, timeout 2-60, retries 1-10,
# startPeriod 0-300); the defaults are the ones the collection always used.
HEALTH_CHECK_DEFAULTS = {"command": None, "interval": 15, "timeout": 5, "retries": 3, "start_period": 10}
HEALTH_CHECK_LIMITS = {"interval": (5, 300), "timeout": (2, 60), "retries": (1, 10), "start_period": (0, 300)}
HEALTH_CHECK_NONE = "none"

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_SOURCE = re.compile(r"^arn:aws[a-z-]*:(ssm|secretsmanager):")


class SpecError(ValueError):
    """Invalid service spec; the message names the field and what is allowed."""


def _whole(value, field, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not re.fullmatch(r"-?\d+", str(value).strip()):
        raise SpecError(f"{field}: {value!r} is not a whole number")
    value = int(value)
    if not low <= value <= high:
        raise SpecError(f"{field}: {value} is out of range; allowed {low}..{high}")
    return value


def _int(spec, key, low, high):
    return _whole(spec[key], f"{FIELD}.{key}", low, high)


def _health_command(command):
    field = f"{FIELD}.health_check.command"
    if command is None or command == []:
        return command
    if isinstance(command, str):
        if not command.strip():
            raise SpecError(f"{field}: an empty string; give a shell command, a list, or [] for none")
        return ["CMD-SHELL", command]
    # AWS: "The string array must start with CMD ... or CMD-SHELL" (botocore ecs HealthCheck.command).
    if (
        not isinstance(command, list)
        or len(command) < 2
        or command[0] not in ("CMD", "CMD-SHELL")
        or not all(isinstance(part, str) and part for part in command)
    ):
        raise SpecError(
            f"{field}: {command!r}; allowed a list of strings starting with CMD or CMD-SHELL and at least "
            "one more element, a shell command string (run as CMD-SHELL), or [] for no container health check"
        )
    return list(command)


def _health_check(value):
    """The health check, normalized: every key of HEALTH_CHECK_DEFAULTS; ``command`` [] means none."""
    field = f"{FIELD}.health_check"
    if isinstance(value, str) and value.lower() == HEALTH_CHECK_NONE:
        return dict(HEALTH_CHECK_DEFAULTS, command=[])
    if not isinstance(value, dict):
        raise SpecError(f"{field}: {value!r}; allowed a mapping ({', '.join(HEALTH_CHECK_DEFAULTS)}) or 'none'")
    unknown = set(value) - set(HEALTH_CHECK_DEFAULTS)
    if unknown:
        raise SpecError(f"{field}: unknown field(s) {sorted(unknown)}; allowed {list(HEALTH_CHECK_DEFAULTS)}")
    check = dict(HEALTH_CHECK_DEFAULTS)
    check.update({k: v for k, v in value.items() if v is not None})
    check["command"] = _health_command(value.get("command"))
    for key, (low, high) in HEALTH_CHECK_LIMITS.items():
        check[key] = _whole(check[key], f"{field}.{key}", low, high)
    return check


def check_fargate_size(cpu, memory, field=FIELD):
    """Reject a CPU/memory pair that Fargate would reject at RegisterTaskDefinition."""
    if cpu not in FARGATE_MEMORY:
        raise SpecError(f"{field}.cpu: {cpu} is not a Fargate CPU size; allowed {sorted(FARGATE_MEMORY)}")
    allowed = FARGATE_MEMORY[cpu]
    if memory not in allowed:
        raise SpecError(
            f"{field}.memory: {memory} MiB does not fit cpu {cpu} on Fargate; allowed for cpu {cpu}: "
            f"{allowed[0]}..{allowed[-1]} ({', '.join(str(m) for m in allowed)})"
        )


def _env_map(spec, key):
    value = spec[key] or {}
    if not isinstance(value, dict):
        raise SpecError(f"{FIELD}.{key}: must be a mapping of variable name to value")
    for name in value:
        if not _ENV_NAME.match(str(name)):
            raise SpecError(f"{FIELD}.{key}: {name!r} is not a valid environment variable name")
    return {str(k): str(v) for k, v in value.items()}


def _database(value):
    """A database name as db_instances declares it (a label), or '' for none; the db role checks it is declared."""
    if value in ("", None):
        return ""
    try:
        return check_label(value, f"{FIELD}.database")
    except NamingError as exc:
        raise SpecError(str(exc)) from None


def _discovery(value):
    """{} (not registered) or {'ttl': seconds}: ``true`` takes the default TTL, a mapping may set ``ttl``."""
    field = f"{FIELD}.discovery"
    if value in (False, {}, None):
        return {}
    if value is True:
        value = {}
    elif not isinstance(value, dict) or set(value) - {"ttl"}:
        raise SpecError(f"{field}: {value!r}; allowed true, false, or a mapping with ttl (seconds)")
    low, high = DISCOVERY_TTL_RANGE
    return {"ttl": _whole(value.get("ttl", DISCOVERY_TTL), f"{field}.ttl", low, high)}


def _calls(value, name):
    """The names of the services this one calls (labels), each once, never itself."""
    field = f"{FIELD}.calls"
    if not isinstance(value, list):
        raise SpecError(f"{field}: {value!r}; allowed a list of service names")
    calls = []
    for entry in value:
        try:
            label = check_label(entry, field)
        except NamingError as exc:
            raise SpecError(str(exc)) from None
        if label == name:
            raise SpecError(f"{field}: {label!r} is this service itself; allowed the names of other services")
        if label not in calls:
            calls.append(label)
    return sorted(calls)


def normalize(service, default_name=None):
    """Validate a service spec and return it with every default filled in."""
    if not isinstance(service, dict):
        raise SpecError(f"{FIELD}: must be a mapping, got {type(service).__name__}")
    unknown = set(service) - set(DEFAULTS) - {"name"}
    if unknown:
        raise SpecError(f"{FIELD}: unknown field(s) {sorted(unknown)}; allowed {sorted(set(DEFAULTS) | {'name'})}")
    spec = dict(DEFAULTS)
    spec.update({k: v for k, v in service.items() if v is not None})
    spec["name"] = spec.get("name") or default_name
    try:
        check_label(spec["name"], f"{FIELD}.name")
    except NamingError as exc:
        raise SpecError(str(exc)) from None
    spec["port"] = _int(spec, "port", 1, 65535)
    spec["cpu"] = _int(spec, "cpu", 1, 16384)
    spec["memory"] = _int(spec, "memory", 1, 122880)
    check_fargate_size(spec["cpu"], spec["memory"])
    spec["stop_timeout"] = _int(spec, "stop_timeout", 2, 120)
    if not str(spec["health_check_path"]).startswith("/"):
        raise SpecError(f"{FIELD}.health_check_path: {spec['health_check_path']!r} must start with '/'")
    if spec["architecture"] not in ("X86_64", "ARM64"):
        raise SpecError(f"{FIELD}.architecture: {spec['architecture']!r}; allowed X86_64, ARM64")
    spec["environment"] = _env_map(spec, "environment")
    spec["secrets"] = _env_map(spec, "secrets")
    for name, source in spec["secrets"].items():
        if not _SECRET_SOURCE.match(source):
            raise SpecError(
                f"{FIELD}.secrets.{name}: {source!r} must be the ARN of an SSM parameter or a Secrets Manager secret"
            )
    clash = set(spec["environment"]) & set(spec["secrets"])
    if clash:
        raise SpecError(f"{FIELD}: {sorted(clash)} set both in environment and secrets")
    spec["health_check"] = _health_check(spec["health_check"])
    spec["database"] = _database(spec["database"])
    spec["discovery"] = _discovery(spec["discovery"])
    spec["calls"] = _calls(spec["calls"], spec["name"])
    spec["user"] = str(spec["user"])
    spec["readonly_root_filesystem"] = bool(spec["readonly_root_filesystem"])
    return spec
