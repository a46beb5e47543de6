"""Vote pages: list, detail, casting (phone first), my receipts, paper entry (four eyes), proxies, the
open/close/publish actions, the published result with its arithmetic, a printable notice and a large-type
screen view, receipt lookup and the recount file. Thin: selectors read, services write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Action, Kind
from gongzhi.core import pdf
from gongzhi.core.errors import Forbidden, GongzhiError, NotFound, Unavailable
from gongzhi.voting import ballot_chain, counting, presentation, selectors, services
from gongzhi.voting.models import Rule, Status, Vote
from gongzhi.voting.tally import CHOICES, ITEMS, MAJOR_ITEMS

CHOICE_FIELD = [(c, presentation.CHOICE_LABELS[c]) for c in CHOICES]


def vote_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log-in required; NotFound → 404 (missing and out of scope alike), Forbidden → 403."""

    @login_required
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc)) from exc

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"voting/{template}", context, status=status)


def _refused(request: HttpRequest, exc: GongzhiError) -> None:
    messages.error(request, str(exc.message))


class VoteForm(forms.Form):
    rule = forms.ChoiceField(label=_("Kind of vote"), choices=Rule.choices)
    item = forms.TypedChoiceField(
        label=_("Matter (Civil Code art. 278)"),
        choices=[("", "—")] + [(str(i), str(i)) for i in ITEMS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    motion = forms.CharField(label=_("Motion"), widget=forms.Textarea(attrs={"rows": 4}))
    opens_at = forms.DateTimeField(
        label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    roll_date = forms.DateField(
        label=_("Cut-off date of the roll"), widget=forms.DateInput(attrs={"type": "date"})
    )
    secret = forms.BooleanField(label=_("Secret ballot (elections)"), required=False)


@vote_view
def vote_list(request: HttpRequest) -> HttpResponse:
    votes = selectors.votes_visible_to(request.user)[:100]
    return _render(request, "list.html", {"votes": votes})


@vote_view
def vote_create(request: HttpRequest, node_id: int) -> HttpResponse:
    node = access.node_get_for(request.user, node_id)
    access.require(request.user, Kind.VOTE, Action.CHANGE, node)
    rule = Rule.BUILDING_MEETING if node.level == "stairwell" else Rule.OWNERS_ASSEMBLY
    form = VoteForm(request.POST or None, initial={"rule": rule, "roll_date": timezone.localdate()})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            vote = services.vote_create(actor=request.user, node=node, **form.cleaned_data)
        except GongzhiError as exc:
            _refused(request, exc)
            status = exc.status
        else:
            return redirect("voting:detail", vote_id=vote.pk)
    elif request.method == "POST":
        status = 400
    return _render(request, "create.html", {"node": node, "form": form, "major": sorted(MAJOR_ITEMS)}, status)


def _detail_context(request: HttpRequest, vote: Vote) -> dict[str, Any]:
    return {
        "vote": vote,
        "counts": selectors.vote_counts(vote),
        "may_manage": selectors.may_manage(request.user, vote),
        "my_entries": selectors.my_entries(request.user, vote),
        "now": timezone.now(),
    }


@vote_view
def vote_detail(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = selectors.vote_get_for(request.user, vote_id)
    return _render(request, "detail.html", _detail_context(request, vote))


def _action(name: str, service: Callable[..., Vote], done: Any) -> Callable[..., HttpResponse]:
    @vote_view
    def view(request: HttpRequest, vote_id: int) -> HttpResponse:
        if request.method != "POST":
            return redirect("voting:detail", vote_id=vote_id)
        vote = selectors.vote_manage_for(request.user, vote_id)
        try:
            service(actor=request.user, vote=vote)
        except GongzhiError as exc:
            _refused(request, exc)
            return _render(request, "detail.html", _detail_context(request, vote), exc.status)
        messages.success(request, str(done))
        return redirect("voting:detail", vote_id=vote_id)

    view.__name__ = f"vote_{name}"
    return view


vote_open = _action("open", services.vote_open, _("The vote is open and its roll frozen."))
vote_close = _action("close", services.vote_close, _("The vote is closed."))
vote_publish = _action("publish", services.vote_publish, _("The result is published."))


@vote_view
def ballot_cast(request: HttpRequest, vote_id: int) -> HttpResponse:
    """The phone-sized ballot: one card per dwelling the owner may vote for."""
    vote = selectors.vote_get_for(request.user, vote_id)
    entries = selectors.my_entries(request.user, vote)
    if not entries:
        raise Forbidden(_("Only the dwelling's owners on the roll may vote for it."))
    context: dict[str, Any] = {"vote": vote, "entries": entries, "choices": CHOICE_FIELD, "cast": None}
    status = 200
    if request.method == "POST":
        try:
            context["cast"] = services.ballot_cast_online(
                actor=request.user,
                vote=vote,
                dwelling_id=int(request.POST.get("dwelling") or 0),
                choice=request.POST.get("choice", ""),
            )
        except (GongzhiError, ValueError) as exc:
            messages.error(request, str(getattr(exc, "message", _("Choose yes, no or abstain."))))
            status = getattr(exc, "status", 400)
    context["voted"] = selectors.voted_entry_ids(vote)
    context["mine"] = selectors.my_choices(request.user, vote)
    return _render(request, "cast.html", context, status)


@vote_view
def my_receipts(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = selectors.vote_get_for(request.user, vote_id)
    mine = selectors.my_choices(request.user, vote)
    return _render(
        request,
        "mine.html",
        {"vote": vote, "mine": mine, "entries": selectors.my_entries(request.user, vote)},
    )


class PaperForm(forms.Form):
    pick = forms.RegexField(label=_("Dwelling and the owner who signed"), regex=r"^[0-9]+:[0-9]+$")
    choice = forms.ChoiceField(label=_("Choice on the paper"), choices=CHOICE_FIELD, widget=forms.RadioSelect)
    scan = forms.FileField(label=_("Scan of the ballot"))


def _paper_context(request: HttpRequest, vote: Vote, form: forms.Form) -> dict[str, Any]:
    return {
        "vote": vote,
        "form": form,
        "roll": selectors.roll_with_voters(vote),
        "voted": selectors.voted_entry_ids(vote),
        "readings": selectors.paper_readings(vote),
        "choices": CHOICE_FIELD,
    }


def _paper_post(request: HttpRequest, vote: Vote, form: PaperForm) -> int:
    """Enter a reading or set a conflict aside; the HTTP status to answer with."""
    try:
        if request.POST.get("action") == "set_aside":
            services.paper_conflict_set_aside(
                actor=request.user, vote=vote, dwelling_id=int(request.POST.get("dwelling") or 0)
            )
            messages.success(
                request, str(_("The conflicting readings are set aside; enter the ballot again."))
            )
            return 200
        if not form.is_valid():
            return 400
        dwelling_id, voter_id = (int(part) for part in form.cleaned_data["pick"].split(":"))
        outcome = services.ballot_enter_paper(
            actor=request.user,
            vote=vote,
            dwelling_id=dwelling_id,
            voter_id=voter_id,
            choice=form.cleaned_data["choice"],
            scan=form.cleaned_data["scan"],
        )
    except GongzhiError as exc:
        _refused(request, exc)
        return exc.status
    except ValueError:
        return 400
    text = {
        "pending": _("First reading saved: a second staff member now enters the same ballot independently."),
        "matched": _("Both readings match: the ballot is counted."),
        "conflict": _("The two readings differ: the ballot is blocked. Compare them below with the scan."),
    }[outcome.state]
    (messages.error if outcome.state == "conflict" else messages.success)(request, str(text))
    return 409 if outcome.state == "conflict" else 200


@vote_view
def paper_entry(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = selectors.vote_manage_for(request.user, vote_id)
    form = PaperForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = _paper_post(request, vote, form)
        if status == 200:
            form = PaperForm()
    return _render(request, "paper.html", _paper_context(request, vote, form), status)


class ProxyForm(forms.Form):
    pick = forms.RegexField(label=_("Dwelling and the owner giving the proxy"), regex=r"^[0-9]+:[0-9]+$")
    holder_name = forms.CharField(label=_("Proxy holder"), max_length=60)
    document = forms.FileField(label=_("Authorising document (scan)"))


@vote_view
def proxies(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = selectors.vote_manage_for(request.user, vote_id)
    form = ProxyForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            dwelling_id, owner_id = (int(part) for part in form.cleaned_data["pick"].split(":"))
            try:
                services.proxy_record(
                    actor=request.user,
                    vote=vote,
                    dwelling_id=dwelling_id,
                    owner_id=owner_id,
                    holder_name=form.cleaned_data["holder_name"],
                    document=form.cleaned_data["document"],
                )
            except GongzhiError as exc:
                _refused(request, exc)
                status = exc.status
            else:
                messages.success(request, str(_("The proxy is recorded.")))
                return redirect("voting:proxies", vote_id=vote.pk)
    context = {
        "vote": vote,
        "form": form,
        "roll": selectors.roll_with_voters(vote),
        "proxies": vote.proxies.select_related("entry", "owner"),
    }
    return _render(request, "proxies.html", context, status)


def _published(request: HttpRequest, vote_id: int) -> Vote:
    vote = selectors.vote_get_for(request.user, vote_id)
    if vote.status != Status.PUBLISHED:
        raise NotFound(presentation.not_published())
    return vote


def _result_context(vote: Vote) -> dict[str, Any]:
    return presentation.result_context(vote)


@vote_view
def result(request: HttpRequest, vote_id: int) -> HttpResponse:
    return _render(request, "result.html", _result_context(_published(request, vote_id)))


@vote_view
def notice(request: HttpRequest, vote_id: int) -> HttpResponse:
    """The notice for the board (print it from the browser: the page carries a print style)."""
    return _render(request, "notice.html", _result_context(_published(request, vote_id)))


@vote_view
def notice_pdf(request: HttpRequest, vote_id: int) -> HttpResponse:
    """The same notice as a PDF for printing on A4 (HZ-5.1.3.2.1.3 公开), made on request: it is one page."""
    vote = _published(request, vote_id)
    try:
        data = pdf.render_pdf("voting/notice_pdf.html", _result_context(vote), request)
    except Unavailable as exc:
        return HttpResponse(str(exc.message), status=exc.status, content_type="text/plain; charset=utf-8")
    return pdf.pdf_response(data, f"vote-{vote.pk}-notice.pdf")


@vote_view
def screen(request: HttpRequest, vote_id: int) -> HttpResponse:
    """Large type for the compound's e-screen."""
    return _render(request, "screen.html", _result_context(_published(request, vote_id)))


@vote_view
def receipt_lookup(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = _published(request, vote_id)
    code = request.GET.get("code", "")
    found, status = None, 200
    if code:
        if ballot_chain.receipt_normalise(code) is None:
            messages.error(request, str(presentation.RECEIPT_INVALID))
            status = 400
        else:
            found = ballot_chain.receipt_find(vote.publication or {"receipts": []}, code) or {}
    label = presentation.CHOICE_LABELS.get(found.get("choice", "")) if found else None
    context = {"vote": vote, "code": code, "found": found, "choice_label": label}
    return _render(request, "lookup.html", context, status)


@vote_view
def recount_file(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = _published(request, vote_id)
    response = HttpResponse(counting.recount_file(vote), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gongzhi-vote-{vote.pk}.json"'
    return response
