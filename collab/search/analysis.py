"""Khmer-aware text analysis shared by indexing, querying and highlighting.

Written Khmer has no spaces between words. Text is normalised, then each run of Khmer is
segmented into words with khmercut and the words are joined with ZERO WIDTH SPACE, the
invisible word-break Khmer writers use themselves. That "pre-segmented" text is what the
index stores: it displays exactly like the original (and lets browsers wrap lines between
words), and any engine that splits on U+200B indexes the same words (see docs/search.md).

A word segmented alone can differ from the same word inside a sentence, so every Khmer word
is also indexed by its "sub-words": every run of two or more consecutive character clusters
inside it. A query word (or a whole run of Khmer in the query) then matches either as a word
or as a sub-word of an indexed word, with one term lookup each.
"""

import re
import unicodedata
from functools import lru_cache

import khmercut
from whoosh.analysis import Composable, Filter, Token, Tokenizer
from whoosh.lang.porter import stem as porter_stem

ZWSP = "\u200b"
_INVISIBLES = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")

# A Khmer run: letters, signs, digits and the repetition sign; punctuation (។ ៕ ៖ ៛ ...)
# ends a run. U+200B stays inside a run: in stored text it marks our word boundaries.
_KHMER_RUN = "\u1780-\u17d3\u17d7\u17dc\u17dd\u17e0-\u17e9\u19e0-\u19ff\u200b"
_TOKEN_RE = re.compile(rf"(?P<km>[{_KHMER_RUN}]+)|(?P<w>[^\W_\u1780-\u17ff\u19e0-\u19ff]+)")
_KHMER_RUN_RE = re.compile(rf"[{_KHMER_RUN}]+")

_BASE = re.compile("[\u1780-\u17b3]")
_COENG = "\u17d2"
_RO = "\u179a"
_ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or tbd that the this"
    " to us we when will with yet you your".split()
)


def _mark_rank(mark: str) -> int:
    """Canonical position of a dependent sign inside a Khmer cluster."""
    if mark.startswith(_COENG):
        return 11 if mark.endswith(_RO) else 10  # subscripts, coeng RO last
    code = ord(mark)
    if code in (0x17C9, 0x17CA, 0x17CC):  # register shifters, robat
        return 20
    if 0x17B6 <= code <= 0x17C5:  # dependent vowels
        return 30
    return 40  # nikahit, reahmuk, other signs


def _split_marks(marks: str) -> list[str]:
    parts: list[str] = []
    i = 0
    while i < len(marks):
        if marks[i] == _COENG and i + 1 < len(marks):
            parts.append(marks[i : i + 2])
            i += 2
        else:
            parts.append(marks[i])
            i += 1
    return parts


def _reorder_cluster(match: re.Match) -> str:
    base, marks = match.group(1), match.group(2)
    parts = sorted(_split_marks(marks), key=_mark_rank)  # stable: same-rank order kept
    deduped = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]
    text = base + "".join(deduped)
    # Split vowels typed as two signs: េ + ី → ើ, េ + າ → ោ.
    return text.replace("\u17c1\u17b8", "\u17be").replace("\u17c1\u17b6", "\u17c4")


_CLUSTER_RE = re.compile(
    "([\u1780-\u17b3])((?:\u17d2[\u1780-\u17b3]|[\u17b6-\u17d1\u17d3\u17dd])+)"
)


def normalise(text: str) -> str:
    """Remove invisible characters, compose (NFC) and put Khmer signs in canonical order."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLES))
    if not _BASE.search(text):
        return text
    return _CLUSTER_RE.sub(_reorder_cluster, text)


@lru_cache(maxsize=20000)
def segment_khmer(run: str) -> tuple[str, ...]:
    """Khmer words of one run of Khmer text (no invisible characters inside)."""
    return tuple(khmercut.tokenize(run)) if run else ()


def presegment(text: str) -> str:
    """Normalised text with every Khmer run split into words by U+200B (what is stored)."""
    text = normalise(text)
    return _KHMER_RUN_RE.sub(lambda m: ZWSP.join(segment_khmer(m.group(0))), text)


def clusters(run: str) -> list[str]:
    """Khmer character clusters (consonant plus its signs) of a run."""
    return khmercut.seg_kcc(run.replace(ZWSP, ""))


MAX_SUBWORD_CLUSTERS = 8


def subwords(word: str) -> list[str]:
    """Every run of 2 to 8 consecutive clusters of a Khmer word, and the word itself."""
    kccs = clusters(normalise(word))
    found = {"".join(kccs)} if len(kccs) > 1 else set()
    for i in range(len(kccs)):
        for j in range(i + 2, min(len(kccs), i + MAX_SUBWORD_CLUSTERS) + 1):
            found.add("".join(kccs[i:j]))
    return sorted(found)


def is_khmer(text: str) -> bool:
    return any("\u1780" <= ch <= "\u17ff" for ch in text)


class KhmerTokenizer(Tokenizer):
    """Khmer words and Latin/other words, with positions and character offsets.

    In "index" mode a Khmer run that already carries U+200B is split on it (text from
    :func:`presegment`); anything else is segmented with khmercut. In "query" mode input is
    normalised first (users type zero-width spaces anywhere).
    """

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        if mode != "index":
            value = normalise(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in _TOKEN_RE.finditer(value):
            if match.lastgroup == "w":
                pieces = [(match.group(0), match.start())]
            else:
                pieces = _khmer_words(match.group(0), match.start(), mode == "index")
            for text, start in pieces:
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text
                if positions:
                    token.pos = pos
                    pos += 1
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + start + len(text)
                yield token


def _khmer_words(run: str, offset: int, presegmented: bool) -> list[tuple[str, int]]:
    """(word, start) pairs; the words of each ZWSP-separated part concatenate back to it."""
    out, at = [], offset
    for part in run.split(ZWSP):
        words = (part,) if (presegmented and ZWSP in run) else segment_khmer(part)
        for word in words:
            if word:
                out.append((word, at))
            at += len(word)
        at += 1  # the ZWSP
    return out


class KhmerSubwordTokenizer(Tokenizer):
    """The sub-words (see :func:`subwords`) of every Khmer word; Latin text yields nothing."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, start_pos=0, mode="", **kwargs):
        if mode != "index":
            value = normalise(value)
        token = Token(positions, chars, mode=mode, **kwargs)
        pos = start_pos
        for match in _KHMER_RUN_RE.finditer(value):
            for word, _start in _khmer_words(match.group(0), 0, mode == "index"):
                for sub in subwords(word):
                    token.text = sub
                    token.boost = 1.0
                    token.stopped = False
                    if positions:
                        token.pos = pos
                        pos += 1
                    yield token


class KhmerLatinFilter(Filter):
    """Lower-case; Khmer digits as ASCII; English stop words and stemming for Latin words."""

    def __init__(self, stem: bool = True):
        self.stem = stem

    def __eq__(self, other):
        return other.__class__ is self.__class__ and other.stem == self.stem

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if is_khmer(text):
                t.text = text.translate(_KHMER_DIGITS)
                yield t
                continue
            text = text.lower()
            if text in _ENGLISH_STOP_WORDS:
                if t.removestops:
                    continue
                t.stopped = True
            t.text = _stem(text) if self.stem else text
            yield t


@lru_cache(maxsize=50000)
def _stem(word: str) -> str:
    return porter_stem(word)


def khmer_analyzer(*, stem: bool = True) -> Composable:
    return KhmerTokenizer() | KhmerLatinFilter(stem=stem)


def khmer_subword_analyzer() -> Composable:
    return KhmerSubwordTokenizer()


def analyse(text: str, *, mode: str = "query", stem: bool = True) -> list[str]:
    return [t.text for t in khmer_analyzer(stem=stem)(text, mode=mode)]
