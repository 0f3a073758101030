"""One recommendation: its text, where it stands, its timeline, history and evidence."""

import pandas as pd
import streamlit as st

from tracker import charts, taxonomy
from tracker.ui import common, data
from tracker.ui.common import plain

PAGE_SIZE = 20

common.page_header(
    "Recommendation", "The recommendation as the paper states it, and everything logged about it."
)
url = common.url()
today = data.today()
rows = {r.recommendation.id: r for r in data.statuses(url, today)}
rec = common.choose_recommendation([r.recommendation for r in rows.values()], "rec_choice")
rec_id = rec.id
row = rows[rec_id]

st.header(plain(f"{rec.id} · {rec.title}"), anchor=False)
common.show_plain(rec.description)
details = [f"Source: {rec.source}"]
if rec.section:
    details.append(f"Section: {rec.section}")
if rec.theme:
    details.append(f"Theme: {rec.theme}")
if rec.actors:
    details.append(f"Actors: {', '.join(rec.actors)}")
details.append(f"Review every {rec.review_every_days} days")
common.show_plain("\n".join(details))

st.subheader("Where it stands")
a = row.assessment
status_col, progress_col, as_of_col = st.columns(3)
status_col.metric(
    "Status",
    common.status_label(row.status),
    border=True,
    help=taxonomy.STATUS_BY_KEY[row.status].rubric,
)
progress_col.metric("Progress", "not assessed" if a is None else f"{a.progress} %", border=True)
as_of_col.metric("As of", a.as_of.isoformat() if a else "–", border=True)
if a is not None:
    common.show_plain(
        f"Confidence: {a.confidence}   ·   Basis: {taxonomy.BASES[a.basis].lower()}   ·   "
        f"Analyst: {a.analyst}   ·   Assessment #{a.id}"
    )
st.page_link(
    "tracker/ui/pages/log.py",
    label="Log an assessment of this recommendation",
    query_params={"id": rec_id},
    icon=":material/edit_note:",
)

if a is not None:
    since = common.period(today, key="timeline_period", default="Last 2 years")
    steps = data.progress_steps(url, since, today, (rec_id,))
    points = [p for p in data.evidence_points(url, rec_id) if p.as_of >= since]
    st.altair_chart(charts.timeline(steps, points, today), width="stretch")

st.subheader("Assessment history")
if a is None:
    st.info("Not assessed yet.")
else:
    page = st.number_input("Page (newest first)", min_value=1, value=1, key="history_page")
    # One row more than a page tells whether an older page exists, without counting them all.
    fetched = data.history(url, rec_id, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    shown = fetched[:PAGE_SIZE]

    def correction(x) -> str:
        marks = []
        if x.corrected_by_id is not None:
            marks.append(f"corrected by #{x.corrected_by_id}")
        if x.corrects_id is not None:
            marks.append(f"corrects #{x.corrects_id}")
        return "; ".join(marks)

    st.dataframe(
        pd.DataFrame(
            {
                "Id": [x.id for x in shown],
                "As of": [x.as_of for x in shown],
                "Status": [common.status_label(x.status) for x in shown],
                "Progress (%)": [x.progress for x in shown],
                "Correction": [correction(x) for x in shown],
                "Confidence": [x.confidence for x in shown],
                "Basis": [x.basis for x in shown],
                "Analyst": [x.analyst for x in shown],
                "Evidence": [len(x.evidence) for x in shown],
                "Note": [x.note for x in shown],
                "Recorded (UTC)": [x.recorded_at.strftime("%Y-%m-%d %H:%M") for x in shown],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    older = f" Older assessments are on page {page + 1}." if len(fetched) > PAGE_SIZE else ""
    if not shown:
        st.info("No assessments on this page; go back to page 1.")
    st.caption("A corrected assessment stays in the history but no longer counts anywhere." + older)

st.subheader("Evidence")
points = data.evidence_points(url, rec_id)
if not points:
    st.info("No evidence logged for this recommendation.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Title": [p.evidence.title or p.evidence.url for p in points],
                "Link": [p.evidence.url for p in points],
                "Type": [taxonomy.SOURCE_TYPES[p.evidence.source_type] for p in points],
                "Publisher": [p.evidence.publisher for p in points],
                "Published": [p.evidence.published_on for p in points],
                "Accessed": [p.evidence.accessed_on for p in points],
                "Grade": [p.evidence.grade for p in points],
                "Archive": [p.evidence.archive_url or None for p in points],
                "Summary": [p.evidence.summary for p in points],
                "Assessment": [p.assessment_id for p in points],
            }
        ),
        column_config={
            "Link": st.column_config.LinkColumn("Link", validate=r"^https?://"),
            "Archive": st.column_config.LinkColumn("Archive", validate=r"^https?://"),
            "Grade": st.column_config.TextColumn(
                "Grade", help="Source reliability A–F, then information credibility 1–6."
            ),
        },
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "Evidence of the latest 200 assessments; evidence of corrected assessments is left out. "
        "The full history (`python -m tracker export`, or Reports) has all of it."
    )
