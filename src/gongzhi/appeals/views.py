"""Appeal pages: submit (phone first), my appeals with a plain timeline, the handler's work queue, a case with
the buttons lifecycle allows, and a compound or community board of anonymised cases and outcomes. Thin:
selectors read, appeals.cases writes."""

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
from gongzhi.access.reach import reach_of
from gongzhi.appeals import cases, presentation, selectors, topics
from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.labels import CATEGORY_LABELS, SEVERITY_LABELS, user_error
from gongzhi.appeals.models import Appeal, Channel
from gongzhi.appeals.services import holiday_schedule_load
from gongzhi.appeals.workdays import parse_schedule
from gongzhi.core.errors import Forbidden, GongzhiError, InvalidInput, NotFound
from gongzhi.tree.levels import Level


def appeal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
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
    return render(request, f"appeals/{template}", context, status=status)


def _rows(appeals: Any) -> list[dict[str, Any]]:
    return [
        {
            "appeal": a,
            "category": presentation.category_label(a.category),
            "state": presentation.state_label(a.state),
        }
        for a in appeals
    ]


@appeal_view
def my_appeals(request: HttpRequest) -> HttpResponse:
    mine = selectors.my_appeals(request.user)[:100]
    return _render(request, "mine.html", {"rows": _rows(mine)})


@appeal_view
def queue(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    qs = selectors.work_queue(request.user, state)[:200]
    counts = selectors.queue_counts(selectors.appeals_visible_to(request.user))
    labelled = [(s, presentation.state_label(s), n) for s, n in sorted(counts.items())]
    return _render(request, "queue.html", {"rows": _rows(qs), "counts": labelled, "state": state})


class SubmitForm(forms.Form):
    dwelling = forms.TypedChoiceField(label=_("Your home"), coerce=int, choices=[])
    place = forms.ChoiceField(label=_("The problem concerns"), required=False, choices=[])
    category = forms.ChoiceField(label=_("Category"), choices=list(CATEGORY_LABELS.items()))
    description = forms.CharField(
        label=_("Description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=list(SEVERITY_LABELS.items()), initial="normal")
    anonymous = forms.BooleanField(label=_("Hide my name from the people it concerns"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.WEB)
    on_behalf_of = forms.CharField(label=_("On behalf of (walk-in, phone)"), max_length=100, required=False)
    photos = forms.FileField(
        label=_("Photos"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            elif not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-control"
            else:
                field.widget.attrs["class"] = "form-check-input"


def _home_choices(user: Any) -> list[tuple[int, str]]:
    homes = access.dwellings_for(user)[:300]
    return [(d.pk, f"{d.building.name} {d.stairwell.name} {d.number}") for d in homes]


def _place_choices(dwelling_id: int | None, user: Any) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", _("my home's stairwell"))]
    if dwelling_id:
        d = access.dwelling_get_for(user, dwelling_id)
        from gongzhi.tree.models import Node

        for node in Node.objects.filter(path__in=[d.path[: 4 * i] for i in range(1, len(d.path) // 4)]):
            if node.level in (Level.BUILDING, Level.COMPOUND, Level.RESIDENT_GROUP):
                choices.append((str(node.pk), node.name))
    return choices


@appeal_view
def submit(request: HttpRequest) -> HttpResponse:
    form = SubmitForm(request.POST or None, request.FILES or None)
    homes = _home_choices(request.user)
    raw = request.POST.get("dwelling") or (homes[0][0] if homes else None)
    try:
        chosen = int(raw) if raw else None
    except ValueError:
        chosen = None
    if request.method == "POST" and chosen is not None:
        home = access.dwelling_get_for(request.user, chosen)  # a home out of reach: 404, like a missing one
        if chosen not in {pk for pk, _label in homes}:
            homes.append((home.pk, f"{home.building.name} {home.stairwell.name} {home.number}"))
    form.fields["dwelling"].choices = homes  # type: ignore[attr-defined]
    places = _place_choices(chosen, request.user) if chosen else [("", "—")]
    form.fields["place"].choices = places  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            done = _submit(request, form.cleaned_data)
        except GongzhiError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            note = (
                _("Your appeal joined your household's open appeal.")
                if done.merged
                else _("Appeal submitted.")
            )
            messages.success(request, str(note))
            return redirect("appeals:detail", appeal_id=done.appeal.pk)
    elif request.method == "POST":
        status = 400
    return _render(request, "submit.html", {"form": form, "no_homes": not homes}, status)


def _submit(request: HttpRequest, data: dict[str, Any]) -> cases.Submitted:
    dwelling = access.dwelling_get_for(request.user, data["dwelling"])
    place = (
        access.node_get_for(request.user, int(data["place"]), name_only_ok=True) if data["place"] else None
    )
    return cases.appeal_submit(
        actor=request.user,
        dwelling=dwelling,
        place=place,
        category=data["category"],
        description=data["description"],
        severity=data["severity"],
        anonymous=data["anonymous"],
        channel=data["channel"],
        on_behalf_of=data["on_behalf_of"],
        photos=request.FILES.getlist("photos"),
    )


def _detail_context(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    ctx = cases.context_of(appeal.place)
    step = ctx.ladders.ladder(appeal.track).step(appeal.step)
    events = [
        {"event": e, "by": presentation.actor_label(e.actor_role), "label": presentation.event_label(e.transition)}
        for e in selectors.timeline(appeal)
    ]  # fmt: skip
    allowed = cases.allowed_actions(request.user, appeal, ctx)
    return {
        "appeal": appeal,
        "topics": list(topics.topics_of(request.user, appeal)),
        "topic_procedures": _procedure_choices(appeal) if topics.CONVENE in allowed else [],
        "may_convene": topics.CONVENE in allowed,
        "category": presentation.category_label(appeal.category),
        "state": presentation.state_label(appeal.state),
        "body": presentation.body_label(step.body),
        "events": events,
        "actions": presentation.action_forms(allowed),
        "photos": list(appeal.photos.all()),
        "mine": appeal.submitter_id == request.user.pk,
        "ratings": range(1, 6),
    }


@appeal_view
def detail(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = selectors.appeal_get_for(request.user, appeal_id)
    return _render(request, "detail.html", _detail_context(request, appeal))


def _form_data(request: HttpRequest) -> dict[str, Any]:
    skip = {"csrfmiddlewaretoken", "version"}
    data: dict[str, Any] = {k: v for k, v in request.POST.items() if k not in skip and v != ""}
    if "rating" in data:
        try:
            data["rating"] = int(data["rating"])
        except ValueError as exc:
            raise InvalidInput(_("Rate from 1 to 5."), code="rating_invalid") from exc
    if "due" in data:
        data["due"] = cases.parse_due(data["due"])
    return data


@appeal_view
def act(request: HttpRequest, appeal_id: int, transition: str) -> HttpResponse:
    appeal = selectors.appeal_get_for(request.user, appeal_id)
    if request.method != "POST":
        return redirect("appeals:detail", appeal_id=appeal.pk)
    try:
        raw = request.POST.get("version", "")
        version = int(raw) if raw.isdigit() else None
        data = _form_data(request)
        if transition == "transfer":  # sideways: to another body at the case's own level
            data["to_level"] = appeal.level
        cases.appeal_transition(
            actor=request.user, appeal_id=appeal.pk, transition=transition, data=data, version=version
        )
    except Forbidden:
        raise
    except GongzhiError as exc:
        messages.error(request, str(exc.message))
        appeal = selectors.appeal_get_for(request.user, appeal_id)
        return _render(request, "detail.html", _detail_context(request, appeal), exc.status)
    messages.success(request, str(_("Done.")))
    return redirect("appeals:detail", appeal_id=appeal.pk)


def _procedure_choices(appeal: Appeal) -> list[tuple[str, Any]]:
    from gongzhi.voting import procedures

    return [(k, _(procedures.PROCEDURES[k].label)) for k in topics.procedures_at(appeal.handling_node)]


@appeal_view
def topic(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """Turn the case into a deliberation topic at its level, or link an existing topic (POST)."""
    appeal = selectors.appeal_get_for(request.user, appeal_id)
    if request.method != "POST":
        return redirect("appeals:detail", appeal_id=appeal.pk)
    post = request.POST
    try:
        raw_topic, raw_version = post.get("topic_id", "").strip(), post.get("version", "")
        if raw_topic and not raw_topic.isdigit():
            raise InvalidInput(_("Give the topic's number."), code="topic_invalid")
        _appeal, made = topics.appeal_convene_topic(
            actor=request.user,
            appeal_id=appeal.pk,
            topic_id=int(raw_topic) if raw_topic else None,
            title=post.get("title", ""),
            procedure=post.get("procedure", ""),
            description=post.get("description", ""),
            version=int(raw_version) if raw_version.isdigit() else None,
        )
    except Forbidden:
        raise
    except GongzhiError as exc:
        messages.error(request, str(exc.message))
        appeal = selectors.appeal_get_for(request.user, appeal_id)
        return _render(request, "detail.html", _detail_context(request, appeal), exc.status)
    messages.success(request, str(_("The appeal is on the deliberation topic #%(id)s.") % {"id": made.pk}))
    return redirect("appeals:detail", appeal_id=appeal.pk)


@appeal_view
def board(request: HttpRequest, node_id: int) -> HttpResponse:
    """Feedback to residents (BZ-5.2.2(a)): cases and outcomes, without names, homes or descriptions."""
    node = access.node_get_for(request.user, node_id, name_only_ok=True)
    if node.level not in (Level.COMPOUND, Level.COMMUNITY) or reach_of(request.user).nothing:
        raise access.not_found()
    rows = _rows(selectors.board(node)[:200])
    return _render(request, "board.html", {"node": node, "rows": rows})


class HolidayForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2004, max_value=2100)
    schedule = forms.CharField(
        label=_("Schedule"),
        help_text=_(
            "One line per holiday or holiday period and per make-up working day, e.g. “2027-01-01 holiday”, "
            "“2027-02-05..2027-02-11 holiday”, “2027-02-13 workday” (or 休 / 班); or the JSON the load-holidays "
            "command reads."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control font-monospace"}),
    )
    source = forms.CharField(
        label=_("State Council notice"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    replace_official = forms.BooleanField(
        label=_("Replace the schedule shipped for this year (a correction)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


@appeal_view
def holidays(request: HttpRequest) -> HttpResponse:
    """The official holiday calendar by year (§5 #18); an administrator loads a year's State Council schedule,
    and the open appeals counted Monday–Friday into that year get their deadlines recomputed."""
    if not request.user.is_superuser:
        raise PermissionDenied(str(access.FORBIDDEN))
    form = HolidayForm(request.POST or None, initial={"year": timezone.localdate().year + 1})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            parsed = parse_schedule(data["schedule"])
            if parsed.year is not None and parsed.year != data["year"]:
                raise AppealRuleError("schedule_year_mismatch", year=data["year"])
            holiday_schedule_load(
                actor=request.user,
                year=data["year"],
                holidays=parsed.holidays,
                workdays=parsed.workdays,
                source=data["source"],
                replace_official=data["replace_official"],
            )
        except AppealRuleError as exc:
            messages.error(request, str(user_error(exc).message))
            status = 400
        except GongzhiError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            messages.success(request, str(_("Schedule loaded; open deadlines were recomputed.")))
            return redirect("appeals:holidays")
    elif request.method == "POST":
        status = 400
    years = selectors.calendar_years(timezone.localdate())
    return _render(request, "holidays.html", {"form": form, "years": years}, status)
