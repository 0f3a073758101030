"""Reports: the status report and "what changed", as tables and CSV downloads."""

from datetime import timedelta

import streamlit as st

from tracker.errors import InvalidInput
from tracker.ui import common, data

common.page_header(
    "Reports",
    "Status reports for today or any past date, and what changed between two dates, as CSV.",
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
    st.dataframe(status.frame(), hide_index=True, width="stretch")
    suffix = f"-recorded-{recorded_by}" if recorded_by else ""
    st.download_button(
        "Download the status report (CSV)",
        status.csv_bytes(),
        file_name=f"status-report-{on}{suffix}.csv",
        mime="text/csv",
        icon=":material/download:",
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
    st.dataframe(summary.frame(), hide_index=True, width="stretch")
    st.download_button(
        "Download what changed (CSV)",
        summary.csv_bytes(),
        file_name=f"changes-{since}-to-{until}.csv",
        mime="text/csv",
        icon=":material/download:",
        key="download_changes",
    )
    st.markdown(f"**Assessments added in between: {len(added.rows)}**")
    if added.rows:
        st.dataframe(added.frame(), hide_index=True, width="stretch")
        st.download_button(
            "Download the assessments added (CSV)",
            added.csv_bytes(),
            file_name=f"assessments-{since}-to-{until}.csv",
            mime="text/csv",
            icon=":material/download:",
            key="download_added",
        )
