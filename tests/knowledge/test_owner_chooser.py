"""The article owner is picked in a searchable position chooser, not a dropdown of all posts."""

import json

from django.urls import reverse


def _admin(client, kb):
    admin = kb.users["outsider"]
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client.force_login(admin)


def test_the_owner_field_is_a_chooser(client, kb):
    _admin(client, kb)
    html = client.get(f"/cms/pages/{kb.article.pk}/edit/").content.decode()
    assert '<select name="owner_position"' not in html
    assert reverse("knowledge_position_chooser:choose") in html
    assert "Head of paediatrics" in html  # the chosen owner is shown


def test_the_chooser_searches_titles_units_and_holders(client, kb):
    _admin(client, kb)
    url = reverse("knowledge_position_chooser:choose_results")
    by_title = client.get(url, {"q": "direct"}).content.decode()
    assert "Director" in by_title and "Nurse" not in by_title
    by_holder = client.get(url, {"q": "approver"}).content.decode()  # the Director's holder
    assert "Director" in by_holder and "Head of paediatrics" not in by_holder
    by_unit = client.get(url, {"q": "HC-Y"}).content.decode()
    assert "Nurse" in by_unit and "Director" not in by_unit
    chosen = client.get(reverse("knowledge_position_chooser:chosen", args=[kb.approver.pk]))
    assert json.loads(chosen.content)["result"]["id"] == str(kb.approver.pk)


def test_readers_cannot_use_the_chooser(client, kb):
    client.force_login(kb.users["reader"])
    response = client.get(reverse("knowledge_position_chooser:choose"))
    assert response.status_code in (302, 403)
