"""Document sets as bitmaps cached per segment, and cheaper scoring of common words: counts
and facets stay exact, pages never overlap, nothing private leaks, deletions are seen."""

import pytest
from whoosh import query as wq

from collab.search import docsets
from collab.search.selectors import search
from collab.search.services import backend
from realtime.chat.models import Membership, Message, Room


def _counts(page) -> dict[str, int]:
    return {key: count for key, _label, count in page.facets if count}


def _every_term(searcher):
    for fieldname in ("text", "text_sub", "kind", "access"):
        for raw in searcher.lexicon(fieldname):
            yield fieldname, raw.decode() if isinstance(raw, bytes) else raw


def test_term_sets_equal_whooshs_own_over_segments_and_deletions(make_person, make_user, indexed):
    people = []
    for batch in range(3):  # batches big enough that Whoosh keeps them as separate segments
        people += [make_person("Segmentname", f"B{batch}n{i}") for i in range(12)]
        indexed()
    user = make_user()
    assert search(user=user, query="segmentname").count == 36  # fills the segment cache
    for person in people[::5]:
        person.active = False
        person.save()
    indexed()

    searcher = backend().searcher()
    assert len(searcher.leaf_searchers()) > 1
    assert any(leaf.reader().has_deletions() for leaf, _offset in searcher.leaf_searchers())
    deleted = {}
    for fieldname, text in _every_term(searcher):
        expected = set(searcher.docs_for_query(wq.Term(fieldname, text)))
        bits = docsets.term_bits(searcher, fieldname, text, deleted)
        assert set(docsets.BitsFilter(bits)) == expected, (fieldname, text)
    assert search(user=user, query="segmentname").count == 36 - len(people[::5])


def test_bitmap_helpers():
    bits = docsets.from_docnums([0, 3, 8, 9, 700])
    assert list(docsets.BitsFilter(bits)) == [0, 3, 8, 9, 700]
    assert 700 in docsets.BitsFilter(bits) and 701 not in docsets.BitsFilter(bits)
    assert 10**6 not in docsets.BitsFilter(bits)
    assert len(docsets.BitsFilter(bits)) == 5
    assert docsets.from_docnums([]) == 0 and list(docsets.BitsFilter(0)) == []


@pytest.fixture
def common_word(settings, make_person, make_unit, give_position, make_user, indexed):
    """'rattanak' is common (in more documents than the lowered threshold), 'clinic' rare;
    the two 'Short' people have the shortest documents."""
    settings.SAHAKAR_SEARCH_COMMON_TERM_DOCS = 5
    ministry = make_unit("Ministry", "ក្រសួង")
    for i in range(3):
        make_unit(f"Rattanak clinic {i}", "មណ្ឌលសុខភាព")
    for i in range(6):
        give_position(make_person("Rattanak", f"Staff{i}"), ministry, "Officer for plans")
    short = [make_person("Rattanak", f"Short{i}") for i in range(2)]
    indexed()
    return {"user": make_user(), "short": short}


def _hits(pages) -> list[tuple[str, str]]:
    return [(hit.type, hit.id) for page in pages for hit in page.items]


def test_rare_word_decides_while_common_word_still_must_match(common_word, make_unit, indexed):
    make_unit("Other clinic", "មណ្ឌល")
    indexed()
    page = search(user=common_word["user"], query="rattanak clinic")
    assert page.count == 3 and _counts(page) == {"unit": 3}
    assert sorted(hit.title for hit in page.items) == [f"Rattanak clinic {i}" for i in range(3)]


def test_common_words_only_rank_shortest_first_and_pages_partition(common_word):
    user = common_word["user"]
    pages = [search(user=user, query="rattanak", page=n, per_page=2) for n in range(1, 7)]
    assert [p.count for p in pages] == [11] * 6
    assert _counts(pages[0]) == {"person": 8, "unit": 3}
    assert {hit.title for hit in pages[0].items} == {"Rattanak Short0", "Rattanak Short1"}
    hits = _hits(pages)
    assert len(hits) == 11 and len(set(hits)) == 11  # every match once, none skipped
    assert not pages[-1].has_next
    everything = search(user=user, query="rattanak", per_page=20)
    assert sorted(_hits([everything])) == sorted(hits)


def test_common_words_only_never_show_private_documents(common_word, make_user, indexed):
    owner = make_user()
    room = Room.objects.create(kind=Room.Kind.PRIVATE, name="Managers")
    Membership.objects.create(room=room, user=owner)
    for i in range(4):  # shorter than every other document
        Message.objects.create(room=room, author=owner, client_id=f"m{i}", body="rattanak")
    indexed()
    outsider = common_word["user"]
    seen = [search(user=outsider, query="rattanak", page=n, per_page=2) for n in range(1, 7)]
    assert {hit_type for hit_type, _id in _hits(seen)} == {"person", "unit"}
    assert len(_hits(seen)) == 11 and seen[0].count == 11
    assert "message" not in _counts(seen[0])
    assert {hit.title for hit in seen[0].items} == {"Rattanak Short0", "Rattanak Short1"}
    assert _counts(search(user=owner, query="rattanak"))["message"] == 4


def test_deactivated_person_disappears_from_cached_sets(common_word, indexed):
    user = common_word["user"]
    assert search(user=user, query="rattanak").count == 11
    person = common_word["short"][0]
    person.active = False
    person.save()
    indexed()
    page = search(user=user, query="rattanak", per_page=2)
    assert page.count == 10 and "Rattanak Short0" not in {hit.title for hit in page.items}
