"""StreamField blocks of knowledge articles (labels in Khmer through gettext).

The blocks of most articles (rich text, callout, steps, table, FAQ) render in plain Python
from their stored (raw) data: ``render_raw`` (string joins, the standard library's escape,
which is what Django's ``escape`` runs). A template render per block and per rich-text
value, and turning the stored JSON into block values, were most of an article's render time.
"""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html

RICH_TEXT_FEATURES = [
    "h2",
    "h3",
    "h4",
    "bold",
    "italic",
    "ol",
    "ul",
    "link",
    "document-link",
    "image",
    "hr",
    "superscript",
    "subscript",
]


def _rich(source) -> str:
    # What Wagtail's rich-text template gives ({{ html|safe }}), without rendering it.
    return expand_db_html(source) if source else ""


def _text(value) -> str:
    return "" if value is None else escape(str(value))


def _titled(tag: str, title: str) -> str:
    return f"<{tag}>{escape(title)}</{tag}>" if title else ""


def _items(stored: list) -> list:
    # A ListBlock stores [{"type": "item", "value": v, "id": ...}] (older data: [v]).
    return [i["value"] if isinstance(i, dict) and i.get("type") == "item" else i for i in stored]


class RawRendered:
    """A block that renders its stored data; block values are turned back into it."""

    def render_basic(self, value, context=None):
        return self.render_raw(self.get_prep_value(value))


class ArticleRichTextBlock(RawRendered, blocks.RichTextBlock):
    def render_raw(self, stored) -> str:
        return mark_safe(_rich(stored))  # noqa: S308 - Wagtail's expanded rich text


class CalloutBlock(RawRendered, blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("kind"),
        choices=[("note", _("Note")), ("warning", _("Warning"))],
        default="note",
    )
    title = blocks.CharBlock(label=_("title"), required=False, max_length=200)
    text = blocks.RichTextBlock(label=_("text"), features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        label = _("Callout")
        icon = "warning"

    def render_raw(self, stored) -> str:
        title = stored.get("title")
        heading = (
            "" if not title else f'<p class="kb-callout-title"><strong>{escape(title)}</strong></p>'
        )
        return mark_safe(  # noqa: S308 - every value escaped or expanded rich text
            f'<aside class="kb-callout kb-callout-{_text(stored.get("kind"))}" role="note">'
            f"{heading}{_rich(stored.get('text'))}</aside>"
        )


class StepsBlock(RawRendered, blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), required=False, max_length=200)
    steps = blocks.ListBlock(
        blocks.RichTextBlock(label=_("step"), features=["bold", "italic", "link"]),
        label=_("steps"),
    )

    class Meta:
        label = _("Numbered steps")
        icon = "list-ol"

    def render_raw(self, stored) -> str:
        steps = "".join(f"<li>{_rich(step)}</li>" for step in _items(stored.get("steps") or []))
        title = _titled("h3", stored.get("title"))
        return mark_safe(  # noqa: S308 - every value escaped or expanded rich text
            f'<section class="kb-steps">{title}<ol>{steps}</ol></section>'
        )


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=300)

    class Meta:
        label = _("Image")
        icon = "image"
        template = "knowledge/blocks/figure.html"


class DownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("link text"), required=False, max_length=200)

    class Meta:
        label = _("Document download")
        icon = "doc-full"
        template = "knowledge/blocks/download.html"


class VideoBlock(blocks.StructBlock):
    video = DocumentChooserBlock(label=_("video file (MP4 or WebM)"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=300)

    class Meta:
        label = _("Video file")
        icon = "media"
        template = "knowledge/blocks/video.html"


class FaqBlock(RawRendered, blocks.StructBlock):
    items = blocks.ListBlock(
        blocks.StructBlock(
            [
                ("question", blocks.CharBlock(label=_("question"), max_length=300)),
                (
                    "answer",
                    blocks.RichTextBlock(label=_("answer"), features=["bold", "italic", "link"]),
                ),
            ],
            label=_("question and answer"),
        ),
        label=_("questions"),
    )

    class Meta:
        label = _("FAQ")
        icon = "help"

    def render_raw(self, stored) -> str:
        items = "".join(
            f"<details><summary>{_text(item.get('question'))}</summary>"
            f"{_rich(item.get('answer'))}</details>"
            for item in _items(stored.get("items") or [])
        )
        return mark_safe(f'<section class="kb-faq">{items}</section>')  # noqa: S308 - as above


class RelatedPagesBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), required=False, max_length=200)
    pages = blocks.ListBlock(blocks.PageChooserBlock(label=_("page")), label=_("pages"))

    class Meta:
        label = _("Related pages")
        icon = "link"
        template = "knowledge/blocks/related.html"


class ArticleTableBlock(TableBlock):
    def render(self, value, context=None):
        return self.render_raw(value)

    def render_raw(self, stored) -> str:
        if not stored:
            return ""
        rows = stored.get("data") or []
        head = ""
        if rows and stored.get("first_row_is_table_header"):
            cells = "".join(f'<th scope="col">{_text(c)}</th>' for c in rows[0])
            head, rows = f"<thead><tr>{cells}</tr></thead>", rows[1:]
        body = "".join(
            "<tr>" + "".join(f"<td>{_text(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        caption = _titled("caption", stored.get("table_caption"))
        return mark_safe(  # noqa: S308 - every cell escaped
            f'<div class="kb-table"><table>{caption}{head}<tbody>{body}</tbody></table></div>'
        )


class ArticleBodyBlock(blocks.StreamBlock):
    """Rendered by ``render_article_body`` (knowledge.rendering.rendered_body)."""

    rich_text = ArticleRichTextBlock(label=_("Rich text"), features=RICH_TEXT_FEATURES)
    callout = CalloutBlock()
    steps = StepsBlock()
    table = ArticleTableBlock(label=_("Table"), table_options={"renderer": "text"})
    image = FigureBlock()
    download = DownloadBlock()
    video = VideoBlock()
    faq = FaqBlock()
    related = RelatedPagesBlock()


def render_article_body(body) -> str:
    """The body as Wagtail's StreamBlock renders it, but blocks with ``render_raw`` render
    from the stored JSON: only the others (images, files, related pages) become values."""
    children = body.stream_block.child_blocks
    parts = []
    for i, item in enumerate(body.raw_data):
        kind = item["type"]
        block = children.get(kind)
        if block is None:
            continue  # a block type since removed: Wagtail drops it too
        html = block.render_raw(item["value"]) if hasattr(block, "render_raw") else body[i].render()
        parts.append(f'<div class="w-block-{kind} block-{kind}">{html}</div>')
    return "\n".join(parts)
