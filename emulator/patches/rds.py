"""RDS: a PostgreSQL DB instance runs a real PostgreSQL server; AWS's refusals for what it does not accept.

Data plane (``emulator/dataplane/postgres.py``): CreateDBInstance with engine ``postgres`` starts a cluster for the
instance, on a loopback address of its own (``network.BOOK``, kind "rds") that IS its ``Endpoint.Address`` (as a load
balancer's DNSName is), on the instance's port (5432 unless ``Port``), TLS forced with a certificate from the
emulator's local CA naming that address and moto's ``<id>.aaaaaaaaaa.<region>.rds.amazonaws.com``
(``postgres.ca_file()`` verifies it, as RDS's global bundle does). The master user (``MasterUsername``) gets the
master password, or with ``ManageMasterUserPassword`` the one RDS keeps in Secrets Manager (``rds!db-<uuid>``, JSON
``username``/``password``: "Password management with Amazon RDS and AWS Secrets Manager",
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html); ``DBName`` is created, owned by
it. ModifyDBInstance applies ``MasterUserPassword``, ``ManageMasterUserPassword`` (a new managed secret, whose
password the server gets) and ``RotateMasterUserPassword`` (patches/secretsmanager.py rotates the secret and the
server's password together). DeleteDBInstance stops the server and deletes its data. Everything stops with the
emulator and on reset. The server's major version is Debian's (15), whatever ``EngineVersion`` says. The instance is
``available`` when CreateDBInstance answers (the server has started; AWS takes minutes).

Refusals (API_CreateDBInstance.html, API_ModifyDBInstance.html, API_DeleteDBInstance.html, with the error codes
and wording AWS answers):
- no ``MasterUserPassword`` and no ``ManageMasterUserPassword`` (moto accepts it): ``InvalidParameterValue``
  "The parameter MasterUserPassword must be provided and must not be blank."; both: ``InvalidParameterCombination``
  (MasterUserPassword "Can't be specified if ManageMasterUserPassword is turned on").
- ``DBName`` not a PostgreSQL name ("Must contain 1 to 63 letters, numbers, or underscores. Must begin with a letter.
  Subsequent characters can be letters, underscores, or digits (0-9). Can't be a word reserved by the database
  engine."): ``InvalidParameterValue`` "DBName must begin with a letter and contain only alphanumeric characters."
- an engine version RDS does not offer: ``InvalidParameterCombination`` "Cannot find version X for postgres"; an
  instance class it does not offer for it: "RDS does not support creating a DB instance with the following
  combination: DBInstanceClass=..., Engine=postgres, EngineVersion=..., LicenseModel=postgresql-license. ...".
  What is offered is ``POSTGRES_VERSIONS`` x ``INSTANCE_CLASSES`` (DescribeOrderableDBInstanceOptions answers it).
- ModifyDBInstance ``ManageMasterUserPassword=False`` without ``MasterUserPassword``: ``InvalidParameterCombination``
  "MasterUserPassword must be provided when ManageMasterUserPassword is set to false."; ``MasterUserPassword`` while
  the password is managed: ``InvalidParameterCombination``.
- DeleteDBInstance without ``SkipFinalSnapshot`` and without ``FinalDBSnapshotIdentifier``:
  ``InvalidParameterCombination`` "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified."
  (moto deleted it without a snapshot). Deletion protection: moto's refusal is AWS's.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import secrets
import string
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from moto.core.responses import PaginatedResult
from moto.rds.models import DBInstance, MasterUserSecret, RDSBackend
from moto.rds.responses import RDSResponse

from emulator import dataplane
from emulator.dataplane import network, postgres
from emulator.patches._util import aws_error

_LOG = logging.getLogger(__name__)
_MARK = "_emulator_rds"

# RDS for PostgreSQL versions new instances may use (release calendar, PostgreSQLReleaseNotes/
# postgresql-release-calendar.html: minors up to 15.12, 16.8 and 17.4 could no longer be created after May 1, 2026);
# a major version alone picks its newest minor, as RDS does.
POSTGRES_VERSIONS = ("15.13", "15.14", "15.15", "16.9", "16.10", "16.11", "17.5", "17.6", "17.7")
DEFAULT_POSTGRES_VERSION = "17.7"
# "Supported DB engines for DB instance classes" (Concepts.DBInstanceClass.Support.html): PostgreSQL 15-17 run on
# these families; db.t2 and db.m4 are not offered for them. One list for every region here.
_BURSTABLE = ("micro", "small", "medium", "large", "xlarge", "2xlarge")
_STANDARD = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
INSTANCE_CLASSES = tuple(
    [f"db.{family}.{size}" for family in ("t3", "t4g") for size in _BURSTABLE]
    + [f"db.{family}.{size}" for family in ("m5", "m6g", "m6i", "m7g", "r5", "r6g", "r6i", "r7g") for size in _STANDARD]
)
_DB_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
# PostgreSQL's reserved key words (sql-keywords-appendix.html, "reserved" in the PostgreSQL column), the ones a name
# like an application's could hit.
_RESERVED = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "both", "case", "cast", "check", "collate",
    "column", "constraint", "create", "default", "desc", "distinct", "do", "else", "end", "except", "false", "fetch",
    "for", "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into", "leading", "limit",
    "not", "null", "offset", "on", "only", "or", "order", "primary", "references", "returning", "select", "session_user",
    "some", "symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic",
    "when", "where", "window", "with",
}  # fmt: skip
# Characters RDS refuses in a master password ("/", "'", '"', "@", space) are left out (API_CreateDBInstance.html).
_PASSWORD_ALPHABET = string.ascii_letters + string.digits + "!#$%&()*+,-.:;<=>?[]^_{|}~"


# -- what AWS refuses (pure) ---------------------------------------------------------------------------------------


def resolve_version(version: str | None) -> str | None:
    """The full version RDS would use for ``version`` (a major picks its newest minor); None if not offered."""
    if not version:
        return DEFAULT_POSTGRES_VERSION
    if version in POSTGRES_VERSIONS:
        return version
    minors = [v for v in POSTGRES_VERSIONS if v.split(".", maxsplit=1)[0] == version]
    return minors[-1] if minors else None


def check_create(kwargs: dict) -> None:
    """Raise AWS's error for a CreateDBInstance RDS would refuse."""
    manage = bool(kwargs.get("manage_master_user_password"))
    password = kwargs.get("master_user_password")
    if kwargs.get("db_cluster_identifier"):
        return  # an Aurora cluster member takes its credentials from the cluster
    if not manage and not password:
        raise aws_error(
            "InvalidParameterValue", "The parameter MasterUserPassword must be provided and must not be blank."
        )
    if manage and password:
        raise aws_error(
            "InvalidParameterCombination",
            "MasterUserPassword can't be specified if ManageMasterUserPassword is turned on.",
        )
    if kwargs.get("engine") != "postgres":
        return
    name = kwargs.get("db_name")
    if name is not None and (not _DB_NAME.fullmatch(name) or name.lower() in _RESERVED):
        raise aws_error(
            "InvalidParameterValue", "DBName must begin with a letter and contain only alphanumeric characters."
        )
    version = resolve_version(kwargs.get("engine_version"))
    if version is None:
        raise aws_error(
            "InvalidParameterCombination", f"Cannot find version {kwargs.get('engine_version')} for postgres"
        )
    if kwargs.get("db_instance_class") not in INSTANCE_CLASSES:
        raise aws_error(
            "InvalidParameterCombination",
            "RDS does not support creating a DB instance with the following combination: "
            f"DBInstanceClass={kwargs.get('db_instance_class')}, Engine=postgres, EngineVersion={version}, "
            "LicenseModel=postgresql-license. For supported combinations of instance class and database engine "
            "version, see the documentation.",
        )


def check_modify(kwargs: dict, managed: bool) -> None:
    """Raise AWS's error for a ModifyDBInstance RDS would refuse (``managed``: the password is managed now)."""
    manage = kwargs.get("manage_master_user_password")
    password = kwargs.get("master_user_password")
    if manage is True and password:
        raise aws_error(
            "InvalidParameterCombination",
            "MasterUserPassword can't be specified if ManageMasterUserPassword is turned on.",
        )
    if manage is False and managed and not password:
        raise aws_error(
            "InvalidParameterCombination",
            "MasterUserPassword must be provided when ManageMasterUserPassword is set to false.",
        )
    if password and managed and manage is not False:
        raise aws_error(
            "InvalidParameterCombination",
            "MasterUserPassword can't be specified if ManageMasterUserPassword is turned on.",
        )


def check_delete(kwargs: dict) -> None:
    if not kwargs.get("skip_final_snapshot") and not kwargs.get("final_db_snapshot_identifier"):
        raise aws_error(
            "InvalidParameterCombination",
            "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.",
        )


def orderable_options(version: str | None, instance_class: str | None) -> list[dict]:
    """DescribeOrderableDBInstanceOptions for postgres (API_OrderableDBInstanceOption.html, the fields that matter)."""
    versions = POSTGRES_VERSIONS if not version else [v for v in POSTGRES_VERSIONS if v == version]
    classes = INSTANCE_CLASSES if not instance_class else [c for c in INSTANCE_CLASSES if c == instance_class]
    return [
        {
            "Engine": "postgres",
            "EngineVersion": v,
            "DBInstanceClass": c,
            "LicenseModel": "postgresql-license",
            "StorageType": "gp3",
            "MultiAZCapable": True,
            "SupportsStorageEncryption": True,
            "Vpc": True,
        }
        for v in versions
        for c in classes
    ]


def gp3_baseline(engine: str | None, allocated_storage: int | None) -> tuple[int, int]:
    """(Iops, StorageThroughput) RDS reports for gp3 storage given neither: "gp3 storage" in "Amazon RDS DB instance
    storage" (CHAP_Storage.html#gp3-storage), 3,000 IOPS and 125 MiB/s below the threshold, 12,000 and 500 from it
    (400 GiB for PostgreSQL, MySQL and MariaDB; 200 GiB for Oracle; Db2 and SQL Server have no threshold)."""
    threshold = {"oracle": 200}.get((engine or "").split("-")[0], 400)
    if (engine or "").startswith(("sqlserver", "db2")) or int(allocated_storage or 0) < threshold:
        return 3000, 125
    return 12000, 500


def new_password() -> str:
    """A master password as RDS generates for a managed secret (28 characters here; none RDS refuses)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _index in range(28))


# -- the servers -----------------------------------------------------------------------------------------------------


@dataclass
class _Server:
    cluster: postgres.Cluster
    interface: network.Interface
    username: str


class _Registry:
    def __init__(self):
        self.lock = threading.Lock()
        self.servers: dict[str, _Server] = {}
        self.registered = False
        self.base: Path | None = None


_REG = _Registry()


def stop_all() -> None:
    """Stop every server and delete its data (the emulator stops, or its state is reset)."""
    with _REG.lock:
        servers = list(_REG.servers.values())
        _REG.servers.clear()
        _REG.registered = False
    for server in servers:
        _discard(server)


def _discard(server: _Server) -> None:
    try:
        server.cluster.destroy()
    finally:
        network.BOOK.release(server.interface.loopback)


def _base_dir() -> Path:
    """Where clusters live: <EMULATOR_STATE_DIR or .emulator>/rds-<pid>, or a /tmp dir the postgres user can reach."""
    with _REG.lock:
        if _REG.base is None:
            state = Path(os.environ.get("EMULATOR_STATE_DIR") or ".emulator").resolve() / f"rds-{os.getpid()}"
            user = postgres.pwd.getpwnam(os.environ.get("PG_USER", "postgres"))
            if postgres.traversable(state, user.pw_uid, {user.pw_gid}):
                state.mkdir(parents=True, exist_ok=True)
                _REG.base = state
            else:
                _REG.base = Path(tempfile.mkdtemp(prefix="emulator-rds-"))
            os.chmod(_REG.base, 0o711)
        return _REG.base


def server_for(arn: str) -> _Server | None:
    with _REG.lock:
        return _REG.servers.get(arn)


def _interface(instance) -> network.Interface:
    """The instance's address: an ENI in the first subnet of its DB subnet group (AWS creates one, description
    "RDSNetworkInterface", the instance's VPC security groups), and a loopback address of its own."""
    vpc_id = subnet_id = private_ip = ""
    group = getattr(instance, "db_subnet_group", None)
    if group is not None and group._subnets:
        subnet = group._subnets[0]
        ec2 = subnet.ec2_backend
        used = {eni.private_ip_address for eni in list(ec2.enis.values())}
        hosts = subnet.cidr.hosts()
        for _reserved in range(3):  # AWS reserves the first four addresses of a subnet (.0 is not a host)
            next(hosts, None)
        wanted = next((str(ip) for ip in hosts if str(ip) not in used), None)
        try:
            eni = ec2.create_network_interface(
                subnet=subnet,
                private_ip_address=wanted,
                group_ids=list(instance.vpc_security_group_ids or []),
                description="RDSNetworkInterface",
            )
            vpc_id, subnet_id, private_ip = subnet.vpc_id, subnet.id, eni.private_ip_address
        except Exception:  # noqa: BLE001 - a security group moto does not know: the instance still gets an address
            _LOG.warning("no network interface for DB instance %s", instance.arn, exc_info=True)
    return network.BOOK.allocate("rds", instance.arn, vpc_id, subnet_id, private_ip)


def _master_password(instance, password: str | None) -> str:
    if getattr(instance, "master_user_secret", None) is not None:
        return json.loads(current_secret_string(instance.master_user_secret.secret))["password"]
    return password or ""


def current_secret_string(secret) -> str:
    """The AWSCURRENT value of a moto secret (its ``secret_string`` attribute cannot be read)."""
    return secret.versions[secret.default_version_id]["secret_string"]


def _start(backend: RDSBackend, instance, password: str | None) -> None:
    interface = _interface(instance)
    hostname = f"{instance.db_instance_identifier}.aaaaaaaaaa.{instance.region}.rds.amazonaws.com"
    cluster = postgres.Cluster(
        _base_dir() / instance.db_instance_identifier,
        interface.loopback,
        int(instance.port or 5432),
        tls=postgres.server_certificate([hostname], [interface.loopback]),
    )
    server = _Server(cluster, interface, instance.master_username)
    try:
        cluster.start()
        cluster.create_role(instance.master_username, _master_password(instance, password))
        if instance.db_name:
            cluster.create_database(instance.db_name, instance.master_username)
    except Exception:
        _discard(server)
        raise
    with _REG.lock:
        _REG.servers[instance.arn] = server
        if not _REG.registered:
            dataplane.on_stop(stop_all)
            _REG.registered = True
    instance.emulator_address = interface.loopback


def set_master_password(instance_arn: str, password: str) -> None:
    """The server's master user gets ``password`` (a rotation, a modify); nothing when no server runs."""
    server = server_for(instance_arn)
    if server is not None:
        server.cluster.set_password(server.username, password)


# -- moto hooks --------------------------------------------------------------------------------------------------------


def _wraps(name: str):
    """Replace RDSBackend.<name> with the decorated function, called with moto's original first (once)."""

    def decorate(function):
        original = getattr(RDSBackend, name)
        if getattr(original, _MARK, False):
            return original

        @functools.wraps(original)
        def method(self, *args, **kwargs):
            return function(original, self, *args, **kwargs)

        setattr(method, _MARK, True)
        setattr(RDSBackend, name, method)
        return method

    return decorate


def apply() -> None:
    _apply_backend()
    _apply_models()
    _apply_responses()


def _apply_backend() -> None:
    @_wraps("create_db_instance")
    def create_db_instance(original, self, db_kwargs):
        check_create(db_kwargs)
        if db_kwargs.get("engine") == "postgres":
            db_kwargs = dict(db_kwargs, engine_version=resolve_version(db_kwargs.get("engine_version")))
        instance = original(self, db_kwargs)
        if instance.storage_type == "gp3" and not instance.db_cluster_identifier:
            # moto leaves both out; RDS always reports gp3's baseline (clients such as amazon.aws rds_instance read them)
            iops, throughput = gp3_baseline(instance.engine, instance.allocated_storage)
            instance.iops = instance.iops or iops
            instance.storage_throughput = instance.storage_throughput or throughput
        if instance.engine == "postgres" and not instance.db_cluster_identifier and postgres.available():
            try:
                _start(self, instance, db_kwargs.get("master_user_password"))
            except Exception as err:
                self.databases.pop(instance.db_instance_identifier, None)
                if getattr(instance, "master_user_secret", None) is not None:
                    instance.master_user_secret.delete_secret()
                raise aws_error("InternalFailure", f"the emulator could not start PostgreSQL: {err}") from err
        return instance

    @_wraps("modify_db_instance")
    def modify_db_instance(original, self, db_instance_identifier, db_kwargs):
        instance = self.describe_db_instances(db_instance_identifier)[0]
        check_modify(db_kwargs, bool(getattr(instance, "master_user_secret", None)))
        had_secret = getattr(instance, "master_user_secret", None)
        instance = original(self, db_instance_identifier, db_kwargs)
        secret = getattr(instance, "master_user_secret", None)
        if secret is not None and secret is not had_secret:
            set_master_password(instance.arn, _master_password(instance, None))
        elif db_kwargs.get("master_user_password"):
            set_master_password(instance.arn, db_kwargs["master_user_password"])
        return instance

    @_wraps("delete_db_instance")
    def delete_db_instance(original, self, db_instance_identifier, *args, **kwargs):
        check_delete(kwargs)
        instance = original(self, db_instance_identifier, *args, **kwargs)
        with _REG.lock:
            server = _REG.servers.pop(instance.arn, None)
        if server is not None:
            _discard(server)
        return instance


def _apply_models() -> None:
    address = DBInstance.address
    if getattr(address.fget, _MARK, False):
        return

    def emulated_address(self) -> str:
        # the loopback address its server listens on, as a load balancer's DNSName is (module docstring)
        return getattr(self, "emulator_address", None) or address.fget(self)

    setattr(emulated_address, _MARK, True)
    DBInstance.address = property(emulated_address)

    def _generate_secret_string(self) -> str:
        # RDS puts the instance's master user name and a password it generates in the secret (rds-secrets-manager.html)
        return json.dumps({"username": self.resource.master_username, "password": new_password()})

    MasterUserSecret._generate_secret_string = _generate_secret_string


def _apply_responses() -> None:
    original = RDSResponse.describe_orderable_db_instance_options
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def describe_orderable_db_instance_options(self):
        if self.params.get("Engine") != "postgres":
            return original(self)
        options = orderable_options(self.params.get("EngineVersion"), self.params.get("DBInstanceClass"))
        return PaginatedResult({"OrderableDBInstanceOptions": options})

    setattr(describe_orderable_db_instance_options, _MARK, True)
    RDSResponse.describe_orderable_db_instance_options = describe_orderable_db_instance_options
