"""Every keyed widget is declared once as kept (saved with the project) or transient (core.params), and
the declarations agree with what the autosave matches (issue 18)."""

from __future__ import annotations

import ast
from pathlib import Path

from core.params import KEPT, PERSISTED, TRANSIENT
from fixture_paths import ROOT


def _template(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [_template(node.left), _template(node.right)]
        return "".join(p if not p.startswith("<") else "{}" for p in parts)
    return f"<{ast.unparse(node)}>" if not isinstance(node, ast.Subscript) else f"<{ast.unparse(node.value)}>"


def _widget_calls():
    """(key template, persist_state value or None, where) for every `key=` in the frame, the pages and ui/."""
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                kws = {kw.arg: kw.value for kw in node.keywords}
                if "key" in kws:
                    persist = kws.get("persist_state")
                    yield (_template(kws["key"]), persist.value if isinstance(persist, ast.Constant) else None,
                           f"{path.relative_to(ROOT)}:{node.lineno}")


def widget_keys() -> dict[str, list[str]]:
    """Key template -> where it is used."""
    found: dict[str, list[str]] = {}
    for template, _persist, where in _widget_calls():
        found.setdefault(template, []).append(where)
    return found


def test_kept_widgets_keep_their_value_for_the_session():
    """Streamlit drops an undrawn widget's value on a page switch unless `persist_state="session"`: every
    kept widget says it at the widget (a reload or restart then restores it from the project)."""
    wrong = [(t, w) for t, persist, w in _widget_calls() if (t in KEPT) != (persist == "session")]
    assert not wrong, f"kept widgets need persist_state='session', transient ones none: {wrong}"


def test_every_keyed_widget_is_kept_or_transient():
    undeclared = {k: v for k, v in widget_keys().items() if k not in KEPT and k not in TRANSIENT}
    assert not undeclared, f"declare these widget keys in core.params KEPT or TRANSIENT: {undeclared}"


def test_no_declaration_is_stale_or_both():
    used = set(widget_keys())
    assert not (set(KEPT) - used), f"declared but no widget uses them: {set(KEPT) - used}"
    assert not (TRANSIENT - used), f"declared but no widget uses them: {TRANSIENT - used}"
    assert not set(KEPT) & TRANSIENT


def test_kept_keys_are_what_the_autosave_saves_and_transient_ones_are_not():
    for template, example in KEPT.items():
        assert PERSISTED.match(example), (template, example)
    for template in TRANSIENT:
        sample = template.replace("{}", "x")
        assert not PERSISTED.match(sample), template


def test_the_scan_reads_every_kind_of_key():
    """The scan can fail: literal, f-string, concatenated and variable keys are all seen."""
    code = 'st.button("a", key="plain"); st.slider("b", key=f"t_{x}"); st.text_input("c", key=k + "lr"); ' \
           'st.radio("d", key=state.SWITCH); st.selectbox("e", key=keys[0])'
    keys = [_template(kw.value) for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Call)
            for kw in node.keywords if kw.arg == "key"]
    assert sorted(keys) == sorted(["plain", "t_{}", "{}lr", "<state.SWITCH>", "<keys>"])
