"""Faults of the disk under a running server (gunicorn, SQLite): files that turn read-only and writable again,
and a disk that fills up. The service says what it can do, recovers by itself, and loses nothing."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from servers import fetch, post_json, production_server

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="faults of SQLite's files"),
]

ANSWERS = {"volume": "light", "budget": "minimal", "compute": "none", "expertise": "none"}

# As root, file modes bind no one: the server runs without the capabilities that override them, as any other
# user would.
AS_AN_ORDINARY_USER = (
    ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"] if os.geteuid() == 0 else []
)


def until_only(status: int, url: str, seconds: float = 20) -> list[int]:
    """Ask until the last five answers were all ``status`` (old workers finish while new ones start)."""
    seen: list[int] = []
    deadline = time.monotonic() + seconds
    while seen[-5:] != [status] * 5 and time.monotonic() < deadline:
        seen.append(fetch(url)[0])
        time.sleep(0.05)
    return seen[-5:]


def database_files(database: Path) -> list[Path]:
    return [path for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if path.exists()]


def test_workers_recover_by_themselves_after_the_database_was_read_only_for_a_while(tmp_path):
    database = tmp_path / "db.sqlite3"
    gunicorn = {}
    with production_server(tmp_path, workers=2, database=database, wrap=AS_AN_ORDINARY_USER, handle=gunicorn) as base:
        status, saved = post_json(base + "/api/results", {"answers": ANSWERS})
        assert status == 201
        files = database_files(database)
        assert len(files) == 3  # the workers hold it open in WAL mode

        for path in files:
            path.chmod(0o444)
        # Open connections keep writing through their open files: workers that start now (after a crash, a
        # reload) connect to files they cannot write.
        gunicorn["process"].send_signal(signal.SIGHUP)
        during = until_only(503, base + "/healthz")
        # Many failed connections per worker: each used to stay open, sharing SQLite's read-only state.
        during += [fetch(base + "/healthz")[0] for _ in range(30)]
        refused = [post_json(base + "/api/results", {"answers": ANSWERS})[0] for _ in range(10)]
        for path in files:
            path.chmod(0o644)

        after = [fetch(base + "/healthz")[0] for _ in range(10)]
        created = [post_json(base + "/api/results", {"answers": ANSWERS})[0] for _ in range(10)]
        kept = fetch(f"{base}/api/results/{saved['id']}")

    assert set(during) == {503} and set(refused) == {503}  # said at once, nothing half-saved
    assert after == [200] * 10  # no restart needed
    assert created == [201] * 10
    assert kept[0] == 200


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB filesystem of its own (tmpfs), so that filling it fills nothing else."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> None:
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        for size in (65536, 4096, 1):  # to the last byte
            try:
                while True:
                    out.write(b"\0" * size)
            except OSError:
                pass
    os.truncate(filler, filler.stat().st_size - leave)


@pytest.mark.parametrize("left", [0, 16], ids=lambda kb: f"{kb} KB left")
def test_health_says_so_when_a_full_disk_refuses_results_and_nothing_is_lost(small_disk, tmp_path, left):
    # With a little room left, the probe's small write still fitted where a result's did not.
    database = small_disk / "db.sqlite3"
    with production_server(tmp_path, workers=2, database=database) as base:
        stored = [post_json(base + "/api/results", {"answers": ANSWERS})[1]["id"] for _ in range(5)]
        fill(small_disk, left * 1024)

        attempts = []
        for _ in range(40):
            created = post_json(base + "/api/results", {"answers": ANSWERS})
            health = fetch(base + "/healthz")[0]
            attempts.append((created[0], health))
            if created[0] == 201:
                stored.append(created[1]["id"])

        (small_disk / "filler").unlink()
        recovered = [fetch(base + "/healthz")[0] for _ in range(5)]
        after = post_json(base + "/api/results", {"answers": ANSWERS})
        readable = [fetch(f"{base}/api/results/{ident}")[0] for ident in stored]

    statuses = {status for pair in attempts for status in pair}
    assert statuses <= {200, 201, 503}, attempts  # never a 500
    assert any(created == 503 for created, _ in attempts)  # the disk is full: results are refused...
    # ...and health says so whenever a result was just refused, instead of answering 200 throughout.
    assert all(health == 503 for created, health in attempts if created == 503), attempts
    assert all(health == 503 for _, health in attempts[1:]), attempts  # less than 1 MB free: said at once
    assert recovered == [200] * 5
    assert after[0] == 201
    assert readable == [200] * len(stored)  # every result that was accepted is there
    shutil.rmtree(tmp_path / "disk", ignore_errors=True)
