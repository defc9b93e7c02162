from wagtail.models import Site

from training.models import TrainingIndexPage
from training.services.tree import ensure_training_index


def test_training_index_exists_on_a_fresh_database(db):
    site = Site.objects.get(is_default_site=True)
    index = TrainingIndexPage.objects.child_of(site.root_page).get(slug="training")
    assert index.url == "/training/"
    assert ensure_training_index().pk == index.pk  # idempotent


def test_index_is_rebuilt_after_the_tree_is_wiped(db):
    from wagtail.models import Page

    Site.objects.all().delete()
    Page.objects.all().delete()
    index = ensure_training_index()
    assert index.get_parent().specific_class is Page
    assert Site.objects.get(is_default_site=True).root_page_id == index.get_parent().pk
