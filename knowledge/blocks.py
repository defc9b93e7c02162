"""StreamField blocks of knowledge articles (labels in Khmer through gettext)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = [
    "h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr",
    "superscript", "subscript",
]


class CalloutBlock(blocks.StructBlock):
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
        template = "knowledge/blocks/callout.html"


class StepsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), required=False, max_length=200)
    steps = blocks.ListBlock(
        blocks.RichTextBlock(label=_("step"), features=["bold", "italic", "link"]),
        label=_("steps"),
    )

    class Meta:
        label = _("Numbered steps")
        icon = "list-ol"
        template = "knowledge/blocks/steps.html"


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


class FaqBlock(blocks.StructBlock):
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
        template = "knowledge/blocks/faq.html"


class RelatedPagesBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("title"), required=False, max_length=200)
    pages = blocks.ListBlock(blocks.PageChooserBlock(label=_("page")), label=_("pages"))

    class Meta:
        label = _("Related pages")
        icon = "link"
        template = "knowledge/blocks/related.html"


class ArticleBodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(label=_("Rich text"), features=RICH_TEXT_FEATURES)
    callout = CalloutBlock()
    steps = StepsBlock()
    table = TableBlock(
        label=_("Table"), template="knowledge/blocks/table.html", table_options={"renderer": "text"}
    )
    image = FigureBlock()
    download = DownloadBlock()
    video = VideoBlock()
    faq = FaqBlock()
    related = RelatedPagesBlock()
