"""Typed text stays text on the pages: every Markdown construct Streamlit renders, made inert by
the dashboard's plain-text helper, checked on the helper's output and in the rendered page."""

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.browser_support import (
    CHROMIUM,
    ROOT,
    free_port,
    launch_chromium,
    wait_for_app,
    wait_until_healthy,
)
from tracker.ui.common import NO_BREAK_SPACE, WORD_JOINER, plain

# Every construct Streamlit's Markdown knows (CommonMark, GitHub's extensions, math, emoji
# shortcodes, Streamlit's own directives for colours, badges and icons), as a person might type
# it into a note, a title or a description.
CONSTRUCTS = {
    "ATX headings": "# Heading one\n## Two\n###### Six",
    "setext headings": "Title\n=====\nSub\n-----",
    "bullet lists": "- one\n* two\n+ three",
    "ordered lists": "1. first\n2) second\n1986. A great year",
    "task lists": "- [ ] to do\n- [x] done",
    "block quotes": "> quoted\n>> nested",
    "code indented after a blank line": "Intro\n\n    indented code\n\n\tcode after a tab",
    "code indented on the first line": "    code at the start",
    "fenced code": "```python\nprint(1)\n```",
    "tilde fence": "~~~\nx\n~~~",
    "inline code": "`code` and ``double ` tick``",
    "emphasis and strikethrough": "*em* _em_ **strong** __strong__ ***both*** ~~gone~~ ~sub~",
    "links and references": "[text](https://example.org) [ref][1]\n\n[1]: https://example.org",
    "autolinks": "<https://example.org> <a@b.org>",
    "bare addresses": "https://example.org www.example.org a@b.org mailto:a@b.org",
    "image": "![alt](http://127.0.0.1:9/i.png)",
    "HTML": "<b>bold</b> <script>alert(1)</script> <img src=x onerror=alert(1)> <!-- c -->",
    "entities": "&amp; &lt; &#65; &nbsp; &copy;",
    "table": "| a | b |\n|---|---|\n| 1 | 2 |",
    "thematic breaks": "***\n\n---\n\n___\n\n- - -",
    "Material icons": ":material/home: :material/warning:",
    "colours and badges": ":red[red] :blue-background[bg] :rainbow[r] :small[s] :violet-badge[b]",
    "emoji shortcodes": ":smile: :+1: :streamlit:",
    "inline math": "$x^2$ and $$\\int_0^1 x\\,dx$$",
    "display math": "$$\nE = mc^2\n$$",
    "footnote": "text[^1]\n\n[^1]: the note",
    "hard break by backslash": "ends with a backslash\\\nnext line",
    "hard break by two spaces": "ends with two spaces  \nnext line",
    "backslash escapes": "\\*not em\\* \\\\ and \\[x\\]",
    "directives": ":::note\ncontainer\n:::\n::leaf[x]",
    "line endings": "a\nb\r\nc\rd",
    "runs of spaces": "a    b     c",
    "other scripts": "Mérida – 日本語 — עברית 🎉",
}

# What a page may hold inside a text it shows: paragraphs and line breaks, nothing else.
INERT_TAGS = {"P", "BR"}


def _as_typed(text: str) -> str:
    """What a text looks like when shown: line endings as line breaks, a tab as four spaces,
    no spaces around it (Streamlit trims a Markdown body)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " " * 4).strip()


def _as_read(shown: str) -> str:
    """Shown text as a reader sees it: no-break spaces are spaces, word joiners invisible."""
    return shown.replace(NO_BREAK_SPACE, " ").replace(WORD_JOINER, "")


def _unescaped(markdown: str) -> str:
    return _as_read(re.sub(r"\\(.)", r"\1", markdown, flags=re.DOTALL))


@pytest.mark.parametrize("text", CONSTRUCTS.values(), ids=list(CONSTRUCTS))
def test_plain_escapes_every_construct_and_keeps_every_character(text: str):
    shown = plain(text)
    assert _unescaped(shown) == text.replace("\t", " " * 4)
    bare = re.sub(r"\\.", "", shown, flags=re.DOTALL)
    assert re.findall(r"[!-/:-@\[-`{-~]", bare) == [], "every ASCII punctuation mark is escaped"
    assert not re.search(r"^[ \t]", shown, re.MULTILINE), "no line starts with a space or tab"
    assert "  " not in shown and "\t" not in shown, "no run of spaces, no tab"
    joined = shown.replace("\\", "")
    assert "www." not in joined and "://" not in joined
    assert re.findall(f"[:@](?!{WORD_JOINER})", joined) == [], "addresses and shortcodes broken"


def test_a_blank_line_then_an_indented_line_is_no_code_block():
    shown = plain("Intro\n\n    not code")
    assert shown == f"Intro\n\n{NO_BREAK_SPACE * 4}not code"


# -- in the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def texts_page(tmp_path_factory) -> Iterator[tuple[str, list[str]]]:
    """tests/pages/plain_text.py served by `streamlit run`, showing each construct on its own
    and all of them in one note; yields its address and the texts, in order."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    folder = tmp_path_factory.mktemp("plain")
    texts = [*CONSTRUCTS.values(), "\n\n".join(CONSTRUCTS.values())]
    (folder / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    port = free_port()
    env = {**os.environ, "PLAIN_TEXTS": str(folder / "texts.json"), "PYTHONPATH": str(ROOT)}
    with (folder / "streamlit.log").open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "tests/pages/plain_text.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(base, server)
            yield base, texts
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.mark.browser
def test_every_construct_shows_as_typed_in_chromium(texts_page):
    from playwright.sync_api import sync_playwright

    base, texts = texts_page
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page()
        page.set_default_timeout(30_000)
        page.goto(base)
        wait_for_app(page)
        shown = []
        for number in range(len(texts)):
            body = page.locator(f".st-key-text_{number} [data-testid='stMarkdownContainer']")
            tags = body.evaluate("node => [...node.querySelectorAll('*')].map(e => e.tagName)")
            shown.append((_as_read(body.inner_text()), set(tags)))
        browser.close()
    for text, (visible, tags) in zip(texts, shown, strict=True):
        assert visible == _as_typed(text)
        assert tags <= INERT_TAGS, f"{text!r} became {tags - INERT_TAGS}"
