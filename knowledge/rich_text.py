"""Images in rich text point at our checked address (knowledge:image), never at /media/."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html
from wagtail.images.formats import get_image_format, get_image_formats
from wagtail.images.rich_text import ImageEmbedHandler
from wagtail.images.shortcuts import get_rendition_or_not_found

# The image block's rendition; rich-text images use the registered image formats' specs.
FIGURE_SPEC = "max-800x800"


def served_specs() -> set[str]:
    """Renditions the checked image view makes: only those our pages ask for."""
    return {FIGURE_SPEC, *(f.filter_spec for f in get_image_formats())}


def checked_img(image, *, spec: str, alt: str, classname: str = "") -> str:
    rendition = get_rendition_or_not_found(image, spec)
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}"{}>',
        reverse("knowledge:image", args=[image.pk, spec]),
        rendition.width,
        rendition.height,
        alt,
        format_html(' class="{}"', classname) if classname else "",
    )


def _format(name: str):
    try:
        return get_image_format(name)
    except KeyError:  # a format since unregistered: show the image at the first one
        return get_image_formats()[0]


class CheckedImageEmbedHandler(ImageEmbedHandler):
    """Wagtail's rich-text image handler, with the address of our checked view: an image
    of a private space goes only to readers of a page using it. The reference index still
    sees the image (``extract_references`` is inherited)."""

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        tags = []
        for attrs, image in zip(attrs_list, cls.get_many(attrs_list), strict=True):
            if image is None:
                tags.append('<img alt="">')
                continue
            image_format = _format(attrs.get("format", ""))
            tags.append(
                checked_img(
                    image,
                    spec=image_format.filter_spec,
                    alt=attrs.get("alt", ""),
                    classname=image_format.classname,
                )
            )
        return tags
