"""The report in a real browser: Debian's headless Chromium opens the page from the file
system, with no console error and no request beyond the report's own files; the QA-flag
filter, search and the bead context work; a screenshot is saved. Skips without Chromium,
except in CI (`CI` set), where `.ci/run` installs it."""

import json
import os

import pytest

from builder.cli import main
from tests.align.test_align import _channels
from tests.helpers import load_script

chromium = load_script("headless_chromium")
HOSTILE = 'Beware of <img src=x onerror="window.__xss=1"> and </script><script>window.__xss=2</script> today.'


@pytest.fixture
def browser():
    if chromium.find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run installs Debian's chromium")
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium); CI runs this test")
    with chromium.Chromium(width=1280, height=900) as b:
        yield b


def _build(tiny_models, tmp_path):
    en, ru, _ = _channels(tmp_path)
    posts = [json.loads(line) for line in en.read_text(encoding="utf-8").splitlines()]
    posts.append({"id": 77, "date": 1709276400, "channel": "City EN", "text": HOSTILE})
    en.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in posts), encoding="utf-8")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(json.dumps({
        "name": "review", "input": {"paths": [str(en)]},
        "parallel": [{"lang": "ru", "paths": [str(ru)]}],
        "translate": {"targets": ["ru"], "models": {"ru": str(tiny_models["ru"])},
                      "max_new_tokens": 12, "cache_dir": str(tmp_path / "cache")},
    }), encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["build", str(cfg), "--out", str(out), "-q"]) == 0
    assert main(["report", str(out), "-q"]) == 0
    return out / "report" / "index.html"


def _table(b, kind):
    return b.evaluate(f"""(() => {{
        const s = document.querySelector('section[data-kind="{kind}"]');
        return {{count: Number(s.dataset.count),
                 ids: Array.from(s.querySelectorAll('tbody tr.row')).map(r => r.dataset.id),
                 options: Array.from(s.querySelectorAll('select.facet option')).map(o => o.value)}};
    }})()""")


def test_report_in_headless_chromium(tiny_models, tmp_path, browser):
    page = _build(tiny_models, tmp_path)
    browser.open(page.as_uri())
    assert browser.errors() == []
    assert all(u.startswith(page.parent.as_uri()) for u in browser.requests()), browser.requests()

    before = _table(browser, "pairs")
    assert before["count"] > 0 and len(before["ids"]) == min(50, before["count"])
    counts = browser.evaluate("""Array.from(document.querySelectorAll(
        'section[data-kind="pairs"] select.facet option')).map(o => [o.value, o.textContent])""")
    flags = sorted((int(text.rsplit("(", 1)[1].rstrip(")")), value) for value, text in counts
                   if value)
    n, flag = next((n, f) for n, f in flags if 0 < n < before["count"])
    browser.evaluate(f"""(() => {{ const f = document.querySelector(
        'section[data-kind="pairs"] select.facet'); f.value = {json.dumps(flag)};
        f.dispatchEvent(new Event('change')); }})()""")
    after = _table(browser, "pairs")
    assert after["count"] == n and after["ids"] != before["ids"]
    shown_flags = browser.evaluate("""Array.from(document.querySelectorAll(
        'section[data-kind="pairs"] tbody tr.row td.c-qa_flags')).map(td => td.textContent)""")
    assert shown_flags and all(flag in text for text in shown_flags)

    browser.evaluate("""(() => { const s = document.querySelector('section[data-kind="segments"] input.search');
        s.value = 'Beware'; s.dispatchEvent(new Event('input')); })()""")
    assert _table(browser, "segments")["count"] >= 1
    assert browser.evaluate("document.querySelectorAll('main img, main script').length") == 0
    assert browser.evaluate("window.__xss === undefined")
    assert "onerror" in browser.evaluate(
        "document.querySelector('section[data-kind=\"segments\"] tbody').textContent")

    beads = _table(browser, "beads")
    assert beads["count"] > 0
    context = browser.evaluate("""(() => {
        const s = document.querySelector('section[data-kind="beads"]');
        s.querySelector('button.show-posts').click();
        const ctx = s.querySelector('tr.context');
        return Array.from(ctx.querySelectorAll('.post')).map(p => p.querySelectorAll('mark').length);
    })()""")
    assert len(context) == 2 and all(m >= 1 for m in context)

    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    assert browser.errors() == []
