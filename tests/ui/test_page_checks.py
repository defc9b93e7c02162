"""The inventory's own checks catch what they claim to (tests/ui/page_checks.js), on pages
made here: white-on-white buttons, emoji-drawn controls, overflow, Latin text."""

import pytest

from .test_inventory import CHECKS_JS

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="km"><body style="margin:0;background:#fff">
<button style="color:#fff;background:#fff;border:1px solid #ccc">Reply</button>
<button style="color:#1d2630;background:#fff">Pin</button>
<button aria-label="Settings">&#9881;</button>
<div style="width:500px">wide</div>
<p>សួស្តី Hello <code>KH-01</code></p>
</body></html>"""


def test_contrast_glyphs_overflow_and_texts_are_caught(page):
    page.set_viewport_size({"width": 360, "height": 640})
    page.set_content(PAGE)
    checks = page.evaluate(
        f"() => {{ const c = {CHECKS_JS}; return {{ overflow: c.overflow(), "
        "contrast: c.contrast(), glyphs: c.glyphs(), texts: c.texts() }; }"
    )
    assert [c.split(" ")[1] for c in checks["contrast"]] == ["'Reply'"], checks["contrast"]
    assert len(checks["glyphs"]) == 1 and "⚙" in checks["glyphs"][0]
    assert checks["overflow"]["scrollWidth"] == 500 and checks["overflow"]["offenders"]
    texts = [t["text"] for t in checks["texts"]]
    assert "សួស្តី Hello" in texts and "KH-01" not in texts  # code is no prose
