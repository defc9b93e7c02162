"""StreamField blocks of a lesson: text first, so a lesson reads on a slow phone."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    caption = blocks.CharBlock(label=_("caption"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "training/blocks/document.html"


class KnowledgeLinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("knowledge page"))
    text = blocks.CharBlock(label=_("link text"), required=False)

    class Meta:
        icon = "link"
        label = _("Knowledge base link")
        template = "training/blocks/knowledge_link.html"


LESSON_BLOCKS = [
    (
        "heading",
        blocks.CharBlock(
            label=_("Heading"), form_classname="title", template="training/blocks/heading.html"
        ),
    ),
    (
        "text",
        blocks.RichTextBlock(
            label=_("Text"), features=["bold", "italic", "ol", "ul", "link", "h3", "h4"]
        ),
    ),
    ("document", DocumentBlock()),
    ("knowledge", KnowledgeLinkBlock()),
]
