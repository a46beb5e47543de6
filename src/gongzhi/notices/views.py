"""The notification centre's pages: the list (newest first, unread highlighted, unread only on request), marking
one or all read (POST), and the user's channel preferences. Thin: selectors read, services write."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import NotFound
from gongzhi.notices import selectors, services
from gongzhi.notices.delivery import email_enabled, notice_url
from gongzhi.notices.presentation import shown

PER_PAGE = 50


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("unread") == "1"
    pages = Paginator(selectors.notices_for(request.user, unread=unread), PER_PAGE)
    page = pages.get_page(request.GET.get("page"))
    context = {
        "rows": shown(page.object_list),
        "page": page,
        "unread_only": unread,
        "unread_total": selectors.unread_count(request.user),
    }
    return render(request, "notices/list.html", context)


@require_POST
@login_required
def notice_read(request: HttpRequest, notice_id: int) -> HttpResponse:
    try:
        notice = services.notice_mark_read(actor=request.user, notice_id=notice_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    target = notice_url(notice) if request.POST.get("open") else ""
    return redirect(target or _back(request))


@require_POST
@login_required
def notice_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notices_mark_all_read(actor=request.user)
    messages.success(request, str(_("%(n)s notices marked read.") % {"n": count}))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    nxt = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})
    return nxt if nxt and safe else "/notices/"


class PreferenceForm(forms.Form):
    email = forms.BooleanField(label=_("Also send my notices by email"), required=False)
    sms = forms.BooleanField(label=_("Also send urgent notices by SMS"), required=False)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    pref = selectors.preference_of(request.user)
    form = PreferenceForm(request.POST or None, initial={"email": pref.email, "sms": pref.sms})
    if request.method == "POST" and form.is_valid():
        services.preference_set(actor=request.user, **form.cleaned_data)
        messages.success(request, str(_("Your notice settings were saved.")))
        return redirect("notices:preferences")
    context = {
        "form": form,
        "email_enabled": email_enabled(),
        "has_email": bool(getattr(request.user, "email", "")),
    }
    return render(request, "notices/preferences.html", context)
