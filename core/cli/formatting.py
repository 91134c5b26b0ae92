"""Help text that wraps Chinese well: by display width (a CJK character takes two columns), with a
line break allowed between any two CJK characters (not only at spaces), and full-width colons
after the section headings when the heading is Chinese."""

from __future__ import annotations

import argparse
import re
import unicodedata

_WIDE = ("W", "F")
# one unit per CJK character, a run of other non-space characters, or a run of spaces
_WIDE_CHARS = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d"  # i18n: skip (regex)
_UNITS = re.compile(rf"[{_WIDE_CHARS}]|[^\s{_WIDE_CHARS}]+|\s+")
_NO_LINE_START = set("，。、；：？！）》」』】”’")   # punctuation that stays with what precedes it
_NO_LINE_END = set("（《「『【“‘")   # ... and what opens with what follows it
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in _WIDE else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """`text` (whitespace collapsed) in lines of at most `width` columns where it can be broken."""
    text = re.sub(r"\s+", " ", text).strip()
    if not _CJK.search(text):
        import textwrap

        return textwrap.wrap(text, width)
    lines: list[str] = []
    line: list[str] = []      # the units of the line being filled (no trailing space)
    for unit in _UNITS.findall(text):
        if unit.isspace():
            if line:
                line.append(" ")
            continue
        if line and display_width("".join(line) + unit) > width:
            carry: list[str] = []
            # a closing mark must not start a line, an opening one must not end it: move them with a neighbour
            if unit in _NO_LINE_START and len(line) > 1:
                carry.insert(0, line.pop())
            while len(line) > 1 and (line[-1] in _NO_LINE_END or line[-1] == " "):
                carry.insert(0, line.pop())
            lines.append("".join(line).rstrip())
            while carry and carry[0] == " ":
                carry.pop(0)
            line = carry
        line.append(unit)
    if line:
        lines.append("".join(line).strip())
    return [ln for ln in lines if ln]


class HelpFormatter(argparse.HelpFormatter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._headings: list[str] = []

    def start_section(self, heading) -> None:
        if isinstance(heading, str) and _CJK.search(heading):
            self._headings.append(heading)
        super().start_section(heading)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap(text, width - len(indent)))

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        text = super()._format_usage(usage, actions, groups, prefix)
        shown = prefix if prefix is not None else argparse._("usage: ")   # argparse's own (translated) prefix
        extra = display_width(shown) - len(shown)
        if extra > 0:   # continuation lines line up under the program name, after a wide prefix
            first, *rest = text.split("\n")
            text = "\n".join([first] + [" " * extra + line if line.startswith(" ") else line for line in rest])
        return text

    def format_help(self) -> str:
        text = super().format_help()
        for heading in self._headings:   # argparse writes "heading:"; Chinese takes a full-width colon
            text = re.sub(rf"(?m)^(\s*){re.escape(heading)}:$", lambda m: f"{m.group(1)}{heading}：", text)
        return text
