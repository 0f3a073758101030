"""One recommendation: its text, where it stands, its timeline, history and evidence."""

import pandas as pd
import streamlit as st

from tracker import charts, taxonomy
from tracker.records import LINK, AssessmentDraft, EvidenceDraft, declared_fields
from tracker.ui import assessment_detail, common, data
from tracker.ui.common import plain

PAGE_SIZE = 20
# The history's pager and its detail view: which page of which recommendation is shown, the
# assessment a correction link opened, and a counter that renews the table (clearing its
# selection) whenever something other than a click in it chooses what the detail shows.
PAGE = "history_page"
OPENED = "history_opened"
TABLE_RENEWED = "history_table_renewed"
# The history table's columns in this order first, then the other declared fields.
FIRST_COLUMNS = ("as_of", "status", "progress")

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
    standing = [
        f"{spec.label}: {common.label_of(AssessmentDraft, name, getattr(a, name))}"
        for name, spec in declared_fields(AssessmentDraft)
        if name in ("confidence", "basis", "analyst")
    ]
    common.show_plain("   ·   ".join([*standing, f"Assessment #{a.id}"]))
if row.status in taxonomy.CLOSED_STATUSES:
    st.caption("Closed: it no longer comes due for review.")
st.page_link(
    "tracker/ui/pages/log.py",
    label="Log an assessment of this recommendation",
    query_params={"id": rec_id},
    icon=":material/edit_note:",
)

if a is not None:
    since = common.period(today, key="timeline_period", default="Last 2 years")
    narrow = common.compact_charts("recommendation")
    steps = data.progress_steps(url, since, today, (rec_id,))
    points = [p for p in data.evidence_points(url, rec_id) if p.as_of >= since]
    st.altair_chart(charts.timeline(steps, points, today, narrow=narrow), width="stretch")


def _renew_table() -> None:
    st.session_state[TABLE_RENEWED] = st.session_state.get(TABLE_RENEWED, 0) + 1


def _turn_page(rec_id: str, page: int) -> None:
    st.session_state[PAGE] = (rec_id, page)
    st.session_state.pop(OPENED, None)
    _renew_table()


def _open(assessment_id: int) -> None:
    st.session_state[OPENED] = (rec_id, assessment_id)
    _renew_table()


def history_table(shown: list) -> pd.DataFrame:
    """The page of history as a table, in human words, a column per declared field."""
    fields = dict(declared_fields(AssessmentDraft))
    names = [*FIRST_COLUMNS, *(n for n in fields if n not in FIRST_COLUMNS)]
    table: dict[str, list] = {"Id": [x.id for x in shown]}
    for name in names:
        if name in ("recommendation_id", "corrects_id"):
            continue
        table[fields[name].label] = [
            common.label_of(AssessmentDraft, name, getattr(x, name)) for x in shown
        ]
        if name == "progress":
            # Corrections sit beside the judgement they change, marked both ways.
            table["Correction"] = [correction(x) for x in shown]
    table["Evidence"] = [len(x.evidence) for x in shown]
    table["Recorded (UTC)"] = [x.recorded_at.strftime("%Y-%m-%d %H:%M") for x in shown]
    return pd.DataFrame(table)


def correction(x) -> str | None:
    marks = []
    if x.corrected_by_id is not None:
        marks.append(f"corrected by #{x.corrected_by_id}")
    if x.corrects_id is not None:
        marks.append(f"corrects #{x.corrects_id}")
    return "; ".join(marks) or None


st.subheader("Assessment history")
total = data.count_history(url, rec_id)
if total == 0:
    st.info("Not assessed yet.")
else:
    pages = -(-total // PAGE_SIZE)
    wanted_rec, page = st.session_state.get(PAGE, (rec_id, 1))
    page = min(max(page, 1), pages) if wanted_rec == rec_id else 1
    first = (page - 1) * PAGE_SIZE
    shown = data.history(url, rec_id, PAGE_SIZE, first)
    st.caption(
        "Newest first. Select a row to read the assessment whole below. A corrected "
        "assessment stays in the history but no longer counts anywhere."
    )
    chosen = common.table(
        history_table(shown),
        column_config={
            "Correction": st.column_config.TextColumn("Correction", width="medium"),
            "Note": st.column_config.TextColumn("Note", width="large"),
        },
        on_select="rerun",
        selection_mode="single-row",
        key=f"history_table_{rec_id}_{page}_{st.session_state.get(TABLE_RENEWED, 0)}",
    )
    pager = st.container(horizontal=True, vertical_alignment="center", key="history_pager")
    pager.button(
        "Previous",
        icon=":material/chevron_left:",
        disabled=page == 1,
        on_click=_turn_page,
        args=(rec_id, page - 1),
        help="Newer assessments",
    )
    pager.markdown(f"{first + 1}–{first + len(shown)} of {total}")
    pager.button(
        "Next",
        icon=":material/chevron_right:",
        disabled=page == pages,
        on_click=_turn_page,
        args=(rec_id, page + 1),
        help="Older assessments",
    )

    # What the detail shows: the row selected in the table; else the assessment a correction
    # link opened; else the newest on this page.
    selected = [i for i in (chosen.selection.rows if chosen else []) if i < len(shown)]
    opened_rec, opened_id = st.session_state.get(OPENED, (None, None))
    if selected:
        detail = shown[selected[0]]
    elif opened_rec == rec_id and opened_id is not None:
        detail = data.assessment(url, opened_id)
    else:
        detail = shown[0] if shown else None
    if detail is not None:
        assessment_detail.show(detail, open_assessment=_open, key="history_detail")

st.subheader("Evidence")
points = data.evidence_points(url, rec_id)
if not points:
    st.info("No evidence logged for this recommendation.")
else:
    fields = declared_fields(EvidenceDraft)
    table = {
        spec.label: [
            common.label_of(EvidenceDraft, name, getattr(p.evidence, name)) for p in points
        ]
        for name, spec in fields
    }
    table["Assessment"] = [f"#{p.assessment_id}" for p in points]
    common.table(
        pd.DataFrame(table),
        links=tuple(spec.label for _, spec in fields if spec.kind == LINK),
        column_config={
            spec.label: st.column_config.TextColumn(spec.label, width="large")
            for _, spec in fields
            if spec.limit is not None and spec.limit > common.LONGEST_LINE
        },
    )
    st.caption(
        "Evidence of the latest 200 assessments; evidence of corrected assessments is left out. "
        "Each assessment's detail above shows its evidence in full; the full history "
        "(`python -m tracker export`, or Reports) has all of it."
    )
