"""Text a fine-tune produces away from its reader, kept translatable.

A fine-tune runs in a job thread, which cannot see the session's language, and its outcome is saved
as JSON and read back later, perhaps by a reader of another language. So the text it produces
(progress lines, warnings, errors, descriptions) is a `Text`: the English string itself (for `str()`,
logs, the CLI and saved records) that also remembers its template, a msgid marked with `N_`, and
its values. The page shows it in the reader's language with `tr`. A `Joined` is a list of such
pieces with a separator (the problems of a model folder). `dump` / `load` carry both through JSON;
`parse` recognises a description an earlier version saved as plain English.

    msg = Text(N_("epoch {epoch}/{epochs}"), epoch=1, epochs=4)   # str(msg) == "epoch 1/4"
    tr(msg)                                                        # "第 1/4 轮" in a Chinese session
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from core.errors import Message
from core.i18n import N_, _, translate_error

_FIELD = re.compile(r"\{(\w+)\}")


# One class for text with a template and values, everywhere in core (errors.Message); the name
# Text stays for the fine-tune code and its saved records.
Text = Message


class Joined(str):
    """Pieces (Text or N_-marked msgids) joined by a separator that is itself a msgid ("; ")."""

    items: tuple
    sep: str

    def __new__(cls, items: Iterable[Any], sep: str = N_("; ")) -> Joined:
        items = tuple(items)
        self = super().__new__(cls, sep.join(str(i) for i in items))
        self.items, self.sep = items, sep
        return self

    def __reduce__(self):
        return Joined, (self.items, self.sep)

    def __format__(self, spec: str) -> str:   # like Message: formats in the active language
        return format(tr(self), spec)

    def __copy__(self) -> Joined:
        return self

    def __deepcopy__(self, memo) -> Joined:
        return self


def tr(value: Any) -> str:
    """`value` in the active language: a Text or Joined (and the Texts among its values), an error
    raised with a template (InputError), or a plain string marked elsewhere with N_."""
    if isinstance(value, Joined):
        return _(value.sep).join(tr(i) for i in value.items)
    if isinstance(getattr(value, "msgid", None), str):   # Message values inside translate themselves
        return translate_error(value)
    if isinstance(value, str):
        return _(value) if value else value
    return str(value)


def dump(value: Any) -> Any:
    """A Text or Joined as JSON ({"msgid", "params"} / {"items", "sep"}); other values unchanged."""
    if isinstance(value, Text):
        return {"msgid": value.msgid, "params": {k: dump(v) for k, v in value.params.items()}}
    if isinstance(value, Joined):
        return {"items": [dump(i) for i in value.items], "sep": value.sep}
    return value


def load(value: Any) -> Any:
    """The inverse of `dump` (a malformed record gives None)."""
    try:
        if isinstance(value, dict) and "msgid" in value:
            return Text(value["msgid"], **{k: load(v) for k, v in (value.get("params") or {}).items()})
        if isinstance(value, dict) and "items" in value:
            return Joined([load(i) for i in value["items"]], value.get("sep", "; "))
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return None
    return value


def parse(text: str, templates: Iterable[str]) -> Text | None:
    """`text` as a Text of the first template (plain `{name}` fields only) that produces it, else None."""
    for template in templates:
        parts = _FIELD.split(template)
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+)" for i, p in enumerate(parts))
        match = re.fullmatch(pattern, text or "", re.S)
        if match:
            return Text(template, **match.groupdict())
    return None
