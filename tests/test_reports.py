"""Status and "what changed" reports: columns, values, dates, and safe CSV cells."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import clock, csvfile, reports
from tracker.cli import main
from tracker.errors import InvalidInput
from tracker.service import Tracker


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_status_report_today(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R2", as_of=days_ago(100), progress=20, note="old"))
    tracker.log_assessment(
        ACTOR,
        draft(
            "R2",
            as_of=days_ago(10),
            progress=45,
            note="Staffed.",
            confidence="high",
            basis="verified",
            evidence=[evidence(), evidence()],
        ),
    )
    report = tracker.status_report()
    assert report.columns == reports.STATUS_COLUMNS
    rows = {row["recommendation_id"]: row for row in read_csv(report.csv_bytes())}
    assert list(rows) == ["R1", "R2", "R3", "R4", "R5"]
    assert rows["R2"] == {
        "recommendation_id": "R2",
        "title": "Expand Intelligence Fusion",
        "theme": "Intelligence sharing",
        "status": "in_progress",
        "progress": "45",
        "as_of": days_ago(10).isoformat(),
        "analyst": "Ana Analyst",
        "confidence": "high",
        "basis": "verified",
        "evidence_count": "2",
        "last_note": "Staffed.",
        "days_since_assessment": "10",
        "review_due": "false",
    }
    assert rows["R1"]["status"] == "not_assessed"
    assert rows["R1"]["progress"] == ""
    assert rows["R1"]["days_since_assessment"] == ""
    assert rows["R1"]["review_due"] == "true"


def test_status_report_for_a_past_date_counts_from_that_date(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R2", as_of=days_ago(100), progress=20, note="old"))
    tracker.log_assessment(ACTOR, draft("R2", as_of=days_ago(10), progress=45))
    on = days_ago(5)
    past = {r["recommendation_id"]: r for r in read_csv(tracker.status_report(on).csv_bytes())}
    assert (past["R2"]["progress"], past["R2"]["days_since_assessment"]) == ("45", "5")
    earlier = days_ago(11)
    rows = read_csv(tracker.status_report(earlier).csv_bytes())
    r2 = next(r for r in rows if r["recommendation_id"] == "R2")
    assert (r2["progress"], r2["as_of"], r2["last_note"]) == (
        "20",
        days_ago(100).isoformat(),
        "old",
    )
    assert (r2["days_since_assessment"], r2["review_due"]) == ("89", "false")
    r2_later = tracker.status_report(days_ago(10) - timedelta(days=1)).rows[1]
    assert r2_later[-1] is False


def test_review_is_due_after_the_interval(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(91)))
    tracker.log_assessment(ACTOR, draft("R3", as_of=days_ago(90)))
    rows = {r["recommendation_id"]: r for r in read_csv(tracker.status_report().csv_bytes())}
    assert rows["R1"]["review_due"] == "true"
    assert rows["R3"]["review_due"] == "false"


def test_recorded_by_reproduces_an_earlier_report(tracker: Tracker, monkeypatch):
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 3, 1, 12, tzinfo=UTC))
    tracker.log_assessment(ACTOR, draft("R1", as_of=date(2026, 2, 1), progress=10))
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 4, 1, 12, tzinfo=UTC))
    tracker.log_assessment(ACTOR, draft("R1", as_of=date(2026, 2, 15), progress=30))
    then = tracker.status_report(date(2026, 3, 2), recorded_by=date(2026, 3, 2))
    now = tracker.status_report(date(2026, 3, 2))
    assert then.rows[0][4] == 10
    assert now.rows[0][4] == 30


def test_report_dates_in_the_future_are_refused(tracker: Tracker):
    tomorrow = clock.today() + timedelta(days=1)
    with pytest.raises(InvalidInput, match=f"as_of: {tomorrow} is in the future"):
        tracker.status_report(tomorrow)
    with pytest.raises(InvalidInput, match="since: must be before the end date"):
        tracker.changes(days_ago(1), days_ago(3))


def test_what_changed_between_two_dates(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(60), progress=10))
    tracker.log_assessment(
        ACTOR, draft("R1", as_of=days_ago(20), progress=30, evidence=[evidence()])
    )
    wrong = tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(15), progress=99))
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(15), progress=35, corrects_id=wrong))
    tracker.log_assessment(ACTOR, draft("R4", as_of=days_ago(5), status="not_started", progress=0))
    summary, added = tracker.changes(days_ago(30), days_ago(1))
    rows = {r["recommendation_id"]: r for r in read_csv(summary.csv_bytes())}
    r1 = rows["R1"]
    assert (r1["status_at_start"], r1["progress_at_start"]) == ("in_progress", "10")
    assert (r1["progress_at_end"], r1["progress_change"]) == ("35", "25")
    assert (r1["assessments_added"], r1["evidence_added"]) == ("2", "1")
    r4 = rows["R4"]
    assert (r4["status_at_start"], r4["progress_at_start"], r4["status_at_end"]) == (
        "not_assessed",
        "",
        "not_started",
    )
    assert r4["progress_change"] == ""
    assert rows["R2"]["assessments_added"] == "0"
    assert [row[1] for row in added.rows] == ["R1", "R1", "R4"]
    assert wrong not in [row[0] for row in added.rows]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://example.com","x")', '\'=HYPERLINK("http://example.com","x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("'quoted", "''quoted"),
        ("plain = text", "plain = text"),
        ("", ""),
    ],
)
def test_text_cells_that_could_run_as_formulas_are_neutralised(text: str, written: str):
    assert csvfile.cell(text) == written
    assert csvfile.restore(written) == text


def test_numbers_stay_numbers():
    assert [csvfile.cell(v) for v in (-5, 0, 45, True, None, date(2026, 1, 2))] == [
        "-5",
        "0",
        "45",
        "true",
        "",
        "2026-01-02",
    ]


def test_every_cell_of_every_report_is_neutralised(tracker: Tracker):
    evil = "=cmd|' /C calc'!A0"
    tracker.log_assessment(
        ACTOR,
        draft(
            "R1", analyst="@analyst", note=evil, status="modified", evidence=[evidence(title="-x")]
        ),
    )
    summary, added = tracker.changes(days_ago(30))
    for report in (tracker.status_report(), summary, added):
        for row in read_csv(report.csv_bytes()):
            for column, value in row.items():
                assert not value.startswith(("=", "+", "@", "\t", "\r")), (column, value)
                if value.startswith("-"):
                    assert value.lstrip("-").isdigit(), (column, value)


def test_cli_report_writes_the_file_with_the_columns(
    tracker: Tracker, db_url: str, tmp_path: Path, capsys
):
    tracker.log_assessment(ACTOR, draft("R5", progress=70))
    out = tmp_path / "report.csv"
    assert main(["report", "--out", str(out), "--db", db_url]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read_csv(data)
    assert tuple(rows[0]) == reports.STATUS_COLUMNS
    assert [(r["recommendation_id"], r["progress"]) for r in rows][-1] == ("R5", "70")
    assert not list(tmp_path.glob(".*partial"))


def test_cli_report_and_changes_print_csv_to_stdout(tracker: Tracker, db_url: str, capsys):
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(3), progress=30))
    assert main(["report", "--as-of", str(days_ago(1)), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert out.startswith("recommendation_id,title,theme,status,progress,as_of,")
    assert "R1,Revitalize the Mérida Initiative,Security assistance,in_progress,30," in out
    assert main(["changes", "--since", str(days_ago(10)), "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ",".join(reports.CHANGES_COLUMNS)
    assert out.splitlines()[1].startswith(
        "R1,Revitalize the Mérida Initiative,not_assessed,,in_progress,30,,1,0,#"
    )


def test_cli_report_refuses_a_bad_date(tracker: Tracker, db_url: str, capsys):
    assert main(["report", "--as-of", "31/12/2026", "--db", db_url]) == 2
    assert capsys.readouterr().err == (
        "error: --as-of: '31/12/2026' is not a date in the form YYYY-MM-DD\n"
    )
