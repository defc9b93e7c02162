"""A person or unit whose name is exactly what was searched comes first, on page 1 only, and
paging neither repeats nor skips a result."""

import pytest

from collab.search.selectors import search
from realtime.chat.models import Membership, Message, Room


@pytest.fixture
def chatty(db, make_user, make_person, make_unit):
    """Sok Dara (English and Khmer names), and many messages that say her name more often
    than her directory entry does (so plain ranking puts them above her)."""
    searcher = make_user()
    dara = make_person("Sok", "Dara", "សុខ", "ដារា")
    make_person("Sok", "Darany")  # a longer name: not an exact match
    make_unit(name_en="Dara Health Centre", name_km="មណ្ឌលសុខភាពដារា")
    room = Room.objects.create(kind=Room.Kind.PUBLIC, name="Ward")
    Membership.objects.create(room=room, user=searcher)
    for n in range(7):
        Message.objects.create(
            room=room, author=searcher, client_id=str(n), body=f"Sok Dara sok dara {n}"
        )
    return searcher, dara


def test_exact_name_first_in_english_and_khmer(chatty, indexed, settings):
    indexed()
    searcher, dara = chatty
    for query in ("sok dara", "  Sok   DARA ", "សុខ ដារា", "សុខដារា"):
        first = search(user=searcher, query=query).items[0]
        assert (first.type, first.id) == ("person", str(dara.pk)), query
    # Only with the right type filter.
    assert search(user=searcher, query="Sok Dara", type="person").items[0].id == str(dara.pk)
    assert all(h.type == "message" for h in search(user=searcher, query="Sok Dara",
                                                      type="message").items)


def test_pages_with_a_promoted_name_neither_repeat_nor_skip(chatty, indexed):
    indexed()
    searcher, _dara = chatty
    everything = search(user=searcher, query="Sok Dara", per_page=50)
    seen, page = [], 1
    while True:
        result = search(user=searcher, query="Sok Dara", page=page, per_page=3)
        assert result.count == everything.count
        seen += [(h.type, h.id) for h in result.items]
        if not result.has_next:
            break
        page += 1
    assert len(seen) == len(set(seen)) == everything.count
    assert seen == [(h.type, h.id) for h in everything.items]
    facets = {key: n for key, _label, n in everything.facets}
    assert (facets["person"], facets["message"], everything.count) == (1, 7, 8)


def test_a_deactivated_person_is_not_promoted(chatty, indexed):
    searcher, dara = chatty
    indexed()
    type(dara).objects.filter(pk=dara.pk).update(active=False)  # not reindexed yet
    assert ("person", str(dara.pk)) not in {
        (h.type, h.id) for h in search(user=searcher, query="Sok Dara").items
    }
