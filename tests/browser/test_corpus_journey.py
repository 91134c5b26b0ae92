"""Real browser: upload a Chinese CSV through the file uploader and see it summarised."""

from __future__ import annotations

from playwright.sync_api import expect


def test_upload_chinese_csv_and_see_summary(live_server, browser_page, tmp_path):
    page = browser_page
    page.goto(live_server, wait_until="domcontentloaded")
    expect(page.get_by_text("Loaded 600 rows from demo_zh_news_titles.csv")).to_be_visible(timeout=60_000)

    csv_path = tmp_path / "新闻样本.csv"
    csv_path.write_bytes("text,label\r\n国足主教练人选引发球迷热议,体育\r\n央行下调存款准备金率,财经\r\n"
                         "新款手机搭载最新芯片,科技\r\n".encode("gbk"))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(csv_path))
    expect(page.get_by_text("Loaded 3 rows from 新闻样本.csv")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("gb18030").first).to_be_visible()
    # the sidebar status follows the upload on the same run
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("新闻样本.csv", timeout=30_000)
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("3 documents")
    # Chinese text from the file is rendered in the tokenized sample table (a canvas grid, so check via the DOM text).
    expect(page.get_by_text("Data quality")).to_be_visible()
    expect(page.get_by_text("Segmentation:", exact=False)).to_be_visible()
    page.screenshot(path=str(tmp_path / "corpus.png"), full_page=True)
    assert (tmp_path / "corpus.png").stat().st_size > 10_000

    bad = tmp_path / "image.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(bad))
    expect(page.get_by_text("image.csv is a PNG image", exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Still using the corpus loaded before: 新闻样本.csv", exact=False)).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("新闻样本.csv")
    assert not page.page_errors
    assert page.blocked_requests == []  # offline: no fonts, icons or scripts from the internet
