"""The sample history: fictional, reproducible, flagged, and never mixed into real data."""

from tests.factories import ACTOR, draft
from tracker import demo
from tracker.cli import main
from tracker.service import Tracker


def _history(url: str) -> list[tuple]:
    tracker = Tracker.open(url)
    rows = [
        (a.id, a.status, a.progress, a.as_of, a.recorded_at, a.note, len(a.evidence))
        for rec in tracker.recommendations()
        for a in tracker.history(rec.id)
    ]
    tracker.close()
    return rows


def test_demo_fills_the_named_database_reproducibly(tmp_path, capsys):
    first, second = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    assert main(["demo", "--db", first]) == 0
    assert capsys.readouterr().out == "Added 20 fictional assessments.\n"
    assert main(["--db", second, "demo"]) == 0
    capsys.readouterr()
    assert _history(first) == _history(second)
    assert all(row[5].startswith("Fictional sample data") for row in _history(first))
    tracker = Tracker.open(first)
    assert tracker.holds_sample_data()
    statuses = {row.recommendation.id: row.status for row in tracker.statuses()}
    assert statuses == {
        "R1": "in_progress",
        "R2": "in_progress",
        "R3": "modified",
        "R4": "not_pursued",
        "R5": "implemented",
    }
    tracker.close()
    assert main(["demo", "--db", first]) == 0
    assert capsys.readouterr().out == "Sample history already there.\n"
    assert len(_history(first)) == 20


def test_demo_refuses_a_database_with_real_assessments(tracker: Tracker, db_url: str, capsys):
    tracker.log_assessment(ACTOR, draft("R1"))
    assert main(["demo", "--db", db_url]) == 2
    assert "already holds real assessments" in capsys.readouterr().err
    assert tracker.count_assessments() == 1
    assert not tracker.holds_sample_data()


def test_demo_without_db_leaves_the_trackers_database_alone(tmp_path, monkeypatch, capsys):
    tracker_db = f"sqlite:///{tmp_path / 'tracker.db'}"
    demo_db = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("TRACKER_DB_URL", tracker_db)
    monkeypatch.setattr(demo, "DEMO_URL", demo_db)
    assert main(["init"]) == 0
    assert main(["demo"]) == 0
    assert _history(tracker_db) == []
    assert len(_history(demo_db)) == 20
