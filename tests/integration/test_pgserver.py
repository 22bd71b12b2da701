"""The test suite's own PostgreSQL server."""

from __future__ import annotations

import os
from pathlib import Path


def _process_uid(pid: int) -> int:
    """The real user id of a running process, from ``/proc``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for process {pid}")


def test_the_suite_starts_its_own_postgres_server_as_a_non_root_user(postgres_url: str) -> None:
    import psycopg  # here: the tests that need no server run without it

    with psycopg.connect(postgres_url) as conn:
        row = conn.execute(
            "select current_user, version(), pg_backend_pid(), current_setting('data_directory')"
        ).fetchone()
        assert row is not None
        user, version, backend_pid, datadir = row
        backend_uid = _process_uid(backend_pid)  # while the connection (and backend) lives

    assert user == "postgres"
    assert str(version).startswith("PostgreSQL ")
    postmaster_pid = int((Path(datadir) / "postmaster.pid").read_text().splitlines()[0])
    postmaster_uid = _process_uid(postmaster_pid)
    assert postmaster_uid != 0
    assert backend_uid == postmaster_uid
    if os.geteuid() != 0:
        assert postmaster_uid == os.geteuid()
