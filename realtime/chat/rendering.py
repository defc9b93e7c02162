"""Message bodies: Markdown (raw HTML disabled) rendered on the server, then sanitised."""

import re
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Khmer signs are not \w in Python's regex, so the Khmer block is listed explicitly.
_NAME_CHAR = r"\w\u1780-\u17ff"
MENTION_RE = re.compile(
    rf"(?<![{_NAME_CHAR}@])@([{_NAME_CHAR}](?:[{_NAME_CHAR}.\-]*[{_NAME_CHAR}])?)"
)
ROOM_MENTION = "room"

_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
    "span",
}  # fmt: skip


def find_mentions(body: str) -> set[str]:
    """Every @name in the text (``room`` included), lower-cased."""
    return {m.lower() for m in MENTION_RE.findall(body)}


def _mention_rule(state) -> None:
    """Wrap known @names (``env["mentions"]``) of text tokens outside links in a span."""
    known = state.env.get("mentions") or set()
    if not known:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        out: list[Token] = []
        in_link = 0
        for tok in block.children:
            if tok.type == "link_open":
                in_link += 1
            elif tok.type == "link_close":
                in_link -= 1
            if tok.type != "text" or in_link or "@" not in tok.content:
                out.append(tok)
                continue
            out.extend(_split_mentions(tok.content, known))
        block.children = out


def _split_mentions(text: str, known: set[str]) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    for match in MENTION_RE.finditer(text):
        name = match.group(1).lower()
        if name not in known:
            continue
        if match.start() > pos:
            tokens.append(_text(text[pos : match.start()]))
        css = "mention-room" if name == ROOM_MENTION else "mention"
        html = Token("html_inline", "", 0)
        html.content = f'<span class="{css}">@{escape(match.group(1))}</span>'
        tokens.append(html)
        pos = match.end()
    if pos < len(text):
        tokens.append(_text(text[pos:]))
    return tokens


def _text(content: str) -> Token:
    tok = Token("text", "", 0)
    tok.content = content
    return tok


_md = MarkdownIt("commonmark", {"html": False}).enable(["strikethrough", "table"])
_md.core.ruler.push("sahakar_mentions", _mention_rule)


def render(body: str, *, mentions: set[str] = frozenset()) -> str:
    """Safe HTML for a message body; ``mentions`` are the @names to highlight."""
    html = _md.render(body, {"mentions": set(mentions)})
    return nh3.clean(
        html.strip(),
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"style"}, "td": {"style"}},
        allowed_classes={"span": {"mention", "mention-room"}},
        filter_style_properties={"text-align"},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
