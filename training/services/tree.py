"""The training index page ("/training/") under the site root, on every fresh database."""

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from ..models import TrainingIndexPage

INDEX_SLUG = "training"
TITLES = {"km": "ការបណ្តុះបណ្តាល"}


@transaction.atomic
def ensure_training_index() -> TrainingIndexPage:
    """Create the training index (and, after a flush, Wagtail's root and site) if missing."""
    if not Locale.objects.exists():
        Locale.objects.create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = root.get_children().first() or root.add_child(
            instance=Page(title="Sahakar", slug="home")
        )
        site = Site.objects.create(
            hostname="localhost", root_page=home, is_default_site=True, site_name="Sahakar"
        )
    index = TrainingIndexPage.objects.child_of(site.root_page).filter(slug=INDEX_SLUG).first()
    if index is None:
        index = site.root_page.add_child(
            instance=TrainingIndexPage(title="Training", slug=INDEX_SLUG)
        )
    _ensure_translations(index)
    return index


def _ensure_translations(index: TrainingIndexPage) -> None:
    """/training/ must also exist under the Khmer home page (see TrainingIndexPage.route)."""
    Locale.objects.get_or_create(language_code="km")
    for locale in Locale.objects.exclude(pk=index.locale_id):
        if index.get_translation_or_none(locale) is None:
            copy = index.copy_for_translation(locale, copy_parents=True)
            copy.title = TITLES.get(locale.language_code, copy.title)
            copy.save_revision(log_action=False).publish(log_action=False)
