"""Log an assessment: one form for the judgement and any number of evidence items.

Each showing of the form has a one-time token, stored with the assessment it submits, so that a
double click or a form sent again stores one assessment. The fields a save empties are keyed by
that token, so after a save the browser shows new, empty widgets and cannot send the old values
back; the recommendation, the analyst and the as-of date keep one key and stay.
"""

import uuid

import streamlit as st

from tracker import taxonomy
from tracker.errors import InvalidInput, Problem
from tracker.records import ASSESSMENT_ID, DAY, AssessmentDraft, EvidenceDraft, declared_fields
from tracker.rules import default_of, read_assessment_id
from tracker.ui import common, data
from tracker.ui.common import plain
from tracker.views import AssessmentView

MAX_EVIDENCE_PER_FORM = 20
TOKEN = "log_token"  # the one-time token of the form on screen
LOGGED = "log_logged"  # what the last submission stored, shown once above the emptied form
ATTEMPTED = "log_attempted"  # the token of a refused submission, whose problems stay listed
NOTICE = "log_notice"  # (status widget, text): why the progress changed with the status
KEPT = ("recommendation_id", "analyst", "as_of")  # what a save leaves in the form
FIELDS = dict(declared_fields(AssessmentDraft))
ITEM_FIELDS = dict(declared_fields(EvidenceDraft))
EVIDENCE_ITEMS = "Evidence items"
FIRST_STATUS = "in_progress"  # where the form starts for a recommendation never assessed
# Fields the page lays out itself, at the top; the others follow in declaration order.
LAID_OUT = ("recommendation_id", "status", "progress")
# The page shows fields in declaration order, then the evidence items.
ORDER = (*FIELDS, "evidence")


def key(name: str, token: str) -> str:
    """A field's widget key: one for a field a save keeps, else one per showing of the form."""
    return f"log_{name}" if name in KEPT else f"log_{name}_{token}"


def where_on_form(problem: Problem) -> str | None:
    """Where the problem is, by the label the person sees: "Evidence 2 · Link (http or https)"."""
    if problem.item is not None:
        spec = ITEM_FIELDS.get(problem.field or "")
        return f"Evidence {problem.item} · {spec.label if spec else problem.field}"
    if problem.field == "evidence":
        return EVIDENCE_ITEMS
    spec = FIELDS.get(problem.field or "")
    return spec.label if spec else None


def form_position(problem: Problem) -> tuple[int, int, int]:
    """Sorts problems from the top of the form to the bottom."""
    if problem.item is not None:
        fields = list(ITEM_FIELDS)
        within = fields.index(problem.field) if problem.field in fields else len(fields)
        return len(ORDER), problem.item, within
    return (ORDER.index(problem.field) if problem.field in ORDER else len(ORDER)), 0, 0


def show_problems(problems: list[Problem], **heading: str) -> None:
    ordered = InvalidInput(sorted(problems, key=form_position))
    common.show_problems(ordered, where_on_form, **heading)


def status_changed(status_key: str, progress_key: str) -> None:
    """Keeps the progress typed, unless the new status fixes it: then sets it, and says so."""
    st.session_state.pop(NOTICE, None)
    status = st.session_state[status_key]
    fixed = taxonomy.FIXED_PROGRESS.get(status)
    if fixed is None or st.session_state.get(progress_key) == fixed:
        return
    st.session_state[progress_key] = fixed
    label = common.status_label(status)
    st.session_state[NOTICE] = (status_key, f"Progress set to {fixed} %: {label} means {fixed} %.")


def adds_nothing(draft: AssessmentDraft, current: AssessmentView | None) -> bool:
    """Whether the draft only repeats the assessment in effect: the same status, progress and
    as-of date, with no note, evidence or correction (a press on a form a save has emptied)."""
    return (
        current is not None
        and (draft.status, draft.progress, draft.as_of)
        == (current.status, current.progress, current.as_of)
        and not draft.note.strip()
        and not draft.evidence
        and draft.corrects_id is None
    )


def show_logged() -> None:
    """What the last submission stored, once, above the form it emptied."""
    if LOGGED not in st.session_state:
        return
    logged, rec_id, summary = st.session_state.pop(LOGGED)
    if logged.repeated:
        st.info(
            f"Already logged as #{logged.id}: this form was sent more than once, and its "
            "assessment is stored once."
        )
    else:
        st.success(f"Logged assessment #{logged.id} of {plain(rec_id)}: {summary}.")
    st.page_link(
        "tracker/ui/pages/recommendation.py",
        label=plain(f"See {rec_id}"),
        query_params={"id": rec_id},
        icon=":material/arrow_forward:",
    )


def in_effect(current: AssessmentView | None) -> None:
    """Says where the recommendation stands, which is where the form starts."""
    if current is None:
        st.caption("Not assessed yet: this will be its first assessment.")
        return
    label = common.status_label(current.status)
    st.caption(
        plain(
            f"In effect now: {label}, {current.progress} % as of {current.as_of} "
            f"(assessment #{current.id}, by {current.analyst}). The form starts from it."
        )
    )


common.page_header(
    "Log an assessment",
    "Record what you learned about a recommendation, as of the day it held, with its evidence.",
)
url = common.url()
today = data.today()
token = st.session_state.setdefault(TOKEN, uuid.uuid4().hex)
show_logged()

rows = {row.recommendation.id: row for row in data.statuses(url, today)}
rec_id = common.choose_recommendation(
    [row.recommendation for row in rows.values()], "log_recommendation"
).id
current = rows[rec_id].assessment
in_effect(current)

# Status and progress start from the assessment in effect, afresh for each recommendation.
status_spec, progress_spec = FIELDS["status"], FIELDS["progress"]
status_key, progress_key = f"log_status_{token}_{rec_id}", f"log_progress_{token}_{rec_id}"
left, right = st.columns(2)
status = left.selectbox(
    status_spec.label,
    status_spec.choices,
    index=status_spec.choices.index(current.status if current else FIRST_STATUS),
    format_func=common.status_label,
    key=status_key,
    on_change=status_changed,
    args=(status_key, progress_key),
)
left.caption(taxonomy.STATUS_BY_KEY[status].rubric)
progress = right.number_input(
    progress_spec.label,
    # The default only starts the widget: afterwards its value is the session's, which the
    # status may set (Streamlit warns when a widget is given both).
    value=None if progress_key in st.session_state else (current.progress if current else 0),
    step=5,
    key=progress_key,
    help="0–100. Not started is 0 and implemented is 100.",
)
notice = st.session_state.get(NOTICE)
if notice and notice[0] == status_key and taxonomy.FIXED_PROGRESS.get(status) == progress:
    right.info(notice[1])

problems: list[Problem] = []
if progress is None:
    problems.append(Problem("required", "progress"))
starting = {"as_of": today}
values = {}
row_columns: list = []
for name, spec in FIELDS.items():
    if name in LAID_OUT:
        continue
    if common.is_long(spec):
        container, row_columns = st, []
    else:
        row_columns = row_columns or list(st.columns(2))
        container = row_columns.pop(0)
    values[name] = common.field_input(
        container,
        spec,
        key(name, token),
        starting.get(name, default_of(AssessmentDraft, name)),
        today,
        help=spec.help[:1].upper() + spec.help[1:],
    )
    if spec.kind == ASSESSMENT_ID:
        typed = values[name].strip()
        values[name] = read_assessment_id(typed.removeprefix("#"), name, [])
        if typed and values[name] is None:
            problems.append(Problem("not_assessment_id", name, {"value": typed}))
    elif spec.kind == DAY and values[name] is None:
        problems.append(Problem("required", name))

evidence_count = st.number_input(
    EVIDENCE_ITEMS,
    value=0,
    step=1,
    key=key("evidence_count", token),
    help=f"How many sources back this assessment, up to {MAX_EVIDENCE_PER_FORM} here (the "
    "command line takes any number). Implemented needs at least one.",
)
if evidence_count is not None and not 0 <= evidence_count <= MAX_EVIDENCE_PER_FORM:
    params = {"value": evidence_count, "min": 0, "max": MAX_EVIDENCE_PER_FORM}
    problems.append(Problem("out_of_range", "evidence", params))
item_starting = {"accessed_on": today}
items = []
for n in range(1, min(max(evidence_count or 0, 0), MAX_EVIDENCE_PER_FORM) + 1):
    st.markdown(f"**Evidence {n}**")
    columns = st.columns(2)
    items.append(
        {
            name: common.field_input(
                columns[k % 2],
                spec,
                key(f"ev{n}_{spec.name}", token),
                item_starting.get(name, default_of(EvidenceDraft, name)),
                today,
            )
            for k, (name, spec) in enumerate(ITEM_FIELDS.items())
        }
    )

draft = AssessmentDraft(
    recommendation_id=rec_id,
    status=status,
    progress=None if progress is None else int(progress),
    evidence=tuple(EvidenceDraft(**item) for item in items),
    **values,
)
# Keyed by the token, so that a click on the button of a form already saved is not a press.
pressed = st.button("Log assessment", type="primary", key=key("submit", token))
if pressed and adds_nothing(draft, current):
    st.info(
        plain(
            f"Nothing new to log: {rec_id} already stands at {common.status_label(status)}, "
            f"{draft.progress} % as of {draft.as_of} (assessment #{current.id}). To log it "
            "again, change the status, progress or as-of date, or add a note or evidence."
        )
    )
elif pressed:
    try:
        logged = data.log(draft, problems, token)
    except InvalidInput as error:
        st.session_state[ATTEMPTED] = token
        show_problems(error.problems)
    else:
        summary = f"{common.status_label(status)}, {draft.progress} %"
        st.session_state[LOGGED] = (logged, rec_id, summary)
        # A new token empties the form: its fields get new widgets on the next run.
        del st.session_state[TOKEN]
        st.session_state.pop(ATTEMPTED, None)
        st.rerun()
elif st.session_state.get(ATTEMPTED) == token:
    # After a refused submission, what is left to fix, as it is fixed.
    left_to_fix = data.problems_with(draft, problems)
    if left_to_fix:
        show_problems(left_to_fix, heading="Nothing was saved yet. Left to fix:")
    else:
        st.info("Everything is fixed: press Log assessment to save it.")
