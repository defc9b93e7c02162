"""haystack field classes carrying the Whoosh field type our backend gives them."""

from haystack import fields as hf
from whoosh import fields as wf
from whoosh import query as wq

from collab.search.analysis import (
    clusters,
    is_khmer,
    khmer_analyzer,
    khmer_subword_analyzer,
)


class KhmerTEXT(wf.TEXT):
    """Whoosh TEXT that turns query text into: every word, as a word or as a sub-word of
    an indexed Khmer word (in ``<field>_sub``); every run of Khmer, as a sub-word too."""

    def __init__(self, *, sub_field: str | None = None, stem: bool = True, **kwargs):
        super().__init__(analyzer=khmer_analyzer(stem=stem), **kwargs)
        self.sub_field = sub_field

    def self_parsing(self):
        return True

    def parse_query(self, fieldname, qstring, boost=1.0):
        parts = []
        for run in _runs(self.analyzer(qstring, mode="query", keeporiginal=True, chars=True)):
            words = [self._word(fieldname, text, original, boost) for text, original in run]
            query = words[0] if len(words) == 1 else wq.And(words)
            khmer = "".join(original for _text, original in run)
            if self.sub_field and len(run) > 1:
                # Segmented alone, a word may split into pieces (even single clusters) that
                # the same word inside a sentence does not: match the whole run as well.
                query = wq.Or([query, wq.Term(self.sub_field, khmer, boost=boost)])
            parts.append(query)
        if not parts:
            return wq.NullQuery
        return parts[0] if len(parts) == 1 else wq.And(parts)

    def _word(self, fieldname, text, original, boost):
        term = wq.Term(fieldname, text, boost=boost * 2)
        if self.sub_field and is_khmer(text) and len(clusters(original)) > 1:
            return wq.Or([term, wq.Term(self.sub_field, original, boost=boost)])
        return term


def _runs(tokens):
    """Group tokens into runs: consecutive Khmer words written without a space form one run;
    every other token is a run of its own. Yields lists of (text, original)."""
    run, end = [], None
    for t in tokens:
        khmer = is_khmer(t.original)
        if run and khmer and t.startchar == end and is_khmer(run[-1][1]):
            run.append((t.text, t.original))
        else:
            if run:
                yield run
            run = [(t.text, t.original)]
        end = t.endchar
    if run:
        yield run


class KhmerTextField(hf.CharField):
    """Khmer-aware full text; ``subwords`` also indexes Khmer sub-words in ``<name>_sub``."""

    def __init__(self, *, subwords: bool = False, stem: bool = True, **kwargs):
        self.with_subwords = subwords
        self.stem = stem
        super().__init__(**kwargs)

    def whoosh_field(self):
        sub_field = f"{self.index_fieldname}_sub" if self.with_subwords else None
        return KhmerTEXT(
            sub_field=sub_field, stem=self.stem, stored=self.stored, field_boost=self.boost
        )


class KhmerSubwordsField(hf.CharField):
    """Sub-words of the Khmer words of the text: indexed (no positions), never stored."""

    def __init__(self, **kwargs):
        kwargs.setdefault("stored", False)
        super().__init__(**kwargs)

    def whoosh_field(self):
        return wf.TEXT(analyzer=khmer_subword_analyzer(), stored=False, phrase=False)


class KeywordField(hf.CharField):
    """An exact value (type, url); sortable so it can be a facet."""

    def whoosh_field(self):
        return wf.ID(stored=self.stored, sortable=True)


class StoredField(hf.CharField):
    """Stored for display, not searchable."""

    def whoosh_field(self):
        return wf.STORED()


class TokensField(hf.MultiValueField):
    """Access tokens (who may see a document): exact terms, not stored."""

    def whoosh_field(self):
        return wf.KEYWORD(stored=True, commas=True, lowercase=False)
