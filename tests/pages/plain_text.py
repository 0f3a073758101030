"""A page that shows typed texts through the dashboard's own plain-text helper, for
tests/test_plain_text.py: each text of the JSON list in PLAIN_TEXTS in a container of its own."""

import json
import os
from pathlib import Path

import streamlit as st

from tracker.ui import common

st.title("Plain text")
texts = json.loads(Path(os.environ["PLAIN_TEXTS"]).read_text(encoding="utf-8"))
for number, text in enumerate(texts):
    with st.container(key=f"text_{number}"):
        common.show_plain(text)
