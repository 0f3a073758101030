"""One recommendation: its text, where it stands, its timeline, history and evidence."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from tracker import charts
from tracker import taxonomy as tx
from tracker.ui import common, data
from tracker.ui.common import plain

PAGE_SIZE = 20

common.page_header(
    "Recommendation", "The recommendation as the paper states it, and everything logged about it."
)
url = common.url()
today = data.today()
rec = common.choose_recommendation(data.recommendations(url), "recommendation_choice")
rec_id = rec.id
row = next(r for r in data.statuses(url, today) if r.recommendation.id == rec_id)

st.header(plain(f"{rec.id} · {rec.title}"))
st.text(rec.description)
st.markdown(
    plain(f"Source: {rec.source}")
    + ("  \n" + plain(f"Section: {rec.section}") if rec.section else "")
    + ("  \n" + plain(f"Theme: {rec.theme}") if rec.theme else "")
    + ("  \n" + plain(f"Actors: {', '.join(rec.actors)}") if rec.actors else "")
    + "  \n"
    + plain(f"Review every {rec.review_every_days} days")
)

st.subheader("Where it stands")
a = row.assessment
status_col, progress_col, as_of_col = st.columns(3)
status_col.metric(
    "Status", common.status_label(row.status), border=True, help=tx.STATUS_BY_KEY[row.status].rubric
)
progress_col.metric("Progress", "not assessed" if a is None else f"{a.progress} %", border=True)
as_of_col.metric("As of", a.as_of.isoformat() if a else "–", border=True)
if a is not None:
    st.text(
        f"Confidence: {a.confidence}   ·   Basis: {tx.BASES[a.basis].lower()}   ·   "
        f"Analyst: {a.analyst}   ·   Assessment #{a.id}"
    )
st.page_link(
    "tracker/ui/pages/log.py",
    label="Log an assessment of this recommendation",
    query_params={"id": rec_id},
    icon=":material/edit_note:",
)

first = data.first_as_of(url, rec_id)
if first is not None:
    steps = data.progress_steps(url, first - timedelta(days=1), today, (rec_id,))
    points = data.evidence_points(url, rec_id)
    st.altair_chart(charts.timeline(steps, points, today), width="stretch")

st.subheader("Assessment history")
total = data.count_assessments(url, rec_id)
if total == 0:
    st.info("Not assessed yet.")
else:
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    page = st.number_input(f"Page (of {pages}; newest first)", 1, pages, 1, key="history_page")
    shown = data.history(url, rec_id, PAGE_SIZE, (page - 1) * PAGE_SIZE)

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
    st.caption("A corrected assessment stays in the history but no longer counts anywhere.")

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
                "Type": [tx.SOURCE_TYPES[p.evidence.source_type] for p in points],
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
