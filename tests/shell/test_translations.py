"""The shell's Khmer catalogue is complete: every string of its templates is translated."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "locale" / "km" / "LC_MESSAGES" / "django.po"
TEMPLATE_DIRS = [
    REPO / "collab" / "templates",
    REPO / "collab" / "core" / "templates",
    REPO / "collab" / "accounts" / "templates",
]
TRANSLATE_TAG = re.compile(r"""\{%\s*translate\s+(["'])(.+?)\1""")


def catalogue() -> dict[str, str]:
    """msgid -> msgstr (msgstr[0] for plurals) of the root Khmer catalogue."""
    entries: dict[str, str] = {}
    text = CATALOGUE.read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[0\])?) "(.*)"$', line)
            if match:
                current = match.group(1).replace("[0]", "")
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            entries[fields["msgid"].replace('\\"', '"')] = fields.get("msgstr", "")
    return entries


def test_every_entry_has_a_khmer_translation():
    entries = catalogue()
    assert len(entries) > 90
    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    assert untranslated == []
    assert "#, fuzzy\nmsgid" not in CATALOGUE.read_text(encoding="utf-8").split("\n\n", 1)[1]
    khmer = re.compile("[\u1780-\u17ff]")
    assert [m for m, s in entries.items() if not khmer.search(s)] == []


@pytest.mark.parametrize("folder", TEMPLATE_DIRS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_template_string_is_in_the_catalogue(folder):
    entries = catalogue()
    missing = []
    for template in folder.rglob("*.html"):
        for _quote, text in TRANSLATE_TAG.findall(template.read_text(encoding="utf-8")):
            if text not in entries:
                missing.append(f"{template.name}: {text}")
    assert missing == []
