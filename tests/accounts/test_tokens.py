import io
import re

import pytest
from django.core.management import CommandError, call_command

from collab.accounts.models import PersonalToken
from collab.accounts.selectors import user_for_token
from tests.accounts.conftest import log_in

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r"sk_[A-Za-z0-9_-]{40,}")


def test_token_is_shown_once_then_only_its_prefix(client, member):
    log_in(client, "dara")
    created = client.post("/accounts/tokens/", {"name": "reporting script"})
    assert created.status_code == 201
    token = TOKEN_RE.search(created.content.decode()).group(0)
    assert user_for_token(token) == member
    row = PersonalToken.objects.get(user=member)
    assert row.digest != token and token not in row.digest  # only the hash is stored

    again = client.get("/accounts/profile/").content.decode()
    assert token not in again
    assert f"sk_{row.prefix}…" in again
    assert "reporting script" in again
    assert "Bearer &lt;token&gt;" in again  # help text escaped, not swallowed as a tag


def test_a_nameless_token_is_refused_and_nothing_is_created(client, member):
    log_in(client, "dara")
    response = client.post("/accounts/tokens/", {"name": "   "})
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not PersonalToken.objects.exists()


def test_revoke_only_own_tokens(client, member, django_user_model):
    other = django_user_model.objects.create_user("vanna", password="x")
    from collab.accounts.services import create_token

    mine = create_token(user=member, name="mine")
    theirs = create_token(user=other, name="theirs")
    log_in(client, "dara")
    their_row = PersonalToken.objects.get(user=other)
    refused = client.post(f"/accounts/tokens/{their_row.pk}/revoke/", follow=True)
    assert b"No such token" in refused.content
    assert user_for_token(theirs) == other

    my_row = PersonalToken.objects.get(user=member)
    assert client.get(f"/accounts/tokens/{my_row.pk}/revoke/").status_code == 405
    client.post(f"/accounts/tokens/{my_row.pk}/revoke/")
    assert user_for_token(mine) is None


def test_token_of_an_inactive_user_does_not_authenticate(member):
    from collab.accounts.services import create_token

    token = create_token(user=member, name="x")
    member.is_active = False
    member.save()
    assert user_for_token(token) is None


def test_create_token_command_prints_a_working_token(member):
    out = io.StringIO()
    call_command("create_token", "dara", "--name", "ci", stdout=out)
    token = out.getvalue().strip()
    assert TOKEN_RE.fullmatch(token)
    assert user_for_token(token) == member
    assert PersonalToken.objects.get(user=member).name == "ci"


def test_create_token_command_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_token", "nobody")


def test_profile_pages_need_login(client):
    for path in ["/accounts/profile/", "/accounts/password/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_admin_lists_profiles_and_tokens(admin_client, member):
    from collab.accounts.services import create_token, set_language

    create_token(user=member, name="listed")
    set_language(user=member, language="km")
    assert b"listed" in admin_client.get("/admin/accounts/personaltoken/").content
    assert b"dara" in admin_client.get("/admin/accounts/profile/").content
    assert admin_client.get("/admin/accounts/personaltoken/add/").status_code == 403
