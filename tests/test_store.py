"""The store: recommendations, appending assessments, statuses on any date, corrections."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.factories import days_ago, draft, evidence
from tracker import clock
from tracker.errors import InvalidInput
from tracker.store import Store


def test_init_loads_the_five_recommendations_in_the_papers_order(store: Store):
    recs = store.recommendations()
    assert [r.id for r in recs] == ["R1", "R2", "R3", "R4", "R5"]
    assert recs[0].title == "Revitalize the Mérida Initiative"
    assert "precursor chemicals" in recs[0].description
    assert recs[3].actors == (
        "United States government",
        "Government of Mexico",
        "Government of Canada",
        "Central American states",
    )
    assert all(r.review_every_days == 90 for r in recs)
    assert all("Latin American Security and Foreign Policy Review" in r.source for r in recs)


def test_init_twice_changes_nothing(store: Store):
    assert store.init() == 0
    assert [r.id for r in store.recommendations()] == ["R1", "R2", "R3", "R4", "R5"]


def test_unassessed_recommendations_have_no_progress(store: Store):
    rows = store.statuses()
    assert [(r.recommendation.id, r.status, r.progress) for r in rows] == [
        (rec_id, "not_assessed", None) for rec_id in ("R1", "R2", "R3", "R4", "R5")
    ]


def test_logged_assessment_is_stored_with_its_evidence(store: Store):
    item = evidence(archive_url="https://archive.example.org/x")
    new_id = store.log(draft(status="implemented", progress=100, evidence=[item, evidence()]))
    (stored,) = store.history("R1")
    assert stored.id == new_id
    assert (stored.status, stored.progress, stored.analyst) == ("implemented", 100, "Ana Analyst")
    assert stored.recorded_at.tzinfo is not None
    assert abs(stored.recorded_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert [e.position for e in stored.evidence] == [1, 2]
    first = stored.evidence[0]
    assert (first.url, first.title, first.grade) == (item.url, item.title, "B2")
    assert first.archive_url == "https://archive.example.org/x"
    assert (first.published_on, first.accessed_on) == (item.published_on, item.accessed_on)


def test_status_on_a_past_date_is_the_assessment_then_in_effect(store: Store):
    year = clock.today().year - 1
    store.log(draft(as_of=date(year, 2, 10), progress=20))
    store.log(draft(as_of=date(year, 5, 10), progress=60))
    march = {r.recommendation.id: r for r in store.statuses(date(year, 3, 15))}
    assert (march["R1"].progress, march["R1"].assessment.as_of) == (20, date(year, 2, 10))
    assert store.statuses()[0].progress == 60
    january = store.statuses(date(year, 1, 31))
    assert january[0].status == "not_assessed"


def test_backdated_assessment_does_not_replace_a_later_one(store: Store):
    store.log(draft(as_of=days_ago(5), progress=70))
    store.log(draft(as_of=days_ago(50), progress=10))
    assert store.statuses()[0].progress == 70
    assert store.statuses(days_ago(20))[0].progress == 10


def test_same_as_of_date_the_latest_recorded_wins(store: Store):
    store.log(draft(as_of=days_ago(3), progress=30))
    store.log(draft(as_of=days_ago(3), progress=35))
    assert store.statuses()[0].progress == 35
    assert store.statuses(days_ago(1))[0].progress == 35


def test_correction_replaces_the_corrected_assessment_everywhere(store: Store):
    earlier = store.log(draft(as_of=days_ago(30), progress=20))
    wrong = store.log(draft(as_of=days_ago(10), progress=90))
    fix = store.log(draft(as_of=days_ago(12), progress=45, corrects_id=wrong, note="typo"))
    assert store.statuses()[0].assessment.id == fix
    assert store.statuses(days_ago(11))[0].assessment.id == fix
    history = {a.id: a for a in store.history("R1")}
    assert history[wrong].corrected_by_id == fix
    assert history[fix].corrects_id == wrong
    assert history[earlier].corrected_by_id is None


def test_correcting_the_only_assessment_with_an_older_one_falls_back(store: Store):
    first = store.log(draft(as_of=days_ago(30), progress=20))
    second = store.log(draft(as_of=days_ago(5), progress=80))
    store.log(draft(as_of=days_ago(40), progress=15, corrects_id=second))
    assert store.statuses()[0].assessment.id == first


def test_an_assessment_can_be_corrected_only_once(store: Store):
    wrong = store.log(draft())
    fix = store.log(draft(corrects_id=wrong))
    with pytest.raises(InvalidInput) as refused:
        store.log(draft(corrects_id=wrong))
    assert str(refused.value) == (
        f"corrects: assessment {wrong} was already corrected by {fix}; correct {fix} instead"
    )
    assert store.count_assessments() == 2


def test_correction_must_name_an_assessment_of_the_same_recommendation(store: Store):
    other = store.log(draft("R2"))
    with pytest.raises(InvalidInput, match=f"corrects: assessment {other} is of R2, not R1"):
        store.log(draft("R1", corrects_id=other))
    with pytest.raises(InvalidInput, match="corrects: there is no assessment 999"):
        store.log(draft("R1", corrects_id=999))
    assert store.count_assessments() == 1


def test_recorded_by_reproduces_what_was_known_that_day(store: Store, monkeypatch):
    recorded = iter(
        [
            datetime(2026, 3, 1, 12, tzinfo=UTC),
            datetime(2026, 3, 5, 12, tzinfo=UTC),
            datetime(2026, 3, 9, 12, tzinfo=UTC),
        ]
    )
    monkeypatch.setattr(clock, "utc_now", lambda: next(recorded))
    first = store.log(draft(as_of=date(2026, 2, 20), progress=10))
    second = store.log(draft(as_of=date(2026, 3, 4), progress=50))
    store.log(draft(as_of=date(2026, 3, 4), progress=30, corrects_id=second))
    on = date(2026, 3, 10)
    assert store.statuses(on, recorded_by=date(2026, 3, 2))[0].assessment.id == first
    assert store.statuses(on, recorded_by=date(2026, 3, 6))[0].progress == 50
    assert store.statuses(on, recorded_by=date(2026, 3, 9))[0].progress == 30
    assert store.statuses(on, recorded_by=date(2026, 2, 28))[0].status == "not_assessed"


def test_recorded_by_counts_the_day_in_the_trackers_time_zone(store: Store, monkeypatch):
    # 03:00 UTC on 2 March is still 1 March in Mexico City.
    monkeypatch.setenv("TRACKER_TIMEZONE", "America/Mexico_City")
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 3, 2, 3, tzinfo=UTC))
    store.log(draft(as_of=date(2026, 2, 27)))
    assert store.statuses(date(2026, 3, 5), recorded_by=date(2026, 3, 1))[0].progress == 40


def test_notes_and_texts_are_kept_exactly_as_typed(store: Store):
    note = "  Línea 1 — «cita» 🇲🇽\n\tindented\r\n<b>not html</b> =1+1 " + "x" * 10_000
    store.log(draft(status="modified", note=note, evidence=[evidence(summary=" s\n ")]))
    (stored,) = store.history("R1")
    assert stored.note == note
    assert stored.evidence[0].summary == " s\n "


def test_history_is_newest_first_and_pages(store: Store):
    ids = [store.log(draft(as_of=days_ago(d), progress=p)) for d, p in ((9, 10), (3, 30), (6, 20))]
    assert [a.id for a in store.history("R1")] == [ids[1], ids[2], ids[0]]
    assert [a.id for a in store.history("R1", limit=1, offset=1)] == [ids[2]]


def test_unknown_recommendation_in_history_is_bad_input(store: Store):
    with pytest.raises(InvalidInput, match="recommendation: there is no recommendation 'R9'"):
        store.history("R9")


@pytest.mark.parametrize("statement", ["UPDATE {t} SET id = id", "DELETE FROM {t}"])
@pytest.mark.parametrize("table", ["assessment", "evidence"])
def test_the_database_refuses_to_change_assessments_and_evidence(
    store: Store, statement: str, table: str
):
    store.log(draft(evidence=[evidence()]))
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text(statement.format(t=table)))
    (stored,) = store.history("R1")
    assert len(stored.evidence) == 1


def test_today_follows_the_trackers_time_zone(monkeypatch):
    monkeypatch.setenv("TRACKER_TIMEZONE", "Pacific/Kiritimati")  # UTC+14
    east = clock.today()
    monkeypatch.setenv("TRACKER_TIMEZONE", "Etc/GMT+12")  # UTC-12
    west = clock.today()
    # 26 hours apart: the two dates always differ, by one day or two.
    assert 1 <= (east - west).days <= 2
    monkeypatch.delenv("TRACKER_TIMEZONE")
    assert west <= clock.today() <= east


def test_unknown_time_zone_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("TRACKER_TIMEZONE", "Mars/Olympus")
    with pytest.raises(InvalidInput, match="TRACKER_TIMEZONE: 'Mars/Olympus' is not an IANA"):
        clock.today()
