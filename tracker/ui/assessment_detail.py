"""One assessment read whole: its judgement, full note, corrections both ways and evidence."""

from collections.abc import Callable
from urllib.parse import urlsplit

import streamlit as st

from tracker.records import LINK, AssessmentDraft, EvidenceDraft, declared_fields
from tracker.ui import common
from tracker.ui.common import plain
from tracker.views import AssessmentView, EvidenceView

# Shown in the heading and the correction links rather than among the facts.
_IN_HEADING = ("recommendation_id", "status", "progress", "as_of", "note", "corrects_id")


def show(a: AssessmentView, *, open_assessment: Callable[[int], None], key: str) -> None:
    """Shows `a` in a bordered box. Its correction links are buttons that call
    `open_assessment` with the id they name; `key` keeps their widget keys apart."""
    with st.container(border=True, key=f"{key}_box"):
        st.markdown(
            plain(
                f"Assessment #{a.id} of {a.recommendation_id} · as of {a.as_of.isoformat()} · "
                f"{common.status_label(a.status)} · {a.progress} %"
            ).join(("**", "**"))
        )
        facts = [
            f"{spec.label}: {common.label_of(AssessmentDraft, name, getattr(a, name))}"
            for name, spec in declared_fields(AssessmentDraft)
            if name not in _IN_HEADING
        ]
        facts.append(f"Recorded: {a.recorded_at.strftime('%Y-%m-%d %H:%M')} UTC")
        common.show_plain("\n".join(facts))
        _corrections(a, open_assessment, key)
        st.markdown("**Note**")
        if a.note:
            st.text(a.note)
        else:
            st.caption("No note.")
        st.markdown(f"**Evidence ({len(a.evidence)})**")
        if not a.evidence:
            st.caption("No evidence logged with this assessment.")
        for item in a.evidence:
            _evidence(item)


def _corrections(a: AssessmentView, open_assessment: Callable[[int], None], key: str) -> None:
    """Links to the assessment this one corrects and to the one that corrects it."""
    if a.corrects_id is None and a.corrected_by_id is None:
        return
    if a.corrected_by_id is not None:
        st.warning(
            f"Corrected by assessment #{a.corrected_by_id}: this one stays in the history but "
            "no longer counts anywhere.",
            icon=":material/history:",
        )
    links = st.container(horizontal=True)
    if a.corrects_id is not None:
        links.button(
            f"Corrects #{a.corrects_id}",
            key=f"{key}_corrects",
            icon=":material/undo:",
            on_click=open_assessment,
            args=(a.corrects_id,),
            help=f"Show assessment #{a.corrects_id}, which this one corrects.",
        )
    if a.corrected_by_id is not None:
        links.button(
            f"Corrected by #{a.corrected_by_id}",
            key=f"{key}_corrected_by",
            icon=":material/redo:",
            on_click=open_assessment,
            args=(a.corrected_by_id,),
            help=f"Show assessment #{a.corrected_by_id}, which corrects this one.",
        )


def _evidence(item: EvidenceView) -> None:
    """One evidence item: its title, its links as buttons naming their site, and every other
    field that holds something, by its label; long text wraps, so nothing is cut off."""
    with st.container(border=True):
        st.markdown(plain(item.title or item.url).join(("**", "**")))
        links = st.container(horizontal=True)
        facts = []
        for name, spec in declared_fields(EvidenceDraft):
            value = getattr(item, name)
            if name == "title" or common.cell(value) is None:
                continue
            if spec.kind == LINK:
                site = urlsplit(value).hostname or value
                links.link_button(
                    plain(f"{spec.label.split(' (')[0]}: {site}"),
                    value,
                    icon=":material/open_in_new:",
                    help=value,
                )
                continue
            shown = common.label_of(EvidenceDraft, name, value)
            facts.append(f"{spec.label}: {shown}")
        common.show_plain("\n".join(facts))
