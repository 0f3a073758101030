"""Reports: status reports, what changed, the full history as CSV, and bulk import."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from tracker import csvfile, history_file
from tracker.errors import InvalidInput
from tracker.records import AppendResult
from tracker.ui import common, data

PREVIEW_ROWS = 50
PREVIEW = "import_preview"  # (file id, rows, what importing them would do, problems)
IMPORTED = "import_done"  # the message of the last import, shown once
NEW_IDS = "New ids: the file comes from another tracker"


def _download(label: str, content, *, file_name: str, key: str) -> None:
    """A CSV download; the page does not rerun when it is clicked."""
    st.download_button(
        label,
        content,
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=key,
        on_click="ignore",
    )


def _offering_new_ids(error: InvalidInput) -> InvalidInput:
    """The problems, where an id is stored with other content naming the new-ids checkbox."""
    return InvalidInput(
        p.placed(params={**p.params, "checkbox": NEW_IDS})
        if p.code == "stored_with_other_content"
        else p
        for p in error.problems
    )


def _blank_or(assessment_id: int | None) -> str:
    """An id as the preview shows it: blank when the row has none."""
    return "" if assessment_id is None else str(assessment_id)


def _preview(file: history_file.HistoryFile, new_ids: bool) -> AppendResult:
    """What importing the file would do; raises its problems, naming the checkbox."""
    try:
        return data.preview_import(file, new_ids=new_ids)
    except InvalidInput as error:
        raise _offering_new_ids(error) from None


common.page_header(
    "Reports",
    "Status reports for today or any past date, what changed between two dates, and the full "
    "history, as CSV; and importing assessments in bulk.",
)

url = common.url()
today = data.today()

st.subheader("Status report")
left, right = st.columns(2)
on = left.date_input(
    "Report date",
    today,
    max_value=today,
    key="report_on",
    format="YYYY-MM-DD",
    help="Each recommendation's status on this date; days since assessment count from it.",
)
reproduce = right.checkbox(
    "As recorded on a given day",
    key="report_reproduce",
    help="Leave out everything recorded after that day, to reproduce a report sent then.",
)
recorded_by = (
    right.date_input(
        "Recorded by", on, max_value=today, key="report_recorded_by", format="YYYY-MM-DD"
    )
    if reproduce
    else None
)
try:
    status = data.status_report(url, on, recorded_by)
except InvalidInput as error:
    common.show_problems(error)
else:
    st.dataframe(common.frame(status), hide_index=True, width="stretch")
    suffix = f"-recorded-{recorded_by}" if recorded_by else ""
    _download(
        "Download the status report (CSV)",
        status.csv_bytes(),
        file_name=f"status-report-{on}{suffix}.csv",
        key="download_status",
    )

st.subheader("What changed")
left, right = st.columns(2)
since = left.date_input(
    "From", today - timedelta(days=30), max_value=today, key="changes_since", format="YYYY-MM-DD"
)
until = right.date_input("To", today, max_value=today, key="changes_until", format="YYYY-MM-DD")
st.caption(
    "Status and progress on both dates, with the assessments whose as-of date falls after "
    "the first and on or before the second."
)
try:
    summary, added = data.changes(url, since, until)
except InvalidInput as error:
    common.show_problems(error)
else:
    st.dataframe(common.frame(summary), hide_index=True, width="stretch")
    _download(
        "Download what changed (CSV)",
        summary.csv_bytes(),
        file_name=f"changes-{since}-to-{until}.csv",
        key="download_changes",
    )
    st.markdown(f"**Assessments added in between: {len(added.rows)}**")
    if added.rows:
        st.dataframe(common.frame(added), hide_index=True, width="stretch")
        _download(
            "Download the assessments added (CSV)",
            added.csv_bytes(),
            file_name=f"assessments-{since}-to-{until}.csv",
            key="download_added",
        )

st.subheader("Full history")
st.caption(
    "Every assessment with its evidence, one row per assessment, in the format that the import "
    "below (and `python -m tracker import`) reads back. For very long histories the command "
    "line's `python -m tracker export` streams the file instead of building it in memory."
)
_download(
    "Download the full history (CSV)",
    data.export_bytes,
    file_name=f"tracker-history-{today}.csv",
    key="download_history",
)

st.subheader("Import assessments")
st.caption(
    f"A CSV file in the export format, up to {csvfile.MAX_FILE_BYTES // (1024 * 1024)} MiB. "
    "Required columns: " + ", ".join(history_file.REQUIRED) + ". Statuses and other choices "
    "may be keys or the labels shown here (“In progress”). Every row is checked before "
    "anything is written; rows already stored are skipped; any problem writes nothing."
)
if IMPORTED in st.session_state:
    st.success(st.session_state.pop(IMPORTED))
new_ids = st.checkbox(
    NEW_IDS,
    key="import_new_ids",
    help="For a history exported from another tracker, whose ids collide with the ones here: "
    "its assessments get new ids after the stored ones, and its corrections follow them. A "
    "correction must correct a row of the same file. Rows equal to stored assessments are "
    "still skipped, so importing the file again adds nothing.",
)
uploaded = st.file_uploader("CSV file to import", type=["csv"], key="import_file")
if uploaded is not None:
    # The file is read and checked once per choice of ids, not on every rerun of the page.
    checked = st.session_state.get(PREVIEW)
    if checked is None or checked[0] != (uploaded.file_id, new_ids):
        try:
            file = history_file.parse(uploaded.getvalue(), uploaded.name)
            checked = ((uploaded.file_id, new_ids), file, _preview(file, new_ids), None)
        except InvalidInput as error:
            checked = ((uploaded.file_id, new_ids), None, None, error)
        st.session_state[PREVIEW] = checked
    _, file, preview, problems = checked
    if problems is not None:
        common.show_problems(problems)
    else:
        renumbered = (
            " with new ids after the stored ones (corrections follow them)" if new_ids else ""
        )
        st.info(
            f"{preview.added} assessments will be added{renumbered}; {preview.skipped} are "
            "already stored and will be skipped. Nothing has been written yet."
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Row": number,
                        "Id in the file" if new_ids else "Id": _blank_or(row.assessment_id),
                        "Recommendation": row.draft.recommendation_id,
                        "Status": common.status_label(row.draft.status),
                        "Progress": row.draft.progress,
                        "As of": row.draft.as_of,
                        "Analyst": row.draft.analyst,
                        "Evidence": len(row.draft.evidence),
                        "Corrects": _blank_or(row.draft.corrects_id),
                        "Note": row.draft.note,
                    }
                    for number, row in zip(
                        file.row_numbers[:PREVIEW_ROWS], file.rows[:PREVIEW_ROWS], strict=True
                    )
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        if len(file.rows) > PREVIEW_ROWS:
            st.caption(f"The first {PREVIEW_ROWS} of {len(file.rows)} rows.")
        if preview.added and st.button(
            f"Import {preview.added} assessments", type="primary", key="import_confirm"
        ):
            bar = st.progress(0.0, text="Importing…")
            try:
                result = data.import_history(
                    file,
                    lambda done, total: bar.progress(done / total, text=f"{done} of {total}"),
                    new_ids=new_ids,
                )
            except InvalidInput as error:
                common.show_problems(_offering_new_ids(error))
            else:
                given = f" as #{result.ids[0]}–#{result.ids[-1]}" if new_ids else ""
                st.session_state[IMPORTED] = (
                    f"Imported {result.added} assessments{given}; skipped {result.skipped} "
                    "already stored."
                )
                del st.session_state[PREVIEW]
                st.rerun()
