import pytest
from django.test import Client

from collab.accounts.services import set_language

pytestmark = pytest.mark.django_db


def test_404_uses_the_shell_in_the_users_language(client, member):
    set_language(user=member, language="km")
    client.force_login(member)
    response = client.get("/directory/units/NO-SUCH-UNIT/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'id="not-found"' in html
    assert "រកមិនឃើញទំព័រ" in html  # "Page not found"
    assert 'data-nav="directory"' in html


def test_an_expired_form_explains_itself_and_saves_nothing(member):
    from collab.accounts.models import Profile

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    response = strict.post("/accounts/profile/language/", {"language": "km"})
    assert response.status_code == 403
    assert b'id="csrf-failure"' in response.content
    assert b"Nothing was saved" in response.content
    assert not Profile.objects.filter(user=member, language="km").exists()
