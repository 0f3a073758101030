"""The tracker's dashboard: `streamlit run dashboard.py`. Navigation only; each page is a module."""

import streamlit as st

PAGES = "tracker/ui/pages"

# The favicon: without one here, each page's Material icon would be, and the browser would fetch
# it from fonts.gstatic.com; an emoji is drawn in the browser.
st.set_page_config(page_title="Policy-recommendation tracker", page_icon="📋", layout="wide")
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
