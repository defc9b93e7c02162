"""The demo knowledge base: loads with seed_demo, twice without change, private space works."""

import io

from django.core.management import call_command
from wagtail.models import Locale

from knowledge import demo
from knowledge.models import ArticlePage, KnowledgeSpacePage
from knowledge.visibility import visible_pages_for


def test_demo_knowledge_base(db, client):
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    counts = (ArticlePage.objects.count(), KnowledgeSpacePage.objects.count())
    demo.seed()
    assert (ArticlePage.objects.count(), KnowledgeSpacePage.objects.count()) == counts

    plan_c = ArticlePage.objects.get(slug="severe-dehydration-plan-c", locale__language_code="en")
    km = plan_c.get_translation(Locale.objects.get(language_code="km"))
    assert km.live and km.title.startswith("ការខ្សះជាតិទឹក")
    assert plan_c.owner_position.holder.user.username == "doctor"

    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    roster = ArticlePage.objects.get(slug="night-duty-roster")
    assert visible_pages_for(users.get(username="doctor")).filter(pk=roster.pk).exists()
    assert not visible_pages_for(users.get(username="nurse")).filter(pk=roster.pk).exists()

    client.cookies["sahakar_language"] = "km"
    html = client.get(plan_c.url).content.decode()
    assert km.title in html and "ផែនការ គ" in html
