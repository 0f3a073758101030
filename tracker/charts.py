"""Altair charts built from data the store has already aggregated.

Each builder takes the store's records and returns a chart spec; none reads the database, and
none receives a row per assessment: progress over time comes as one step per as-of date.
Colours come from one status palette that reads on light and dark backgrounds.
"""

from collections.abc import Sequence
from datetime import date

import altair as alt
import pandas as pd

from tracker import taxonomy
from tracker.views import EvidencePoint, ProgressStep, StatusRow

STATUS_COLOURS: dict[str, str] = {
    "not_assessed": "#8c8c8c",
    "not_started": "#b0a18f",
    "in_progress": "#3b82f6",
    "stalled": "#f59e0b",
    "implemented": "#22a559",
    "modified": "#14b8a6",
    "not_pursued": "#ef4444",
    "superseded": "#a855f7",
}
STATUS_SCALE = alt.Scale(
    domain=[s.label for s in taxonomy.STATUSES],
    range=[STATUS_COLOURS[s.key] for s in taxonomy.STATUSES],
)
PROGRESS_AXIS = alt.Axis(title="Progress (%)", values=[0, 25, 50, 75, 100])
# As-of dates are days: ticks never finer than a day, labelled as dates.
DAY_AXIS = alt.Axis(title="As of", format="%d %b %Y", tickMinStep=24 * 60 * 60 * 1000)


def _label(status: str) -> str:
    return taxonomy.STATUS_BY_KEY[status].label


def status_frame(rows: Sequence[StatusRow]) -> pd.DataFrame:
    """One row per recommendation with its progress (empty when not assessed)."""
    return pd.DataFrame(
        {
            "recommendation": [f"{r.recommendation.id} {r.recommendation.title}" for r in rows],
            "id": [r.recommendation.id for r in rows],
            "status": [_label(r.status) for r in rows],
            "progress": pd.array([r.progress for r in rows], dtype="Int64"),
            "as_of": [r.assessment.as_of.isoformat() if r.assessment else "" for r in rows],
            "label": ["Not assessed" if r.assessment is None else f"{r.progress}%" for r in rows],
        }
    )


def progress_bars(rows: Sequence[StatusRow]) -> alt.LayerChart:
    """One bar per recommendation, coloured by status; unassessed ones say so instead of 0 %."""
    data = status_frame(rows)
    order = list(data["recommendation"])
    base = alt.Chart(data).encode(
        y=alt.Y("recommendation:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
        tooltip=[
            alt.Tooltip("recommendation:N", title="Recommendation"),
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("progress:Q", title="Progress (%)"),
            alt.Tooltip("as_of:N", title="As of"),
        ],
    )
    bars = (
        base.mark_bar()
        .encode(
            x=alt.X("progress:Q", scale=alt.Scale(domain=[0, 100]), axis=PROGRESS_AXIS),
            color=alt.Color("status:N", scale=STATUS_SCALE, title="Status"),
        )
        .transform_filter("isValid(datum.progress)")
    )
    labels = (
        base.mark_text(align="left", dx=4, color=STATUS_COLOURS["not_assessed"])
        .encode(x=alt.X("x:Q"), text="label:N")
        .transform_calculate(x="isValid(datum.progress) ? datum.progress : 0")
    )
    return (bars + labels).properties(title="Progress by recommendation", height=alt.Step(34))


def step_frame(steps: Sequence[ProgressStep], until: date) -> pd.DataFrame:
    """The steps, each recommendation's last one repeated at `until` so its line reaches it."""
    data = pd.DataFrame(
        [(s.recommendation_id, s.day, _label(s.status), s.progress) for s in steps],
        columns=["id", "day", "status", "progress"],
    )
    if data.empty:
        return data
    last = data.sort_values("day").groupby("id", sort=False).tail(1).copy()
    last = last[last["day"] < until]
    last["day"] = until
    data = pd.concat([data, last], ignore_index=True).sort_values(["id", "day"])
    data["day"] = pd.to_datetime(data["day"])
    return data.reset_index(drop=True)


def progress_over_time(
    steps: Sequence[ProgressStep], until: date, titles: dict[str, str]
) -> alt.Chart:
    """Each recommendation's progress as a step line up to `until`."""
    data = step_frame(steps, until)
    if not data.empty:
        data["recommendation"] = [f"{i} {titles.get(i, '')}" for i in data["id"]]
    else:
        data = pd.DataFrame(columns=["id", "day", "status", "progress", "recommendation"])
    return (
        alt.Chart(data)
        .mark_line(interpolate="step-after", point=True, strokeWidth=2)
        .encode(
            x=alt.X("day:T", axis=DAY_AXIS),
            y=alt.Y("progress:Q", scale=alt.Scale(domain=[0, 100]), axis=PROGRESS_AXIS),
            color=alt.Color("recommendation:N", title="Recommendation"),
            tooltip=[
                alt.Tooltip("recommendation:N", title="Recommendation"),
                alt.Tooltip("day:T", title="From"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("progress:Q", title="Progress (%)"),
            ],
        )
        .properties(title="Progress over time", height=320)
    )


def evidence_frame(points: Sequence[EvidencePoint]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": pd.to_datetime([p.as_of for p in points]),
            "progress": [p.progress for p in points],
            "title": [p.evidence.title or p.evidence.url for p in points],
            "publisher": [p.evidence.publisher for p in points],
            "published": [
                p.evidence.published_on.isoformat() if p.evidence.published_on else ""
                for p in points
            ],
            "grade": [p.evidence.grade for p in points],
            "source_type": [taxonomy.SOURCE_TYPES[p.evidence.source_type] for p in points],
        }
    )


def timeline(
    steps: Sequence[ProgressStep], points: Sequence[EvidencePoint], until: date
) -> alt.LayerChart:
    """One recommendation: progress as a step line, evidence as points on the assessment date."""
    line_data = step_frame(steps, until)
    if line_data.empty:
        line_data = pd.DataFrame(columns=["id", "day", "status", "progress"])
    line = (
        alt.Chart(line_data)
        .mark_line(interpolate="step-after", strokeWidth=2, color=STATUS_COLOURS["in_progress"])
        .encode(
            x=alt.X("day:T", axis=DAY_AXIS),
            y=alt.Y("progress:Q", scale=alt.Scale(domain=[0, 100]), axis=PROGRESS_AXIS),
            tooltip=[
                alt.Tooltip("day:T", title="From"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("progress:Q", title="Progress (%)"),
            ],
        )
    )
    evidence = (
        alt.Chart(evidence_frame(points))
        .mark_point(size=90, filled=True, shape="diamond", color=STATUS_COLOURS["stalled"])
        .encode(
            x="day:T",
            y="progress:Q",
            tooltip=[
                alt.Tooltip("title:N", title="Evidence"),
                alt.Tooltip("publisher:N", title="Publisher"),
                alt.Tooltip("published:N", title="Published"),
                alt.Tooltip("grade:N", title="Grade"),
                alt.Tooltip("source_type:N", title="Source type"),
            ],
        )
    )
    return (line + evidence).properties(title="Progress and evidence over time", height=300)
