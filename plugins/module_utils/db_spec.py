# -*- coding: utf-8 -*-
# Copyright: (c) 2026, bluegreen.ecs maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The db role's decisions (pure): the declared databases, who uses them, and what RDS offers.

``db_instances`` lists the environment's PostgreSQL databases; a service names the one it uses in its spec
(``bluegreen_service.database``). Every message names the variable, the value given and what is allowed, and every
check runs before any change. The limits are RDS's, from the CreateDBInstance API reference
(https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html) for RDS for PostgreSQL.
"""

from __future__ import annotations

import re

from . import naming, service_spec

FIELD = "db_instances"

# What a database takes when a key is left out: the Terraform demo's small service (256 CPU / 512 MiB) as a guide,
# so the smallest burstable Graviton class, gp3's minimum storage and the newest major RDS offers.
DEFAULTS = {
    "instance_class": "db.t4g.micro",
    "engine_version": "17",
    "allocated_storage": 20,
    "db_name": None,  # the database's name with '-' as '_'
    "master_username": "dbadmin",
    "multi_az": False,
}

# AllocatedStorage for General Purpose SSD (gp2, gp3) on RDS for PostgreSQL: "an integer from 20 to 65536".
STORAGE_RANGE = (20, 65536)
# BackupRetentionPeriod: "Must be a value from 0 to 35" (0 turns automated backups off).
BACKUP_RETENTION_RANGE = (0, 35)
# DBName (PostgreSQL): 1 to 63 letters, digits or underscores, beginning with a letter or an underscore.
# MasterUsername (PostgreSQL): 1 to 63 letters, digits or underscores, beginning with a letter.
_DB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
# "Can't be a word reserved by the database engine": PostgreSQL's reserved key words (SQL Key Words appendix,
# https://www.postgresql.org/docs/current/sql-keywords-appendix.html, "reserved" in the PostgreSQL column); RDS keeps
# rdsadmin for itself (its own administrative user and database).
RESERVED = frozenset(
    """all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create
    current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc
    distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral
    leading limit localtime localtimestamp not null offset on only or order placing primary references returning select
    session_user some symmetric system_user table then to trailing true union unique user using variadic when where
    window with rdsadmin""".split()
)

CONCERNS = ("shape", "name", "db_name", "master_username", "allocated_storage", "multi_az")


def _entry_field(index, key):
    return f"{FIELD}[{index}].{key}"


def _shape_error(instances):
    if not isinstance(instances, list):
        return f"{FIELD}: must be a list of databases ({{name, instance_class, ...}}), got {type(instances).__name__}"
    allowed = sorted(set(DEFAULTS) | {"name"})
    for index, entry in enumerate(instances):
        if not isinstance(entry, dict) or not entry.get("name"):
            return f"{FIELD}[{index}]: {entry!r} must be a mapping with a name; allowed keys {allowed}"
        unknown = sorted(set(entry) - set(allowed))
        if unknown:
            return f"{FIELD}[{index}]: unknown key(s) {unknown}; allowed {allowed}"
    return ""


def _name_errors(instances, env, project):
    errors, seen = [], set()
    for index, entry in enumerate(instances):
        field = _entry_field(index, "name")
        try:
            naming.database_names(env, project, entry["name"], field)
        except naming.NamingError as exc:
            errors.append(str(exc))
        if entry["name"] in seen:
            errors.append(f"{field}: {entry['name']!r} is declared twice; each database name once")
        seen.add(entry["name"])
    return errors


def _reserved_or_bad(value, pattern):
    return not isinstance(value, str) or not pattern.match(value) or value.lower() in RESERVED


def _db_name_errors(instances):
    errors = []
    for index, entry in enumerate(instances):
        value = default_db_name(entry)
        if _reserved_or_bad(value, _DB_NAME):
            errors.append(
                f"{_entry_field(index, 'db_name')}: {value!r} is not a database name RDS for PostgreSQL accepts; "
                "allowed 1 to 63 letters, digits or '_', starting with a letter or '_', not a PostgreSQL reserved word"
            )
    return errors


def _username_errors(instances):
    errors = []
    for index, entry in enumerate(instances):
        value = entry.get("master_username", DEFAULTS["master_username"])
        if _reserved_or_bad(value, _USERNAME):
            errors.append(
                f"{_entry_field(index, 'master_username')}: {value!r} is not a master user name RDS for PostgreSQL "
                "accepts; allowed 1 to 63 letters, digits or '_', starting with a letter, not a reserved word"
            )
    return errors


def _storage_errors(instances):
    errors = []
    low, high = STORAGE_RANGE
    for index, entry in enumerate(instances):
        value = entry.get("allocated_storage", DEFAULTS["allocated_storage"])
        if isinstance(value, bool) or not re.fullmatch(r"\d+", str(value)) or not low <= int(value) <= high:
            errors.append(
                f"{_entry_field(index, 'allocated_storage')}: {value!r} GiB; allowed a whole number {low}..{high} (gp3)"
            )
    return errors


def _multi_az_errors(instances):
    return [
        f"{_entry_field(index, 'multi_az')}: {entry['multi_az']!r}; allowed true or false"
        for index, entry in enumerate(instances)
        if "multi_az" in entry and not isinstance(entry["multi_az"], bool)
    ]


def default_db_name(entry):
    """The PostgreSQL database created in the instance: ``db_name``, else the database's name with '-' as '_'."""
    return entry.get("db_name") or str(entry["name"]).replace("-", "_")


def instance_errors(instances, env, project):
    """One message per concern (CONCERNS), '' when that concern is fine; 'shape' first (the rest need it)."""
    errors = dict.fromkeys(CONCERNS, "")
    errors["shape"] = _shape_error(instances)
    if errors["shape"]:
        return errors
    checks = {
        "name": _name_errors(instances, env, project),
        "db_name": _db_name_errors(instances),
        "master_username": _username_errors(instances),
        "allocated_storage": _storage_errors(instances),
        "multi_az": _multi_az_errors(instances),
    }
    errors.update({concern: "; ".join(found) for concern, found in checks.items()})
    return errors


def plan(instances, env, project):
    """The databases with every default filled and their names (``names``: instance, security_group, ...)."""
    planned = []
    for entry in instances:
        database = dict(DEFAULTS)
        database.update({key: value for key, value in entry.items() if value is not None})
        database["db_name"] = default_db_name(database)
        database["allocated_storage"] = int(database["allocated_storage"])
        database["engine_version"] = str(database["engine_version"])
        database["names"] = naming.database_names(env, project, database["name"])
        planned.append(database)
    return planned


def consumers(services, env, project, extra_tags=None):
    """``{database name: [service user]}`` from ``{host: bluegreen_service}`` of every service host.

    A user is the service's name and its tasks' security group (name, and the description and tags the ecs role
    gives it: roles/ecs/tasks/service.yml), so the db role can create the group when the ecs role has not yet:
    the database's ingress references it, and the ecs role adopts it unchanged."""
    found = {}
    for host, spec in sorted(services.items()):
        spec = service_spec.normalize(spec, host)
        if spec["database"]:
            names = naming.service_names(env, project, spec["name"])
            group = names["service_security_group"]
            found.setdefault(spec["database"], []).append(
                {
                    "service": spec["name"],
                    "security_group": group,
                    "description": f"{names['service']} tasks: {spec['port']}/tcp from the load balancer only; HTTPS out",
                    "tags": dict(naming.resource_tags(env, project, spec["name"], extra_tags), Name=group),
                }
            )
    return found


def ingress_rules(group_ids, port, database):
    """amazon.aws ec2_security_group rules admitting TCP ``port`` from each group, and from nothing else."""
    return [
        {
            "proto": "tcp",
            "ports": [int(port)],
            "group_id": group_id,
            "rule_desc": f"PostgreSQL from a service that uses {database}",
        }
        for group_id in sorted(set(group_ids))
        if group_id
    ]


def service_errors(services, instances):
    """Why a service names a database that ``db_instances`` does not declare ('' when none does)."""
    declared = [entry["name"] for entry in instances if isinstance(entry, dict) and entry.get("name")]
    errors = []
    for host, spec in sorted(services.items()):
        wanted = service_spec.normalize(spec, host)["database"]
        if wanted and wanted not in declared:
            allowed = ", ".join(declared) if declared else "none (db_instances is empty)"
            errors.append(
                f"bluegreen_service.database: service {host!r} uses database {wanted!r}, which db_instances does not "
                f"declare; allowed: {allowed}"
            )
    return "; ".join(errors)


def _major(version):
    return str(version).split(".", 1)[0]


def offered_versions(wanted, options):
    """The offered versions ``wanted`` stands for: itself, or every minor of a major given alone (RDS picks one)."""
    versions = {option["engine_version"] for option in options}
    wanted = str(wanted)
    if wanted in versions:
        return [wanted]
    return sorted((v for v in versions if "." not in wanted and _major(v) == wanted), key=_version_key)


def _version_key(version):
    return tuple(int(part) if part.isdigit() else part for part in version.split("."))


def offer_errors(instances, options, region):
    """``{engine_version, instance_class}`` messages for what DescribeOrderableDBInstanceOptions does not offer.

    ``options``: the rows of one read for engine postgres (snake case: engine_version, db_instance_class)."""
    errors = {"engine_version": [], "instance_class": []}
    all_versions = sorted({option["engine_version"] for option in options}, key=_version_key)
    majors = sorted({_major(v) for v in all_versions}, key=int)
    for index, database in enumerate(instances):
        versions = offered_versions(database["engine_version"], options)
        if not versions:
            errors["engine_version"].append(
                f"{_entry_field(index, 'engine_version')}: {database['engine_version']!r} is not offered for postgres "
                f"in {region}; offered: {', '.join(majors)} (a major, RDS picks its minor) or {', '.join(all_versions)}"
            )
            continue
        classes = sorted({o["db_instance_class"] for o in options if o["engine_version"] in versions})
        if database["instance_class"] not in classes:
            errors["instance_class"].append(
                f"{_entry_field(index, 'instance_class')}: {database['instance_class']!r} is not offered for postgres "
                f"{database['engine_version']} in {region}; offered: {', '.join(classes)}"
            )
    return {key: "; ".join(found) for key, found in errors.items()}


def version_errors(instances, current):
    """Why existing instances cannot take their ``engine_version`` ('' when all can); ``current``: {identifier: version}.

    The same major is the same database: RDS upgrades minors itself (AutoMinorVersionUpgrade), so a minor given
    here is where a new instance starts, never a downgrade. A major upgrade is not something a converge does."""
    errors = []
    for index, database in enumerate(instances):
        wanted, running = database["engine_version"], current.get(database["names"]["instance"])
        if running and _major(running) != _major(wanted):
            errors.append(
                f"{_entry_field(index, 'engine_version')}: {wanted!r}, but DB instance {database['names']['instance']} "
                f"runs PostgreSQL {running}; allowed: a version of major {_major(running)} (a major upgrade is planned "
                "work: snapshot, then ModifyDBInstance with AllowMajorVersionUpgrade, outside this role)"
            )
    return "; ".join(errors)
