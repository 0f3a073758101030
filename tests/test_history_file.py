"""Export and import of the full history: lossless round trips, all or nothing, safe cells."""

import csv
import io
from pathlib import Path

import pytest

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import history_file
from tracker.cli import main
from tracker.errors import InvalidInput
from tracker.service import Tracker

HYPERLINK = '=HYPERLINK("http://example.com","x")'


def export(tracker: Tracker) -> bytes:
    out = io.StringIO()
    tracker.export_history(out)
    return out.getvalue().encode("utf-8")


def fill(tracker: Tracker) -> None:
    """A history with corrections, several evidence items, formulas and odd text."""
    first = tracker.log_assessment(
        ACTOR, draft("R1", as_of=days_ago(40), progress=10, note=HYPERLINK)
    )
    tracker.log_assessment(
        ACTOR,
        draft(
            "R1",
            as_of=days_ago(30),
            progress=20,
            corrects_id=first,
            note='\'already quoted\nsecond line, "quotes"; semi;colons',
        ),
    )
    tracker.log_assessment(
        ACTOR,
        draft(
            "R2",
            status="implemented",
            progress=100,
            analyst="@analyst",
            note="-minus",
            evidence=[
                evidence(title="+plus", summary="\ttab"),
                evidence(archive_url="https://archive.example.org/a"),
                evidence(url="https://example.org/ümlaut", publisher="مؤسسة 🇲🇽"),
            ],
        ),
    )
    tracker.log_assessment(
        ACTOR, draft("R3", status="superseded", progress=5, note="Overtaken by events.")
    )


@pytest.fixture
def fresh(tmp_path) -> Tracker:
    """A second, freshly initialised database (SQLite) to import into."""
    other = Tracker.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    other.init()
    yield other
    other.close()


def test_export_has_one_row_per_assessment_with_numbered_evidence(tracker: Tracker):
    fill(tracker)
    rows = list(csv.reader(io.StringIO(export(tracker).decode())))
    header = rows[0]
    assert header[:11] == list(history_file.BASE_COLUMNS)
    assert header[11:14] == ["evidence_1_url", "evidence_1_title", "evidence_1_source_type"]
    assert header[-1] == "evidence_3_summary"
    assert len(rows) == 5
    first, correction = rows[1], rows[2]
    assert first[0:5] == ["1", "R1", "in_progress", "10", days_ago(40).isoformat()]
    assert first[5].endswith("+00:00") and len(first[5]) == len("2026-01-01T00:00:00.000000+00:00")
    assert first[9] == "'" + HYPERLINK
    assert correction[10] == "1"
    assert correction[9].startswith("''already quoted")


def test_export_of_an_empty_tracker_has_one_evidence_group(tracker: Tracker):
    rows = list(csv.reader(io.StringIO(export(tracker).decode())))
    assert rows == [history_file.header(1)]


def test_round_trip_into_a_fresh_database_is_byte_identical(
    tracker: Tracker, db_url: str, other_db_url: str, tmp_path: Path
):
    fill(tracker)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    assert main(["export", "--out", str(first), "--db", db_url]) == 0
    assert main(["init", "--db", other_db_url]) == 0
    assert main(["import", str(first), "--db", other_db_url]) == 0
    assert main(["export", "--out", str(second), "--db", other_db_url]) == 0
    assert first.read_bytes() == second.read_bytes()
    target = Tracker.open(other_db_url)
    (note,) = [a.note for a in target.history("R1") if a.as_of == days_ago(40)]
    assert note == HYPERLINK
    assert [s.progress for s in target.statuses()][:3] == [20, 100, 5]
    assert target.log_assessment(ACTOR, draft("R5")) == 5
    target.close()


def test_importing_the_same_file_twice_adds_nothing(tracker: Tracker, fresh: Tracker):
    fill(tracker)
    rows = history_file.parse(export(tracker), "history.csv")
    assert fresh.import_history(ACTOR, rows).added == 4
    again = fresh.import_history(ACTOR, rows)
    assert (again.added, again.skipped) == (0, 4)
    assert fresh.count_assessments() == 4


def test_rows_without_id_equal_to_a_stored_one_are_skipped(tracker: Tracker, tmp_path: Path):
    tracker.log_assessment(
        ACTOR, draft("R1", as_of=days_ago(3), note="Same", evidence=[evidence()])
    )
    path = tmp_path / "sheet.csv"
    e = evidence()
    path.write_text(
        "recommendation_id,status,progress,as_of,analyst,note,evidence_1_url,evidence_1_title,"
        "evidence_1_source_type,evidence_1_publisher,evidence_1_published,evidence_1_accessed,"
        "evidence_1_reliability,evidence_1_credibility,evidence_1_summary\n"
        f"R1,in_progress,40,{days_ago(3)},Ana Analyst,Same,{e.url},{e.title},{e.source_type},"
        f"{e.publisher},{e.published_on},{e.accessed_on},B,2,{e.summary}\n"
        f"R1,in_progress,40,{days_ago(3)},Ana Analyst,Different,,,,,,,,,\n",
        encoding="utf-8",
    )
    result = tracker.import_history(ACTOR, history_file.read(path))
    assert (result.added, result.skipped) == (1, 1)
    assert tracker.count_assessments() == 2


def test_a_stored_id_with_other_content_is_an_error(tracker: Tracker):
    fill(tracker)
    text = export(tracker).decode().replace(",R3,superseded,5,", ",R3,superseded,6,")
    with pytest.raises(InvalidInput) as refused:
        tracker.import_history(ACTOR, history_file.parse(text.encode(), "history.csv"))
    assert [str(p) for p in refused.value.problems] == [
        "history.csv, row 5, column assessment_id: assessment 4 is already stored with other "
        "content, and assessments are never changed: if this file comes from another tracker, "
        "import it giving its assessments new ids; to change the stored assessment, log a "
        "correction"
    ]


def test_dry_run_writes_nothing(tracker: Tracker, fresh: Tracker, tmp_path: Path, capsys):
    fill(tracker)
    path = tmp_path / "history.csv"
    path.write_bytes(export(tracker))
    fresh_url = str(fresh.store.engine.url)
    assert main(["import", str(path), "--dry-run", "--db", fresh_url]) == 0
    assert "4 assessments would be added" in capsys.readouterr().out
    assert fresh.count_assessments() == 0


def test_imported_ids_leave_room_for_new_assessments(tracker: Tracker, fresh: Tracker):
    fill(tracker)
    fresh.import_history(ACTOR, history_file.parse(export(tracker), "history.csv"))
    assert fresh.log_assessment(ACTOR, draft("R4")) == 5
    hand_made = (
        "recommendation_id,status,progress,as_of,analyst\n"
        f"R5,in_progress,10,{days_ago(1)},Someone\n"
    ).encode()
    fresh.import_history(ACTOR, history_file.parse(hand_made, "more.csv"))
    assert [a.id for a in fresh.history("R5")] == [6]


def test_correction_rows_update_the_status(tracker: Tracker):
    kept = tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(10), progress=70))
    text = (
        "recommendation_id,status,progress,as_of,analyst,note,corrects\n"
        f"R1,in_progress,35,{days_ago(10)},Ana,Was mistyped,{kept}\n"
    ).encode()
    tracker.import_history(ACTOR, history_file.parse(text, "fix.csv"))
    assert tracker.statuses()[0].progress == 35
    assert tracker.statuses(days_ago(5))[0].progress == 35


def test_every_text_cell_of_the_export_is_neutralised(tracker: Tracker):
    fill(tracker)
    tracker.log_assessment(
        ACTOR,
        draft("R4", analyst="=1+2", note="+cmd", evidence=[evidence(title="@x", publisher="\rp")]),
    )
    for row in csv.DictReader(io.StringIO(export(tracker).decode())):
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)
            if value.startswith("'"):
                assert value[1:].startswith(("=", "+", "-", "@", "\t", "\r", "'")), (column, value)
