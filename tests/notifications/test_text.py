"""emit() renders lazy gettext messages in every language itself; no Khmer is hard-coded
in the modules that emit (translators reach every word through the .po files)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from collab.notifications.services import Text, emit

from .factories import person

pytestmark = pytest.mark.django_db
KHMER = re.compile("[\u1780-\u17ff]")


def test_a_lazy_message_is_rendered_in_every_language_with_its_parameters():
    doctor = person("doc")
    [n] = emit(event_type="t.text", event_key="text:1", people=[doctor], url="/",
               message=Text(_("Video consultation at %(when)s."),
                            when=lambda: f"<{get_language()}>"))
    assert n.message_en == "Video consultation at <en>."
    assert n.message_km == "ការពិគ្រោះតាមវីដេអូនៅ <km>។"


@pytest.mark.parametrize("module", ["collab/consultations/notify.py", "realtime/chat/notify.py"])
def test_emitting_modules_hard_code_no_khmer(module):
    assert not KHMER.search(Path(settings.BASE_DIR, module).read_text())
