"""Every TOPICLENS_* environment variable, declared once: its type, default and meaning.

    settings.get("TOPICLENS_MAX_INPUT_MB")     # 500.0, or the environment's value (read at call time)
    settings.check()                           # start-up: InputError naming the first bad value
    settings.unknown()                         # TOPICLENS_* names that are no setting (typos): warned

Values are read when asked for (tests and a running server may change the environment). A value
that does not parse is refused by `check()`, which `topiclens serve` and every CLI command run
first; `get()` itself falls back to the default for it (an engine call never fails on a setting).
The README's table of settings is generated from `SETTINGS` (`readme_table()`); a test fails when
the two drift apart.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import InputError, Message
from core.i18n import N_

PREFIX = "TOPICLENS_"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
# tcp://HOST:PORT (the scheme and port optional, as Dask takes them)
_SCHEDULER = re.compile(r"(?:(?:tcp|tls|ucx|ws|wss)://)?[^\s:/]+(?::\d{1,5})?")

EXPECTED = {  # what a value of each kind looks like, for the message about a bad one
    "mb": N_("a number of megabytes above 0"),
    "ratio": N_("a number above 0"),
    "count": N_("a whole number of at least 1"),
    "bool": N_("1, true, yes or on (or 0, false, no, off)"),
    "path": N_("a folder"),
    "paths": N_("folders separated by '{sep}'"),
    "address": N_("a Dask scheduler address such as tcp://HOST:PORT"),
    "url": N_("an address such as http://HOST:PORT"),
}


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str            # a key of EXPECTED
    default: Any         # the value when unset or empty (None: computed, see `default_text`)
    default_text: str    # the default as the README states it
    meaning: str         # one line for the README table

    def parse(self, raw: str) -> Any:
        """The typed value of a non-empty `raw`; ValueError when it does not parse."""
        raw = raw.strip()
        if self.kind in ("mb", "ratio"):
            value = float(raw)
            if not value > 0 or value == float("inf"):
                raise ValueError(raw)
            return value
        if self.kind == "count":
            if not raw.isdigit() or int(raw) < 1:
                raise ValueError(raw)
            return int(raw)
        if self.kind == "bool":
            if raw.lower() not in _TRUE + _FALSE:
                raise ValueError(raw)
            return raw.lower() in _TRUE
        if self.kind == "url":
            if not re.fullmatch(r"https?://[^\s/?#]+(?:/[^\s?#]*)?", raw):
                raise ValueError(raw)
            return raw.rstrip("/")
        if self.kind == "address":
            if not _SCHEDULER.fullmatch(raw):
                raise ValueError(raw)
            return raw
        if self.kind == "path":
            if "\x00" in raw:
                raise ValueError(raw)
            return Path(raw).expanduser()
        if self.kind == "paths":
            parts = [p.strip() for p in raw.split(os.pathsep) if p.strip()]
            if any("\x00" in p for p in parts):
                raise ValueError(raw)
            return [Path(p).expanduser() for p in parts]
        raise AssertionError(self.kind)


_DECLARED = [
    Setting("TOPICLENS_WORKSPACE", "path", Path("workspace"), "./workspace",
            "Folder for everything that lasts: projects.db, projects, saved models (relative to the current folder)."),
    Setting("TOPICLENS_MODEL_ROOTS", "paths", None, "WORKSPACE/models",
            "Folders (os.pathsep separated) the dashboard may load typed model folders from; the CLI takes any path."),
    Setting("TOPICLENS_LIST_ALL_PROJECTS", "bool", None, "on a 127.0.0.1-only server",
            "List every project of the workspace on the Projects page (true), or only those this browser "
            "created or opened (false); unset: every project when the server listens on 127.0.0.1 only."),
    Setting("TOPICLENS_DASHBOARD_URL", "url", "http://127.0.0.1:8501", "http://127.0.0.1:8501",
            "The dashboard's address, for the project links `topiclens project list` and `project show` print."),
    Setting("TOPICLENS_CACHE_MB", "mb", 512.0, "512",
            "Memory for the dashboard's cache of results (corpora, tokens, fits), per server process."),
    Setting("TOPICLENS_CPU_JOBS", "count", None, "all cores",
            "Cores the topic sweeps fitted on this machine share, all sessions together; a sweep beyond it waits its turn."),
    Setting("TOPICLENS_DASK_SCHEDULER", "address", "", "(this machine)",
            "Dask scheduler (tcp://HOST:PORT) that sweeps fit on; the CLI's --scheduler default."),
    Setting("TOPICLENS_MAX_INPUT_MB", "mb", 500.0, "500",
            "Largest corpus file the CLI reads (the dashboard's upload limit is server.maxUploadSize, 500)."),
    Setting("TOPICLENS_MAX_UNCOMPRESSED_MB", "mb", 256.0, "256",
            "Most bytes one ZIP (a corpus of .txt files, an uploaded model) may unpack to."),
    Setting("TOPICLENS_MAX_ZIP_RATIO", "ratio", 200.0, "200",
            "Highest uncompressed / compressed ratio of one ZIP member (zip bombs)."),
    Setting("TOPICLENS_MAX_MODEL_MB", "mb", 1024.0, "1024",
            "Most bytes an uploaded model ZIP may unpack to."),
    Setting("TOPICLENS_MAX_PROJECT_MB", "mb", 2048.0, "2048",
            "Most bytes an imported project archive may unpack to."),
    Setting("TOPICLENS_DEBUG", "bool", False, "false",
            "Unexpected failures raise with their traceback (CLI, dashboard pages) instead of one short line."),
]
SETTINGS: dict[str, Setting] = {s.name: s for s in _DECLARED}


def _declared(name: str) -> Setting:
    try:
        return SETTINGS[name]
    except KeyError:
        raise KeyError(f"{name} is not declared in core.settings") from None


def raw(name: str) -> str:
    """The environment's text for a declared setting ('' when unset)."""
    return os.environ.get(_declared(name).name, "").strip()


def get(name: str) -> Any:
    """The typed value of `name` now: the environment's when set and valid, else the default."""
    setting, text = _declared(name), raw(name)
    if not text:
        return setting.default
    try:
        return setting.parse(text)
    except ValueError:
        return setting.default


def problems(environ: dict[str, str] | None = None) -> list[InputError]:
    """One InputError per declared setting whose value does not parse (in declaration order)."""
    env = os.environ if environ is None else environ
    found: list[InputError] = []
    for setting in _DECLARED:
        text = env.get(setting.name, "").strip()
        if not text:
            continue
        try:
            setting.parse(text)
        except ValueError:
            found.append(InputError("{name}={value!r} is not valid: give {expected}.", name=setting.name, value=text,
                                    expected=Message(EXPECTED[setting.kind], sep=os.pathsep)))
    return found


def unknown(environ: dict[str, str] | None = None) -> list[str]:
    """TOPICLENS_* names in the environment that are no setting (a typo, or one from another version)."""
    env = os.environ if environ is None else environ
    return sorted(n for n in env if n.startswith(PREFIX) and n not in SETTINGS and n not in NOT_SETTINGS)


# Names with the prefix that are no setting of the product (the browser tests' screenshot folder).
NOT_SETTINGS = {"TOPICLENS_SHOTS"}


def check(environ: dict[str, str] | None = None) -> None:
    """Start-up validation: raise the first bad value (an InputError: one line) if any."""
    found = problems(environ)
    if found:
        raise found[0]


def readme_table() -> str:
    """The README's table of settings (Markdown), generated from the declarations."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    rows += [f"| `{s.name}` | {s.default_text} | {s.meaning} |" for s in _DECLARED]
    return "\n".join(rows)
