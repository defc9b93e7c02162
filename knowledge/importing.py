"""Import Markdown, HTML and DOCX files as knowledge articles (headings, lists, tables, images).

Every file goes through the same path: source → HTML → nh3 sanitising → a small tree →
StreamField blocks (rich text, table, image).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import nh3
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.text import slugify
from wagtail.images import get_image_model

from knowledge.media_collections import space_collections
from knowledge.models import ArticlePage, KnowledgeSpacePage

SUPPORTED = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
}
ALLOWED_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "hr",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "a",
    "sup",
    "sub",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "blockquote",
    "code",
    "pre",
}
VOID = {"br", "hr", "img"}
HEADING_MAP = {"h1": "h2", "h5": "h4", "h6": "h4"}
INLINE_MAP = {"strong": "b", "em": "i"}


class ImportFailed(Exception):
    """A file that cannot be imported; the message says why."""


@dataclass
class Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)  # Node or str

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children).strip()

    def find_all(self, tag: str):
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag:
                    yield child
                yield from child.find_all(tag)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}, "img": {"src", "alt"}, "td": {"colspan"}, "th": {"colspan"}},
        url_schemes={"http", "https", "mailto", "data"},
        clean_content_tags={"script", "style", "head", "title", "template"},
        link_rel=None,
    )


def source_html(path: Path) -> str:
    kind = SUPPORTED[path.suffix.lower()]
    if kind == "docx":
        import mammoth

        try:
            with path.open("rb") as fh:
                return mammoth.convert_to_html(fh).value
        except Exception as exc:  # mammoth raises zipfile/KeyError/XML errors on broken files
            raise ImportFailed(f"not a readable DOCX file ({exc.__class__.__name__})") from exc
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailed("not UTF-8 text") from exc
    if kind == "markdown":
        from markdown_it import MarkdownIt

        return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    return text


def _serialise(node, *, top: bool = False) -> str:
    if isinstance(node, str):
        if not node.strip() and "\n" in node:
            return ""  # layout whitespace between block elements
        return escape(node, quote=False)
    tag = HEADING_MAP.get(node.tag, INLINE_MAP.get(node.tag, node.tag))
    inner = "".join(_serialise(c) for c in node.children)
    if tag == "img":
        return ""  # images become their own blocks
    if tag in VOID:
        return f"<{tag}>"
    if tag == "a":
        href = node.attrs.get("href") or ""
        return f'<a href="{escape(href)}">{inner}</a>' if href else inner
    if tag in ("blockquote", "pre"):
        tag = "p"
    if tag == "code":
        return inner
    return f"<{tag}>{inner}</{tag}>"


@dataclass
class Converted:
    title: str
    blocks: list


class _Converter:
    def __init__(self, *, base_dir: Path, root_dir: Path, image_title: str, collection):
        self.base_dir, self.root_dir, self.image_title = base_dir, root_dir, image_title
        self.collection = collection
        self.blocks: list = []
        self.rich: list[str] = []

    def flush(self) -> None:
        html = "".join(self.rich).strip()
        if html:
            self.blocks.append({"type": "rich_text", "value": html})
        self.rich = []

    def convert(self, root: Node) -> Converted:
        title = ""
        for child in root.children:
            if isinstance(child, str):
                if child.strip():
                    self.rich.append(f"<p>{escape(child.strip(), quote=False)}</p>")
                continue
            if child.tag == "h1" and not title and not self.blocks and not self.rich:
                title = child.text()
                continue
            if child.tag == "table":
                self.flush()
                self.blocks.append(self.table(child))
                continue
            images = [child] if child.tag == "img" else list(child.find_all("img"))
            if images and child.tag in ("img", "p") and not child.text():
                self.flush()
                for img in images:
                    block = self.image(img)
                    if block:
                        self.blocks.append(block)
                continue
            self.rich.append(_serialise(child, top=True))
        self.flush()
        return Converted(title=title, blocks=self.blocks)

    def table(self, node: Node) -> dict:
        rows, header = [], False
        for i, tr in enumerate(node.find_all("tr")):
            cells = [c for c in tr.children if isinstance(c, Node) and c.tag in ("td", "th")]
            if i == 0 and cells and all(c.tag == "th" for c in cells):
                header = True
            rows.append([c.text() for c in cells])
        width = max((len(r) for r in rows), default=0)
        rows = [r + [""] * (width - len(r)) for r in rows]
        return {
            "type": "table",
            "value": {
                "data": rows,
                "first_row_is_table_header": header,
                "first_col_is_header": False,
                "table_caption": "",
            },
        }

    def image(self, node: Node) -> dict | None:
        src = node.attrs.get("src", "")
        alt = node.attrs.get("alt", "")
        data, name = self._image_bytes(src)
        if data is None:
            if alt:
                self.rich.append(f"<p>[{escape(alt)}]</p>")
            return None
        image = _image_for(
            data, name=name, title=alt or self.image_title, collection=self.collection
        )
        return {"type": "image", "value": {"image": image.pk, "caption": alt}}

    def _image_bytes(self, src: str) -> tuple[bytes | None, str]:
        if src.startswith("data:"):
            header, _sep, payload = src.partition(",")
            ext = header.split("/")[-1].split(";")[0] or "png"
            try:
                return base64.b64decode(payload), f"imported.{ext}"
            except (binascii.Error, ValueError):
                return None, ""
        if "://" in src or not src:
            return None, ""  # never fetch from the network during an import
        path = (self.base_dir / src).resolve()
        if not path.is_relative_to(self.root_dir) or not path.is_file():
            return None, ""
        return path.read_bytes(), path.name


def _image_for(data: bytes, *, name: str, title: str, collection):
    from io import BytesIO

    from wagtail.utils.file import hash_filelike

    Image = get_image_model()
    digest = hash_filelike(BytesIO(data))
    # Reused only within the space's collection: another space's copy may be private.
    existing = Image.objects.filter(file_hash=digest, collection=collection).first()
    if existing:
        return existing
    image = Image(title=title[:255] or name, collection=collection)
    try:
        image.file = ImageFile(BytesIO(data), name=name)
        image.full_clean(exclude=["collection", "tags"])
        image.file_hash = digest
        image.save()
    except Exception as exc:
        raise ImportFailed(f"image {name} is not a valid image") from exc
    return image


def convert_file(path: Path, *, root_dir: Path, collection) -> Converted:
    """``collection``: where new images go (the space's)."""
    html = sanitise(source_html(path))
    converted = _Converter(
        base_dir=path.parent, root_dir=root_dir, image_title=path.stem, collection=collection
    ).convert(parse(html))
    if not converted.title:
        converted.title = path.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    if not converted.blocks:
        raise ImportFailed("no content")
    return converted


@dataclass
class Outcome:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (relative name, reason)


def source_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)


def _unique_slug(parent, base: str) -> str:
    base = (base or "page")[:200]
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def import_file(
    *, path: Path, root_dir: Path, space: KnowledgeSpacePage, publish: bool, outcome: Outcome
) -> None:
    name = path.relative_to(root_dir).as_posix()
    key = f"{space.slug}:{name}"
    try:
        with transaction.atomic():
            collection = space_collections([space])[space.pk]
            converted = convert_file(path, root_dir=root_dir, collection=collection)
            page = ArticlePage.objects.descendant_of(space).filter(source_key=key).first()
            if page is None:
                # Python's \w drops Khmer vowel signs, so a Khmer title would give a mangled
                # slug: use a Latin title, else the file name.
                base = slugify(converted.title) or slugify(path.stem) or "page"
                slug = _unique_slug(space, base)
                page = space.add_child(
                    instance=ArticlePage(
                        title=converted.title,
                        slug=slug,
                        body=converted.blocks,
                        source_key=key,
                        live=False,
                        locale=space.locale,
                    )
                )
                outcome.created.append(name)
            else:
                page = page.get_latest_revision_as_object()
                page.title, page.body = converted.title, converted.blocks
                outcome.updated.append(name)
            revision = page.save_revision(log_action=True)
            if publish:
                revision.publish()
    except ImportFailed as exc:
        outcome.failed.append((name, str(exc)))
    except Exception as exc:  # a surprise in one file must not stop the others
        outcome.failed.append((name, f"{exc.__class__.__name__}: {exc}"))


def run_import(
    *, directory: Path, space: KnowledgeSpacePage, publish: bool, progress=lambda it, **kw: it
) -> Outcome:
    directory = directory.resolve()
    outcome = Outcome()
    for path in progress(source_files(directory), unit="file"):
        import_file(path=path, root_dir=directory, space=space, publish=publish, outcome=outcome)
    return outcome
