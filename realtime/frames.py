"""Validation of client frames on ``/ws/`` with pydantic models.

Every client frame is checked here, once, before any handler runs: the envelope
(``type``, ``id``), every integer anywhere in it (at most 64 bits, so no value can
overflow a database column), and, for handlers registered with a model, each field.
A frame that fails becomes a ``bad_request`` error naming the field::

    class Send(Frame):
        room: Id
        body: str

    @frame_handler("chat.send", Send)
    async def handle_send(consumer, frame: Send) -> None: ...
"""

from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from collab.core.errors import ServiceError

INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # a signed 64-bit integer (PostgreSQL bigint)
MAX_DEPTH = 32  # of nested arrays and objects in one frame

# A database id: a positive integer (JSON booleans are not numbers here).
Id = Annotated[StrictInt, Field(gt=0, le=INT_MAX)]
# A stream position: 0 ("nothing yet") or a seq.
Seq = Annotated[StrictInt, Field(ge=0, le=INT_MAX)]


# What a client may use as a frame's "id" (echoed in errors, to match them to requests).
FrameId = (
    Annotated[StrictStr, Field(max_length=64)]
    | Annotated[StrictInt, Field(ge=INT_MIN, le=INT_MAX)]
    | None
)
_frame_id = TypeAdapter(FrameId)


def echo_id(frame: dict) -> dict:
    """``{"id": ...}`` to add to an answer to ``frame``, or ``{}`` when it has no usable id."""
    try:
        value = _frame_id.validate_python(frame.get("id"))
    except ValidationError:
        return {}
    if value is None or (isinstance(value, str) and not _is_unicode(value)):
        return {}
    return {"id": value}


class Frame(BaseModel):
    """The envelope every frame has; subclasses add the fields of one frame type."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    id: (
        Annotated[StrictStr, Field(max_length=64)]
        | Annotated[StrictInt, Field(ge=INT_MIN, le=INT_MAX)]
        | None
    ) = None

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        _check_bounds(data)
        return data


def _is_unicode(text: str) -> bool:
    """False for a string with a lone surrogate (a JSON escape such as "\\ud800"): such a
    string can be neither stored nor sent back as UTF-8."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _check_bounds(value: Any) -> None:
    """Every integer at most 64 bits, every nesting at most ``MAX_DEPTH`` deep, every string
    and key valid Unicode.

    Raises ServiceError itself (pydantic passes it through) to name the top-level field."""
    todo = [(value, 0, "")]
    while todo:
        item, depth, field = todo.pop()
        if depth > MAX_DEPTH:
            raise ServiceError("bad_request", f"A frame may nest at most {MAX_DEPTH} levels.")
        if isinstance(item, dict):
            if not all(_is_unicode(k) for k in item):
                raise ServiceError("bad_request", "Keys must be valid Unicode.")
            todo.extend((v, depth + 1, field or str(k)) for k, v in item.items())
        elif isinstance(item, list):
            todo.extend((v, depth + 1, field) for v in item)
        elif isinstance(item, str) and not _is_unicode(item):
            raise ServiceError("bad_request", f"{field}: text must be valid Unicode.", field=field)
        elif isinstance(item, int) and not isinstance(item, bool):
            if not INT_MIN <= item <= INT_MAX:
                raise ServiceError(
                    "bad_request", f"{field}: integers must fit in 64 bits.", field=field
                )


M = TypeVar("M", bound=Frame)


def parse(model: type[M], frame: dict) -> M:
    """``frame`` as ``model``, or a ``bad_request`` ServiceError naming the first bad field."""
    try:
        return model.model_validate(frame)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        # "field" names the frame's own field (a bad item of "have" is field "have").
        extra = {"field": str(first["loc"][0])} if first["loc"] else {}
        raise ServiceError("bad_request", f"{where or 'frame'}: {first['msg']}", **extra) from None
