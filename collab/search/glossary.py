"""Query-time bridge between Khmer and English: a word of the query that is a reviewed
glossary term (GlossaryEntry) is searched as "that term OR any of its other terms", so
"គ្រុនឈាម" also finds articles that only say "dengue"."""

from collab.search.analysis import normalise


def _key(text: str) -> str:
    return " ".join(normalise(text).casefold().split())


def synonym_groups() -> list[list[str]]:
    from collab.search.models import GlossaryEntry

    return [entry.terms for entry in GlossaryEntry.objects.filter(reviewed=True)]


def expand(query: str, groups: list[list[str]] | None = None) -> list[list[str]]:
    """The query as units, each a list of alternatives: ``[["គ្រុនឈាម", "dengue"], ["កុមារ"]]``.
    Glossary terms are matched whole (longest first); quoted phrases and -exclusions are left
    as the user typed them."""
    groups = synonym_groups() if groups is None else groups
    lookup: dict[str, list[str]] = {}
    for terms in groups:
        for term in terms:
            lookup.setdefault(_key(term), terms)
    if not lookup or '"' in query:
        return [[word] for word in query.split()]
    words = query.split()
    units: list[list[str]] = []
    i = 0
    while i < len(words):
        for j in range(len(words), i, -1):  # the longest glossary phrase starting at i
            terms = lookup.get(_key(" ".join(words[i:j])))
            if terms and not words[i].startswith("-"):
                phrase = " ".join(words[i:j])
                units.append([phrase, *[t for t in terms if _key(t) != _key(phrase)]])
                i = j
                break
        else:
            units.append([words[i]])
            i += 1
    return units
