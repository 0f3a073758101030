"""A form's submission is stored once: one-time tokens, checked in the store's transaction and held
by a unique index, on SQLite and PostgreSQL, also when two servers receive it at the same moment."""

import csv
import io
import threading
import uuid

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.factories import ACTOR, draft, evidence
from tests.test_append_only import HEAD, build_at_0002, downgrade, revision
from tracker import db
from tracker.cli import main
from tracker.errors import InvalidInput
from tracker.service import Logged, Tracker


def token() -> str:
    return uuid.uuid4().hex


def stored_tokens(tracker: Tracker) -> list[tuple[int, str | None]]:
    with tracker.store.engine.connect() as connection:
        query = text("SELECT id, submission_token FROM assessment ORDER BY id")
        return [tuple(row) for row in connection.execute(query)]


def test_a_submission_sent_twice_is_stored_once(tracker: Tracker):
    once = token()
    submitted = draft("R2", status="stalled", progress=35, note="Talks paused.")
    first = tracker.log_submission(ACTOR, submitted, once)
    again = tracker.log_submission(ACTOR, submitted, once)
    assert first == Logged(first.id, repeated=False)
    assert again == Logged(first.id, repeated=True)
    assert stored_tokens(tracker) == [(first.id, once)]


def test_a_used_token_stores_nothing_whatever_the_second_submission_holds(tracker: Tracker):
    once = token()
    first = tracker.log_submission(ACTOR, draft("R2", progress=35), once)
    other = draft("R3", status="implemented", progress=100, evidence=[evidence()])
    assert tracker.log_submission(ACTOR, other, once) == Logged(first.id, repeated=True)
    broken = draft("R2", status="modified", note="")
    assert tracker.log_submission(ACTOR, broken, once) == Logged(first.id, repeated=True)
    assert tracker.count_assessments() == 1
    assert tracker.history("R3") == []


def test_each_showing_of_the_form_stores_its_own_assessment(tracker: Tracker):
    same = draft("R1", progress=20)
    ids = [tracker.log_submission(ACTOR, same, token()).id for _ in range(3)]
    assert len(set(ids)) == 3
    assert [a.id for a in tracker.history("R1")] == sorted(ids, reverse=True)


def test_a_refused_submission_leaves_its_token_free_for_the_corrected_one(tracker: Tracker):
    once = token()
    with pytest.raises(InvalidInput) as refused:
        tracker.log_submission(ACTOR, draft("R1", status="modified", progress=150), once)
    assert sorted(p.code for p in refused.value.problems) == ["needs_note", "out_of_range"]
    assert tracker.count_assessments() == 0
    fixed = tracker.log_submission(ACTOR, draft("R1", status="modified", note="Scaled down."), once)
    assert fixed.repeated is False
    assert stored_tokens(tracker) == [(fixed.id, once)]


def test_logging_without_a_form_stores_no_token(tracker: Tracker):
    new_id = tracker.log_assessment(ACTOR, draft("R1"))
    assert stored_tokens(tracker) == [(new_id, None)]
    assert tracker.log_assessment(ACTOR, draft("R1")) == new_id + 1


def test_a_token_must_be_given_and_short(tracker: Tracker):
    for bad in ("", "x" * 65):
        with pytest.raises(ValueError, match="form token"):
            tracker.log_submission(ACTOR, draft("R1"), bad)
    assert tracker.count_assessments() == 0


def _submit(url: str, rec_id: str, once: str, start: threading.Barrier, out: list) -> None:
    """One dashboard server receiving the submission: a tracker of its own, on its own thread."""
    server = Tracker.open(url)
    try:
        start.wait()
        out.append(server.log_submission(ACTOR, draft(rec_id, progress=55), once))
    except BaseException as exc:  # reported to the test, which fails on any
        out.append(exc)
    finally:
        server.close()


@pytest.mark.parametrize("rec_ids", [("R2", "R2"), ("R2", "R4")], ids=["same", "other"])
def test_two_servers_receiving_one_submission_at_once_store_it_once(
    tracker: Tracker, db_url: str, rec_ids: tuple[str, str]
):
    """Both servers get the same token at the same moment (the second with another
    recommendation, as a forged form might): one stores it, the other answers with its id."""
    for _ in range(5):
        once, outcomes = token(), []
        start = threading.Barrier(2)
        servers = [
            threading.Thread(target=_submit, args=(db_url, rec_id, once, start, outcomes))
            for rec_id in rec_ids
        ]
        for server in servers:
            server.start()
        for server in servers:
            server.join()
        assert all(isinstance(outcome, Logged) for outcome in outcomes), outcomes
        assert sorted(o.repeated for o in outcomes) == [False, True]
        assert len({o.id for o in outcomes}) == 1
        assert [t for _, t in stored_tokens(tracker)].count(once) == 1
    assert tracker.count_assessments() == 5


def test_the_database_refuses_a_second_row_with_a_used_token(tracker: Tracker):
    once = token()
    first = tracker.log_submission(ACTOR, draft("R1", note="first"), once).id
    columns = "recommendation_id, status, progress, as_of, recorded_at, analyst, confidence, basis"
    copy = (
        f"INSERT INTO assessment ({columns}, note, submission_token) "
        f"SELECT {columns}, 'copy', submission_token FROM assessment WHERE id = {first}"
    )
    statements = [copy]
    if tracker.store.engine.dialect.name == "sqlite":
        # REPLACE would remove the stored row holding the token, were it not refused.
        statements.append(copy.replace("INSERT INTO", "REPLACE INTO", 1))
        statements.append(copy.replace("INSERT INTO", "INSERT OR REPLACE INTO", 1))
    for statement in statements:
        refused = pytest.raises(DBAPIError, match=r"append-only|duplicate key value|UNIQUE")
        with refused, tracker.store.engine.begin() as connection:
            connection.execute(text(statement))
    (stored,) = tracker.history("R1")
    assert (stored.id, stored.note) == (first, "first")
    assert stored_tokens(tracker) == [(first, once)]


def _cli_export(url: str, capsys) -> str:
    capsys.readouterr()
    assert main(["export", "--db", url]) == 0
    return capsys.readouterr().out


def test_upgrading_a_0003_database_keeps_its_export_byte_identical(db_url: str, capsys):
    tracker = Tracker.open(db_url)
    build_at_0002(tracker)
    with db.exclusive(tracker.store.engine) as connection:
        config = db.alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        if connection.dialect.name == "postgresql":
            # The rows were written with their ids, as an import writes them.
            connection.execute(text("SELECT setval(pg_get_serial_sequence('assessment', 'id'), 3)"))
    assert revision(tracker) == "0003"
    before = io.StringIO()
    tracker.export_history(before)  # reads the 0003 schema as it is, upgrading nothing
    assert revision(tracker) == "0003"
    assert len(list(csv.reader(io.StringIO(before.getvalue())))) == 4

    # The command line upgrades an older schema before it exports.
    assert _cli_export(db_url, capsys) == before.getvalue()
    assert revision(tracker) == HEAD
    assert [t for _, t in stored_tokens(tracker)] == [None, None, None]

    # Assessments logged through a form keep their token out of the history.
    once = token()
    logged = tracker.log_submission(ACTOR, draft("R2", progress=60), once).id
    after = _cli_export(db_url, capsys)
    assert after.startswith(before.getvalue())
    (added,) = csv.reader(io.StringIO(after.removeprefix(before.getvalue())))
    assert added[:4] == [str(logged), "R2", "in_progress", "60"]
    assert once not in after

    downgrade(tracker, "0003")
    assert revision(tracker) == "0003"
    with tracker.store.engine.connect() as connection:
        columns = [c["name"] for c in sa.inspect(connection).get_columns("assessment")]
    assert "submission_token" not in columns
    assert _cli_export(db_url, capsys) == after
    tracker.close()
