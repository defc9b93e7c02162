"""The reviewed bilingual medical glossary bridges Khmer and English at query time."""

import pytest
from haystack.constants import DJANGO_ID

from collab.search.glossary import expand
from collab.search.models import GlossaryEntry
from collab.search.selectors import expanded_query_string
from collab.search.services import backend
from tests.search.test_relevance import _doc

GROUPS = [
    ["គ្រុនឈាម", "dengue", "dengue fever", "DHF"],
    ["ទឹកអំបិលខ្សោះជាតិ", "oral rehydration salts", "ORS"],
]


def test_a_glossary_word_becomes_its_alternatives_and_other_words_stay():
    assert expand("គ្រុនឈាម កុមារ", GROUPS) == [
        ["គ្រុនឈាម", "dengue", "dengue fever", "DHF"],
        ["កុមារ"],
    ]
    # the longest phrase wins, case does not matter; exclusions and quotes stay as typed
    assert expand("Dengue Fever ward", GROUPS)[0][0] == "Dengue Fever"
    assert expand("oral rehydration salts", GROUPS) == [
        ["oral rehydration salts", "ទឹកអំបិលខ្សោះជាតិ", "ORS"]
    ]
    assert expand("-dengue ward", GROUPS) == [["-dengue"], ["ward"]]
    assert expand('"dengue fever"', GROUPS) == [['"dengue'], ['fever"']]


@pytest.fixture
def bilingual_index(db):
    docs = {
        "en": "Dengue in children: watch for warning signs and give fluids by mouth.",
        "km": "ជំងឺគ្រុនឈាមចំពោះកុមារ៖ តាមដានសញ្ញាគ្រោះថ្នាក់ និងផ្តល់ទឹកតាមមាត់។",
        "other": "Malaria testing with a rapid diagnostic test at the health centre.",
    }
    backend().write(docs=[_doc(k, t) for k, t in docs.items()], remove_ids=[])


def _found(query: str) -> set[str]:
    be = backend()
    hits = be.searcher().search(be.parse(expanded_query_string(query)), limit=10)
    return {hit[DJANGO_ID] for hit in hits}


def test_khmer_finds_english_and_english_finds_khmer(bilingual_index):
    assert GlossaryEntry.objects.filter(term_km="គ្រុនឈាម", reviewed=True).exists()  # shipped
    assert _found("គ្រុនឈាម") == {"en", "km"}
    assert _found("dengue") == {"en", "km"}
    assert _found("គ្រុនឈាម កុមារ") == {"km"}  # every other word must still match
    assert _found("malaria") == {"other"}


def test_unreviewed_entries_widen_nothing(bilingual_index):
    GlossaryEntry.objects.filter(term_en="dengue").update(reviewed=False)
    assert _found("គ្រុនឈាម") == {"km"}
    assert _found("dengue") == {"en"}
