"""Server-rendered pages. Each view reads its context from web.pages (scoped selectors) and renders it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.core.errors import NotFound
from gongzhi.web import pages


def _page(
    request: HttpRequest, template: str, build: Callable[..., dict[str, Any]], *args: Any
) -> HttpResponse:
    try:
        context = build(request.user, *args)
    except NotFound as exc:  # the same 404 for missing and for out-of-scope objects
        raise Http404(str(exc)) from exc
    return render(request, template, context)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return _page(request, "web/home.html", pages.home)


@login_required
def tree_roots(request: HttpRequest) -> HttpResponse:
    return _page(request, "web/tree_roots.html", pages.roots)


@login_required
def node(request: HttpRequest, node_id: int) -> HttpResponse:
    return _page(request, "web/node.html", pages.node, node_id)


@login_required
def node_policy(request: HttpRequest, node_id: int) -> HttpResponse:
    """The policy table: an htmx fragment inside the node page, or a page of its own without htmx."""
    template = "web/_policy.html" if getattr(request, "htmx", False) else "web/node_policy.html"
    return _page(request, template, pages.node_policy, node_id)


@login_required
def dwelling(request: HttpRequest, dwelling_id: int) -> HttpResponse:
    return _page(request, "web/dwelling.html", pages.dwelling, dwelling_id)


@login_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    return _page(request, "web/person.html", pages.person, person_id)


@login_required
def body(request: HttpRequest, body_id: int) -> HttpResponse:
    return _page(request, "web/body.html", pages.body, body_id)


@login_required
def compliance(request: HttpRequest, community_id: int) -> HttpResponse:
    return _page(request, "web/compliance.html", pages.compliance, community_id)


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Personal API tokens: create (the plaintext is shown on this response only) and revoke."""
    from django.contrib import messages

    from gongzhi.accounts import tokens
    from gongzhi.core.errors import GongzhiError

    created = None
    if request.method == "POST":
        try:
            if "revoke" in request.POST:
                tokens.api_token_revoke(actor=request.user, token_id=int(request.POST["revoke"]))
            else:
                created = tokens.api_token_create(actor=request.user, name=request.POST.get("name", ""))[1]
        except (GongzhiError, ValueError) as exc:
            messages.error(request, str(exc))
    context = {"tokens": tokens.api_tokens_of(request.user), "created": created}
    return render(
        request, "web/api_tokens.html", context, status=400 if messages.get_messages(request) else 200
    )
