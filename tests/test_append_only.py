"""Assessments and evidence are append-only by every statement form, on SQLite and PostgreSQL,
and a least-privileged PostgreSQL role runs the tracker but cannot get round the triggers."""

import csv
import io
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import append_only, db, privileges, recommendation_file
from tracker.cli import main
from tracker.models import Base
from tracker.service import Tracker

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
HEAD = ScriptDirectory.from_config(db.alembic_config()).get_current_head()
"""The newest schema revision, which every upgrade reaches."""

COLUMNS = (
    "id, recommendation_id, status, progress, as_of, recorded_at, analyst, confidence, basis, "
    "note, corrects_id"
)


def copy_of_assessment_1(new_id: int, corrects: str = "corrects_id") -> str:
    """A SELECT giving stored assessment 1 again, with another id, note and `corrects_id`."""
    return (
        f"SELECT {new_id}, recommendation_id, status, progress, as_of, recorded_at, analyst, "
        f"confidence, basis, 'overwritten', {corrects} FROM assessment WHERE id = 1"
    )


# The stored history (see `fill`): assessment 1 with two evidence items, assessment 2 correcting
# it with one, assessment 3 of another recommendation. Every statement below would change or
# remove some of it. SQLite's insert guard answers a colliding insert before its unique index
# does; PostgreSQL's unique index answers first, and its update trigger stops an upsert.
REFUSED = "append-only|duplicate key value"
BOTH = {
    "update": "UPDATE assessment SET note = 'overwritten' WHERE id = 1",
    "update every row": "UPDATE assessment SET progress = progress",
    "delete": "DELETE FROM assessment WHERE id = 2",
    "delete every row": "DELETE FROM assessment",
    "insert with a stored id": f"INSERT INTO assessment ({COLUMNS}) {copy_of_assessment_1(1)}",
    "insert with a stored correction": (
        f"INSERT INTO assessment ({COLUMNS}) {copy_of_assessment_1(99, corrects='1')}"
    ),
    "upsert on a stored id": (
        f"INSERT INTO assessment ({COLUMNS}) {copy_of_assessment_1(1)} "
        "ON CONFLICT (id) DO UPDATE SET note = excluded.note"
    ),
    "upsert on a stored correction": (
        f"INSERT INTO assessment ({COLUMNS}) {copy_of_assessment_1(99, corrects='1')} "
        "ON CONFLICT (corrects_id) DO UPDATE SET note = excluded.note"
    ),
    "update evidence": "UPDATE evidence SET title = 'overwritten' WHERE id = 1",
    "delete evidence": "DELETE FROM evidence WHERE id = 3",
    "insert evidence with a stored id": "INSERT INTO evidence SELECT * FROM evidence WHERE id = 1",
    "upsert evidence on a stored id": (
        "INSERT INTO evidence SELECT * FROM evidence WHERE id = 1 "
        "ON CONFLICT (id) DO UPDATE SET title = 'overwritten'"
    ),
}
SQLITE_ONLY = {
    "replace a stored id": f"REPLACE INTO assessment ({COLUMNS}) {copy_of_assessment_1(1)}",
    "insert or replace a stored id": (
        f"INSERT OR REPLACE INTO assessment ({COLUMNS}) {copy_of_assessment_1(1)}"
    ),
    "replace a stored correction with a new id": (
        f"REPLACE INTO assessment ({COLUMNS}) {copy_of_assessment_1(99, corrects='1')}"
    ),
    "insert or replace a stored correction with a new id": (
        f"INSERT OR REPLACE INTO assessment ({COLUMNS}) {copy_of_assessment_1(99, corrects='1')}"
    ),
    "insert or ignore a stored id": (
        f"INSERT OR IGNORE INTO assessment ({COLUMNS}) {copy_of_assessment_1(1)}"
    ),
    "update or replace onto a stored id": "UPDATE OR REPLACE assessment SET id = 1 WHERE id = 3",
    "replace evidence": "REPLACE INTO evidence SELECT * FROM evidence WHERE id = 1",
    "insert or replace evidence": "INSERT OR REPLACE INTO evidence SELECT * FROM evidence",
}
POSTGRESQL_ONLY = {
    "truncate": "TRUNCATE assessment CASCADE",
    "truncate evidence": "TRUNCATE evidence",
    "merge to update": (
        "MERGE INTO assessment a USING (SELECT 1 AS id) s ON a.id = s.id "
        "WHEN MATCHED THEN UPDATE SET note = 'overwritten'"
    ),
    "merge to delete": (
        "MERGE INTO evidence e USING (SELECT 1 AS id) s ON e.id = s.id WHEN MATCHED THEN DELETE"
    ),
}


def fill(tracker: Tracker) -> None:
    first = tracker.log_assessment(
        ACTOR,
        draft("R1", as_of=days_ago(20), progress=10, evidence=[evidence(), evidence(title="B")]),
    )
    tracker.log_assessment(
        ACTOR,
        draft("R1", as_of=days_ago(20), progress=15, corrects_id=first, evidence=[evidence()]),
    )
    tracker.log_assessment(
        ACTOR, draft("R2", as_of=days_ago(5), progress=60, note="Kept as written.")
    )


def snapshot(tracker: Tracker) -> tuple:
    """Everything stored of the history: the full export, and every row as the tables hold it
    (the history's columns: later revisions add others, such as form tokens)."""
    out = io.StringIO()
    tracker.export_history(out)
    with tracker.store.engine.connect() as connection:
        rows = tuple(
            tuple(connection.execute(text(f"SELECT {columns} FROM {table} ORDER BY id")).all())
            for table, columns in (("assessment", COLUMNS), ("evidence", "*"))
        )
    return out.getvalue(), rows


def refuse(engine: sa.Engine, statement: str, message: str = REFUSED) -> None:
    """Runs `statement` in a transaction of its own and asserts the database refuses it."""
    with pytest.raises(DBAPIError, match=message), engine.begin() as connection:
        connection.execute(text(statement))


@pytest.mark.parametrize("form", BOTH)
def test_stored_history_cannot_be_changed_by_any_statement(tracker: Tracker, form: str):
    fill(tracker)
    before = snapshot(tracker)
    refuse(tracker.store.engine, BOTH[form])
    assert snapshot(tracker) == before
    assert len(before[1][0]) == 3 and len(before[1][1]) == 3


@pytest.mark.parametrize("foreign_keys", [True, False], ids=["tracker", "sqlite3 shell"])
@pytest.mark.parametrize("form", SQLITE_ONLY)
def test_sqlite_replace_cannot_overwrite_or_remove_stored_history(
    sqlite_tracker: Tracker, form: str, foreign_keys: bool
):
    """Through the tracker's own connections, and through a plain one such as the sqlite3
    shell's, which checks no foreign keys and so would let REPLACE remove a referenced row."""
    fill(sqlite_tracker)
    before = snapshot(sqlite_tracker)
    if foreign_keys:
        refuse(sqlite_tracker.store.engine, SQLITE_ONLY[form], "append-only")
    else:
        plain = sqlite3.connect(sqlite_tracker.store.engine.url.database)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"), plain:
            plain.execute(SQLITE_ONLY[form])
        plain.close()
    assert snapshot(sqlite_tracker) == before


@pytest.mark.parametrize("form", POSTGRESQL_ONLY)
def test_postgresql_truncate_and_merge_cannot_remove_stored_history(pg_url: str, form: str):
    tracker = Tracker.open(pg_url)
    tracker.init()
    fill(tracker)
    before = snapshot(tracker)
    refuse(tracker.store.engine, POSTGRESQL_ONLY[form], "append-only")
    assert snapshot(tracker) == before
    tracker.close()


def test_new_assessments_and_evidence_are_still_appended(tracker: Tracker):
    fill(tracker)
    added = tracker.log_assessment(ACTOR, draft("R3", evidence=[evidence(), evidence()]))
    with tracker.store.engine.begin() as connection:
        connection.execute(text(f"INSERT INTO assessment ({COLUMNS}) {copy_of_assessment_1(50)}"))
    assert [a.id for a in tracker.history("R3")] == [added]
    assert sorted(a.id for a in tracker.history("R1")) == [1, 2, 50]
    assert len(snapshot(tracker)[1][1]) == 5


# -- the same protection for any future table, in one call --------------------------------------


def test_any_table_becomes_append_only_in_one_call_and_back(db_url: str):
    engine = db.make_engine(db_url)
    dialect = engine.dialect.name
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE milestone_mark (id INTEGER PRIMARY KEY, code VARCHAR(20) UNIQUE)")
        )
        for statement in append_only.create_statements(
            dialect, "milestone_mark", unique=("id", "code")
        ):
            connection.execute(text(statement))
        connection.execute(text("INSERT INTO milestone_mark VALUES (1, 'signed'), (2, 'funded')"))
    attempts = [
        "UPDATE milestone_mark SET code = 'x' WHERE id = 1",
        "DELETE FROM milestone_mark WHERE id = 2",
        "INSERT INTO milestone_mark VALUES (1, 'other') "
        "ON CONFLICT (id) DO UPDATE SET code = excluded.code",
        "INSERT INTO milestone_mark VALUES (3, 'signed') "
        "ON CONFLICT (code) DO UPDATE SET id = excluded.id",
    ]
    if dialect == "sqlite":
        attempts += [
            "REPLACE INTO milestone_mark VALUES (1, 'other')",
            "INSERT OR REPLACE INTO milestone_mark VALUES (3, 'funded')",
        ]
    else:
        attempts += ["TRUNCATE milestone_mark"]
    for attempt in attempts:
        refuse(engine, attempt)
    read = text("SELECT id, code FROM milestone_mark ORDER BY id")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO milestone_mark VALUES (3, 'opened')"))
        assert connection.execute(read).all() == [(1, "signed"), (2, "funded"), (3, "opened")]
        for statement in append_only.drop_statements(dialect, "milestone_mark"):
            connection.execute(text(statement))
        connection.execute(text("DELETE FROM milestone_mark WHERE id = 3"))
        assert connection.execute(read).all() == [(1, "signed"), (2, "funded")]
    engine.dispose()


# -- migration 0003 ------------------------------------------------------------------------------

RECOMMENDATION = sa.table(
    "recommendation",
    *(sa.column(name) for name in ("id", "position", "title", "description", "source")),
    *(sa.column(name) for name in ("section", "theme", "actors", "review_every_days")),
)
ASSESSMENT = sa.table(
    "assessment",
    *(sa.column(name) for name in ("id", "recommendation_id", "status", "progress")),
    sa.column("as_of", sa.Date()),
    sa.column("recorded_at", sa.DateTime(timezone=True)),
    *(sa.column(name) for name in ("analyst", "confidence", "basis", "note", "corrects_id")),
)
EVIDENCE = sa.table(
    "evidence",
    *(sa.column(name) for name in ("id", "assessment_id", "position", "url", "title")),
    *(sa.column(name) for name in ("source_type", "publisher", "archive_url", "reliability")),
    sa.column("published_on", sa.Date()),
    sa.column("accessed_on", sa.Date()),
    *(sa.column(name) for name in ("credibility", "summary")),
)


def build_at_0002(tracker: Tracker) -> None:
    """Brings an empty database to revision 0002 and stores, with that schema's own columns, two
    assessments with evidence and a correction of one of them."""
    with db.exclusive(tracker.store.engine) as connection:
        config = db.alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(
            sa.insert(RECOMMENDATION),
            [
                dict(id=f"R{n}", position=n, title=f"T{n}", description="D", source="S",
                     section="", theme="Security", actors="Mexico", review_every_days=90)
                for n in (1, 2)
            ],
        )  # fmt: skip
        recorded = [datetime(2026, 3, day, 9, 30, 15, 123456, tzinfo=UTC) for day in (1, 2, 3)]
        connection.execute(
            sa.insert(ASSESSMENT),
            [
                dict(id=1, recommendation_id="R1", status="in_progress", progress=20,
                     as_of=date(2026, 2, 20), recorded_at=recorded[0], analyst="Ana",
                     confidence="low", basis="reported", note="«first»\nline two",
                     corrects_id=None),
                dict(id=2, recommendation_id="R2", status="implemented", progress=100,
                     as_of=date(2026, 2, 25), recorded_at=recorded[1], analyst="Ben",
                     confidence="high", basis="verified", note="=1+1", corrects_id=None),
                dict(id=3, recommendation_id="R1", status="stalled", progress=25,
                     as_of=date(2026, 2, 20), recorded_at=recorded[2], analyst="Ana",
                     confidence="moderate", basis="reported", note="typo", corrects_id=1),
            ],
        )  # fmt: skip
        connection.execute(
            sa.insert(EVIDENCE),
            [
                dict(id=n, assessment_id=assessment, position=position,
                     url=f"https://example.org/{n}", title=f"Source {n}", source_type="news",
                     publisher="Diario", archive_url="", reliability="B", credibility="2",
                     published_on=date(2026, 2, 1), accessed_on=None, summary=f"S{n}")
                for n, assessment, position in ((1, 1, 1), (2, 2, 1), (3, 2, 2), (4, 3, 1))
            ],
        )  # fmt: skip


def revision(tracker: Tracker) -> str:
    with tracker.store.engine.connect() as connection:
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def downgrade(tracker: Tracker, to: str) -> None:
    with db.exclusive(tracker.store.engine) as connection:
        config = db.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, to)


def test_upgrading_a_0002_database_keeps_its_history_byte_identical(db_url: str):
    tracker = Tracker.open(db_url)
    build_at_0002(tracker)
    before = snapshot(tracker)
    assert len(list(csv.reader(io.StringIO(before[0])))) == 4 and len(before[1][1]) == 4
    if tracker.store.engine.dialect.name == "sqlite":
        # Before 0003, REPLACE silently overwrites a stored assessment (rolled back here).
        with tracker.store.engine.connect() as connection:
            connection.execute(text(SQLITE_ONLY["replace a stored id"]))
            note = connection.scalar(text("SELECT note FROM assessment WHERE id = 1"))
            assert note == "overwritten"
            connection.rollback()
        assert snapshot(tracker) == before
    tracker.upgrade()
    assert revision(tracker) == HEAD
    assert snapshot(tracker) == before
    refuse(tracker.store.engine, BOTH["upsert on a stored correction"])
    if tracker.store.engine.dialect.name == "sqlite":
        refuse(tracker.store.engine, SQLITE_ONLY["replace a stored correction with a new id"])
    downgrade(tracker, "0002")
    assert revision(tracker) == "0002"
    assert snapshot(tracker) == before
    tracker.upgrade()
    assert snapshot(tracker) == before
    refuse(tracker.store.engine, BOTH["insert with a stored id"])
    tracker.close()


# -- concurrent writers still never share a position ---------------------------------------------


def test_recommendation_imports_at_once_take_distinct_positions(
    tracker: Tracker, db_url: str, tmp_path: Path
):
    errors: list[BaseException] = []

    def add(path: Path) -> None:
        own = Tracker.open(db_url)
        try:
            own.add_recommendations(ACTOR, recommendation_file.read(path))
        except BaseException as exc:  # reported to the test, which fails on any
            errors.append(exc)
        finally:
            own.close()

    threads = []
    for paper in range(4):
        path = tmp_path / f"paper{paper}.csv"
        rows = "".join(f"P{paper}-{n},T,D,S\n" for n in range(3))
        path.write_text("id,title,description,source\n" + rows, encoding="utf-8")
        threads.append(threading.Thread(target=add, args=(path,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with tracker.store.engine.connect() as connection:
        positions = connection.execute(text("SELECT position FROM recommendation")).scalars()
        assert sorted(positions) == list(range(1, 18))


# -- least privilege on PostgreSQL ---------------------------------------------------------------


def test_every_table_has_its_privileges_decided():
    assert set(privileges.TABLE_PRIVILEGES) == {*Base.metadata.tables, "alembic_version"}


def test_the_readme_shows_the_grants_that_the_tests_run():
    for statement in privileges.grant_statements("tracker_app"):
        assert statement in README


@pytest.fixture
def app_role(pg_url: str) -> Iterator[str]:
    """A login role of the test's own, holding the tracker's privileges once `grant` runs;
    yields its URL for the test's schema. Dropped afterwards."""
    role = f"tracker_app_{uuid.uuid4().hex[:12]}"
    owner = create_engine(pg_url)
    with owner.begin() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
    try:
        yield make_url(pg_url).set(username=role).render_as_string(hide_password=False)
    finally:
        with owner.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


def grant(owner_url: str, app_url: str) -> None:
    """Runs the README's grants, as the owner, for the role of `app_url`."""
    owner = create_engine(owner_url)
    with owner.begin() as connection:
        schema = connection.scalar(text("SELECT current_schema()"))
        for statement in privileges.grant_statements(make_url(app_url).username, schema):
            connection.execute(text(statement))
        sequences = connection.scalars(
            text(
                "SELECT sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = current_schema()"
            )
        )
        assert set(sequences) == set(privileges.SEQUENCE_PRIVILEGES)
    owner.dispose()


@pytest.fixture
def no_admin_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(db.ADMIN_URL_VARIABLE, raising=False)


@pytest.mark.usefixtures("no_admin_url")
def test_the_restricted_role_logs_imports_and_reports(
    pg_url: str, app_role: str, tmp_path: Path, capsys
):
    assert main(["init", "--db", pg_url]) == 0
    grant(pg_url, app_role)
    capsys.readouterr()
    as_of = days_ago(3).isoformat()
    log = ["log", "R1", "--status", "in_progress", "--analyst", "Ana", "--as-of", as_of]
    evidence_options = ["--evidence-url", "https://www.gob.mx/sre", "--evidence-title", "Note"]
    assert main([*log, "--progress", "90", *evidence_options, "--db", app_role]) == 0
    assert main([*log, "--progress", "30", "--corrects", "1", "--db", app_role]) == 0
    history = tmp_path / "history.csv"
    history.write_text(
        "assessment_id,recommendation_id,status,progress,as_of,analyst\n"
        f"10,R2,stalled,20,{as_of},Ben\n"
        f",R3,not_started,0,{as_of},Ben\n",
        encoding="utf-8",
    )
    assert main(["import", str(history), "--db", app_role]) == 0
    paper = tmp_path / "paper.csv"
    paper.write_text("id,title,description,source\nP1,Open data,D,Other\n", encoding="utf-8")
    assert main(["recommendations", "import", str(paper), "--db", app_role]) == 0
    assert main([*log, "--progress", "50", "--db", app_role]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "1",
        "2",
        "Imported 2 assessments; skipped 0 already stored.",
        "Imported 1 recommendation: P1",
        "12",
    ]
    assert main(["status", "--db", app_role]) == 0
    status = [line.split("\t")[:3] for line in capsys.readouterr().out.splitlines()]
    assert status[:3] == [
        ["R1", "in_progress", "50%"],
        ["R2", "stalled", "20%"],
        ["R3", "not_started", "0%"],
    ]
    assert status[-1] == ["P1", "not_assessed", "-"]
    report = tmp_path / "report.csv"
    assert main(["report", "--out", str(report), "--db", app_role]) == 0
    rows = report.read_text(encoding="utf-8-sig").splitlines()
    assert rows[1].startswith("R1,") and ",in_progress,50," in rows[1]
    assert len(rows) == 7
    owner = Tracker.open(pg_url)
    (correction, corrected) = owner.history("R1")[1:]
    assert (correction.id, correction.corrects_id, corrected.corrected_by_id) == (2, 1, 2)
    assert [e.title for e in corrected.evidence] == ["Note"]
    owner.close()


@pytest.mark.usefixtures("no_admin_url")
def test_the_restricted_role_cannot_get_round_the_triggers(pg_url: str, app_role: str):
    owner = Tracker.open(pg_url)
    owner.init()
    fill(owner)
    grant(pg_url, app_role)
    before = snapshot(owner)
    app = create_engine(app_role)
    denied = "permission denied|must be owner"
    for table in ("assessment", "evidence"):
        refuse(app, f"ALTER TABLE {table} DISABLE TRIGGER ALL", denied)
        refuse(app, f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only", denied)
        refuse(app, f"DROP TRIGGER {table}_append_only ON {table}", denied)
        refuse(app, f"DROP TRIGGER {table}_no_truncate ON {table}", denied)
        refuse(app, f"UPDATE {table} SET id = id", denied)
        refuse(app, f"DELETE FROM {table}", denied)
        refuse(app, f"TRUNCATE {table}", denied)
        refuse(app, f"DROP TABLE {table}", denied)
        refuse(app, f"ALTER TABLE {table} RENAME TO {table}_old", denied)
    refuse(app, "SET session_replication_role = replica", denied)
    refuse(app, f"DROP FUNCTION {append_only.REFUSE_FUNCTION}() CASCADE", denied)
    refuse(app, "CREATE TABLE intruder (id integer)", denied)
    app.dispose()
    assert snapshot(owner) == before
    owner.close()


@pytest.mark.usefixtures("no_admin_url")
def test_an_older_schema_needs_the_owner_to_upgrade_it(
    pg_url: str, app_role: str, monkeypatch: pytest.MonkeyPatch, capsys
):
    owner = Tracker.open(pg_url)
    build_at_0002(owner)
    grant(pg_url, app_role)
    capsys.readouterr()
    assert main(["history", "R1", "--db", app_role]) == 1
    message = capsys.readouterr().err
    role = make_url(app_role).username
    assert message == (
        "error: database failure: the database is at revision 0002 and this tracker needs a "
        f"newer one, which the role {role} may not create; set TRACKER_ADMIN_DB_URL to the URL "
        "of the tables' owner\n"
    )
    assert revision(owner) == "0002"
    monkeypatch.setenv(db.ADMIN_URL_VARIABLE, "owner@db-host")
    assert main(["history", "R1", "--db", app_role]) == 2
    assert capsys.readouterr().err == "error: TRACKER_ADMIN_DB_URL: is not a database URL\n"
    elsewhere = make_url(pg_url).update_query_dict({"options": "-csearch_path=public"})
    monkeypatch.setenv(db.ADMIN_URL_VARIABLE, elsewhere.render_as_string(hide_password=False))
    assert main(["history", "R1", "--db", app_role]) == 2
    assert capsys.readouterr().err == (
        "error: TRACKER_ADMIN_DB_URL: reaches another database than the tracker's\n"
    )
    assert revision(owner) == "0002"
    monkeypatch.setenv(db.ADMIN_URL_VARIABLE, pg_url)
    assert main(["history", "R1", "--db", app_role]) == 0
    history = capsys.readouterr().out.splitlines()
    assert [line.split()[:4] for line in history] == [
        ["#3", "2026-02-20", "stalled", "25%"],
        ["#1", "2026-02-20", "in_progress", "20%"],
    ]
    assert revision(owner) == HEAD
    owner.close()
