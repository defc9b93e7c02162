import itertools

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from haystack import connections

from collab.directory.models import OrgUnit, Person, Position
from collab.search.services import drain_index_queue

_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def search_index(tmp_path):
    """A fresh, empty index per test (in this test's tmp dir)."""
    conf = django_settings.HAYSTACK_CONNECTIONS["default"]
    old = conf["PATH"]
    conf["PATH"] = str(tmp_path / "whoosh_index")
    connections.reload("default")
    yield tmp_path / "whoosh_index"
    conf["PATH"] = old
    connections.reload("default")


@pytest.fixture
def make_user(db):
    def make(username=None, **kwargs):
        username = username or f"user{next(_codes)}"
        return get_user_model().objects.create_user(
            username=username, password="pw-123456!x", **kwargs
        )

    return make


@pytest.fixture
def make_person(db):
    def make(family_en="Sok", given_en="Dara", family_km="", given_km="", user=None, **kwargs):
        n = next(_codes)
        return Person.objects.create(
            employee_id=f"E{n:05d}",
            family_name_en=family_en,
            given_name_en=given_en,
            family_name_km=family_km,
            given_name_km=given_km,
            user=user,
            **kwargs,
        )

    return make


@pytest.fixture
def make_unit(db):
    def make(name_en="Health Centre", name_km="មណ្ឌលសុខភាព", parent=None, kind="health_centre"):
        return OrgUnit.objects.create(
            code=f"U{next(_codes)}", kind=kind, name_en=name_en, name_km=name_km, parent=parent
        )

    return make


@pytest.fixture
def give_position(db):
    def give(person, unit, title_en="Officer", title_km="មន្ត្រី"):
        return Position.objects.create(
            unit=unit, title_en=title_en, title_km=title_km, holder=person
        )

    return give


@pytest.fixture
def indexed():
    """Apply the queued index updates, as the worker does every second."""
    return drain_index_queue
