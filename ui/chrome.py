"""Streamlit's and Plotly's own interface words, in the session's language.

Neither can be given a translation (Streamlit issue #1353): the file uploader's "Upload" button and
"500MB per file" line, and Plotly's toolbar tooltips ("Zoom", "Reset axes", ...), are fixed English
in their JavaScript. Both are drawn from plain DOM text or a `data-title` attribute, so a style
sheet can replace what is shown (the text stays for screen readers and the tests' selectors). Only
our own catalog strings go in, escaped for a CSS string; nothing is added in English.
"""

from __future__ import annotations

import json

import streamlit as st

from core import i18n
from core.i18n import _
from core.topics.report import PLOTLY_TEXTS

_UPLOAD_BUTTON = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'  # i18n: skip (CSS)
_UPLOAD_LIMIT = '[data-testid="stFileUploaderDropzoneInstructions"] span'  # i18n: skip (CSS)


def _css_string(text: str) -> str:
    # JSON escapes quotes and backslashes the way a CSS string needs; "<" cannot end the style block.
    return json.dumps(text, ensure_ascii=False).replace("<", "\\3c ")


def chrome_css(lang: str) -> str:
    """The style sheet that shows Streamlit's and Plotly's fixed English in `lang` ("" for English)."""
    if lang == i18n.DEFAULT:
        return ""
    with i18n.use_language(lang):
        limit = _("At most {mb} MB per file").format(mb=i18n.format_int(st.get_option("server.maxUploadSize")))
        upload = _("Upload")
        rules = [
            f"{_UPLOAD_BUTTON}{{font-size:0}}",
            f"{_UPLOAD_BUTTON}::after{{content:{_css_string(upload)};font-size:0.875rem}}",  # i18n: skip (CSS)
            f"{_UPLOAD_LIMIT}{{font-size:0}}",
            f"{_UPLOAD_LIMIT}::after{{content:{_css_string(limit)};font-size:0.875rem}}",  # i18n: skip (CSS)
        ]
        for text in PLOTLY_TEXTS:
            rules.append(f".js-plotly-plot .plotly [data-title={_css_string(text)}]::after"  # i18n: skip (CSS)
                         f"{{content:{_css_string(_(text))} !important}}")
    return "\n".join(rules)


def translate_chrome() -> None:
    """Called by the frame on every run (a style-only st.html takes no space on the page)."""
    css = chrome_css(i18n.language())
    if css:
        st.html(f"<style>{css}</style>")
