"""What every page shares: the heading with its sample-data banner, plain text, and problems."""

import re
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from tracker import db, reports, taxonomy
from tracker.errors import InvalidInput
from tracker.ui import data
from tracker.views import RecommendationView

# Every ASCII punctuation mark may be backslash-escaped in Markdown; escaping them all keeps
# typed text from becoming links, images, HTML, colours or formulas when a label needs it.
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# Bare addresses ("www.example.com", "https://…", "a@b.org") become links even when escaped;
# an invisible word joiner inside "www." and after a colon or an at sign keeps them text.
_LINK_START = re.compile(r"((?<![^\W_])w(?=ww\.)|[:@])", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """Text that Streamlit's Markdown shows literally, for labels that only take Markdown.

    Where a widget takes plain text (st.text, tables, select boxes), pass the text itself.
    """
    joined = _LINK_START.sub(rf"\1{WORD_JOINER}", text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", joined)


def show_plain(text: str) -> None:
    """Shows typed text as it was typed, line breaks included."""
    st.markdown(plain(text).replace("\n", "  \n"))


def url() -> str:
    return db.database_url()


def page_header(title: str, caption: str) -> None:
    """The page's title and one-line purpose, under a banner when the data is fictional."""
    if data.holds_sample_data(url()):
        st.warning(
            "**Sample data.** This database holds a fictional assessment history made by "
            "`python -m tracker demo`; nothing shown here is real.",
            icon=":material/science:",
        )
    st.title(title)
    st.caption(caption)


def show_problems(error: InvalidInput) -> None:
    st.error(
        "Nothing was saved. Please fix:\n\n"
        + "\n".join(f"- {plain(str(problem))}" for problem in error.problems)
    )


def frame(report: reports.Report) -> pd.DataFrame:
    """A report as a table for the page."""
    return pd.DataFrame(report.rows, columns=list(report.columns))


def status_label(key: str) -> str:
    return taxonomy.STATUS_BY_KEY[key].label


def choose_recommendation(recs: list[RecommendationView], key: str) -> RecommendationView:
    """A recommendation picker that starts on the one the page's link named (`?id=`)."""
    by_id = {r.id: r for r in recs}
    ids = list(by_id)
    wanted = st.query_params.get("id")
    chosen = st.selectbox(
        "Recommendation",
        ids,
        index=ids.index(wanted) if wanted in ids else 0,
        format_func=lambda i: f"{i} · {by_id[i].title}",
        key=key,
    )
    st.query_params["id"] = chosen
    return by_id[chosen]


PERIODS = {
    "Last 3 months": 91,
    "Last 6 months": 183,
    "Last 12 months": 365,
    "Last 2 years": 730,
    "Last 5 years": 1826,
}


def period(today: date, *, key: str, default: str) -> date:
    """A chart period picker; returns the period's first day. Charts read only that period,
    so they cost the same however long the history is."""
    names = list(PERIODS)
    chosen = st.selectbox("Period", names, index=names.index(default), key=key)
    return today - timedelta(days=PERIODS[chosen])
