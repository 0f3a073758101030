"""Edge cases found in review: each once produced a traceback, a wrong answer or a lost row."""

import io
import threading
from pathlib import Path

import pytest

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import history_file, recommendation_file
from tracker.cli import main
from tracker.errors import InvalidInput
from tracker.history_file import HistoryFile
from tracker.records import NewAssessment
from tracker.service import Tracker


def test_an_imported_correction_is_not_mistaken_for_the_assessment_it_matches(tracker: Tracker):
    right = tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(4), progress=40))
    typo = tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(4), progress=90))
    text = (
        "recommendation_id,status,progress,as_of,analyst,corrects\n"
        f"R1,in_progress,40,{days_ago(4)},Ana Analyst,{typo}\n"
    ).encode()
    result = tracker.import_history(ACTOR, history_file.parse(text, "fix.csv"))
    assert (result.added, result.skipped) == (1, 0)
    assert tracker.statuses()[0].progress == 40
    assert tracker.statuses()[0].assessment.id not in (right, typo)


def test_export_is_one_snapshot_while_others_write(tracker: Tracker, db_url: str):
    tracker.log_assessment(ACTOR, draft("R1", evidence=[evidence()]))
    other = Tracker.open(db_url)
    out = io.StringIO()
    with tracker.store.history_snapshot() as (groups, assessments):
        other.log_assessment(ACTOR, draft("R2", evidence=[evidence(), evidence(), evidence()]))
        rows = list(assessments)
    other.close()
    assert groups == 1
    assert [a.recommendation_id for a in rows] == ["R1"]
    tracker.export_history(out)
    assert out.getvalue().splitlines()[0].endswith("evidence_3_summary")


def test_imports_with_ids_and_logs_at_once_do_not_collide(tracker: Tracker, db_url: str):
    errors: list[BaseException] = []

    def import_block(start: int) -> None:
        own = Tracker.open(db_url)
        ids = range(start, start + 20)
        rows = [NewAssessment(draft("R3", note=f"imported {n}"), n) for n in ids]
        try:
            own.import_history(ACTOR, HistoryFile("block.csv", rows, list(ids), [[]] * 20))
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.close()

    def log_some(seed: int) -> None:
        own = Tracker.open(db_url)
        try:
            for n in range(20):
                own.log_assessment(ACTOR, draft("R4", note=f"logged {seed}-{n}"))
        except BaseException as exc:
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=import_block, args=(100 * (k + 1),)) for k in range(3)]
    threads += [threading.Thread(target=log_some, args=(k,)) for k in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert tracker.count_assessments() == 120
    assert tracker.log_assessment(ACTOR, draft("R5")) > 319


@pytest.mark.parametrize("rec_id", ["![x](https://e.example/p.png)", "=R1", "R 1", "-R"])
def test_recommendation_ids_are_plain_words(tracker: Tracker, tmp_path: Path, rec_id: str):
    path = tmp_path / "paper.csv"
    path.write_text(f'id,title,description,source\n"{rec_id}",T,D,S\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="is not an id: use letters, digits"):
        tracker.add_recommendations(ACTOR, recommendation_file.read(path))


@pytest.mark.parametrize("text", ["2025-W01-1", "20250101ab", "2025-1-01", "２０２５-01-01"])
def test_only_iso_calendar_dates_are_dates(tracker: Tracker, db_url: str, capsys, text: str):
    assert main(["status", "--as-of", text, "--db", db_url]) == 2
    assert "is not a date in the form YYYY-MM-DD" in capsys.readouterr().err


def test_ids_out_of_range_are_bad_input(tracker: Tracker, db_url: str, capsys):
    args = ["log", "R1", "--status", "stalled", "--progress", "5", "--analyst", "a"]
    assert main([*args, "--corrects", "99999999999999999999", "--db", db_url]) == 2
    assert capsys.readouterr().err == (
        "error: --corrects: 99999999999999999999 is not an assessment id\n"
    )
    text = (
        "assessment_id,recommendation_id,status,progress,as_of,analyst\n"
        f"3000000000,R1,stalled,5,{days_ago(1)},a\n"
    ).encode()
    with pytest.raises(InvalidInput, match="column assessment_id: 3000000000 is not an"):
        history_file.parse(text, "f.csv")
    assert tracker.count_assessments() == 0


def test_a_recorded_time_out_of_range_is_bad_input():
    text = (
        "recommendation_id,status,progress,as_of,analyst,recorded_at\n"
        f"R1,stalled,5,{days_ago(1)},a,0001-01-01T00:00:00+01:00\n"
    ).encode()
    with pytest.raises(InvalidInput, match=r"column recorded_at: .* is not a date and time"):
        history_file.parse(text, "f.csv")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--db", "mysql://x@localhost/db", "status"], "error: db: mysql is not supported"),
        (["--db", "not a url", "status"], "error: db 'not a url': is not a database URL"),
        (
            ["--db", "sqlite:////nonexistent/dir/x.db", "status"],
            "error: db: the folder /nonexistent/dir does not exist",
        ),
    ],
)
def test_bad_database_urls_are_bad_input(capsys, args: list[str], message: str):
    assert main(args) == 2
    assert capsys.readouterr().err.startswith(message)
    assert not Path("/nonexistent").exists()


def test_output_to_a_folder_or_a_missing_folder_is_bad_input(
    tracker: Tracker, db_url: str, tmp_path: Path, capsys
):
    assert main(["report", "--out", str(tmp_path), "--db", db_url]) == 2
    assert "is a folder; name a file to write" in capsys.readouterr().err
    missing = tmp_path / "no" / "r.csv"
    assert main(["export", "--out", str(missing), "--db", db_url]) == 2
    assert f"the folder {missing.parent} does not exist" in capsys.readouterr().err


def test_backup_into_a_missing_folder_and_restore_of_odd_names(
    sqlite_tracker: Tracker, tmp_path: Path
):
    with pytest.raises(InvalidInput, match="does not exist"):
        sqlite_tracker.backup(ACTOR, tmp_path / "missing" / "b.db")
    odd = tmp_path / "b#1%41.db"
    sqlite_tracker.log_assessment(ACTOR, draft("R2"))
    sqlite_tracker.backup(ACTOR, odd)
    fresh = Tracker.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.restore(ACTOR, odd)
    assert fresh.count_assessments() == 1
    fresh.close()
    assert not (tmp_path / "b").exists()


def test_the_dashboard_form_refuses_odd_correction_ids(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 't.db'}")
    dashboard = str(Path(__file__).parent.parent / "dashboard.py")
    app = AppTest.from_file(dashboard, default_timeout=60).run()
    app.switch_page("tracker/ui/pages/log.py").run()
    app.text_input(key="log_analyst").input("Ana")
    next(w for w in app.text_input if w.label == "Corrects assessment #").input("²")
    next(b for b in app.button if b.label == "Log assessment").click()
    app.run()
    assert not app.exception
    assert "is not an assessment id" in app.error[0].value
