# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the ECS task definition of a service from its spec (see service_spec.py).

One function serves the ecs role (first deploy), the pipeline's ``taskdef.json`` (image
``<IMAGE1_NAME>``, filled by CodePipeline) and the release module (each new revision), so a
change of CPU, port or log group is made in one place.
"""

from __future__ import annotations

from .discovery import upstream_environment
from .service_spec import SpecError

# A public image that answers 200 on every path, for the very first deploy: the service must
# start before the pipeline has pushed any image of ours (the Terraform demo pointed at a missing :latest).
BOOTSTRAP_IMAGE = "public.ecr.aws/docker/library/busybox:1.37"

# The placeholder's server: busybox ``nc -ll`` (a persistent server in both of busybox's nc
# builds) forks one ``sh`` per connection, which reads the request headers and answers 200.
# It writes nothing anywhere: on Fargate an empty bind mount is root-owned 0755 unless the image
# declares its path as a VOLUME (ECS developer guide, "Use bind mounts with Amazon ECS",
# considerations), and busybox declares none, so a non-root placeholder has no writable path.
_BOOTSTRAP_REPLY = (
    "while read -r line && [ ${#line} -gt 1 ]; do :; done; "
    "printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: 10\\r\\n"
    "Connection: close\\r\\n\\r\\nbootstrap\\n'"
)

# The app's scratch space: a task-level bind mount at /tmp. Writable by the app's non-root user
# only because the app image declares VOLUME /tmp over a directory that user owns (Dockerfile).
SCRATCH_VOLUME = "tmp"
SCRATCH_PATH = "/tmp"

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


# RDS's CA bundle for every region (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem) where the app
# image keeps it (Dockerfile), so the app verifies the server's certificate and name (DB_SSLMODE verify-full):
# "Using SSL/TLS to encrypt a connection to a DB instance or cluster", RDS user guide.
RDS_CA_BUNDLE = "/etc/ssl/certs/rds-global-bundle.pem"
# What the app (app/config.py) reads; the task definition sets them all, so the spec may set none of them.
DATABASE_ENVIRONMENT = ("DB_HOST", "DB_PORT", "DB_NAME", "DB_SECRET_ARN", "DB_SSLMODE", "DB_SSLROOTCERT")
DATABASE_SECRETS = {"DB_USER": "username", "DB_PASSWORD": "password"}  # variable -> JSON key of RDS's secret
FIELD = "bluegreen_service.database"


def _pick(instance, camel, snake):
    """A key of DescribeDBInstances' DBInstance (boto3, CamelCase) or of amazon.aws.rds_instance_info (snake_case)."""
    return instance.get(camel, instance.get(snake)) or {}


def database_facts(instance, database=""):
    """What a service needs of its DB instance, from DescribeDBInstances (boto3) or rds_instance_info (Ansible).

    ``{identifier, address, port, db_name, secret_arn, kms_key_id, security_group_ids}``; SpecError naming
    ``bluegreen_service.database`` when the instance has no endpoint yet or RDS does not manage its password (the db
    role turns ManageMasterUserPassword on: the services read nothing else)."""
    identifier = instance.get("DBInstanceIdentifier", instance.get("db_instance_identifier", ""))
    endpoint = _pick(instance, "Endpoint", "endpoint")
    secret = _pick(instance, "MasterUserSecret", "master_user_secret")
    address, port = endpoint.get("Address", endpoint.get("address")), endpoint.get("Port", endpoint.get("port"))
    secret_arn = secret.get("SecretArn", secret.get("secret_arn"))
    if not address or not port:
        raise SpecError(f"{FIELD}: {database!r}: DB instance {identifier} has no endpoint yet (is it available?)")
    if not secret_arn:
        raise SpecError(
            f"{FIELD}: {database!r}: RDS does not manage the master password of DB instance {identifier} "
            "(no MasterUserSecret); run the db role, which turns ManageMasterUserPassword on"
        )
    groups = instance.get("VpcSecurityGroups", instance.get("vpc_security_groups")) or []
    return {
        "identifier": identifier,
        "address": address,
        "port": int(port),
        "db_name": instance.get("DBName", instance.get("db_name")) or "",
        "secret_arn": secret_arn,
        "kms_key_id": secret.get("KmsKeyId", secret.get("kms_key_id")) or "",
        "security_group_ids": sorted(
            g.get("VpcSecurityGroupId", g.get("vpc_security_group_id"))
            for g in groups
            if g.get("Status", g.get("status")) != "removing"
        ),
    }


def database_environment(database):
    """The app's DB_* variables (app/config.py): where the database is, and the secret to re-read on rotation."""
    return {
        "DB_HOST": database["address"],
        "DB_PORT": str(database["port"]),
        "DB_NAME": database["db_name"],
        # The task role re-reads it after a failed login (a rotation): ECS injects secrets at start only.
        "DB_SECRET_ARN": database["secret_arn"],
        "DB_SSLMODE": "verify-full",
        "DB_SSLROOTCERT": RDS_CA_BUNDLE,
    }


def database_secrets(database):
    """Task definition secrets: the master user and password from the JSON keys of RDS's managed secret.

    ``valueFrom`` ``<secret ARN>:<json-key>:<version-stage>:<version-id>``, stage and version empty for AWSCURRENT
    ("Pass Secrets Manager secrets through Amazon ECS environment variables", ECS developer guide; JSON keys need
    Fargate platform 1.4.0 or later)."""
    return {name: f"{database['secret_arn']}:{key}::" for name, key in DATABASE_SECRETS.items()}


def _database_overlap(spec):
    taken = set(DATABASE_ENVIRONMENT) | set(DATABASE_SECRETS)
    for field in ("environment", "secrets"):
        clash = sorted(taken & set(spec[field]))
        if clash:
            raise SpecError(
                f"bluegreen_service.{field}: {', '.join(clash)} set by the spec, but {FIELD} "
                f"({spec['database']!r}) sets them; remove them from {field}"
            )


def _database_parts(spec, database):
    """(environment, secrets) the spec's database adds; ({}, {}) without one. Refuses facts that do not fit the spec."""
    if not spec.get("database"):
        if database:
            raise SpecError(f"{FIELD}: not set, but the facts of DB instance {database.get('identifier')} were given")
        return {}, {}
    if not database:
        raise SpecError(
            f"{FIELD}: {spec['database']!r} needs its DB instance's facts (endpoint, managed secret); "
            "the instance does not exist yet: run the db role first (--tags db)"
        )
    _database_overlap(spec)
    return database_environment(database), database_secrets(database)


def _via_service_host(secret_arn):
    partition, region = secret_arn.split(":")[1], secret_arn.split(":")[3]
    return f"secretsmanager.{region}.amazonaws.com{'.cn' if partition == 'aws-cn' else ''}"


def database_policy_statements(database, key_manager="AWS"):
    """IAM statements that let a role read the database's secret, and nothing else (execution and task roles).

    GetSecretValue on that one secret ("Required IAM permissions for Amazon ECS secrets", ECS developer guide);
    kms:Decrypt only when the secret's key is a customer managed key (``key_manager`` CUSTOMER, DescribeKey's
    KeyManager): the aws/secretsmanager key's policy already allows use through Secrets Manager. The decrypt is
    limited to calls Secrets Manager makes in the secret's region (kms:ViaService, "Secret encryption and
    decryption in AWS Secrets Manager", Secrets Manager user guide)."""
    if not database:
        return []
    statements = [
        {
            "Sid": "ReadDatabaseSecret",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": database["secret_arn"],
        }
    ]
    if key_manager == "CUSTOMER" and database.get("kms_key_id"):
        statements.append(
            {
                "Sid": "DecryptDatabaseSecret",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": database["kms_key_id"],
                "Condition": {"StringEquals": {"kms:ViaService": _via_service_host(database["secret_arn"])}},
            }
        )
    return statements


def database_egress_rules(database):
    """amazon.aws ec2_security_group egress rules: TCP to the database's port, to its security groups only."""
    if not database:
        return []
    return [
        {
            "proto": "tcp",
            "ports": [int(database["port"])],
            "group_id": group_id,
            "rule_desc": f"PostgreSQL to DB instance {database['identifier']}",
        }
        for group_id in database["security_group_ids"]
    ]


def _upstreams(spec, names):
    """UPSTREAM_<NAME> for each service the spec calls, by its name in the environment's Cloud Map namespace."""
    calls = spec.get("calls") or []
    if not calls:
        return {}
    upstreams = upstream_environment(calls, names["discovery_namespace"])
    for field in ("environment", "secrets"):
        clash = sorted(set(upstreams) & set(spec[field]))
        if clash:
            raise SpecError(
                f"bluegreen_service.{field}: {', '.join(clash)} set by the spec, but bluegreen_service.calls "
                f"sets them (the discovered names); remove them from {field}"
            )
    return upstreams


def default_app_probe(spec):
    """The default app's health command (the image has Python, not curl or wget)."""
    # http.client, not urllib: a non-200 answer must fail the check too.
    probe = (
        f"import http.client as h, sys; c = h.HTTPConnection('127.0.0.1', {spec['port']}, timeout=3); "
        f"c.request('GET', '{spec['health_check_path']}'); sys.exit(c.getresponse().status != 200)"
    )
    return ["CMD", "python", "-c", probe]


def health_check(spec, bootstrap=False):
    """The container's healthCheck, or None when the spec asks for none (the target group decides)."""
    check = spec["health_check"]
    if bootstrap:
        # Our placeholder, whatever the real image's probe is: busybox has wget, not Python or curl.
        url = f"http://127.0.0.1:{spec['port']}{spec['health_check_path']}"
        command = ["CMD-SHELL", f"wget -q -O /dev/null {url} || exit 1"]
    elif check["command"] is None:
        command = default_app_probe(spec)
    elif not check["command"]:
        return None
    else:
        command = check["command"]
    return {
        "command": command,
        "interval": check["interval"],
        "timeout": check["timeout"],
        "retries": check["retries"],
        "startPeriod": check["start_period"],
    }


def container_definition(spec, names, image, region, bootstrap=False, database=None):
    """The service's only container, in the RegisterTaskDefinition shape."""
    port = spec["port"]
    db_environment, db_secrets = _database_parts(spec, database)
    environment = dict(spec["environment"], PORT=str(port), **db_environment, **_upstreams(spec, names))
    secrets = dict(spec["secrets"], **db_secrets)
    container = {
        "name": names["container"],
        "image": BOOTSTRAP_IMAGE if bootstrap else image,
        "essential": True,
        "portMappings": [{"containerPort": port, "hostPort": port, "protocol": "tcp"}],
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        "secrets": [{"name": k, "valueFrom": v} for k, v in sorted(secrets.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": names["log_group"],
                "awslogs-region": region,
                "awslogs-stream-prefix": names["container"],
            },
        },
        "readonlyRootFilesystem": spec["readonly_root_filesystem"],
        "user": spec["user"],
        "stopTimeout": spec["stop_timeout"],
    }
    check = health_check(spec, bootstrap)
    if check:
        container["healthCheck"] = check
    if bootstrap:
        container["command"] = ["nc", "-ll", "-p", str(port), "-e", "sh", "-c", _BOOTSTRAP_REPLY]
    else:
        # A read-only root filesystem still needs a writable /tmp (see SCRATCH_PATH).
        container["mountPoints"] = [{"sourceVolume": SCRATCH_VOLUME, "containerPath": SCRATCH_PATH, "readOnly": False}]
    return container


def task_definition(spec, names, image, region, execution_role_arn, task_role_arn, bootstrap=False, database=None):
    """Keyword arguments for ecs.register_task_definition (also the body of taskdef.json).

    ``database``: ``database_facts(...)`` of the DB instance the spec names (``spec['database']``), required then and
    refused otherwise; it adds the DB_* environment and the DB_USER/DB_PASSWORD secrets."""
    return {
        "family": names["family"],
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": str(spec["cpu"]),
        "memory": str(spec["memory"]),
        "executionRoleArn": execution_role_arn,
        "taskRoleArn": task_role_arn,
        "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": spec["architecture"]},
        # The placeholder needs no writable path, so it gets no volume at all.
        "volumes": [] if bootstrap else [{"name": SCRATCH_VOLUME}],
        "containerDefinitions": [container_definition(spec, names, image, region, bootstrap, database)],
    }


def _non_root(user):
    """True when the container runs as a user other than root; None when the image decides."""
    if not user:
        return None
    name = str(user).split(":", 1)[0]
    return name not in ("0", "root")


def _is_fargate_bind_mount(volume):
    # A task volume with none of these is a bind mount on Fargate's ephemeral task storage.
    others = ("host", "dockerVolumeConfiguration", "efsVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration")
    return not any(volume.get(key) for key in others) and not volume.get("configuredAtLaunch")


def unwritable_mounts(definition, image_volumes=()):
    """Where a non-root container cannot write on Fargate: ``[(container, path), ...]``.

    Fargate creates a task bind mount root-owned, mode 0755, unless the image declares the same
    path as a ``VOLUME``; then the image directory's content, owner and mode are copied into it
    (ECS developer guide, "Use bind mounts with Amazon ECS", considerations; aws/containers-roadmap
    #938, #863). AWS accepts such a definition at RegisterTaskDefinition: the task fails at run time,
    so the collection checks it itself. ``image_volumes``: the VOLUME paths of the container's image.
    """
    bind = {v["name"] for v in definition.get("volumes") or [] if _is_fargate_bind_mount(v)}
    declared = {p.rstrip("/") or "/" for p in image_volumes}
    problems = []
    for container in definition.get("containerDefinitions") or []:
        if not _non_root(container.get("user")):
            continue
        for mount in container.get("mountPoints") or []:
            path = mount["containerPath"].rstrip("/") or "/"
            if mount.get("sourceVolume") in bind and not mount.get("readOnly") and path not in declared:
                problems.append((container["name"], mount["containerPath"]))
    return problems


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
    # AWS fills in defaults we do not set; compare only the keys we ask for, recursively, and
    # check apart the keys we set or leave out (no health check, no volume): AWS adds none of them.
    return _covers(wanted_cmp, live_cmp) and _same_owned_keys(wanted_cmp, live_cmp)


# Keys the collection sets or omits on purpose; AWS never fills them in by itself.
OWNED_TASK_KEYS = ("volumes",)
OWNED_CONTAINER_KEYS = ("healthCheck", "mountPoints", "command")


def _same_owned_keys(wanted, live):
    if any((key in wanted) != (key in live) for key in OWNED_TASK_KEYS):
        return False
    pairs = zip(wanted.get("containerDefinitions", []), live.get("containerDefinitions", []))
    return all((key in w) == (key in v) for w, v in pairs for key in OWNED_CONTAINER_KEYS)


def _covers(wanted, live):
    if isinstance(wanted, dict):
        return isinstance(live, dict) and all(k in live and _covers(v, live[k]) for k, v in wanted.items())
    if isinstance(wanted, list):
        return isinstance(live, list) and len(wanted) == len(live) and all(_covers(a, b) for a, b in zip(wanted, live))
    return wanted == live
