"""The Streamlit dashboard: the only part of the tracker that imports Streamlit."""
