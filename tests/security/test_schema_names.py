"""django-ninja names an OpenAPI component after its schema class: two classes of the same
name share one component, and the schema then documents one class's shape for both (chat's
mark-read body was documented as notifications' ``{"ids": [...]}``)."""

from collections import defaultdict

from ninja import Schema

import collab.api  # noqa: F401  (imports every router, so every schema class)

OURS = ("collab.", "realtime.", "knowledge.", "training.")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_two_api_schemas_of_different_shapes_share_a_name():
    shapes = defaultdict(dict)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith(OURS):
            shapes[cls.__name__][f"{cls.__module__}.{cls.__qualname__}"] = str(
                cls.model_json_schema()
            )
    clashes = {name: sorted(by_class) for name, by_class in shapes.items()
               if len(set(by_class.values())) > 1}
    assert not clashes, f"rename one of each: {clashes}"
