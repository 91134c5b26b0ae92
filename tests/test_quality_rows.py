"""Every data-quality count opens the rows it counts; zero-width characters are counted; the
Traditional conversion is reported with a sample on the Corpus page."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.corpus import load_corpus
from core.quality_rows import issue_rows, zero_width_count
from fixture_paths import ROOT

TEXTS = ["好评\u200b好评", "  ", "这个手机很好", "这个手机很好", "bad\x07bell", "\ufeff开头有BOM", "的 了", "這個軟體很好用，我們都喜歡"]


def test_issue_rows_name_every_counted_row():
    rows = issue_rows(TEXTS, [["好评"], [], ["手机"], ["手机"], ["bad"], ["开头"], [], ["软体"]])
    assert rows["empty texts"] == [1]
    assert rows["exact duplicates"] == [3]
    assert rows["control characters"] == [4]
    assert rows["zero-width characters"] == [0, 5]
    assert rows["no tokens left"] == [1, 6]
    assert zero_width_count(TEXTS + ["\u200d\u200d"]) == 4


def test_corpus_page_opens_rows_and_reports_conversion():
    csv = "text\n" + "\n".join(f'"{t}"' for t in TEXTS) + "\n"
    corpus = load_corpus(csv.encode("utf-8"), "issues.csv")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["corpus"] = corpus
    at.run()
    assert not at.exception, at.exception
    assert next(m.value for m in at.metric if m.label == "Zero-width characters") == "2"
    pick = at.selectbox(key="corpus_issue_pick")
    assert any(o.startswith("exact duplicates (1)") for o in pick.options)
    pick.set_value("zero-width characters").run()
    table = [d.value for d in at.dataframe if list(d.value.columns) == ["row", "text"]][0]
    assert table["row"].tolist() == [0, 5] and "⟨U+200B⟩" in table["text"][0]
    assert any("were written in Traditional Chinese" in m.value for m in at.markdown)
    sample = [d.value for d in at.dataframe if list(d.value.columns) == ["before", "after"]][0]
    assert sample["before"][0] == TEXTS[7] and sample["after"][0].startswith("这个软体")


def test_inspect_reports_zero_width_characters(tmp_path, capsys):
    import json

    from core.cli import main

    path = tmp_path / "zw.csv"
    path.write_text("text\n好评\u200b好评\n中\ufeff间有BOM\u200d\n普通文本\n", encoding="utf-8")
    assert main(["inspect", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["zero_width_chars"] == 3
