"""Altair charts built from data the store has already aggregated.

Each builder takes the store's records and returns a chart spec; none reads the database, and
none receives a row per assessment: progress over time comes as one step per as-of date.

Status is always shown in one palette (with one point shape per status, for readers who do not
tell the colours apart), the same on every chart; lines of recommendations take colours the
status palette does not use, so a line never reads as a status. Every legend sits below its
chart, since the page cannot know how wide the screen is, and `narrow=True` gives the layout for
a phone: fewer axis labels, shorter names and legends in fewer columns.
"""

from collections.abc import Sequence
from datetime import date

import altair as alt
import pandas as pd

from tracker import taxonomy
from tracker.records import EvidenceDraft, declared_fields
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
STATUS_SHAPES: dict[str, str] = {
    "not_assessed": "circle",
    "not_started": "square",
    "in_progress": "circle",
    "stalled": "triangle-down",
    "implemented": "triangle-up",
    "modified": "diamond",
    "not_pursued": "cross",
    "superseded": "triangle-right",
}
STATUS_SCALE = alt.Scale(
    domain=[s.label for s in taxonomy.STATUSES],
    range=[STATUS_COLOURS[s.key] for s in taxonomy.STATUSES],
)
STATUS_SHAPE_SCALE = alt.Scale(
    domain=[s.label for s in taxonomy.STATUSES],
    range=[STATUS_SHAPES[s.key] for s in taxonomy.STATUSES],
)
# Recommendations' lines: hues between those of the statuses, readable on light and dark
# backgrounds; after the first six, the same hues again, dashed.
RECOMMENDATION_COLOURS: tuple[str, ...] = (
    "#db2777",
    "#65a30d",
    "#6366f1",
    "#a16207",
    "#0891b2",
    "#64748b",
)
RECOMMENDATION_DASHES: tuple[tuple[int, int], ...] = ((1, 0), (6, 3), (2, 2))
LINE_COLOUR = "#64748b"
EVIDENCE_COLOUR = "#ec4899"
TODAY_COLOUR = "#8c8c8c"
# Evidence items of one assessment are drawn this many pixels apart, beside its point.
EVIDENCE_SPACING_PX = 13
DAY_MS = 24 * 60 * 60 * 1000
DATE_FORMAT = "%d %b %Y"


def _label(status: str) -> str:
    return taxonomy.STATUS_BY_KEY[status].label


def _legend(title: str | None, narrow: bool, *, entry_px: int = 130) -> alt.Legend:
    """A legend below the chart: in as many columns as entries `entry_px` wide fit across the
    plot: at most four, or two when narrow."""
    most = 2 if narrow else 4
    columns = f"min({most}, max(1, floor(width / {entry_px})))"
    return alt.Legend(
        title=title,
        orient="bottom",
        columns=alt.ExprRef(columns),
        labelLimit=220 if narrow else 320,
        symbolStrokeWidth=2,
    )


def _finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart as the page gets it: as wide as its container, as tall as its plot and
    legends need (Streamlit would otherwise squeeze the plot to make room for the legends),
    and its legends below it, one under the other (side by side, a long one would push the
    next off the edge)."""
    layout = "{bottom: {anchor: 'start', direction: 'vertical', margin: 12}}"
    return chart.properties(
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    ).configure_legend(layout=alt.ExprRef(layout))


def _progress_axis(narrow: bool) -> alt.Axis:
    return alt.Axis(title="Progress (%)", values=[0, 50, 100] if narrow else [0, 25, 50, 75, 100])


def _day_axis(narrow: bool) -> alt.Axis:
    """As-of dates are days: ticks never finer than a day, labelled as dates, never crowded."""
    return alt.Axis(
        title="As of",
        format="%b %Y" if narrow else DATE_FORMAT,
        # About one label per 110 pixels of plot, so that they never crowd at any width.
        tickCount=3 if narrow else alt.ExprRef("max(2, min(10, floor(width / 110)))"),
        tickMinStep=DAY_MS,
        labelOverlap="greedy",
        labelSeparation=8,
        labelFlush=True,
    )


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


def progress_bars(rows: Sequence[StatusRow], *, narrow: bool = False) -> alt.LayerChart:
    """One bar per recommendation, coloured by status; unassessed ones say so instead of 0 %.

    Narrow, each bar is named by the recommendation's id alone (its title is in the tooltip
    and in the list of recommendations on the page).
    """
    data = status_frame(rows)
    name = "id" if narrow else "recommendation"
    order = list(data[name])
    base = alt.Chart(data).encode(
        y=alt.Y(
            f"{name}:N",
            sort=order,
            title=None,
            axis=alt.Axis(labelLimit=320, labelOverlap=False),
        ),
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
            x=alt.X("progress:Q", scale=alt.Scale(domain=[0, 100]), axis=_progress_axis(narrow)),
            color=alt.Color("status:N", scale=STATUS_SCALE, legend=_legend("Status", narrow)),
        )
        .transform_filter("isValid(datum.progress)")
    )
    labels = (
        base.mark_text(align="left", dx=4, color=STATUS_COLOURS["not_assessed"])
        .encode(x=alt.X("x:Q"), text="label:N")
        .transform_calculate(x="isValid(datum.progress) ? datum.progress : 0")
    )
    chart = (bars + labels).properties(title="Progress by recommendation", height=alt.Step(34))
    return _finish(chart)


def count_frame(rows: Sequence[StatusRow]) -> pd.DataFrame:
    """How many recommendations stand at each status, in the statuses' order; none left out
    but those no recommendation has."""
    total = len(rows)
    counted = [(s, sum(r.status == s.key for r in rows)) for s in taxonomy.STATUSES]
    counted = [(s, n) for s, n in counted if n]
    return pd.DataFrame(
        {
            "status": [s.label for s, _ in counted],
            "count": [n for _, n in counted],
            "share": [f"{n / total:.0%}" for _, n in counted],
            "order": [taxonomy.STATUSES.index(s) for s, _ in counted],
            "closed": ["yes" if s.key in taxonomy.CLOSED_STATUSES else "no" for s, _ in counted],
        },
        columns=["status", "count", "share", "order", "closed"],
    )


def status_counts(rows: Sequence[StatusRow], *, narrow: bool = False) -> alt.LayerChart:
    """The recommendations as one bar split by status, each part labelled with its count."""
    data = count_frame(rows)
    base = alt.Chart(data).encode(
        x=alt.X(
            "count:Q",
            stack="zero",
            scale=alt.Scale(domain=[0, max(len(rows), 1)]),
            axis=alt.Axis(title="Recommendations", tickMinStep=1, format="d"),
        ),
        order=alt.Order("order:Q"),
        tooltip=[
            alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("count:Q", title="Recommendations"),
            alt.Tooltip("share:N", title="Share"),
            alt.Tooltip("closed:N", title="Closed"),
        ],
    )
    bar = base.mark_bar().encode(
        color=alt.Color("status:N", scale=STATUS_SCALE, legend=_legend("Status", narrow))
    )
    counts = base.mark_text(align="right", dx=-5, color="white", fontWeight="bold").encode(
        text="count:Q", detail="status:N"
    )
    chart = (bar + counts).properties(title="Recommendations by status", height=44)
    return _finish(chart)


def step_frame(steps: Sequence[ProgressStep]) -> pd.DataFrame:
    """The steps, one row per as-of date that changed a recommendation's standing."""
    data = pd.DataFrame(
        [(s.recommendation_id, s.day, _label(s.status), s.progress) for s in steps],
        columns=["id", "day", "status", "progress"],
    )
    data = data.sort_values(["id", "day"], kind="stable").reset_index(drop=True)
    data["day"] = pd.to_datetime(data["day"])
    return data


def today_frame(steps: Sequence[ProgressStep], until: date) -> pd.DataFrame:
    """Where each recommendation stands on `until`: its last step, placed on that day, with
    the day of the assessment it rests on."""
    data = step_frame(steps)
    last = data.groupby("id", sort=False).tail(1).copy()
    last["assessed"] = last["day"].dt.strftime("%Y-%m-%d")
    last["day"] = pd.Timestamp(until)
    return last.reset_index(drop=True)


def _today_rule(until: date, narrow: bool) -> alt.LayerChart:
    """A dotted vertical line on `until`, labelled "Today"."""
    data = pd.DataFrame({"day": [pd.Timestamp(until)], "label": ["Today"]})
    base = alt.Chart(data).encode(x=alt.X("day:T"))
    rule = base.mark_rule(color=TODAY_COLOUR, strokeDash=[2, 3])
    text = base.mark_text(
        align="right", baseline="top", dx=-3, y=2, color=TODAY_COLOUR, fontSize=10 if narrow else 11
    ).encode(text="label:N")
    return rule + text


def _step_tooltip(with_recommendation: bool) -> list[alt.Tooltip]:
    tips = [alt.Tooltip("recommendation:N", title="Recommendation")] if with_recommendation else []
    return [
        *tips,
        alt.Tooltip("day:T", title="From", format=DATE_FORMAT),
        alt.Tooltip("status:N", title="Status"),
        alt.Tooltip("progress:Q", title="Progress (%)"),
    ]


def _status_points(data: pd.DataFrame, narrow: bool, with_recommendation: bool) -> alt.Chart:
    """A point at each step, filled and shaped by the status it starts (fill, not colour, so
    that the status palette and the lines' palette stay two scales)."""
    return (
        alt.Chart(data)
        .mark_point(filled=True, size=70 if narrow else 80, opacity=1, strokeOpacity=0)
        .encode(
            x="day:T",
            y="progress:Q",
            fill=alt.Fill("status:N", scale=STATUS_SCALE, legend=_legend("Status", narrow)),
            shape=alt.Shape("status:N", scale=STATUS_SHAPE_SCALE, legend=_legend("Status", narrow)),
            tooltip=_step_tooltip(with_recommendation),
        )
    )


def progress_over_time(
    steps: Sequence[ProgressStep],
    until: date,
    titles: dict[str, str],
    *,
    narrow: bool = False,
) -> alt.LayerChart:
    """Each recommendation's progress as a step line ending at its last assessment, with a
    point at every step coloured by status, and a hollow marker where it stands on `until`."""
    data = step_frame(steps)
    data["recommendation"] = [f"{i} {titles.get(i, '')}".strip() for i in data["id"]]
    today = today_frame(steps, until)
    today["recommendation"] = [f"{i} {titles.get(i, '')}".strip() for i in today["id"]]
    names = list(dict.fromkeys(data["recommendation"]))
    colours = alt.Scale(
        domain=names,
        range=[RECOMMENDATION_COLOURS[i % len(RECOMMENDATION_COLOURS)] for i in range(len(names))],
    )
    dashes = alt.Scale(
        domain=names,
        range=[
            list(RECOMMENDATION_DASHES[i // len(RECOMMENDATION_COLOURS)]) for i in range(len(names))
        ],
    )
    legend = _legend("Recommendation", narrow, entry_px=280)
    lines = (
        alt.Chart(data)
        .mark_line(interpolate="step-after", strokeWidth=2)
        .encode(
            x=alt.X("day:T", axis=_day_axis(narrow)),
            y=alt.Y("progress:Q", scale=alt.Scale(domain=[0, 100]), axis=_progress_axis(narrow)),
            color=alt.Color("recommendation:N", scale=colours, legend=legend),
            strokeDash=alt.StrokeDash("recommendation:N", scale=dashes, legend=legend),
            detail="id:N",
        )
    )
    markers = (
        alt.Chart(today)
        .mark_point(filled=False, size=90, strokeWidth=2, shape="circle")
        .encode(
            x="day:T",
            y="progress:Q",
            color=alt.Color("recommendation:N", scale=colours, legend=None),
            tooltip=[
                alt.Tooltip("recommendation:N", title="Recommendation"),
                alt.Tooltip("status:N", title="Today"),
                alt.Tooltip("progress:Q", title="Progress (%)"),
                alt.Tooltip("assessed:N", title="As assessed on"),
            ],
        )
    )
    chart = alt.layer(
        lines,
        _today_rule(until, narrow),
        markers,
        _status_points(data, narrow, with_recommendation=True),
    )
    chart = chart.properties(title="Progress over time", height=260 if narrow else 320)
    return _finish(chart)


def evidence_frame(points: Sequence[EvidencePoint], *, plot_height: int = 300) -> pd.DataFrame:
    """One row per evidence item at its assessment's date; `y` places it beside the
    assessment's point (at `progress`), apart from the other items of the same assessment so
    that each stays reachable: a column growing away from the nearer edge of a plot
    `plot_height` pixels tall."""
    labels = {name: spec.labels for name, spec in declared_fields(EvidenceDraft)}
    step = EVIDENCE_SPACING_PX * 100 / plot_height
    slots: dict[int, int] = {}
    heights = []
    for p in points:
        slot = slots.get(p.assessment_id, 0)
        slots[p.assessment_id] = slot + 1
        direction = -1 if p.progress >= 50 else 1
        heights.append(p.progress + direction * (slot + 1) * step)
    return pd.DataFrame(
        {
            "day": pd.to_datetime([p.as_of for p in points]),
            "progress": [p.progress for p in points],
            "y": heights,
            "assessment": [f"#{p.assessment_id}" for p in points],
            "title": [p.evidence.title or p.evidence.url for p in points],
            "publisher": [p.evidence.publisher for p in points],
            "published": [
                p.evidence.published_on.isoformat() if p.evidence.published_on else ""
                for p in points
            ],
            "grade": [p.evidence.grade for p in points],
            "source_type": [
                labels["source_type"].get(p.evidence.source_type, p.evidence.source_type)
                for p in points
            ],
            "kind": ["Evidence item" for _ in points],
        },
        columns=[
            "day",
            "progress",
            "y",
            "assessment",
            "title",
            "publisher",
            "published",
            "grade",
            "source_type",
            "kind",
        ],
    )


def timeline(
    steps: Sequence[ProgressStep],
    points: Sequence[EvidencePoint],
    until: date,
    *,
    narrow: bool = False,
) -> alt.LayerChart:
    """One recommendation: progress as a step line ending at its last assessment, a point at
    each step coloured by status, a hollow marker where it stands on `until`, and each evidence
    item as a diamond beside its assessment's point."""
    height = 260 if narrow else 300
    line_data = step_frame(steps)
    line = (
        alt.Chart(line_data)
        .mark_line(interpolate="step-after", strokeWidth=2, color=LINE_COLOUR)
        .encode(
            x=alt.X("day:T", axis=_day_axis(narrow)),
            y=alt.Y("progress:Q", scale=alt.Scale(domain=[0, 100]), axis=_progress_axis(narrow)),
        )
    )
    today = (
        alt.Chart(today_frame(steps, until))
        .mark_point(filled=False, size=90, strokeWidth=2, shape="circle", color=LINE_COLOUR)
        .encode(
            x="day:T",
            y="progress:Q",
            tooltip=[
                alt.Tooltip("status:N", title="Today"),
                alt.Tooltip("progress:Q", title="Progress (%)"),
                alt.Tooltip("assessed:N", title="As assessed on"),
            ],
        )
    )
    evidence = (
        alt.Chart(evidence_frame(points, plot_height=height))
        .mark_point(size=70, filled=False, strokeWidth=2, shape="diamond")
        .encode(
            x="day:T",
            y="y:Q",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=["Evidence item"], range=[EVIDENCE_COLOUR]),
                legend=_legend(None, narrow),
            ),
            tooltip=[
                alt.Tooltip("title:N", title="Evidence"),
                alt.Tooltip("publisher:N", title="Publisher"),
                alt.Tooltip("published:N", title="Published"),
                alt.Tooltip("grade:N", title="Grade"),
                alt.Tooltip("source_type:N", title="Source type"),
                alt.Tooltip("assessment:N", title="Assessment"),
            ],
        )
    )
    chart = alt.layer(
        line,
        _today_rule(until, narrow),
        today,
        _status_points(line_data, narrow, with_recommendation=False),
        evidence,
    )
    chart = chart.properties(title="Progress and evidence over time", height=height)
    return _finish(chart)
