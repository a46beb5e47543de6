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
def dwellings(request: HttpRequest) -> HttpResponse:
    """The user's dwellings as a paged list, narrowed by node or grid (?node=, ?grid=)."""
    return _page(request, "web/dwellings.html", pages.dwellings, request.GET)


@login_required
def dwelling(request: HttpRequest, dwelling_id: int) -> HttpResponse:
    return _page(request, "web/dwelling.html", pages.dwelling, dwelling_id)


@login_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    if request.method == "POST":
        return person_reveal(request, person_id)
    return _page(request, "web/person.html", pages.person, person_id)


def person_reveal(request: HttpRequest, person_id: int) -> HttpResponse:
    """Shows the clear ID number and phone on this one response, after the audited reveal service."""
    from django.contrib import messages

    from gongzhi.core.errors import GongzhiError
    from gongzhi.people.services import person_reveal as reveal

    try:
        context = pages.person(request.user, person_id, log_view=False)
    except NotFound as exc:
        raise Http404 from exc
    status = 200
    try:
        context["revealed"] = reveal(
            actor=request.user, person=context["person"], purpose=request.POST.get("purpose", "")
        )
    except GongzhiError as exc:
        messages.error(request, str(exc))
        status = exc.status
    return render(request, "web/person.html", context, status=status)


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


def _history_object(user: Any, kind: str, object_id: int) -> Any:
    """The object whose history is asked for, through the same scoped access as its own page."""
    from gongzhi.access import selectors as access
    from gongzhi.access.capabilities import Kind

    getters: dict[str, Callable[[Any, int], Any]] = {
        "node": access.node_get_for,
        "dwelling": access.dwelling_get_for,
        "person": access.person_get_for,
        "body": access.body_get_for,
    }
    if kind not in getters:
        raise access.not_found()
    obj = getters[kind](user, object_id)
    access.require_view(user, Kind.HISTORY, obj)
    return obj


@login_required
def history(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    """An object's audit history (who changed what, when, from where), for anyone who may see the object."""
    from django.core.paginator import Paginator

    from gongzhi.audit.selectors import audit_history

    try:
        obj = _history_object(request.user, kind, object_id)
    except NotFound as exc:
        raise Http404 from exc
    page = Paginator(audit_history(obj), 50).get_page(request.GET.get("page"))
    return render(request, "web/history.html", {"object": obj, "page": page})


@login_required
def audit_search(request: HttpRequest) -> HttpResponse:
    """Search the audit trail under the auditor's subtrees (district and street officers, administrators)."""
    from django.core.paginator import Paginator

    from gongzhi.audit import selectors as audit
    from gongzhi.web.forms import AuditSearchForm

    paths = audit.auditor_paths(request.user)
    if paths == []:
        raise Http404
    form = AuditSearchForm(request.GET or None)
    entries = audit.AuditEntry.objects.none()
    if form.is_valid():
        entries = audit.audit_search(paths, **form.search_args())
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "web/audit_search.html", {"form": form, "page": page}, status=status)


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """A resident's own record, households, ownerships, roles and who changed them (PIPL access right)."""
    from gongzhi.people.selectors import my_data as my_data_of

    return render(request, "web/my_data.html", my_data_of(request.user))


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Set up, confirm or use the TOTP second factor (required before revealing personal data)."""
    from django.contrib import messages

    from gongzhi.accounts import two_factor
    from gongzhi.core.errors import GongzhiError

    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "start":
                two_factor.totp_setup_start(actor=request.user, verified=two_factor.is_verified(request.user))
            elif action == "confirm":
                two_factor.totp_setup_confirm(
                    actor=request.user, request=request, token=request.POST.get("token", "")
                )
            elif action == "verify":
                two_factor.totp_verify(request=request, token=request.POST.get("token", ""))
        except GongzhiError as exc:
            messages.error(request, str(exc))
            status = exc.status
    pending = two_factor.pending_device(request.user)
    context = {
        "confirmed": two_factor.confirmed_device(request.user),
        "pending": pending,
        "manual_key": two_factor.manual_key(pending) if pending else "",
        "verified": two_factor.is_verified(request.user),
        "required": two_factor.second_factor_required(request.user),
    }
    return render(request, "web/security.html", context, status=status)


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """The code page after the password, for users with an authenticator (see accounts.two_factor)."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.http import url_has_allowed_host_and_scheme

    from gongzhi.accounts import two_factor
    from gongzhi.core.errors import GongzhiError

    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if two_factor.is_verified(request.user) or two_factor.confirmed_device(request.user) is None:
        return redirect(next_url or "web:home")
    status = 200
    if request.method == "POST":
        try:
            two_factor.totp_verify(request=request, token=request.POST.get("token", ""))
            return redirect(next_url or "web:home")
        except GongzhiError as exc:
            messages.error(request, str(exc))
            status = exc.status
    return render(request, "web/second_factor.html", {"next": next_url}, status=status)
