"""User-facing errors: each message says what is wrong and what to do, and is shown as is."""

from __future__ import annotations

from core import i18n


class InputError(ValueError):
    """Bad input from the user (file, column, parameter). The UI shows it; the CLI exits 2.

    Raise it with an English template and its values, `InputError("No column {col!r}.", col=name)`:
    babel.cfg extracts the template as a msgid, and the edge (UI, CLI) shows it in the user's language
    with `core.i18n.translate_error`. `str(exc)` is always the English text (logs, tests).
    """

    def __init__(self, message: str, /, **params: object) -> None:
        self.msgid = message
        self.params = params
        super().__init__(_english(message, params))

    def __reduce__(self):  # survives a trip through a worker process (loky, Dask) with its params
        return _rebuild, (type(self), self.msgid, self.params)


def _rebuild(cls, msgid, params):
    return cls(msgid, **params)


def _english(template: str, params: dict) -> str:
    """The template filled in, in English (a `Message` among the values formats as English too)."""
    if not params:
        return template
    with i18n.use_language(i18n.DEFAULT):
        return template.format(**params)


class Message(str):
    """Text for people that core builds and the edge shows later (a warning kept in a result, a job's
    status line, a word used as a value in a sentence): the English text, plus its template and values.

        warnings.append(Message(N_("Skipped {n} rows."), n=3))    # mark the template with N_
        raise InputError("{what} is damaged.", what=Message(N_("The ZIP archive")))

    It is a `str` (the English text: tests, logs, JSON), and it *formats* in the active language:
    `f"{msg}"`, `"{x}".format(x=msg)` and `i18n.translate_error(msg)` give the translation, so a
    Message used as a value inside another template is translated with the sentence around it.
    """

    msgid: str
    params: dict

    def __new__(cls, template: str, /, **params: object) -> "Message":
        self = super().__new__(cls, _english(template, params))
        self.msgid, self.params = template, params
        return self

    def __format__(self, spec: str) -> str:
        text = i18n._(self.msgid)
        try:
            text = text.format(**self.params) if self.params else text
        except (KeyError, IndexError, ValueError):   # a broken translation must not hide the text
            text = str(self)
        return format(text, spec)

    def __reduce__(self):
        return _rebuild, (type(self), self.msgid, self.params)

    def __copy__(self) -> "Message":
        return self

    def __deepcopy__(self, memo) -> "Message":   # immutable: dataclasses.asdict keeps the object
        return self
