"""Text for a terminal: stored or typed text shown with its control characters as visible escapes.

Whatever people type or files hold reaches the terminal only through `visible`, so that a title
cannot move the cursor, recolour the screen, rewrite what was printed before it, or break one
record into several lines. CSV is never passed through here: it must stay exactly as exported.
"""

import re

# C0 and C1 control characters (line breaks, tabs and ESC among them) and DEL; Unicode's line
# and paragraph separators; the bidirectional embeddings, overrides and isolates, which make a
# line display in another order than it reads; and lone surrogates, which cannot be printed.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` on one line, every control character written as an escape (`\\n`, `\\x1b`)."""
    return _CONTROL.sub(_escape, text)


def is_utf8(text: str) -> bool:
    """False when `text` holds bytes that were not UTF-8.

    Python hands such bytes of the command line and the environment over as lone surrogates
    (U+DC80–U+DCFF, one per byte), which no database stores and no terminal prints.
    """
    return not _SURROGATE.search(text)


def first_undecodable_byte(text: str) -> int | None:
    """The first byte that was not UTF-8, as Python escaped it; None when there is none."""
    found = _SURROGATE.search(text)
    if found is None:
        return None
    code = ord(found.group())
    return code - 0xDC00 if 0xDC80 <= code <= 0xDCFF else None
