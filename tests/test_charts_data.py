"""What the tracker gives charts and reports: steps per day, evidence points, sample-data flag."""

from datetime import timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import clock, db
from tracker.models import Assessment, Base, Recommendation
from tracker.service import Tracker


def test_progress_steps_start_at_the_status_on_the_first_day(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(40), progress=10))
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(20), progress=30))
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(20), progress=35))
    tracker.log_assessment(ACTOR, draft("R2", as_of=days_ago(5), status="not_started", progress=0))
    steps = tracker.progress_steps(days_ago(30), clock.today())
    assert [(s.recommendation_id, s.day, s.progress) for s in steps] == [
        ("R1", days_ago(30), 10),
        ("R1", days_ago(20), 35),
        ("R2", days_ago(5), 0),
    ]
    only_r2 = tracker.progress_steps(days_ago(30), clock.today(), ["R2"])
    assert [s.recommendation_id for s in only_r2] == ["R2"]


def test_a_correction_moves_the_step_of_the_day_it_corrected(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(30), progress=10))
    wrong = tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(10), progress=90))
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(12), progress=50, corrects_id=wrong))
    steps = tracker.progress_steps(days_ago(60), clock.today())
    assert [(s.day, s.progress) for s in steps] == [(days_ago(30), 10), (days_ago(12), 50)]


def test_evidence_points_leave_out_corrected_assessments(tracker: Tracker):
    wrong = tracker.log_assessment(ACTOR, draft("R1", evidence=[evidence(title="Wrong")]))
    tracker.log_assessment(
        ACTOR, draft("R1", corrects_id=wrong, evidence=[evidence(title="Right")])
    )
    points = tracker.evidence_points("R1")
    assert [p.evidence.title for p in points] == ["Right"]
    assert points[0].progress == 40


def test_assessments_between_two_dates(tracker: Tracker):
    tracker.log_assessment(ACTOR, draft("R1", as_of=days_ago(30)))
    inside = tracker.log_assessment(ACTOR, draft("R2", as_of=days_ago(10)))
    tracker.log_assessment(ACTOR, draft("R3", as_of=days_ago(20)))
    found = tracker.store.assessments_between(days_ago(20), days_ago(5))
    assert [a.id for a in found] == [inside]


def test_sample_data_flag(tracker: Tracker):
    assert not tracker.holds_sample_data()
    tracker.mark_sample_data(ACTOR)
    tracker.mark_sample_data(ACTOR)
    assert tracker.holds_sample_data()


def test_models_and_migrations_agree(tracker: Tracker):
    with tracker.store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_upgrading_an_existing_database_fills_the_status_per_day(db_url: str):
    tracker = Tracker.open(db_url)
    with db.exclusive(tracker.store.engine) as connection:
        config = db.alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            insert(Recommendation),
            [
                dict(
                    id="R1",
                    position=1,
                    title="T",
                    description="D",
                    source="S",
                    section="",
                    theme="",
                    actors="",
                    review_every_days=90,
                )
            ],
        )
        now = clock.utc_now()
        rows = [(1, 20, 10, None), (2, 50, 5, None), (3, 40, 5, 2)]
        connection.execute(
            insert(Assessment),
            [
                dict(
                    id=i,
                    recommendation_id="R1",
                    status="in_progress",
                    progress=p,
                    as_of=days_ago(d),
                    recorded_at=now + timedelta(seconds=i),
                    analyst="a",
                    confidence="low",
                    basis="reported",
                    note="",
                    corrects_id=c,
                )
                for i, p, d, c in rows
            ],
        )
    tracker.upgrade()
    steps = tracker.progress_steps(days_ago(30), clock.today())
    assert [(s.day, s.progress) for s in steps] == [(days_ago(10), 20), (days_ago(5), 40)]
    tracker.close()
