"""Search types of the directory: every signed-in user may find active people and every unit."""

from django.utils.translation import gettext_lazy as _
from haystack import indexes

from collab.directory import signals as directory_signals
from collab.directory.models import OrgUnit, Person, Position
from collab.search.indexes import SahakarIndex, url_or
from collab.search.services import enqueue_index_update


def _ids(*values) -> list:
    return [v for v in values if v is not None]


class PersonIndex(SahakarIndex, indexes.Indexable):
    type_key = "person"
    type_label = _("People")
    watch = {
        Position: lambda pos: _ids(pos.holder_id, pos.acting_holder_id),
        OrgUnit: lambda unit: Person.objects.filter(positions__unit=unit).values_list(
            "pk", flat=True
        ),
    }

    def get_model(self):
        return Person

    def index_queryset(self, using=None):
        # Deactivated people are not in the index at all (and re-checked at result time).
        return Person.objects.filter(active=True).prefetch_related("positions__unit")

    def title_en(self, obj) -> str:
        return obj.name_en

    def title_km_of(self, obj) -> str:
        return obj.name_km

    def body(self, obj) -> str:
        lines = []
        for pos in obj.positions.all():
            lines.append(f"{pos.title_en} {pos.title_km} — {pos.unit.name_en} {pos.unit.name_km}")
        lines.append(" ".join(p for p in (obj.email, obj.phone, obj.employee_id) if p))
        return "\n".join(lines)

    def url_of(self, obj) -> str:
        return url_or("directory:person", obj.employee_id)

    def visible_ids(self, user, ids):
        qs = Person.objects.filter(pk__in=ids, active=True)
        return {str(pk) for pk in qs.values_list("pk", flat=True)}

    def connect(self) -> None:
        # The directory import writes in bulk (no post_save); it names what it changed instead.
        for signal in (directory_signals.people_imported, directory_signals.people_deactivated):
            signal.connect(_on_people_imported, dispatch_uid=f"search-{id(signal)}")
        directory_signals.positions_imported.connect(
            _on_positions_imported, dispatch_uid="search-positions-imported"
        )


def _on_people_imported(sender, person_ids, **kwargs) -> None:
    enqueue_index_update(model=Person, ids=sorted(person_ids))


def _on_positions_imported(sender, position_ids, **kwargs) -> None:
    ids, holders = sorted(position_ids), set()
    for i in range(0, len(ids), 900):  # SQLite caps the variables of one statement
        chunk = Position.objects.filter(pk__in=ids[i : i + 900])
        holders.update(chunk.exclude(holder=None).values_list("holder_id", flat=True))
    enqueue_index_update(model=Person, ids=sorted(holders))


class OrgUnitIndex(SahakarIndex, indexes.Indexable):
    type_key = "unit"
    type_label = _("Org units")

    def get_model(self):
        return OrgUnit

    def index_queryset(self, using=None):
        return OrgUnit.objects.select_related("parent")

    def title_en(self, obj) -> str:
        return obj.name_en

    def title_km_of(self, obj) -> str:
        return obj.name_km

    def body(self, obj) -> str:
        parent = f"{obj.parent.name_en} {obj.parent.name_km}" if obj.parent_id else ""
        return f"{obj.code} {obj.get_kind_display()}\n{parent}\n{obj.email} {obj.phone}".strip()

    def url_of(self, obj) -> str:
        return url_or("directory:unit", obj.code)

    def visible_ids(self, user, ids):
        return {str(pk) for pk in OrgUnit.objects.filter(pk__in=ids).values_list("pk", flat=True)}
