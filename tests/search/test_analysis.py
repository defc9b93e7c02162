from collab.search.analysis import ZWSP, analyse, normalise, presegment, subwords
from collab.search.highlight import snippet

SENTENCE = "ក្រសួងសុខាភិបាលបានចាប់ផ្តើមយុទ្ធនាការចាក់វ៉ាក់សាំង"


def test_normalise_removes_invisible_characters():
    assert normalise("សុ\u200bខា\u200cភិ\u200dបាល\ufeff") == "សុខាភិបាល"


def test_normalise_puts_subscript_before_vowel():
    typed = "ក\u17bb\u17d2\u179a\u1798"  # ក + ុ + ្រ + ម: vowel typed before the subscript
    assert normalise(typed) == "ក្រុម"


def test_normalise_joins_split_vowels():
    assert normalise("ក\u17c1\u17b8ត") == "កើត"
    assert normalise("ប\u17c1\u17b6ះ") == "បោះ"


def test_normalise_composes_latin():
    assert normalise("cafe\u0301") == "café"


def test_presegment_keeps_text_and_marks_words():
    stored = presegment(SENTENCE)
    assert stored.replace(ZWSP, "") == SENTENCE
    assert stored.split(ZWSP)[:3] == ["ក្រសួង", "សុខាភិបាល", "បាន"]


def test_index_and_query_modes_agree_on_words():
    stored = presegment(SENTENCE)
    assert analyse(stored, mode="index") == analyse(SENTENCE, mode="query")


def test_latin_is_lowercased_and_stemmed_and_khmer_digits_match_ascii():
    assert analyse("Vaccinations for the CHILDREN") == ["vaccin", "children"]
    assert analyse("២០២៤") == analyse("2024")


def test_mixed_text_keeps_both_scripts():
    assert analyse("COVID-19 វ៉ាក់សាំង booster") == ["covid", "19", "វ៉ាក់សាំង", "booster"]


def test_subwords_are_runs_of_clusters_inside_a_word():
    assert subwords("ចាក់") == ["ចាក់"]  # ចា + ក់
    assert subwords("ការចាក់") == sorted({"ការ", "រចា", "ចាក់", "ការចា", "រចាក់", "ការចាក់"})
    assert subwords("ក") == []  # a single cluster: only ever matched as a word


def test_snippet_marks_whole_khmer_words_only():
    html = snippet(presegment(SENTENCE), "វ៉ាក់")
    assert "<mark>វ៉ាក់សាំង</mark>" in html  # the whole word, though the query was a part


def test_snippet_escapes_user_html():
    html = snippet(presegment("<script>alert(1)</script> ឱសថ <b>bold</b>"), "ឱសថ")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>ឱសថ</mark>" in html
