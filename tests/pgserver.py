"""Start a throwaway PostgreSQL server for the test session.

The server is initialised in a fresh temporary directory (on the ``/dev/shm``
RAM disk when it is roomy: on a slow disk that cuts startup from ~1.4 s to
~0.6 s and ``CREATE DATABASE`` from ~230 ms to ~20 ms), listens only on
127.0.0.1 on a free port (plus a Unix socket inside that directory), trusts
every local connection, and runs with ``fsync=off`` because its data is
thrown away. PostgreSQL refuses to run as root, so when the tests run as root
``initdb`` and ``pg_ctl`` run as the ``postgres`` system user through
``runuser``; otherwise they run as the current user.

Typical use::

    server = start_postgres()  # raises PostgresUnavailable if no binaries
    try:
        db = server.create_database("t_example")
        ...  # connect to db.url
    finally:
        server.stop()
"""

from __future__ import annotations

import dataclasses
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:  # psycopg (the `postgres` extra) is imported when a server is used
    import psycopg
    from psycopg.rows import TupleRow

SERVER_USER = "postgres"
"""The system user that owns and runs the server when the tests run as root."""

SUPERUSER = "postgres"
"""The database superuser created by ``initdb``."""

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 60
START_ATTEMPTS = 3  # a free port can be taken between choosing it and binding it
RAM_DISK = Path("/dev/shm")
RAM_DISK_MIN_FREE_BYTES = 1 << 30  # Docker's default 64 MB /dev/shm is too small


class PostgresUnavailable(Exception):
    """No usable PostgreSQL server binaries (or no user to run them as) on this machine.

    ``reason`` says why, so that tests can skip with it.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PostgresStartError(RuntimeError):
    """The binaries exist but the server could not be initialised or started."""


def find_bindir() -> Path:
    """Return the directory of the newest PostgreSQL server binaries.

    Looks in Debian's ``/usr/lib/postgresql/<version>/bin`` first, then asks
    ``pg_config --bindir``. Raises :class:`PostgresUnavailable` if neither has
    an ``initdb``.
    """
    candidates = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    candidates.sort(key=lambda bindir: _version_key(bindir.parent.name), reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    for bindir in candidates:
        if all((bindir / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return bindir
    raise PostgresUnavailable(
        "no PostgreSQL server binaries found (no /usr/lib/postgresql/*/bin/initdb, "
        "and pg_config --bindir has no initdb); install Debian's 'postgresql' package"
    )


def _version_key(version: str) -> tuple[int, ...]:
    """Sort key for directory names such as ``15`` or ``9.6``; non-numbers sort first."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (-1,)


def _parent_dir() -> str | None:
    """``/dev/shm`` if it is a writable RAM disk with room to spare, else the default."""
    try:
        stats = os.statvfs(RAM_DISK)
    except OSError:
        return None
    roomy = stats.f_bavail * stats.f_frsize >= RAM_DISK_MIN_FREE_BYTES
    return str(RAM_DISK) if roomy and os.access(RAM_DISK, os.W_OK | os.X_OK) else None


def _free_port() -> int:
    """Ask the kernel for a currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class _Cluster:
    """The files and binaries of one running server; owned by one handle."""

    bindir: Path
    basedir: Path
    as_user: str | None  # run commands through ``runuser -u as_user`` when set
    stopped: bool = False

    @property
    def datadir(self) -> Path:
        return self.basedir / "data"

    @property
    def sockdir(self) -> Path:
        return self.basedir / "socket"

    @property
    def logfile(self) -> Path:
        return self.basedir / "server.log"

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a server binary (as the server user if needed); never raises on failure."""
        command = [str(self.bindir / program), *args]
        if self.as_user is not None:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(
            command,
            cwd=self.basedir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server log, for error messages."""
        try:
            text = self.logfile.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server immediately and delete its directory; safe to call twice."""
        if self.stopped:
            return
        self.stopped = True
        if (self.datadir / "postmaster.pid").exists():
            self.run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "immediate", "-w")
        shutil.rmtree(self.basedir, ignore_errors=True)


@dataclass(frozen=True)
class PostgresServer:
    """Connection details of one database on a throwaway server.

    The handle returned by :func:`start_postgres` owns the server; handles
    returned by :meth:`create_database` only name another database on it.
    """

    host: str
    port: int
    user: str
    password: str | None
    dbname: str
    _cluster: _Cluster | None = field(default=None, repr=False, compare=False)

    @property
    def url(self) -> str:
        """A libpq URL, e.g. ``postgresql://postgres@127.0.0.1:54321/test``."""
        credentials = quote(self.user, safe="")
        if self.password:
            credentials += ":" + quote(self.password, safe="")
        return f"postgresql://{credentials}@{self.host}:{self.port}/{quote(self.dbname, safe='')}"

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection[TupleRow]:
        """Open a psycopg connection to this database (close it, e.g. with ``with``)."""
        import psycopg

        return psycopg.connect(self.url, autocommit=autocommit)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` on this server, closing any connections still open to it."""
        from psycopg import sql

        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def create_database(self, name: str) -> PostgresServer:
        """Create an empty database ``name`` on this server and return a handle to it."""
        from psycopg import sql

        with self.connect(autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return dataclasses.replace(self, dbname=name, _cluster=None)

    def stop(self) -> None:
        """Stop the server (``pg_ctl stop -m immediate``) and remove its directory.

        Does nothing on handles from :meth:`create_database`, which do not own
        the server, and nothing the second time.
        """
        if self._cluster is not None:
            self._cluster.stop()


def start_postgres(dbname: str = "test") -> PostgresServer:
    """Initialise and start a throwaway server, create ``dbname``, return its handle.

    Raises :class:`PostgresUnavailable` when there are no server binaries (or
    the tests run as root and there is no ``postgres`` user to run them as),
    and :class:`PostgresStartError` when the server fails to start.
    """
    bindir = find_bindir()
    as_user: str | None = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root and there is no {SERVER_USER!r} system user to run the server as"
            ) from None
        as_user = SERVER_USER

    basedir = Path(tempfile.mkdtemp(prefix="pgtest-", dir=_parent_dir()))
    cluster = _Cluster(bindir, basedir, as_user)
    try:
        _init(cluster)
        port = _start(cluster)
        server = PostgresServer(HOST, port, SUPERUSER, None, "postgres", cluster)
        return dataclasses.replace(server.create_database(dbname), _cluster=cluster)
    except BaseException:
        cluster.stop()
        raise


def _init(cluster: _Cluster) -> None:
    """Create the data and socket directories and run ``initdb``."""
    # The base directory must be traversable by the server user; the data
    # directory is created by initdb itself with mode 0700.
    cluster.basedir.chmod(0o755)
    cluster.sockdir.mkdir(mode=0o755)
    if cluster.as_user is not None:
        entry = pwd.getpwnam(cluster.as_user)
        for path in (cluster.basedir, cluster.sockdir):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    result = cluster.run(
        "initdb",
        "-D",
        str(cluster.datadir),
        "-A",
        "trust",
        "-U",
        SUPERUSER,
        "--no-sync",
        "--encoding=UTF8",
        "--locale=C",
    )
    if result.returncode != 0:
        raise PostgresStartError(f"initdb failed:\n{result.stdout}\n{result.stderr}")


def _start(cluster: _Cluster) -> int:
    """Start the server on a free port and wait until it accepts connections."""
    errors: list[str] = []
    for _ in range(START_ATTEMPTS):
        port = _free_port()
        settings = {
            "listen_addresses": f"'{HOST}'",
            "port": str(port),
            "unix_socket_directories": f"'{cluster.sockdir}'",
            "max_connections": "200",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        # Later lines win, so a retry can simply append; the file keeps its owner.
        with (cluster.datadir / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        result = cluster.run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            str(START_TIMEOUT_SECONDS),
            "-D",
            str(cluster.datadir),
            "-l",
            str(cluster.logfile),
        )
        if result.returncode == 0 and _wait_until_ready(cluster, port):
            return port
        errors.append(f"port {port}: {result.stdout}{result.stderr}\n{cluster.log_tail()}")
        cluster.run("pg_ctl", "stop", "-D", str(cluster.datadir), "-m", "immediate", "-w")
    raise PostgresStartError("could not start PostgreSQL:\n" + "\n---\n".join(errors))


def _wait_until_ready(cluster: _Cluster, port: int) -> bool:
    """Poll ``pg_isready`` on the TCP port until it answers or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        result = cluster.run("pg_isready", "-q", "-h", HOST, "-p", str(port), "-U", SUPERUSER)
        if result.returncode == 0:
            return True
        time.sleep(0.05)
    return False
