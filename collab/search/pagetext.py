"""Plain text of Wagtail content (rich text, StreamField) for indexing."""

import html
import re

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(p|h[1-6]|li|tr|div|blockquote)>|<br\s*/?>", re.IGNORECASE)


def html_text(value: str) -> str:
    """Text of an HTML fragment: tags dropped, block ends kept as line breaks."""
    return html.unescape(_TAG.sub(" ", _BLOCK_END.sub("\n", value or "")))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in ("id", "type") for s in _strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def stream_text(stream_value) -> str:
    """Every string inside a StreamField value (headings, paragraphs, table cells...)."""
    if not stream_value:
        return ""
    raw = stream_value.get_prep_value() if hasattr(stream_value, "get_prep_value") else stream_value
    return "\n".join(html_text(s) for s in _strings(raw) if s and not s.isdigit())
