"""A real PostgreSQL server for the tests, in a temporary folder (``initdb`` + ``pg_ctl``).

Debian's packages put the programs in ``/usr/lib/postgresql/<version>/bin`` (not on
PATH); a PATH ``initdb`` is used first. PostgreSQL refuses to run as root, and the
tests (and CI) run as root: the server is then run as an unprivileged user (``postgres``
when the package made it, else ``nobody``) through ``setuid`` in the child process, its
folder made theirs. The server listens on 127.0.0.1 only, on a free port, with a
password (scram-sha-256) so that tests can check the password never shows; fsync is off
(a test server's data need not survive a power cut). :func:`start` raises
:class:`Unavailable` with the reason when the server cannot start -- the tests skip then,
saying why.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

USER = "refcheck"
PASSWORD = "pg-Secret-7f3a"
"""The test server's password: tests assert it never appears in a message."""
DATABASE = "refcheck"


class Unavailable(Exception):
    """The server cannot be started here (no PostgreSQL programs, initdb failed…)."""


@dataclass
class PgServer:
    folder: Path
    port: int
    bin_dir: Path
    run_as: int | None
    """The uid the server runs as (None: this process's own)."""

    @property
    def url(self) -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    def url_for(self, database: str) -> str:
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh database (dropped first if there); returns its URL."""
        import psycopg

        with psycopg.connect(self.url_for("postgres"), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def stop(self, mode: str = "fast") -> None:
        """``immediate``: as if the server crashed (connections cut, no goodbye)."""
        self._pg_ctl("stop", "-m", mode, "-w")

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c full_page_writes=off"
        self._pg_ctl("start", "-w", "-t", "30", "-l", str(self.folder / "server.log"), "-o", options)

    def _pg_ctl(self, *arguments: str) -> None:
        _run([str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), *arguments], self.run_as)


def find_bin_dir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are: PATH first, else Debian's newest version."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_of, reverse=True)
    return Path(versions[0]).parent if versions else None


def _version_of(path: str) -> float:
    try:
        return float(Path(path).parent.parent.name)
    except ValueError:
        return 0.0


def _unprivileged_user() -> int | None:
    """The uid to run the server as when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name).pw_uid
    raise Unavailable("running as root and no unprivileged user (postgres, nobody) to run the server as")


def _as_user(uid: int | None) -> Callable[[], None] | None:
    if uid is None:
        return None
    gid = pwd.getpwuid(uid).pw_gid

    def drop_privileges() -> None:  # in the child, before exec
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)

    return drop_privileges


def _run(command: list[str], uid: int | None, timeout: float = 60) -> None:
    # Environment without PG* variables of the developer's (PGDATA, PGPORT…); HOME the temp folder.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8")
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout, preexec_fn=_as_user(uid), check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"{Path(command[0]).name} failed: {exc}") from None
    if done.returncode != 0:
        output = " ".join((done.stderr or done.stdout).split())[-400:]
        raise Unavailable(f"{Path(command[0]).name} {command[1] if len(command) > 1 else ''} failed: {output}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start() -> PgServer:
    """Initialise and start a server in a new temporary folder."""
    try:
        import psycopg  # noqa: F401 - the tests talk to it through the store's driver
    except ImportError:
        raise Unavailable("the PostgreSQL driver psycopg is not installed") from None
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise Unavailable("PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin)")
    uid = _unprivileged_user()
    # Not under pytest's tmp_path: its parents are private to root, and the server's user
    # must reach its folder.
    folder = Path(tempfile.mkdtemp(prefix="refcheck-pg-"))
    try:
        return _initialised(folder, bin_dir, uid)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _initialised(folder: Path, bin_dir: Path, uid: int | None) -> PgServer:
    if uid is not None:
        os.chown(folder, uid, pwd.getpwuid(uid).pw_gid)
    password_file = folder / "password"
    password_file.write_text(PASSWORD + "\n")
    if uid is not None:
        os.chown(password_file, uid, -1)
    _run([str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", USER, f"--pwfile={password_file}",
          "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--no-instructions"], uid)  # fmt: skip
    password_file.unlink()
    server = PgServer(folder, _free_port(), bin_dir, uid)
    try:
        server.start()
        _wait_until_accepting(server)
        server.create_database(DATABASE)
    except BaseException:
        remove(server)
        raise
    return server


def _wait_until_accepting(server: PgServer, seconds: float = 20) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            with psycopg.connect(server.url_for("postgres"), connect_timeout=2):
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise Unavailable(f"the server did not accept connections: {exc}") from None
            time.sleep(0.1)


def remove(server: PgServer) -> None:
    with contextlib.suppress(Unavailable):
        server.stop("immediate")
    shutil.rmtree(server.folder, ignore_errors=True)


@contextlib.contextmanager
def running() -> Iterator[PgServer]:
    server = start()
    try:
        yield server
    finally:
        remove(server)
