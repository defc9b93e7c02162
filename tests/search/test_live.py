"""End to end, as under `make run`: a save in one process, the worker's single writer in
another, and Daphne answering the search API from its own long-lived searcher."""

import json
import time
from urllib.parse import quote

import pytest

from collab.directory.models import Person
from tests.support.live import login_cookie

pytestmark = [pytest.mark.live]


def _search(server, cookie, q):
    status, _headers, body = server.get(f"/api/v1/search?q={quote(q)}", cookie=cookie)
    assert status == 200, body[:500]
    return [item["title"] for item in json.loads(body)["items"]]


def _eventually(check, timeout=30.0):
    """Poll until ``check()`` is truthy (the time it takes is measured in bench/, not here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    return check()


def test_saved_person_becomes_searchable_through_worker_and_daphne(live_servers, django_user_model):
    (server,) = live_servers(1, with_worker=True)
    user = django_user_model.objects.create_user("searcher", password="pw-searcher-1")
    cookie = login_cookie(user)
    Person.objects.create(
        employee_id="LIVE-1",
        family_name_en="Nhem",
        given_name_en="Sreymom",
        family_name_km="ញឹម",
        given_name_km="ស្រីមុំ",
    )
    assert _eventually(lambda: _search(server, cookie, "ស្រីមុំ")) == ["Nhem Sreymom"]
    person = Person.objects.get(employee_id="LIVE-1")
    person.given_name_en = "Sreypov"
    person.save()
    assert _eventually(lambda: _search(server, cookie, "sreypov")) == ["Nhem Sreypov"]
    person.active = False
    person.save()
    assert _eventually(lambda: _search(server, cookie, "sreypov") == []) is True
