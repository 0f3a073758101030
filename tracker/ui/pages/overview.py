"""Overview: how far every recommendation has come, what is due for review, progress over time."""

import pandas as pd
import streamlit as st

from tracker import charts, reports, taxonomy
from tracker.ui import common, data
from tracker.ui.common import plain

MAX_LINES = 12
MAX_LINKS = 50

common.page_header(
    "Overview", "Where each recommendation stands today, what is due for review, and the trend."
)
url = common.url()
today = data.today()
rows = data.statuses(url, today)

papers = sorted({r.recommendation.source for r in rows})
themes = sorted({r.recommendation.theme for r in rows if r.recommendation.theme})
actors = sorted({a for r in rows for a in r.recommendation.actors})
chosen_papers: list[str] = []
if len(papers) > 1:
    chosen_papers = st.multiselect(
        "Paper", papers, placeholder="All papers", help="The source each recommendation comes from."
    )
theme_col, actor_col, status_col = st.columns(3)
chosen_themes = theme_col.multiselect("Theme", themes, placeholder="All themes")
chosen_actors = actor_col.multiselect("Actor", actors, placeholder="All actors")
chosen_statuses = status_col.multiselect(
    "Status",
    [s.key for s in taxonomy.STATUSES],
    format_func=common.status_label,
    placeholder="All statuses",
)
shown = [
    r
    for r in rows
    if (not chosen_papers or r.recommendation.source in chosen_papers)
    and (not chosen_themes or r.recommendation.theme in chosen_themes)
    and (not chosen_actors or set(chosen_actors) & set(r.recommendation.actors))
    and (not chosen_statuses or r.status in chosen_statuses)
]
if not shown:
    st.info("No recommendation matches these filters.")
    st.stop()

closed = [r for r in shown if r.status in taxonomy.CLOSED_STATUSES]
moving = [r for r in shown if r.status in ("implemented", "in_progress")]
due = [r for r in shown if reports.is_review_due(r, today)]
tracked_col, moving_col, closed_col, due_col = st.columns(4)
tracked_col.metric("Recommendations tracked", len(shown), border=True)
moving_col.metric(
    "Implemented or in progress",
    f"{len(moving)} of {len(shown)}",
    f"{len(moving) / len(shown):.0%} of those shown",
    delta_color="off",
    delta_arrow="off",
    border=True,
)
closed_col.metric(
    "Closed",
    len(closed),
    border=True,
    help="Implemented, not pursued or superseded: settled, so never due for review.",
)
due_col.metric(
    "Due for review",
    len(due),
    border=True,
    help="Open recommendations never assessed, or last assessed longer ago than their "
    "review interval. Closed ones never come due.",
)
st.caption(
    "Closed: implemented, not pursued and superseded recommendations count as closed and never "
    "come due for review; every other status stays open."
)

narrow = common.compact_charts("overview")
st.altair_chart(charts.status_counts(shown, narrow=narrow), width="stretch")
counts = charts.count_frame(shown)
with st.expander("Count per status"):
    common.table(
        pd.DataFrame(
            {
                "Status": counts["status"],
                "Recommendations": counts["count"],
                "Share": counts["share"],
                "Closed": counts["closed"],
                "Meaning": [taxonomy.STATUSES[i].rubric for i in counts["order"]],
            }
        ),
        column_config={"Meaning": st.column_config.TextColumn("Meaning", width="large")},
    )

st.altair_chart(charts.progress_bars(shown, narrow=narrow), width="stretch")

since = common.period(today, key="overview_period", default="Last 12 months")
ids = tuple(r.recommendation.id for r in shown[:MAX_LINES])
if len(shown) > MAX_LINES:
    st.caption(
        f"Progress over time of the first {MAX_LINES} of {len(shown)} recommendations shown; "
        "filter by theme, actor or status to choose others."
    )
steps = data.progress_steps(url, since, today, ids)
if steps:
    titles = {r.recommendation.id: r.recommendation.title for r in shown}
    st.altair_chart(charts.progress_over_time(steps, today, titles, narrow=narrow), width="stretch")
    st.caption(
        "Each point is an assessment, coloured and shaped by its status; a line ends at the "
        "recommendation's last assessment, and a hollow circle marks where it stands today."
    )
else:
    st.info("No assessment in this period yet: the progress-over-time chart starts with one.")

st.subheader("Due for review")
if due:
    common.table(
        pd.DataFrame(
            {
                "Recommendation": [r.recommendation.id for r in due],
                "Title": [r.recommendation.title for r in due],
                "Status": [common.status_label(r.status) for r in due],
                "Last as-of date": [r.assessment.as_of if r.assessment else None for r in due],
                "Days since": pd.array(
                    [(today - r.assessment.as_of).days if r.assessment else None for r in due],
                    dtype="Int64",
                ),
                "Review every (days)": [r.recommendation.review_every_days for r in due],
            }
        ),
    )
else:
    st.success("Every open recommendation shown was assessed within its review interval.")

st.subheader("Recommendations")
common.wrap_link_labels()
if len(shown) > MAX_LINKS:
    st.caption(
        f"The first {MAX_LINKS} of {len(shown)}; filter to narrow the list, or pick any "
        "recommendation on its page."
    )
for row in shown[:MAX_LINKS]:
    standing = common.status_label(row.status)
    if row.progress is not None:
        standing += f", {row.progress} %"
    st.page_link(
        "tracker/ui/pages/recommendation.py",
        label=plain(f"{row.recommendation.id} · {row.recommendation.title} — {standing}"),
        query_params={"id": row.recommendation.id},
        icon=":material/arrow_forward:",
    )
