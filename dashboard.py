"""The tracker's dashboard: `streamlit run dashboard.py`. Navigation only; each page is a module."""

import streamlit as st

PAGES = "tracker/ui/pages"

st.set_page_config(page_title="Policy-recommendation tracker", layout="wide")
navigation = st.navigation(
    [
        st.Page(
            f"{PAGES}/overview.py", title="Overview", icon=":material/dashboard:", default=True
        ),
        st.Page(f"{PAGES}/recommendation.py", title="Recommendation", icon=":material/article:"),
        st.Page(f"{PAGES}/log.py", title="Log an assessment", icon=":material/edit_note:"),
        st.Page(f"{PAGES}/reports.py", title="Reports", icon=":material/download:"),
    ]
)
navigation.run()
