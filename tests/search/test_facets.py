"""Facet counts and the access filter come from doc-sets cached per searcher: they must stay
exact, and a new index generation must not serve the old sets."""

from collab.search.selectors import search


def _counts(page) -> dict[str, int]:
    return {key: count for key, _label, count in page.facets}


def test_facet_counts_are_exact_and_independent_of_the_chosen_type(
    make_person, make_unit, make_user, indexed
):
    for i in range(3):
        make_unit(f"Rattanak clinic {i}", "មណ្ឌលសុខភាព", kind="health_centre")
    for i in range(5):
        make_person("Rattanak", f"Staff{i}")
    make_person("Other", "Name")
    indexed()
    user = make_user()

    everything = search(user=user, query="rattanak")
    assert everything.count == 8
    assert _counts(everything)["person"] == 5 and _counts(everything)["unit"] == 3

    units = search(user=user, query="rattanak", type="unit")
    assert units.count == 3 and {hit.type for hit in units.items} == {"unit"}
    assert _counts(units)["person"] == 5  # counts still cover every type

    make_person("Rattanak", "Newcomer")
    indexed()
    after = search(user=user, query="rattanak")
    assert after.count == 9 and _counts(after)["person"] == 6
    assert "Rattanak Newcomer" in [hit.title for hit in after.items]


def test_second_page_and_past_the_end(make_person, make_user, indexed):
    for i in range(25):
        make_person("Pagingname", f"P{i}")
    indexed()
    user = make_user()
    first = search(user=user, query="pagingname", page=1)
    second = search(user=user, query="pagingname", page=2)
    assert len(first.items) == 20 and len(second.items) == 5 and second.count == 25
    assert not {h.id for h in first.items} & {h.id for h in second.items}
    assert search(user=user, query="pagingname", page=3).items == []
