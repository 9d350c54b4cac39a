# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What bluegreen.ecs.aws_batch_info may read and how it shapes the answers (issue 15, converge time).

A role reads its whole layer in one module process instead of one process per kind of resource: each process costs
about half a second (Python, Ansible, botocore) before it makes its one call. Plain functions, unit tested."""

from __future__ import annotations

import re

# Read verbs only: the module must change nothing, so it can run in check mode and on every plan. BatchGet* reads
# several resources by name (e.g. CodeBuild BatchGetProjects, the only call that describes a project).
_READ = re.compile(r"^(Describe|List|Get|BatchGet)[A-Z][A-Za-z0-9]*$")

# Reads that answer with a secret or a credential: their answers would land in the play's registered results and
# logs, so the module refuses them (secrets never reach results).
SECRET_READS = frozenset(
    {
        "GetSecretValue",
        "BatchGetSecretValue",
        "GetRandomPassword",
        "GetAuthorizationToken",
        "GetPasswordData",
        "GetParameter",
        "GetParameters",
        "GetParametersByPath",
        "GetParameterHistory",
        "GetObject",
        "GetSessionToken",
        "GetFederationToken",
        "GetCredentialsForIdentity",
        "GetOpenIdToken",
        "GetRoleCredentials",
        "GetDataKey",
        "GetLoginProfile",
    }
)

# Tag lists as the APIs return them ([{Key, Value}], ECS's [{key, value}]) under these keys become dicts, the shape
# amazon.aws's *_info modules return.
_TAG_KEYS = ("Tags", "TagList", "TagSet", "tags")
# Answer keys that carry nothing about the resources.
_NOISE = ("ResponseMetadata", "NextToken", "nextToken", "Marker", "IsTruncated", "NextMarker")


class BatchReadError(ValueError):
    """A read the module refuses before calling AWS; the message names the field."""


def read_errors(reads):
    """Messages for ``reads`` (the module's ``reads`` option) that must not run: a name used twice, an operation
    that is not a read, or one that answers with a secret. Empty when all may run."""
    errors, seen = [], set()
    for index, read in enumerate(reads):
        where = f"reads[{index}]"
        name, operation = read.get("name"), read.get("operation") or ""
        if name in seen:
            errors.append(f"{where}.name: {name!r} is used twice; each read needs its own name")
        seen.add(name)
        if not _READ.match(operation):
            errors.append(
                f"{where}.operation: {operation!r} is not a read; allowed: an AWS API operation named"
                " Describe*, List*, Get* or BatchGet* (as in the API reference, e.g. DescribeSubnets)"
            )
        elif operation in SECRET_READS:
            errors.append(
                f"{where}.operation: {operation} answers with a secret or a credential; it is never read here"
            )
    return errors


def _tag_dict(value):
    """{key: value} for an API tag list; anything else unchanged."""
    if not isinstance(value, list) or not all(isinstance(tag, dict) for tag in value):
        return value
    pairs = []
    for tag in value:
        key, val = tag.get("Key", tag.get("key")), tag.get("Value", tag.get("value"))
        if key is None:
            return value
        pairs.append((key, val))
    return dict(pairs)


def _snake(value, key_to_snake):
    """``value`` with every dict key snake_cased, tag lists as dicts whose keys and values stay as written."""
    if isinstance(value, dict):
        return {
            key_to_snake(key): _tag_dict(item) if key in _TAG_KEYS else _snake(item, key_to_snake)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_snake(item, key_to_snake) for item in value]
    return value


def shape(response, snake, key_to_snake):
    """The answer without paging and metadata keys; with ``snake``, keys snake_cased (tag keys and values kept as
    written) and tag lists as dicts, the shape amazon.aws's *_info modules return. ``key_to_snake`` turns one key
    into snake case (Ansible's rule, passed in so this file stays free of Ansible imports)."""
    answer = {key: value for key, value in (response or {}).items() if key not in _NOISE}
    return _snake(answer, key_to_snake) if snake else answer


def read(name, service, operation, params=None, missing=(), snake=False):
    """One entry of the module's ``reads`` option, as the layers' plans build them."""
    return {
        "name": name,
        "service": service,
        "operation": operation,
        "params": params or {},
        "missing": list(missing),
        "snake": snake,
    }
