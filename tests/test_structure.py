"""The shape of the tracker: read-only commands create nothing, every problem is named at once,
rules need no database, and the layers import only downwards."""

import ast
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import clock, db, history_file
from tracker.cli import main
from tracker.errors import InvalidInput
from tracker.rules import check_assessment
from tracker.service import Tracker

ROOT = Path(__file__).resolve().parent.parent
READ_ONLY = (
    ["status"],
    ["history", "R1"],
    ["report"],
    ["changes", "--since", "2026-01-01"],
    ["export"],
    ["recommendations", "list"],
)


@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: " ".join(c))
def test_read_only_commands_on_a_missing_database_say_run_init_and_create_nothing(
    command: list[str], tmp_path: Path, capsys
):
    path = tmp_path / "NEW.db"
    assert main([*command, "--db", f"sqlite:///{path}"]) == 2
    err = capsys.readouterr().err
    assert "python -m tracker init" in err
    assert len(err.splitlines()) == 1
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_read_only_command_on_an_empty_sqlite_file_leaves_it_unchanged(tmp_path: Path, capsys):
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE notes (body TEXT)").connection.close()
    before = path.read_bytes()
    assert main(["status", "--db", f"sqlite:///{path}"]) == 2
    assert "python -m tracker init" in capsys.readouterr().err
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: " ".join(c))
def test_read_only_commands_on_an_empty_postgresql_schema_create_no_table(
    command: list[str], pg_url: str, capsys
):
    assert main([*command, "--db", pg_url]) == 2
    assert "python -m tracker init" in capsys.readouterr().err
    schema = make_url(pg_url).query["options"].removeprefix("-csearch_path=")
    engine = create_engine(make_url(pg_url).set(query={}))
    with engine.connect() as connection:
        tables = connection.execute(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
            {"s": schema},
        ).all()
    engine.dispose()
    assert tables == []


def test_a_read_only_command_does_not_wait_for_a_writer(tracker: Tracker, db_url: str, capsys):
    """Status runs while another process holds the write lock (SQLite: an IMMEDIATE
    transaction; PostgreSQL: the migration lock), because reading takes no write lock."""
    tracker.log_assessment(ACTOR, draft("R2", progress=35))
    if db_url.startswith("sqlite"):
        writer = sqlite3.connect(make_url(db_url).database, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        assert main(["status", "--db", db_url]) == 0
        writer.execute("ROLLBACK")
        writer.close()
    else:
        # Upgrades take the migration lock; a command that tried would give up after 20 s.
        url = make_url(db_url)
        options = url.query["options"] + " -clock_timeout=20000"
        impatient = url.update_query_dict({"options": options}).render_as_string(False)
        with tracker.store.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": db.MIGRATION_LOCK_KEY})  # fmt: skip
            assert main(["status", "--db", impatient]) == 0
            connection.rollback()
    assert "R2\tin_progress\t35%" in capsys.readouterr().out


def test_log_reports_all_five_problems_at_once(tracker: Tracker, db_url: str, capsys):
    code = main(
        ["log", "R9", "--status", "done", "--progress", "abc", "--analyst", "",
         "--evidence-url", "javascript:alert(1)", "--db", db_url]
    )  # fmt: skip
    assert code == 2
    lines = capsys.readouterr().err.splitlines()
    assert sorted(lines) == sorted(
        [
            "error: recommendation: there is no recommendation 'R9'",
            "error: --status: 'done' is not one of: not_started, in_progress, stalled, "
            "implemented, modified, not_pursued, superseded",
            "error: --progress: 'abc' is not a whole number",
            "error: --analyst: must not be blank",
            "error: evidence 1 url: 'javascript:alert(1)' is not an http or https link",
        ]
    )
    assert tracker.count_assessments() == 0


def test_an_import_row_with_a_bad_status_and_a_bad_date_reports_both(tracker: Tracker):
    data = b"recommendation_id,status,progress,as_of,analyst\nR1,done,10,2026-13-01,Ana\n"
    with pytest.raises(InvalidInput) as refused:
        history_file.parse(data, "h.csv")
    assert sorted(str(p) for p in refused.value.problems) == [
        "h.csv, row 2, column as_of: '2026-13-01' is not a date in the form YYYY-MM-DD",
        "h.csv, row 2, column status: 'done' is not one of: not_started, in_progress, "
        "stalled, implemented, modified, not_pursued, superseded",
    ]


def test_rules_are_checked_without_a_database():
    today = clock.today()
    assert check_assessment(draft(), today=today) == []
    problems = check_assessment(
        draft(status="implemented", progress=50, note="x" * 20_001,
              evidence=[evidence(url="ftp://x", accessed_on=days_ago(9))]),
        today=today,
    )  # fmt: skip
    assert [(p.code, p.field, p.item) for p in problems] == [
        ("fixed_progress", "progress", None),
        ("too_long", "note", None),
        ("not_web_link", "url", 1),
        ("accessed_before_published", "accessed_on", 1),
    ]
    future = check_assessment(draft(as_of=today + timedelta(days=2)), today=today)
    assert [(p.code, p.params["value"]) for p in future] == [
        ("in_future", (today + timedelta(days=2)).isoformat())
    ]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_store_parses_no_file_and_no_face_reaches_the_store():
    store = _imports(ROOT / "tracker" / "store.py")
    formats = {"csv", "tracker.csvfile", "tracker.history_file", "tracker.recommendation_file",
               "tracker.reports", "tracker.charts"}  # fmt: skip
    assert store & formats == set()
    faces = [ROOT / "tracker" / "cli.py", *sorted((ROOT / "tracker" / "ui").rglob("*.py"))]
    reaching = [str(f.relative_to(ROOT)) for f in faces if "tracker.store" in _imports(f)]
    assert reaching == []
    assert "pandas" not in _imports(ROOT / "tracker" / "cli.py")


def test_evidence_and_assessment_fields_are_spelled_out_only_in_their_declaration():
    """No module but the declaration (and the migrations) names most of a record's fields."""
    distinctive = {"archive_url", "published_on", "accessed_on", "reliability", "credibility",
                   "source_type", "corrects_id", "confidence", "basis"}  # fmt: skip
    crowded = {}
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        if "migrations" in path.parts or path.name == "records.py":
            continue
        names = {
            node.attr if isinstance(node, ast.Attribute) else node.value
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Attribute)
            or (isinstance(node, ast.Constant) and isinstance(node.value, str))
        }
        if len(names & distinctive) > 4:
            crowded[path.name] = sorted(names & distinctive)
    assert crowded == {}
