"""Property: any text in any text field survives export, import into an empty database, and
export again, unchanged and byte for byte."""

import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ACTOR, days_ago, draft, evidence
from tracker import history_file
from tracker.service import Tracker

# Any character a person can type, with the ones that matter to CSV and spreadsheets made
# likely: quotes, separators, line breaks, formula starts, right-to-left scripts, accents, emoji.
TRICKY = st.sampled_from(
    [*"\"',;\n\r\t=+-@ ", "שלום", "مرحبا", "é", "ñ", "🇲🇽", "👩🏽‍🔬", "\u200f", "'="]
)
TEXT = st.lists(
    st.one_of(
        TRICKY,
        st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8),
    ),
    max_size=12,
).map("".join)
NAME = TEXT.filter(lambda s: s.strip() != "")


def export(tracker: Tracker) -> bytes:
    out = io.StringIO()
    tracker.export_history(out)
    return out.getvalue().encode("utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=TEXT, analyst=NAME, title=TEXT, publisher=TEXT, summary=TEXT)
def test_any_text_round_trips_unchanged(note, analyst, title, publisher, summary):
    with tempfile.TemporaryDirectory() as folder:
        source = Tracker.open(f"sqlite:///{Path(folder) / 'source.db'}")
        target = Tracker.open(f"sqlite:///{Path(folder) / 'target.db'}")
        try:
            source.init()
            target.init()
            item = evidence(title=title, publisher=publisher, summary=summary)
            source.log_assessment(
                ACTOR, draft("R2", as_of=days_ago(2), analyst=analyst, note=note, evidence=[item])
            )
            first = export(source)
            target.import_history(ACTOR, history_file.parse(first, "history.csv"))
            assert export(target) == first
            (stored,) = target.history("R2")
            assert (stored.note, stored.analyst) == (note, analyst)
            back = stored.evidence[0]
            assert (back.title, back.publisher, back.summary) == (title, publisher, summary)
        finally:
            source.close()
            target.close()
