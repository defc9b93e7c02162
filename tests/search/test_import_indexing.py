"""People written in bulk by `import_directory` (no post_save) become searchable too."""

from collab.directory.models import OrgUnit, Person
from collab.directory.services import import_directory
from collab.search.selectors import search

HEADER = (
    "employee_id,family_name_km,given_name_km,family_name_en,given_name_en,email,phone,"
    "org_unit_code,position_title_en,position_title_km"
)


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _titles(user, query):
    return [hit.title for hit in search(user=user, query=query).items]


def test_imported_and_deactivated_people_follow_in_the_index(
    make_user, indexed, django_capture_on_commit_callbacks
):
    OrgUnit.objects.create(code="HC-IMP", kind="health_centre", name_en="HC", name_km="មណ្ឌល")
    reader = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        result = import_directory(
            data=_csv(
                "E100,ហេង,សុផល,Heng,Sophal,,,HC-IMP,Nurse,គិលានុបដ្ឋាក",
                "E101,ម៉ម,ចន្ថា,Mom,Chantha,,,HC-IMP,Midwife,ឆ្មប",
            )
        )
    assert not result.errors
    indexed()
    assert _titles(reader, "Sophal") == ["Heng Sophal"]
    assert _titles(reader, "ចន្ថា") == ["Mom Chantha"]

    # A second file renames one person and leaves the other out.
    with django_capture_on_commit_callbacks(execute=True):
        import_directory(
            data=_csv("E100,ហេង,សុផល,Heng,Sophala,,,HC-IMP,Nurse,គិលានុបដ្ឋាក"),
            deactivate_missing=True,
            allow_mass_deactivation=True,
        )
    indexed()
    assert _titles(reader, "Sophala") == ["Heng Sophala"]
    assert not Person.objects.get(employee_id="E101").active
    assert _titles(reader, "Chantha") == []
