"""Log an assessment: one form for the judgement and any number of evidence items."""

import streamlit as st

from tracker import taxonomy
from tracker.errors import InvalidInput, Problem
from tracker.records import AssessmentDraft, EvidenceDraft
from tracker.rules import read_assessment_id
from tracker.ui import common, data
from tracker.ui.common import plain

MAX_EVIDENCE_PER_FORM = 20
LOGGED = "log_logged"  # what the last submission stored, shown once after the form empties


def _grade(column, label: str, grades: dict[str, str], key: str) -> str:
    """A grade picker showing each grade with its meaning; "cannot be judged" by default."""
    return column.selectbox(
        label,
        list(grades),
        format_func=lambda g: f"{g} – {grades[g]}",
        index=len(grades) - 1,
        key=key,
    )


common.page_header(
    "Log an assessment",
    "Record what you learned about a recommendation, as of the day it held, with its evidence.",
)
url = common.url()
today = data.today()
if LOGGED in st.session_state:
    logged_id, logged_rec, logged_status = st.session_state.pop(LOGGED)
    st.success(f"Logged assessment #{logged_id} of {plain(logged_rec)}: {logged_status}.")
    st.page_link(
        "tracker/ui/pages/recommendation.py",
        label=plain(f"See {logged_rec}"),
        query_params={"id": logged_rec},
        icon=":material/arrow_forward:",
    )

rec_id = common.choose_recommendation(data.recommendations(url), "log_recommendation").id
status = st.selectbox(
    "Status", taxonomy.LOGGABLE_STATUSES, index=1, format_func=common.status_label, key="log_status"
)
st.caption(taxonomy.STATUS_BY_KEY[status].rubric)
evidence_count = st.number_input(
    "Evidence items",
    0,
    MAX_EVIDENCE_PER_FORM,
    0,
    key="log_evidence_count",
    help="How many sources back this assessment. 'Implemented' needs at least one.",
)

with st.form("log_assessment", enter_to_submit=False):
    progress = st.number_input(
        "Progress (%)",
        0,
        100,
        taxonomy.FIXED_PROGRESS.get(status, 0),
        step=5,
        key=f"log_progress_{status}",
        help="0–100. Not started is 0 and implemented is 100.",
    )
    as_of = st.date_input(
        "As of",
        today,
        max_value=today,
        key="log_as_of",
        format="YYYY-MM-DD",
        help="The day this status held; never in the future.",
    )
    left, right = st.columns(2)
    confidence = left.selectbox(
        "Confidence", taxonomy.CONFIDENCE_LEVELS, index=1, key="log_confidence"
    )
    basis = right.selectbox(
        "Basis", list(taxonomy.BASES), format_func=taxonomy.BASES.get, key="log_basis"
    )
    analyst = st.text_input("Analyst", key="log_analyst", max_chars=taxonomy.NAME_MAX_CHARS)
    note = st.text_area(
        "Note",
        key="log_note",
        max_chars=taxonomy.NOTE_MAX_CHARS,
        help="Why you judge so. Required for modified, not pursued and superseded.",
    )
    corrects = st.text_input(
        "Corrects assessment # (optional)",
        key="log_corrects",
        help="The id of an earlier assessment of this recommendation that this one corrects; "
        "the corrected one stays in the history but no longer counts.",
    )
    items = []
    for n in range(1, evidence_count + 1):
        st.markdown(f"**Evidence {n}**")
        left, right = st.columns(2)
        items.append(
            {
                "url": left.text_input("Link (http or https)", key=f"ev{n}_url"),
                "title": right.text_input("Title", key=f"ev{n}_title"),
                "source_type": left.selectbox(
                    "Source type",
                    list(taxonomy.SOURCE_TYPES),
                    format_func=taxonomy.SOURCE_TYPES.get,
                    index=len(taxonomy.SOURCE_TYPES) - 1,
                    key=f"ev{n}_type",
                ),
                "publisher": right.text_input("Publisher", key=f"ev{n}_publisher"),
                "published_on": left.date_input(
                    "Published",
                    None,
                    max_value=today,
                    key=f"ev{n}_published",
                    format="YYYY-MM-DD",
                ),
                "accessed_on": right.date_input(
                    "Accessed",
                    None,
                    max_value=today,
                    key=f"ev{n}_accessed",
                    format="YYYY-MM-DD",
                ),
                "archive_url": left.text_input("Archive link (optional)", key=f"ev{n}_archive"),
                "reliability": _grade(
                    right, "Source reliability", taxonomy.RELIABILITY_GRADES, f"ev{n}_reliability"
                ),
                "credibility": _grade(
                    left,
                    "Information credibility",
                    taxonomy.CREDIBILITY_GRADES,
                    f"ev{n}_credibility",
                ),
                "summary": right.text_area(
                    "Summary", key=f"ev{n}_summary", max_chars=taxonomy.SUMMARY_MAX_CHARS
                ),
            }
        )
    submitted = st.form_submit_button("Log assessment", type="primary")

if submitted:
    try:
        problems: list[Problem] = []
        corrects_id = read_assessment_id(corrects.strip().removeprefix("#"), "corrects_id", [])
        if corrects.strip() and corrects_id is None:
            problems.append(Problem("not_assessment_id", "corrects_id", {"value": corrects}))
        new_id = data.log(
            AssessmentDraft(
                recommendation_id=rec_id,
                status=status,
                progress=int(progress),
                analyst=analyst,
                as_of=as_of,
                confidence=confidence,
                basis=basis,
                note=note,
                corrects_id=corrects_id,
                evidence=tuple(EvidenceDraft(**item) for item in items),
            ),
            problems,
        )
    except InvalidInput as error:
        common.show_problems(error)
    else:
        # Empty the form, so that the same assessment is not logged twice by a second click;
        # the analyst's name, the recommendation and the date stay for the next one.
        st.session_state[LOGGED] = (
            new_id,
            rec_id,
            f"{common.status_label(status)}, {int(progress)} %",
        )
        for key in list(st.session_state):
            if key in ("log_note", "log_corrects", "log_evidence_count") or key.startswith("ev"):
                del st.session_state[key]
        st.rerun()
