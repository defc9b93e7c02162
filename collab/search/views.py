from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from collab.search import selectors
from collab.search.forms import SearchForm


@require_GET
@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    result = None
    if form.is_valid() and form.cleaned_data["q"]:
        result = selectors.search(
            user=request.user,
            query=form.cleaned_data["q"],
            type=form.cleaned_data["type"],
            page=form.cleaned_data["page"] or 1,
        )
    return render(request, "search/results.html", {"form": form, "result": result})


@require_GET
@login_required
def people_typeahead(request: HttpRequest) -> JsonResponse:
    hits = selectors.people_typeahead(user=request.user, prefix=request.GET.get("q", ""))
    items = [{"id": h.id, "title": h.title, "url": h.url} for h in hits]
    return JsonResponse({"items": items, "count": len(items)})
