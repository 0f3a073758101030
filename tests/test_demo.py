"""The sample history: fictional, reproducible, flagged, and never mixed into real data."""

from tests.factories import draft
from tracker import demo
from tracker.cli import main
from tracker.store import Store


def _history(url: str) -> list[tuple]:
    store = Store(url)
    rows = [
        (a.id, a.status, a.progress, a.as_of, a.recorded_at, a.note, len(a.evidence))
        for rec in store.recommendations()
        for a in store.history(rec.id)
    ]
    store.close()
    return rows


def test_demo_fills_the_named_database_reproducibly(tmp_path, capsys):
    first, second = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    assert main(["demo", "--db", first]) == 0
    assert capsys.readouterr().out == "Added 20 fictional assessments.\n"
    assert main(["--db", second, "demo"]) == 0
    capsys.readouterr()
    assert _history(first) == _history(second)
    assert all(row[5].startswith("Fictional sample data") for row in _history(first))
    store = Store(first)
    assert store.holds_sample_data()
    statuses = {row.recommendation.id: row.status for row in store.statuses()}
    assert statuses == {
        "R1": "in_progress",
        "R2": "in_progress",
        "R3": "modified",
        "R4": "not_pursued",
        "R5": "implemented",
    }
    store.close()
    assert main(["demo", "--db", first]) == 0
    assert capsys.readouterr().out == "Sample history already there.\n"
    assert len(_history(first)) == 20


def test_demo_refuses_a_database_with_real_assessments(store: Store, db_url: str, capsys):
    store.log(draft("R1"))
    assert main(["demo", "--db", db_url]) == 2
    assert "already holds real assessments" in capsys.readouterr().err
    assert store.count_assessments() == 1
    assert not store.holds_sample_data()


def test_demo_without_db_leaves_the_trackers_database_alone(tmp_path, monkeypatch, capsys):
    tracker_db = f"sqlite:///{tmp_path / 'tracker.db'}"
    demo_db = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("TRACKER_DB_URL", tracker_db)
    monkeypatch.setattr(demo, "DEMO_URL", demo_db)
    assert main(["init"]) == 0
    assert main(["demo"]) == 0
    assert _history(tracker_db) == []
    assert len(_history(demo_db)) == 20
