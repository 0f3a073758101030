"""The tracker: recommendations, appending assessments, statuses on any date, corrections."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import clock
from tracker.errors import InvalidInput
from tracker.service import Tracker


def test_init_loads_the_five_recommendations_in_the_papers_order(tracker: Tracker):
    recs = tracker.recommendations()
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


def test_init_twice_changes_nothing(tracker: Tracker):
    assert tracker.init() == 0
    assert [r.id for r in tracker.recommendations()] == ["R1", "R2", "R3", "R4", "R5"]


def test_unassessed_recommendations_have_no_progress(tracker: Tracker):
    rows = tracker.statuses()
    assert [(r.recommendation.id, r.status, r.progress) for r in rows] == [
        (rec_id, "not_assessed", None) for rec_id in ("R1", "R2", "R3", "R4", "R5")
    ]


def test_logged_assessment_is_stored_with_its_evidence(tracker: Tracker):
    item = evidence(archive_url="https://archive.example.org/x")
    new_id = tracker.log_assessment(
        ACTOR, draft(status="implemented", progress=100, evidence=[item, evidence()])
    )
    (stored,) = tracker.history("R1")
    assert stored.id == new_id
    assert (stored.status, stored.progress, stored.analyst) == ("implemented", 100, "Ana Analyst")
    assert stored.recorded_at.tzinfo is not None
    assert abs(stored.recorded_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert [e.position for e in stored.evidence] == [1, 2]
    first = stored.evidence[0]
    assert (first.url, first.title, first.grade) == (item.url, item.title, "B2")
    assert first.archive_url == "https://archive.example.org/x"
    assert (first.published_on, first.accessed_on) == (item.published_on, item.accessed_on)


def test_status_on_a_past_date_is_the_assessment_then_in_effect(tracker: Tracker):
    year = clock.today().year - 1
    tracker.log_assessment(ACTOR, draft(as_of=date(year, 2, 10), progress=20))
    tracker.log_assessment(ACTOR, draft(as_of=date(year, 5, 10), progress=60))
    march = {r.recommendation.id: r for r in tracker.statuses(date(year, 3, 15))}
    assert (march["R1"].progress, march["R1"].assessment.as_of) == (20, date(year, 2, 10))
    assert tracker.statuses()[0].progress == 60
    january = tracker.statuses(date(year, 1, 31))
    assert january[0].status == "not_assessed"


def test_backdated_assessment_does_not_replace_a_later_one(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft(as_of=days_ago(5), progress=70))
    tracker.log_assessment(ACTOR, draft(as_of=days_ago(50), progress=10))
    assert tracker.statuses()[0].progress == 70
    assert tracker.statuses(days_ago(20))[0].progress == 10


def test_same_as_of_date_the_latest_recorded_wins(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft(as_of=days_ago(3), progress=30))
    tracker.log_assessment(ACTOR, draft(as_of=days_ago(3), progress=35))
    assert tracker.statuses()[0].progress == 35
    assert tracker.statuses(days_ago(1))[0].progress == 35


def test_correction_replaces_the_corrected_assessment_everywhere(tracker: Tracker):
    earlier = tracker.log_assessment(ACTOR, draft(as_of=days_ago(30), progress=20))
    wrong = tracker.log_assessment(ACTOR, draft(as_of=days_ago(10), progress=90))
    fix = tracker.log_assessment(
        ACTOR, draft(as_of=days_ago(12), progress=45, corrects_id=wrong, note="typo")
    )
    assert tracker.statuses()[0].assessment.id == fix
    assert tracker.statuses(days_ago(11))[0].assessment.id == fix
    history = {a.id: a for a in tracker.history("R1")}
    assert history[wrong].corrected_by_id == fix
    assert history[fix].corrects_id == wrong
    assert history[earlier].corrected_by_id is None


def test_correcting_the_only_assessment_with_an_older_one_falls_back(tracker: Tracker):
    first = tracker.log_assessment(ACTOR, draft(as_of=days_ago(30), progress=20))
    second = tracker.log_assessment(ACTOR, draft(as_of=days_ago(5), progress=80))
    tracker.log_assessment(ACTOR, draft(as_of=days_ago(40), progress=15, corrects_id=second))
    assert tracker.statuses()[0].assessment.id == first


def test_an_assessment_can_be_corrected_only_once(tracker: Tracker):
    wrong = tracker.log_assessment(ACTOR, draft())
    fix = tracker.log_assessment(ACTOR, draft(corrects_id=wrong))
    with pytest.raises(InvalidInput) as refused:
        tracker.log_assessment(ACTOR, draft(corrects_id=wrong))
    assert str(refused.value) == (
        f"corrects: assessment {wrong} was already corrected by {fix}; correct {fix} instead"
    )
    assert tracker.count_assessments() == 2


def test_correction_must_name_an_assessment_of_the_same_recommendation(tracker: Tracker):
    other = tracker.log_assessment(ACTOR, draft("R2"))
    with pytest.raises(InvalidInput, match=f"corrects: assessment {other} is of R2, not R1"):
        tracker.log_assessment(ACTOR, draft("R1", corrects_id=other))
    with pytest.raises(InvalidInput, match="corrects: there is no assessment 999"):
        tracker.log_assessment(ACTOR, draft("R1", corrects_id=999))
    assert tracker.count_assessments() == 1


def test_recorded_by_reproduces_what_was_known_that_day(tracker: Tracker, monkeypatch):
    recorded = iter(
        [
            datetime(2026, 3, 1, 12, tzinfo=UTC),
            datetime(2026, 3, 5, 12, tzinfo=UTC),
            datetime(2026, 3, 9, 12, tzinfo=UTC),
        ]
    )
    monkeypatch.setattr(clock, "utc_now", lambda: next(recorded))
    first = tracker.log_assessment(ACTOR, draft(as_of=date(2026, 2, 20), progress=10))
    second = tracker.log_assessment(ACTOR, draft(as_of=date(2026, 3, 4), progress=50))
    tracker.log_assessment(ACTOR, draft(as_of=date(2026, 3, 4), progress=30, corrects_id=second))
    on = date(2026, 3, 10)
    assert tracker.statuses(on, recorded_by=date(2026, 3, 2))[0].assessment.id == first
    assert tracker.statuses(on, recorded_by=date(2026, 3, 6))[0].progress == 50
    assert tracker.statuses(on, recorded_by=date(2026, 3, 9))[0].progress == 30
    assert tracker.statuses(on, recorded_by=date(2026, 2, 28))[0].status == "not_assessed"


def test_recorded_by_counts_the_day_in_the_trackers_time_zone(tracker: Tracker, monkeypatch):
    # 03:00 UTC on 2 March is still 1 March in Mexico City.
    monkeypatch.setenv("TRACKER_TIMEZONE", "America/Mexico_City")
    monkeypatch.setattr(clock, "utc_now", lambda: datetime(2026, 3, 2, 3, tzinfo=UTC))
    tracker.log_assessment(ACTOR, draft(as_of=date(2026, 2, 27)))
    assert tracker.statuses(date(2026, 3, 5), recorded_by=date(2026, 3, 1))[0].progress == 40


def test_notes_and_texts_are_kept_exactly_as_typed(tracker: Tracker):
    note = "  Línea 1 — «cita» 🇲🇽\n\tindented\r\n<b>not html</b> =1+1 " + "x" * 10_000
    tracker.log_assessment(
        ACTOR, draft(status="modified", note=note, evidence=[evidence(summary=" s\n ")])
    )
    (stored,) = tracker.history("R1")
    assert stored.note == note
    assert stored.evidence[0].summary == " s\n "


def test_history_is_newest_first_and_pages(tracker: Tracker):
    ids = [
        tracker.log_assessment(ACTOR, draft(as_of=days_ago(d), progress=p))
        for d, p in ((9, 10), (3, 30), (6, 20))
    ]
    assert [a.id for a in tracker.history("R1")] == [ids[1], ids[2], ids[0]]
    assert [a.id for a in tracker.history("R1", limit=1, offset=1)] == [ids[2]]


def test_unknown_recommendation_in_history_is_bad_input(tracker: Tracker):
    with pytest.raises(InvalidInput, match="recommendation: there is no recommendation 'R9'"):
        tracker.history("R9")


@pytest.mark.parametrize("statement", ["UPDATE {t} SET id = id", "DELETE FROM {t}"])
@pytest.mark.parametrize("table", ["assessment", "evidence"])
def test_the_database_refuses_to_change_assessments_and_evidence(
    tracker: Tracker, statement: str, table: str
):
    tracker.log_assessment(ACTOR, draft(evidence=[evidence()]))
    with pytest.raises(DBAPIError, match="append-only"), tracker.store.engine.begin() as connection:
        connection.execute(text(statement.format(t=table)))
    (stored,) = tracker.history("R1")
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
