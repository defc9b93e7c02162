"""The base every searchable type derives from, and the registry of those types.

Each content app ships its own ``<app>/search_indexes.py`` (haystack imports it; a module
that fails to import stops the start-up instead of silently dropping a type). This app
imports no content app. A type declares:

* what it indexes: ``title_en``/``title_km``/``body``/``url`` of an object, and
  ``index_queryset`` (objects that belong in the index at all);
* who may see a document, twice: ``access_tokens(obj)`` stored with the document and
  ``user_tokens(user)`` matched against them at query time (the filter), then
  ``visible_ids(user, ids)`` asked of the owning app at result time (the verification);
* ``watch``: other models whose saves change this type's documents, and ``connect()`` for
  writes that send no ``post_save`` (bulk imports: call ``enqueue_index_update`` there).
"""

from collections.abc import Callable, Iterable

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_str
from haystack import connections, indexes
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.utils import get_identifier, get_model_ct

from collab.search.analysis import presegment
from collab.search.fields import (
    KeywordField,
    KhmerSubwordsField,
    KhmerTextField,
    StoredField,
    TokensField,
)

EVERYONE = "all"  # the token every signed-in user holds


class SahakarIndex(indexes.SearchIndex):
    text = KhmerTextField(document=True, subwords=True)
    text_sub = KhmerSubwordsField()
    title = KhmerTextField(stem=False)  # names for the typeahead (prefix match)
    title_km = StoredField()
    url = StoredField()
    kind = KeywordField()
    access = TokensField()

    type_key: str = ""
    type_label = ""
    # {Model: fn(instance) -> ids of this index's model to re-index}
    watch: dict[type[models.Model], Callable[[models.Model], Iterable]] = {}

    # -- what is indexed ------------------------------------------------------------------

    def title_en(self, obj) -> str:
        return str(obj)

    def title_km_of(self, obj) -> str:
        return ""

    def body(self, obj) -> str:
        return ""

    def url_of(self, obj) -> str:
        return ""

    def access_tokens(self, obj) -> list[str]:
        return [EVERYONE]

    # -- who sees it ----------------------------------------------------------------------

    def user_tokens(self, user) -> set[str]:
        return {EVERYONE} if user.is_authenticated and user.is_active else set()

    def visible_ids(self, user, ids: list[str]) -> set[str]:
        """ids (as strings) of this type that ``user`` may open right now: the owning app's
        one access check, the one its views use."""
        raise NotImplementedError

    def connect(self) -> None:
        """Connect signals of bulk writes (called once, at start-up)."""

    # -- documents ------------------------------------------------------------------------

    def raw_document(self, obj) -> dict:
        """Everything but segmentation (cheap; segmentation may run in a process pool)."""
        title_en, title_km = self.title_en(obj), self.title_km_of(obj)
        text = "\n".join(p for p in (title_en, title_km, self.body(obj)) if p)
        return {
            ID: get_identifier(obj),
            DJANGO_CT: get_model_ct(obj),
            DJANGO_ID: force_str(obj.pk),
            "text": text,
            "title": f"{title_en}\n{title_km}".strip(),
            "title_km": title_km,
            "url": self.url_of(obj),
            "kind": self.type_key,
            "access": sorted(set(self.access_tokens(obj))),
        }

    def prepare(self, obj) -> dict:
        self.prepared_data = segment_document(self.raw_document(obj))
        return self.prepared_data

    def full_prepare(self, obj, with_string_facet=True) -> dict:
        return self.prepare(obj)


def segment_document(doc: dict) -> dict:
    """Pre-segment the text fields (the expensive step). Picklable for a process pool."""
    doc = dict(doc)
    doc["text"] = doc["text_sub"] = presegment(doc["text"])
    doc["title"] = presegment(doc["title"])
    doc["title_km"] = presegment(doc["title_km"])
    return doc


def url_or(name: str, *args, fallback: str = "") -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def search_types() -> dict[str, SahakarIndex]:
    """type key → index, for every registered Sahakar type."""
    unified = connections["default"].get_unified_index()
    return {
        idx.type_key: idx for idx in unified.get_indexes().values() if isinstance(idx, SahakarIndex)
    }


def index_for_label(label: str) -> SahakarIndex | None:
    for idx in search_types().values():
        if idx.get_model()._meta.label_lower == label:
            return idx
    return None
