"""Many analysts at once: every append is stored and the current-status rows stay exact."""

import random
import subprocess
import sys
import threading
from datetime import date, timedelta

from tests.factories import ACTOR, draft
from tracker import clock
from tracker.service import Tracker
from tracker.views import AssessmentView

WRITERS = 8
APPENDS_EACH = 200
REC_IDS = ("R1", "R2", "R3", "R4", "R5")


def _write(url: str, seed: int, errors: list[BaseException]) -> None:
    """Appends APPENDS_EACH assessments through a tracker of its own, correcting some of them."""
    rng = random.Random(seed)
    own = Tracker.open(url)
    mine: dict[str, list[int]] = {rec_id: [] for rec_id in REC_IDS}
    try:
        for _ in range(APPENDS_EACH):
            rec_id = rng.choice(REC_IDS)
            corrects = None
            if mine[rec_id] and rng.random() < 0.1:
                corrects = mine[rec_id].pop(rng.randrange(len(mine[rec_id])))
            new_id = own.log_assessment(
                ACTOR,
                draft(
                    rec_id,
                    progress=rng.randint(0, 100),
                    as_of=clock.today() - timedelta(days=rng.randint(0, 30)),
                    analyst=f"writer {seed}",
                    corrects_id=corrects,
                ),
            )
            mine[rec_id].append(new_id)
    except BaseException as exc:  # reported to the test, which fails on any
        errors.append(exc)
    finally:
        own.close()


def _recalculated(history: list[AssessmentView], on: date | None = None) -> int | None:
    counting = [a for a in history if a.corrected_by_id is None and (on is None or a.as_of <= on)]
    if not counting:
        return None
    return max(counting, key=lambda a: (a.as_of, a.recorded_at, a.id)).id


def test_eight_concurrent_writers_lose_nothing(tracker: Tracker, db_url: str):
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_write, args=(db_url, seed, errors)) for seed in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert tracker.count_assessments() == WRITERS * APPENDS_EACH
    current = {row.recommendation.id: row.assessment for row in tracker.statuses()}
    histories = {rec_id: tracker.history(rec_id) for rec_id in REC_IDS}
    for rec_id in REC_IDS:
        assert current[rec_id] is not None
        assert current[rec_id].id == _recalculated(histories[rec_id]), rec_id
    for days_back in (1, 7, 15, 29, 31):
        on = clock.today() - timedelta(days=days_back)
        for row in tracker.statuses(on):
            expected = _recalculated(histories[row.recommendation.id], on)
            assert (row.assessment.id if row.assessment else None) == expected, (on, row)


def test_two_processes_initialising_one_fresh_database_do_not_collide(db_url: str):
    command = [sys.executable, "-m", "tracker", "--db", db_url, "init"]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outcomes = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outcomes
    messages = sorted(out.strip() for out, _ in outcomes)
    assert messages == [
        "Database ready; loaded 5 recommendations.",
        "Database ready; recommendations already loaded.",
    ]
    opened = Tracker.open(db_url)
    assert [r.id for r in opened.recommendations()] == list(REC_IDS)
    opened.close()
