"""/api/v1/knowledge: what a reader may see, and their subscriptions and feedback."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from collab.core.bounds import Id, StrictBody
from knowledge import selectors, services, visibility
from knowledge.models import ArticlePage, KnowledgeSpacePage

router = Router(tags=["knowledge"])


class Message(Schema):
    message: str


class ArticleOut(Schema):
    id: int
    title: str
    url: str
    language: str
    article_type: str
    last_published_at: datetime | None
    review_date: date | None
    last_reviewed: date | None
    overdue: bool


class ArticleList(Schema):
    items: list[ArticleOut]
    count: int


class RecentQuery(Schema):
    limit: int = Field(10, ge=1, le=50)


class FeedbackIn(StrictBody):
    helpful: bool
    comment: str = Field("", max_length=services.COMMENT_MAX)


class SubscriptionIn(StrictBody):
    subscribed: bool


def _article_out(page: ArticlePage) -> ArticleOut:
    return ArticleOut(
        id=page.pk,
        title=page.title,
        url=page.url or "",
        language=page.locale.language_code,
        article_type=page.article_type,
        last_published_at=page.last_published_at,
        review_date=page.review_date,
        last_reviewed=page.last_reviewed,
        overdue=page.is_overdue(),
    )


def _readable(request, model, pk):
    page = model.objects.live().filter(pk=pk).first()
    if page is None or not visibility.can_view_page(user=request.auth, page=page):
        return None  # 404 either way: a private page's existence is not disclosed
    return page


@router.get("/articles/recent", response=ArticleList)
def recent_articles(request: HttpRequest, query: Query[RecentQuery]):
    ids = [p.pk for p in selectors.recently_updated(user=request.auth, limit=query.limit)]
    pages = ArticlePage.objects.filter(pk__in=ids).select_related("locale")
    by_id = {p.pk: p for p in pages}
    items = [_article_out(by_id[i]) for i in ids if i in by_id]
    return {"items": items, "count": len(items)}


@router.post("/articles/{page_id}/feedback", response={201: Message, 404: Message, 422: Message})
def post_feedback(request: HttpRequest, page_id: Id, payload: FeedbackIn):
    page = _readable(request, ArticlePage, page_id)
    if page is None:
        return Status(404, {"message": "No such article."})
    try:
        services.record_feedback(
            user=request.auth, page=page, helpful=payload.helpful, comment=payload.comment
        )
    except DjangoValidationError as exc:
        return Status(422, {"message": "; ".join(exc.messages)})
    return Status(201, {"message": "Sent to the page's owner."})


@router.put("/spaces/{space_id}/subscription", response={200: SubscriptionIn, 404: Message})
def put_subscription(request: HttpRequest, space_id: Id, payload: SubscriptionIn):
    space = _readable(request, KnowledgeSpacePage, space_id)
    if space is None:
        return Status(404, {"message": "No such space."})
    try:
        if payload.subscribed:
            services.subscribe(user=request.auth, space=space)
        else:
            services.unsubscribe(user=request.auth, space=space)
    except PermissionDenied:
        return Status(404, {"message": "No such space."})
    return {"subscribed": selectors.is_subscribed(user=request.auth, space=space)}
