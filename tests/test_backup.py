"""Backups taken while analysts write, and restoring them."""

import sqlite3
import threading
from pathlib import Path

import pytest

from tests.factories import ACTOR, draft
from tracker.cli import main
from tracker.errors import InvalidInput
from tracker.service import Tracker

WRITERS = 8
APPENDS_EACH = 60


def test_backup_while_eight_writers_append(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    live = Tracker.open(url)
    live.init()
    committed: list[int] = []
    lock = threading.Lock()
    half_done = threading.Barrier(WRITERS + 1)
    errors: list[BaseException] = []

    def write(seed: int) -> None:
        own = Tracker.open(url)
        try:
            for n in range(APPENDS_EACH):
                if n == APPENDS_EACH // 2:
                    half_done.wait()
                new_id = own.log_assessment(
                    ACTOR, draft(f"R{seed % 5 + 1}", progress=n, analyst=f"w{seed}")
                )
                with lock:
                    committed.append(new_id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=write, args=(seed,)) for seed in range(WRITERS)]
    for thread in threads:
        thread.start()
    half_done.wait()
    with lock:
        before_backup = set(committed)
    target = tmp_path / "backup.db"
    live.backup(ACTOR, target)
    for thread in threads:
        thread.join()
    assert errors == []
    assert live.count_assessments() == WRITERS * APPENDS_EACH

    check = sqlite3.connect(target)
    assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    check.close()
    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    restored = Tracker.open(restored_url)
    restored.restore(ACTOR, target)
    ids = {a.id for rec in restored.recommendations() for a in restored.history(rec.id)}
    assert before_backup <= ids
    assert len(ids) >= len(before_backup) >= WRITERS * (APPENDS_EACH // 2 - 1)
    assert restored.statuses()[0].assessment is not None
    restored.close()
    live.close()


def test_restore_refuses_to_replace_data_without_force(
    sqlite_tracker: Tracker, tmp_path: Path, capsys
):
    sqlite_tracker.log_assessment(ACTOR, draft("R1", progress=10))
    backup = tmp_path / "b.db"
    sqlite_tracker.backup(ACTOR, backup)
    sqlite_tracker.log_assessment(ACTOR, draft("R1", progress=90))
    url = str(sqlite_tracker.store.engine.url)
    assert main(["restore", str(backup), "--db", url]) == 2
    assert "add --force to replace them" in capsys.readouterr().err
    assert sqlite_tracker.count_assessments() == 2
    assert main(["restore", str(backup), "--force", "--db", url]) == 0
    assert sqlite_tracker.count_assessments() == 1
    assert sqlite_tracker.statuses()[0].progress == 10


def test_restore_refuses_files_that_are_not_tracker_backups(
    sqlite_tracker: Tracker, tmp_path: Path
):
    text = tmp_path / "notes.db"
    text.write_text("hello")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(InvalidInput, match=r"notes\.db: is not a SQLite database"):
        sqlite_tracker.restore(ACTOR, text)
    with pytest.raises(InvalidInput, match=r"other\.db: is not a tracker database"):
        sqlite_tracker.restore(ACTOR, other)
    with pytest.raises(InvalidInput, match="no such file"):
        sqlite_tracker.restore(ACTOR, tmp_path / "missing.db")
    assert len(sqlite_tracker.recommendations()) == 5


def test_backup_refuses_to_overwrite(sqlite_tracker: Tracker, tmp_path: Path):
    existing = tmp_path / "exists.db"
    existing.write_text("keep me")
    with pytest.raises(InvalidInput, match="already exists"):
        sqlite_tracker.backup(ACTOR, existing)
    assert existing.read_text() == "keep me"


def test_postgresql_points_to_pg_dump(pg_url: str, tmp_path: Path, capsys):
    assert main(["init", "--db", pg_url]) == 0
    assert main(["backup", str(tmp_path / "b"), "--db", pg_url]) == 2
    assert "use pg_dump and pg_restore" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "b"), "--db", pg_url]) == 2
    assert "use pg_dump and pg_restore" in capsys.readouterr().err
