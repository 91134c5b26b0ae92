"""Find user-facing strings that are not marked for translation (used by tests/test_i18n.py).

    python tests/i18n_lint.py [FILE ...]     # default: every file in SCOPE; prints file:line: text

A string is *marked* when it is the message argument of `_`, `N_`, `ngettext`, `pgettext`,
`gettext_in` or `InputError` (core's errors, translated at the edge). It is *user-facing* when it
reads as words: after removing placeholders, markup, math and icons, it has a space between words
or starts with a capital (single lower-case tokens are keys and column names; ALL-CAPS tokens are
acronyms, the same in Chinese). Strings in positions that never reach a reader (widget keys,
dictionary keys, comparisons, `.get("x")`, MIME types ...) are skipped. A deliberate exception
carries `# i18n: skip` on its line, with the reason.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCOPE = ["app.py", "pages/*.py", "ui/*.py", "core/charts/*.py", "core/topics/report.py", "core/cli/*.py"]
MARKERS = {"_", "N_", "ngettext", "pgettext", "gettext_in", "InputError"}
# Keyword arguments that hold codes, not text for people.
CODE_KWARGS = {
    "key", "type", "icon", "mime", "file_name", "on_click", "on_change", "format", "page_icon", "layout",
    "selection_mode", "label_visibility", "width", "height", "gap", "vertical_alignment", "anchor", "url_path",
    "sep", "encoding", "orient", "engine", "dtype", "errors", "how", "method", "hovermode", "template",
    "textposition", "mode", "barmode", "xanchor", "yanchor", "fill", "family", "font_family", "hoverinfo",
    "dash", "side", "tickformat", "hoverformat", "colorscale", "textinfo", "dest", "metavar", "choices",
    "default", "action", "prog", "color", "bgcolor", "bordercolor", "plot_bgcolor", "paper_bgcolor",
    "include_plotlyjs", "config", "scheduler", "suffix", "prefix", "dir", "mode_", "newline", "index_label",
    "sheet_name", "display", "placement", "symbol", "shape", "line_shape", "automargin", "ticks", "matches",
    "scaleanchor", "constrain", "sizemode", "xref", "yref", "align", "valign", "level", "step", "pinned",
    "column_order", "alignment", "text_alignment", "theme", "unit", "category", "stacklevel", "kind", "state",
    "status", "texttemplate_src", "legendgroup", "hide_index", "autorange", "rangemode", "tickmode",
}
# Methods and functions whose string arguments are names, patterns or paths.
CODE_CALLS = {
    "get", "pop", "setdefault", "startswith", "endswith", "split", "rsplit", "join", "replace", "strip", "rstrip",
    "lstrip", "removeprefix", "removesuffix", "compile", "match", "search", "sub", "fullmatch", "findall",
    "finditer", "getattr", "hasattr", "setattr", "astype", "groupby", "sort_values", "encode", "decode",
    "partition", "rpartition", "count", "index", "find", "open", "import_module", "getenv", "environ",
    "filterwarnings", "simplefilter", "getLogger", "switch_page", "Page", "query_params", "isoformat",
    "strftime", "strptime", "to_datetime", "select_dtypes", "rename_axis", "add_parser_hint", "register",
    "cache_data", "cache_resource", "fragment", "column_config", "cast", "TypeVar", "namedtuple", "field",
    "add_mutually_exclusive_group", "Path", "with_suffix", "glob", "rglob", "mkdtemp", "NamedTemporaryFile",
    "update_traces", "for_each_trace", "select", "drop", "set_index", "reset_index", "melt", "pivot", "merge",
    "rename", "agg", "apply", "map", "nlargest", "nsmallest", "loc", "iloc", "at", "dict", "pattern",
    "html_escape", "md_escape", "escape", "quote", "format_html_attr", "assign", "ljust", "rjust", "center",
    # programmer errors (a bug, not the user's input): English for the developer who reads the traceback
    "ValueError", "TypeError", "RuntimeError", "AssertionError", "KeyError", "NotImplementedError",
}
SKIP_COMMENT = "# i18n: skip"

_CSS = re.compile(r"[^{}]*\{[^{}]*:[^{}]*;?[^{}]*\}")                # selector{prop:value;...}
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([^)]*\)[sdrf]|%[sdrf]")
_MARKUP = re.compile(r"<style.*?</style>|<script.*?</script>|<[^>]*>|&\w+;|&#\d+;", re.S)
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S)
_ICON = re.compile(r":material/[a-z_]+:|:[a-z_]+:")
_URL = re.compile(r"https?://\S+|www\.\S+")
_CODE_TOKEN = re.compile(r"^[a-z_][A-Za-z0-9_.\-/:]*$")      # keys, column names, paths, MIME types
_ACRONYMS = re.compile(r"^[A-Z0-9][A-Z0-9_\-./ +]*$")          # CSV, XLSX, TF-IDF, LDA, HTML


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text[:90]!r}"


def reads_as_words(text: str) -> bool:
    if re.search(r"\{[^{}]*:[^{}]*;[^{}]*\}", text):   # a style sheet: drop its rules first
        text = _CSS.sub(" ", text)
    text = _URL.sub(" ", _ICON.sub(" ", _MATH.sub(" ", _MARKUP.sub(" ", text))))
    holes = _PLACEHOLDER.sub(" Xx ", text)      # a value in a sentence counts as a word: "{n} documents"
    text = _PLACEHOLDER.sub(" ", text)
    stripped = text.strip(" \t\n:·•,.;()[]*_#-—|/=+…%0123456789")
    if not re.search(r"[A-Za-z]{2,}", stripped):
        return False
    if _ACRONYMS.match(stripped) or _CODE_TOKEN.match(stripped) and not re.search(r"Xx\s+[a-z]{2,}|[a-z]{2,}\s+Xx", holes):
        return False
    return bool(re.search(r"[A-Za-z]{2,}[^A-Za-z\n]+[A-Za-z]{2,}", holes.strip())) or stripped[:1].isupper()


def _call_name(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _skipped_ids(tree: ast.AST) -> set[int]:
    """Ids of string nodes in positions that never reach a reader, or already marked."""
    skip: set[int] = set()

    def all_strings(node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Constant, ast.JoinedStr)):
                skip.add(id(sub))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in MARKERS:
                for arg in node.args[:2]:
                    all_strings(arg)
            elif name in CODE_CALLS:
                for arg in node.args:
                    if isinstance(arg, (ast.Constant, ast.JoinedStr)):
                        skip.add(id(arg))
            for kw in node.keywords:
                if kw.arg in CODE_KWARGS:
                    all_strings(kw.value)
        elif isinstance(node, ast.Subscript):
            all_strings(node.slice)
        elif isinstance(node, ast.Compare):
            for part in [node.left, *node.comparators]:
                if isinstance(part, (ast.Constant, ast.JoinedStr, ast.Tuple, ast.List, ast.Set)):
                    all_strings(part)
        elif isinstance(node, ast.Dict):
            for k in node.keys:
                if k is not None:
                    all_strings(k)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            all_strings(node)
    return skip


def _text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return node.value
    return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)


def lint_file(path: Path) -> list[Finding]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    skip = _skipped_ids(tree) | _docstrings(tree)
    rel = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    found: list[Finding] = []
    inner: set[int] = set()   # the Constant parts of an f-string are judged with their f-string
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inner.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) or isinstance(node, ast.JoinedStr):
            if id(node) in skip or id(node) in inner:
                continue
            text = _text(node)
            span = lines[node.lineno - 1:(node.end_lineno or node.lineno)]
            if any(SKIP_COMMENT in line for line in span):
                continue
            if reads_as_words(text):
                found.append(Finding(rel, node.lineno, text))
    return sorted(found, key=lambda f: f.line)


def unmarked_inputerrors(path: Path) -> list[Finding]:
    """`InputError(f"...")` or InputError(variable): the template must be a literal to be extracted."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = str(path.relative_to(ROOT))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) in MARKERS and node.args:
            arg = node.args[0]
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                if _call_name(node) not in ("InputError", "N_") and not isinstance(arg, ast.JoinedStr):
                    continue   # _(variable): translating a string marked elsewhere with N_()
                out.append(Finding(rel, node.lineno, ast.unparse(arg)[:90]))
    return out


def translation_misuse(path: Path) -> list[Finding]:
    """Two ways a marked string silently stays English: `_()` inside an f-string's braces (Babel's
    extractor cannot see it there), and rebinding `_` in a module that imports it (`x, _ = pair`
    turns every later `_("...")` in that scope into a crash or a no-op)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue):
            for sub in ast.walk(node.value):
                if isinstance(sub, ast.Call) and _call_name(sub) in MARKERS and sub.args \
                        and isinstance(sub.args[0], ast.Constant):
                    out.append(Finding(rel, sub.lineno, "marker call inside an f-string: " + ast.unparse(sub)[:60]))
    imports_underscore = any(isinstance(n, ast.ImportFrom) and any(a.name == "_" and not a.asname for a in n.names)
                             for n in ast.walk(tree))
    if imports_underscore:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                out.append(Finding(rel, node.lineno, "rebinds _ (the translation function): use another name"))
    return out


def scope_files() -> list[Path]:
    return sorted({p for pattern in SCOPE for p in ROOT.glob(pattern) if p.name != "__init__.py" or p.stat().st_size})


def core_files() -> list[Path]:
    return sorted(p for p in (ROOT / "core").rglob("*.py"))


if __name__ == "__main__":
    files = [Path(a).resolve() for a in sys.argv[1:]] or scope_files()
    total = 0
    for f in files:
        for finding in lint_file(f) + unmarked_inputerrors(f) + translation_misuse(f):
            print(finding)
            total += 1
    print(f"{total} finding(s)", file=sys.stderr)
    sys.exit(1 if total else 0)
