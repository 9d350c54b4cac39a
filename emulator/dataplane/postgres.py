"""A real PostgreSQL server for an emulated RDS instance: Debian's binaries, one cluster per instance.

``Cluster(directory, host, port)`` runs ``initdb`` and ``postgres`` from ``/usr/lib/postgresql/<major>/bin``
(Debian's ``postgresql``, installed by ``scripts/install_postgresql.sh``; see ``bin_dir``) with its data under ``directory``, listening on ``host:port``
only (a loopback address of its own, like a load balancer's), never on 127.0.0.1 or a public address.

- PostgreSQL refuses to run as root, so initdb and the server run as the ``postgres`` system user of the package
  (``PG_USER``); the cluster's directory is made theirs. Every directory above it must be traversable by that
  user (``traversable``); the state dir under /work or /tmp is.
- The server is a child like the data plane's tasks (``processes.spawn``): PDEATHSIG, its own process group,
  ``EMULATOR_OWNER`` in its environment. Its worker processes are forked, not exec'd, and rewrite their process
  title over their environment, so ``emulator stop``'s reaper may not see them; they exit by themselves once the
  postmaster is gone (PostgreSQL's postmaster-death check), which PDEATHSIG or the reaper ensures.
- Admin statements (roles, databases, passwords) go through ``psql`` as the bootstrap superuser ``postgres`` over a
  Unix socket in a private directory (0700, owned by ``postgres``): only root and ``postgres`` reach it. TCP only
  admits password (SCRAM) logins.
- TLS: with ``tls=(certificate PEM, key PEM)`` the server speaks TLS and, as ``rds.force_ssl=1`` does (the default
  for RDS for PostgreSQL 15 and later, "Using SSL with a PostgreSQL DB instance",
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html), refuses TCP
  connections without it (pg_hba ``hostssl`` only). ``server_certificate`` issues one from the emulator's local CA
  (the load balancers' one, ``ca_file()``), so clients can use ``sslmode=verify-full`` with that bundle as they
  would with RDS's global bundle.
- Durability is not emulated: ``fsync=off`` (nothing here survives the emulator anyway).
"""

from __future__ import annotations

import concurrent.futures
import datetime
import ipaddress
import os
import pwd
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from emulator.dataplane import processes

MAJOR = "15"
# PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, and the emulator answers each request on a
# thread of its own: servers are forked by this one long-lived thread, so they live as long as the emulator does.
_SPAWNER = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-spawner")
START_TIMEOUT = 30.0


class PostgresError(RuntimeError):
    """initdb, the server or a statement failed; the message carries PostgreSQL's own words."""


def bin_dir() -> Path:
    """Debian's binaries: ``PG_BIN``, else major 15 (Debian 12's), else the newest major installed."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    preferred = Path(f"/usr/lib/postgresql/{MAJOR}/bin")
    if preferred.is_dir():
        return preferred
    majors = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    return majors[-1] if majors else preferred


def available() -> bool:
    """Whether Debian's PostgreSQL server binaries and its system user are installed."""
    try:
        pwd.getpwnam(_user())
    except KeyError:
        return False
    return all(os.access(bin_dir() / name, os.X_OK) for name in ("initdb", "postgres", "psql", "pg_isready"))


def _user() -> str:
    return os.environ.get("PG_USER", "postgres")


def traversable(path: Path, uid: int, gids: set[int]) -> bool:
    """Whether user ``uid`` (in groups ``gids``) may pass through every directory above ``path`` (exec bit)."""
    for parent in Path(path).resolve().parents:
        mode = parent.stat()
        if mode.st_uid == uid:
            bit = stat.S_IXUSR
        elif mode.st_gid in gids:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not mode.st_mode & bit:
            return False
    return True


def ca_file() -> Path:
    """The CA bundle that verifies ``server_certificate``'s certificates (the emulator's local CA)."""
    from emulator.dataplane import balancers  # noqa: PLC0415 - balancers pulls in moto

    balancers.ca_pem()  # generates the CA and writes the file on first use
    return balancers.ca_file()


def server_certificate(hostnames: list[str], addresses: list[str]) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for the server, signed by the local CA, naming its hostnames and IP addresses."""
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    from emulator.dataplane import balancers  # noqa: PLC0415

    ca_key, ca_cert = balancers._local_ca()  # one local CA for every TLS endpoint of the emulator
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(name) for name in dict.fromkeys(hostnames) if name]
    names += [x509.IPAddress(ipaddress.ip_address(address)) for address in dict.fromkeys(addresses) if address]
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (hostnames or addresses)[0])]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=395))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _settings(host: str, port: int, socket_dir: str, tls: bool) -> str:
    lines = {
        "listen_addresses": f"'{host}'",
        "port": str(port),
        "unix_socket_directories": f"'{socket_dir}'",
        "password_encryption": "'scram-sha-256'",
        "max_connections": "100",
        "shared_buffers": "'16MB'",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "log_destination": "'stderr'",
        "logging_collector": "off",
        "ssl": "on" if tls else "off",
    }
    if tls:
        lines |= {
            "ssl_cert_file": "'server.crt'",
            "ssl_key_file": "'server.key'",
            "ssl_min_protocol_version": "'TLSv1.2'",
        }
    return "".join(f"{key} = {value}\n" for key, value in lines.items())


def _hba(tls: bool) -> str:
    """Admin over the private socket only; everyone else by password over TCP (TLS only when forced)."""
    tcp = "hostssl" if tls else "host"
    return (
        "local all postgres trust\n"
        "local all all reject\n"
        f"{tcp} all postgres 0.0.0.0/0 reject\n"
        f"{tcp} all all 0.0.0.0/0 scram-sha-256\n"
        f"{tcp} all all ::/0 scram-sha-256\n"
    )


class Cluster:
    """One PostgreSQL cluster: ``start()`` (initdb on first start), ``stop()``, roles, databases, passwords."""

    def __init__(self, directory: Path | str, host: str, port: int = 5432, tls: tuple[bytes, bytes] | None = None):
        self.directory = Path(directory)
        self.host = host
        self.port = port
        self.tls = tls
        self.proc: subprocess.Popen | None = None
        self.socket_dir: str | None = None
        self.user = _user()

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def log_file(self) -> Path:
        return self.directory / "postgres.log"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        """initdb (once), then run the server until it accepts connections (PostgresError if it does not)."""
        if self.running:
            return
        account = pwd.getpwnam(self.user)
        if not traversable(self.directory, account.pw_uid, set(os.getgrouplist(self.user, account.pw_gid))):
            raise PostgresError(f"user {self.user} cannot reach {self.directory}: a directory above it lacks o+x")
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chown(self.directory, account.pw_uid, account.pw_gid)
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        self.socket_dir = tempfile.mkdtemp(prefix="emulator-pg-")
        os.chown(self.socket_dir, account.pw_uid, account.pw_gid)
        self._configure(account)
        log = open(self.log_file, "ab")  # the server's stderr for its lifetime
        try:
            self.proc = _SPAWNER.submit(
                processes.spawn,
                [str(bin_dir() / "postgres"), "-D", str(self.data_dir)],
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
                cwd=str(self.directory),
                user=account.pw_uid,
                group=account.pw_gid,
                extra_groups=[],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            ).result()
        finally:
            log.close()
        self._wait_ready()

    def _initdb(self) -> None:
        result = subprocess.run(
            [str(bin_dir() / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"]
            + ["--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"],
            user=self.user,
            group=pwd.getpwnam(self.user).pw_gid,
            extra_groups=[],
            cwd=str(self.directory),
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
        if result.returncode != 0:
            raise PostgresError(f"initdb failed: {(result.stderr or result.stdout).strip()}")

    def _configure(self, account) -> None:
        conf = self.data_dir / "conf.d-emulator.conf"
        conf.write_text(_settings(self.host, self.port, self.socket_dir, self.tls is not None))
        main = self.data_dir / "postgresql.conf"
        include = "include = 'conf.d-emulator.conf'\n"
        if include not in main.read_text():
            with main.open("a") as handle:
                handle.write(include)
        (self.data_dir / "pg_hba.conf").write_text(_hba(self.tls is not None))
        if self.tls is not None:
            cert, key = self.tls
            (self.data_dir / "server.crt").write_bytes(cert)
            (self.data_dir / "server.key").write_bytes(key)
            os.chmod(self.data_dir / "server.key", 0o600)  # PostgreSQL refuses a key others can read
        for path in (conf, self.data_dir / "pg_hba.conf", self.data_dir / "server.crt", self.data_dir / "server.key"):
            if path.exists():
                os.chown(path, account.pw_uid, account.pw_gid)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PostgresError(f"the server exited ({self.proc.returncode}): {self.log_tail()}")
            ready = subprocess.run(
                [str(bin_dir() / "pg_isready"), "-q", "-h", self.socket_dir, "-p", str(self.port), "-U", "postgres"],
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        self.stop()
        raise PostgresError(f"the server did not accept connections within {START_TIMEOUT:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 8) -> str:
        try:
            return " | ".join(self.log_file.read_text(errors="replace").strip().splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, grace: float = 10.0) -> None:
        """Fast shutdown (SIGINT: sessions are ended, not waited for), then the whole process group."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGINT)
                proc.wait(timeout=grace)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if proc is not None:
            processes.terminate(proc, grace=2.0)
        if self.socket_dir:
            shutil.rmtree(self.socket_dir, ignore_errors=True)
            self.socket_dir = None

    def destroy(self) -> None:
        """Stop the server and delete its data."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    # -- admin statements ------------------------------------------------------------------------------------------

    def psql(self, sql: str, database: str = "postgres", **variables: str) -> str:
        """Run ``sql`` as the superuser; ``:'name'`` / ``:"name"`` in it quote ``variables`` (psql's own quoting)."""
        if not self.running:
            raise PostgresError("the server is not running")
        args = [str(bin_dir() / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        args += ["-h", self.socket_dir, "-p", str(self.port), "-U", "postgres", "-d", database]
        for name, value in variables.items():
            args += ["-v", f"{name}={value}"]
        result = subprocess.run(
            args, input=sql, capture_output=True, text=True, check=False, env={"PATH": "/usr/bin:/bin"}
        )
        if result.returncode != 0:
            raise PostgresError(result.stderr.strip())
        return result.stdout.strip()

    def create_role(self, name: str, password: str) -> None:
        """A login role like RDS's master user: creates roles and databases, is no superuser."""
        self.psql("CREATE ROLE :\"role\" LOGIN CREATEDB CREATEROLE PASSWORD :'password';", role=name, password=password)

    def set_password(self, name: str, password: str) -> None:
        """New password for a role; sessions already open stay open (as on RDS after a rotation)."""
        self.psql("ALTER ROLE :\"role\" PASSWORD :'password';", role=name, password=password)

    def create_database(self, name: str, owner: str) -> None:
        self.psql('CREATE DATABASE :"dbname" OWNER :"owner";', dbname=name, owner=owner)

    def databases(self) -> list[str]:
        return self.psql("SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1;").splitlines()
