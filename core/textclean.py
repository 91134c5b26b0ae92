"""Text repairs applied before tokenizing: HTML entities, tags and escape debris.

News feeds such as AG News carry entities that lost their ampersand (`#39;s`, `quot;`), escaped
markup (`&lt;b&gt;`), backslash-escaped quotes (`Bush\\'s`) and backslash separators
(`Images\\\\Girafa`); tokenized as they are, `quot`, `lt`, `gt`, `b` and `s` reach the top terms.
`decode_html` turns entities back into characters, drops the markup tags they spell, unescapes
quotes, and turns the other backslashes into spaces.
"""

from __future__ import annotations

import html
import re

_BARE_NUMERIC = re.compile(r"(?:(?<=\w) |(?<![&\w]))#(x[0-9a-fA-F]{1,6}|\d{1,7});")  # " #39;s" -> "'s"
_BARE_NAMED = re.compile(r"(?<![&\w])(quot|amp|lt|gt|apos|nbsp);")
_BARE_AMP_JOINED = re.compile(r"(?<=\w) amp;(?=\w)")  # AG News "AT amp;T" -> "AT&T" (as " #39;s" -> "'s")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]{0,300})?/?>")
_BACKSLASH = re.compile(r"\\+")
_ESCAPED_QUOTE = re.compile(r"\\+(['\"])")  # Bush\'s -> Bush's, \"quoted\" -> "quoted"
_NAMED = {"quot": '"', "amp": "&", "lt": "<", "gt": ">", "apos": "'", "nbsp": " "}


def _numeric(m: re.Match) -> str:
    code = m.group(1)
    try:
        value = int(code[1:], 16) if code[0] in "xX" else int(code)
        return chr(value)
    except (ValueError, OverflowError):
        return m.group(0)


def needs_decoding(text: str) -> bool:
    return ";" in text or "\\" in text or "<" in text


def decode_html(text: str) -> str:
    """Entities (with or without their '&') to characters, markup tags out, escaped quotes unescaped,
    other backslashes to spaces."""
    if not needs_decoding(text):
        return text
    for _ in range(2):  # "&amp;lt;" is escaped twice
        text = html.unescape(text)
    text = _BARE_NUMERIC.sub(_numeric, text)
    text = _BARE_AMP_JOINED.sub("&", text)
    text = _BARE_NAMED.sub(lambda m: _NAMED[m.group(1)], text)
    text = _TAG.sub(" ", text)
    if "\\" not in text:
        return text
    return _BACKSLASH.sub(" ", _ESCAPED_QUOTE.sub(r"\1", text))
