"""Benchmark: do the dashboard's reads stay flat as the assessment history grows?

Builds two SQLite databases with the same recommendations and the same pace of work
(assessments per day), one holding two years of history and one holding many years, then times
each read that a page makes on both. Each result is the ratio of the long history's time to the
two-year one's, measured in the same run, so a noisy machine slows both alike; a ratio near 1
means the read does not grow with the history.

    python -m benchmarks.history_growth [--per-day 20] [--years 10] [--repeat 30]
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from tracker import clock
from tracker.history_file import HistoryFile
from tracker.records import AssessmentDraft, NewAssessment
from tracker.service import COMMAND_LINE, Actor, Tracker

REC_IDS = ("R1", "R2", "R3", "R4", "R5")


def build(path: Path, days: int, per_day: int) -> Tracker:
    """A tracker holding `per_day` assessments a day over the last `days` days."""
    tracker = Tracker.open(f"sqlite:///{path}")
    tracker.init()
    rng = random.Random(days)
    today = clock.today()
    assessments = days * per_day
    rows = [
        NewAssessment(
            AssessmentDraft(
                recommendation_id=rng.choice(REC_IDS),
                status="in_progress",
                progress=rng.randint(0, 100),
                analyst=f"analyst {n % 17}",
                as_of=today - timedelta(days=n // per_day),
                note=f"benchmark assessment {n}",
            )
        )
        for n in range(assessments)
    ]
    numbers = list(range(2, assessments + 2))
    file = HistoryFile("benchmark.csv", rows, numbers, [[] for _ in rows])
    tracker.import_history(Actor("benchmark", COMMAND_LINE), file)
    return tracker


def reads(tracker: Tracker) -> dict[str, Callable[[], object]]:
    """The reads the pages make, keyed by what they serve."""
    today = clock.today()
    return {
        "overview: current statuses": lambda: tracker.statuses(),
        "overview: progress over 12 months": lambda: tracker.progress_steps(
            today - timedelta(days=365), today
        ),
        "recommendation: timeline over 2 years": lambda: tracker.progress_steps(
            today - timedelta(days=730), today, ["R1"]
        ),
        "recommendation: first page of history": lambda: tracker.history("R1", limit=21),
        "recommendation: evidence": lambda: tracker.evidence_points("R1"),
        "reports: status report 6 months ago": lambda: tracker.status_report(
            today - timedelta(days=182)
        ),
        "reports: what changed in 30 days": lambda: tracker.changes(today - timedelta(days=30)),
    }


def median_seconds(read: Callable[[], object], repeat: int) -> float:
    read()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        read()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=20, help="assessments logged a day")
    parser.add_argument("--years", type=int, default=10, help="length of the long history")
    parser.add_argument("--repeat", type=int, default=30, help="timed runs of each read")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        short_days, long_days = 730, 365 * args.years
        print(
            f"Building 2 and {args.years} years of history at {args.per_day} a day "
            f"({short_days * args.per_day:,} and {long_days * args.per_day:,} assessments)…",
            file=sys.stderr,
            flush=True,
        )
        short = build(Path(folder) / "short.db", short_days, args.per_day)
        long = build(Path(folder) / "long.db", long_days, args.per_day)
        print(f"{'read':42} {'2 yrs ms':>9} {'long ms':>9} {'ratio':>6}")
        for name, read in reads(short).items():
            floor = median_seconds(read, args.repeat)
            measured = median_seconds(reads(long)[name], args.repeat)
            print(f"{name:42} {floor * 1e3:9.2f} {measured * 1e3:9.2f} {measured / floor:6.2f}")
        short.close()
        long.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
