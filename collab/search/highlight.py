"""Highlighted snippets that mark whole words, built with the same analyzer as the index.

Stored text is pre-segmented (Khmer words separated by U+200B), so the analyzer's tokens are
exactly the words a reader sees. A Latin word is marked when its stem equals a query stem; a
Khmer word is marked when it overlaps an occurrence of a Khmer query word, which also covers
words found through the sub-word fallback. Every piece of text is HTML-escaped: only our own
<mark> tags reach the page.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from collab.search.analysis import ZWSP, is_khmer, khmer_analyzer, normalise

_ANALYZER = khmer_analyzer()


def query_terms(query: str) -> tuple[set[str], list[str]]:
    """(Latin stems, normalised Khmer words) of a user query."""
    latin, khmer = set(), []
    for token in _ANALYZER(query, mode="query", keeporiginal=True):
        if is_khmer(token.original):
            khmer.append(token.original)
        else:
            latin.add(token.text)
    return latin, khmer


def _khmer_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    """Spans (in ``text``) of each Khmer word's occurrences, ignoring U+200B."""
    positions = [i for i, ch in enumerate(text) if ch != ZWSP]
    bare = "".join(text[i] for i in positions)
    spans = []
    for word in words:
        start = bare.find(word)
        while start != -1 and word:
            spans.append((positions[start], positions[start + len(word) - 1] + 1))
            start = bare.find(word, start + 1)
    return spans


def matched_tokens(text: str, query: str) -> list[tuple[int, int, bool]]:
    """(start, end, matched) for every word of stored ``text``."""
    latin, khmer = query_terms(query)
    spans = _khmer_spans(text, khmer) if khmer else []
    out = []
    for t in _ANALYZER(text, chars=True, mode="index", removestops=False):
        if is_khmer(t.text):
            hit = any(s < t.endchar and t.startchar < e for s, e in spans)
        else:
            hit = t.text in latin
        out.append((t.startchar, t.endchar, hit))
    return out


def snippet(text: str, query: str, *, width: int = 220) -> SafeString:
    """An escaped excerpt around the first match with matched words in <mark>."""
    text = normalise(text) if ZWSP not in text else text
    tokens = matched_tokens(text, query)
    first = next((t for t in tokens if t[2]), None)
    start = 0
    if first and first[0] > width // 3:
        start = max(0, first[0] - width // 3)
        start = next((s for s, _e, _m in tokens if s >= start), first[0])
    end = min(len(text), start + width)
    if end < len(text):
        end = max((e for _s, e, _m in tokens if e <= end), default=end)
    parts, at = [], start
    for s, e, hit in tokens:
        if not hit or s < start or e > end:
            continue
        parts.append(escape(text[at:s]))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        at = e
    parts.append(escape(text[at:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)
