"""Pages and JSON travel gzipped to a browser that accepts it; files never do."""

import gzip

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_are_gzipped_files_are_not(django_user_model):
    user = django_user_model.objects.create_user("dara", password="x")
    client = Client(headers={"Accept-Encoding": "gzip, br"})
    client.force_login(user)
    page = client.get("/")
    assert page["Content-Encoding"] == "gzip" and "Accept-Encoding" in page["Vary"]
    assert b"<html" in gzip.decompress(page.content)
    assert "Content-Encoding" not in Client().get("/accounts/login/")  # not asked for
    netcheck = client.get("/meetings/netcheck/")  # random bytes, like any file
    assert netcheck.status_code == 200 and "Content-Encoding" not in netcheck
