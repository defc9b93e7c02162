import pytest

from collab.core.errors import ServiceError
from realtime.handlers import frame_handler, handler_for


def test_reserved_and_conflicting_frame_types_are_refused():
    with pytest.raises(ValueError):
        frame_handler("ping")

    @frame_handler("test.registry.one")
    async def one(consumer, frame):
        pass

    async def other(consumer, frame):
        pass

    assert handler_for("test.registry.one") is one
    with pytest.raises(ValueError):
        frame_handler("test.registry.one")(other)
    assert handler_for("test.registry.none") is None


def test_frame_error_becomes_an_error_frame():
    error = ServiceError("not_found", "No such room.", room=12)
    assert error.frame() == {
        "type": "error", "code": "not_found", "detail": "No such room.", "room": 12
    }
    # extra fields cannot overwrite the error's own
    assert ServiceError("x", "y", type="z").frame()["type"] == "error"
