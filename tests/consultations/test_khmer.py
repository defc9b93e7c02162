"""Khmer first: the patient's pages and the in-call words come in Khmer; catalogues complete."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

import collab.consultations
import realtime.calls
from collab.accounts.services import set_language

CATALOGUES = [
    Path(collab.consultations.__file__).parent / "locale/km/LC_MESSAGES/django.po",
    Path(realtime.calls.__file__).parent / "locale/km/LC_MESSAGES/django.po",
]


@pytest.mark.parametrize("path", CATALOGUES, ids=["consultations", "calls"])
def test_every_string_has_a_khmer_translation(path):
    text = path.read_text(encoding="utf-8")
    entries = re.findall(r'\nmsgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', text)
    assert len(entries) > 50
    untranslated = [i for i, s in entries if s.strip() == '""' and i.strip() != '""']
    assert untranslated == []
    assert "#, fuzzy" not in text


@pytest.mark.django_db
def test_refused_link_page_speaks_khmer():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    response = client.get("/consultations/join/nope/")
    assert response.status_code == 404
    assert "តំណនេះមិនអាចប្រើបានទេ" in response.content.decode()


@pytest.mark.django_db
def test_in_call_words_are_translated(appointment, doctor):
    set_language(user=doctor.user, language="km")  # the profile's language wins
    client = Client()
    client.force_login(doctor.user)
    page = client.get(f"/meetings/{appointment.meeting_id}/").content.decode()
    assert "ចូលឥឡូវនេះ" in page  # the "Join now" button
    strings = json.loads(re.search(r'id="call-strings"[^>]*>(.*?)</script>', page).group(1))
    assert strings["admit"] == "អនុញ្ញាតឱ្យចូល"


def test_every_refusal_of_the_services_speaks_khmer():
    """Each ServiceError message of the consultation services has a Khmer translation."""
    from django.utils import translation

    from collab.consultations import services

    source = Path(services.__file__).read_text(encoding="utf-8")
    messages = re.findall(r'(?:_forbidden|ServiceError)\(\s*(?:"\w+",\s*)?_\("([^"]+)"\)', source)
    with translation.override("en"):
        messages += [str(m) for _status, m in services.LINK_REFUSALS.values()]
    assert len(messages) >= 15
    with translation.override("km"):
        untranslated = [m for m in messages if translation.gettext(m) == m]
    assert untranslated == []
