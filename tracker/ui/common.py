"""What every page shares: the heading with its sample-data banner, plain text, and problems."""

import re
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from tracker import db, messages, reports, taxonomy
from tracker.errors import InvalidInput
from tracker.records import DAY, LINK, Spec
from tracker.ui import data
from tracker.views import RecommendationView

# Every ASCII punctuation mark may be backslash-escaped in Markdown; escaping them all keeps
# typed text from becoming links, images, HTML, headings, lists, quotes, tables, rules, fences,
# colours, icons or formulas.
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
# Bare addresses ("www.example.com", "https://…", "a@b.org") become links even when escaped, and
# emoji shortcodes (":smile:") become emoji; an invisible word joiner inside "www." and after a
# colon or an at sign keeps them text.
_LINK_START = re.compile(r"((?<![^\W_])w(?=ww\.)|[:@])", re.IGNORECASE)
WORD_JOINER = "\u2060"
# Tabs, and spaces that start a line or follow another space, are what Markdown reads as
# structure (four of them make a code block) and what HTML collapses; no-break spaces are
# neither, and look the same. A tab shows as four.
_STRUCTURAL_SPACE = re.compile(r"\t|(?:^|(?<=[ \t])) ", re.MULTILINE)
NO_BREAK_SPACE = "\u00a0"
# Texts that may be longer than this get a text area rather than a one-line input.
LONGEST_LINE = taxonomy.URL_MAX_CHARS


def plain(text: str) -> str:
    """Text that Streamlit's Markdown shows literally, for labels that only take Markdown.

    Every Markdown construct is made inert: punctuation is escaped, addresses and shortcodes
    are broken by an invisible word joiner, and spaces that indent a line or follow another
    space become no-break spaces, so that nothing becomes a code block, a link, an emoji or a
    formula. Where a widget takes plain text (st.text, tables, select boxes), pass the text
    itself.
    """
    joined = _LINK_START.sub(rf"\1{WORD_JOINER}", text)
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", joined)
    return _STRUCTURAL_SPACE.sub(_no_break, escaped)


def _no_break(match: re.Match[str]) -> str:
    return NO_BREAK_SPACE * (4 if match.group() == "\t" else 1)


def show_plain(text: str) -> None:
    """Shows typed text as it was typed, line breaks and runs of spaces included.

    Streamlit drops the spaces before the first and after the last character.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    st.markdown(plain(lines).replace("\n", "  \n"))


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
    """The problems as the command line prints them: the first 100, then how many more."""
    st.error(
        "Nothing was saved. Please fix:\n\n"
        + "\n".join(f"- {plain(line)}" for line in messages.problem_lines(error))
    )


def field_input(container, spec: Spec, key: str, default: object, today: date):
    """The widget for one declared field, by its kind, in `container` (a column or the page).

    Choices show what they mean and start on the field's default ("cannot be judged" for
    grades); dates are never in the future; long texts get a text area.
    """
    if spec.kind == DAY:
        return container.date_input(
            spec.label, default, max_value=today, key=key, format="YYYY-MM-DD"
        )
    if spec.choices:
        return container.selectbox(
            spec.label,
            spec.choices,
            index=spec.choices.index(default),
            format_func=lambda value: spec.labels.get(value, value),
            key=key,
        )
    if spec.limit is not None and spec.limit > LONGEST_LINE:
        return container.text_area(spec.label, key=key, max_chars=spec.limit)
    return container.text_input(spec.label, key=key)


def shown(spec: Spec, value: object) -> object:
    """A stored value as a table shows it: a choice by what it means, an empty link as none."""
    if spec.choices:
        return spec.labels.get(value, value)
    if spec.kind == LINK:
        return value or None
    return value


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
