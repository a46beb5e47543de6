"""Topic pages: list, create, a topic with its procedure as a stepper and the form of each step the user may
take, deciding; meetings with attendance, thread, minutes and attachments; a community's must-deliberate
catalogue. Thin: selectors read, services write, the step forms are drawn from the procedure's declaration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.reach import reach_of
from gongzhi.core.errors import Forbidden, GongzhiError, InvalidInput, NotFound
from gongzhi.deliberation import rules, selectors, services
from gongzhi.deliberation.models import CatalogueEntry, Format, Topic
from gongzhi.tree.models import Node
from gongzhi.voting import procedures
from gongzhi.voting.selectors import vote_get_for


def topic_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
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
    return render(request, f"deliberation/{template}", context, status=status)


@topic_view
def topic_list(request: HttpRequest) -> HttpResponse:
    topics = selectors.topics_visible_to(request.user)[:100]
    paths = reach_of(request.user).node_paths(Kind.TOPIC, Action.CHANGE)
    nodes = Node.objects.filter(path__in=paths).order_by("path")
    return _render(request, "list.html", {"topics": topics, "nodes": nodes})


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    source = forms.ChoiceField(label=_("Source"), choices=list(rules.SOURCES.items()))
    appeal_id = forms.IntegerField(label=_("Appeal number"), required=False, min_value=1)
    procedure = forms.ChoiceField(label=_("Procedure"))
    matter: forms.ModelChoiceField[CatalogueEntry] = forms.ModelChoiceField(
        label=_("Must-deliberate matter"), queryset=CatalogueEntry.objects.none(), required=False
    )

    def __init__(self, *args: Any, node: Node, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [k for k in procedures.PROCEDURES if rules.level_allows(k, node.level)]
        procedure, matter = self.fields["procedure"], self.fields["matter"]
        assert isinstance(procedure, forms.ChoiceField) and isinstance(matter, forms.ModelChoiceField)
        procedure.choices = [(k, _(procedures.PROCEDURES[k].label)) for k in kinds]
        matter.queryset = selectors.catalogue_for_node(node)


@topic_view
def topic_create(request: HttpRequest, node_id: int) -> HttpResponse:
    node = access.node_get_for(request.user, node_id)
    access.require(request.user, Kind.TOPIC, Action.CHANGE, node)
    form = TopicForm(request.POST or None, node=node)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(actor=request.user, node=node, **form.cleaned_data)
        except GongzhiError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            return redirect("deliberation:detail", topic_id=topic.pk)
    elif request.method == "POST":
        status = 400
    return _render(request, "create.html", {"node": node, "form": form}, status)


def _field_view(field: str) -> dict[str, Any]:
    kind = rules.FIELD_KINDS.get(field, "text")
    choices = rules.CHOICES.get(field, {})
    if field == "positions":
        choices = rules.POSITIONS
    label = rules.FIELD_LABELS.get(field, field)
    return {"name": field, "kind": kind, "label": label, "choices": list(choices.items())}


def _moves(request: HttpRequest, topic: Topic) -> list[dict[str, Any]]:
    return [
        {"move": m, "fields": [_field_view(f) for f in m.records], "participants": m.participants}
        for m in selectors.moves_for(request.user, topic)
    ]


def _detail_context(request: HttpRequest, topic: Topic) -> dict[str, Any]:
    return {
        "topic": topic,
        "procedure": procedures.procedure_get(topic.procedure),
        "stepper": selectors.stepper_for(topic),
        "steps": topic.steps.select_related("actor"),
        "moves": _moves(request, topic),
        "may_change": selectors.may_change(request.user, topic),
        "meetings": topic.meetings.order_by("starts_at"),
        "bodies": procedures.JOINT_MEETING_BODIES,
        "formats": Format.choices,
        "labels": rules.step_labels(topic.procedure),
    }


@topic_view
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_for(request.user, topic_id)
    return _render(request, "detail.html", _detail_context(request, topic))


def _int(post: Any, name: str) -> int | None:
    try:
        return int(post.get(name, ""))
    except ValueError:
        return None


def _value(post: Any, field: str) -> Any:
    kind = rules.FIELD_KINDS.get(field, "text")
    if kind == "list":
        values = post.getlist(field)
        return [v.strip() for line in values for v in line.splitlines() if v.strip()]
    if kind == "vote":
        if post.get("vote_id"):
            return {"vote_id": _int(post, "vote_id")}
        return {k: _int(post, f"vote_{k}") for k in ("yes", "no", "abstain", "households")}
    if kind == "positions":
        return {
            b: post.get(f"position_{b}", "")
            for b in procedures.JOINT_MEETING_BODIES
            if post.get(f"position_{b}")
        }
    return post.get(field, "").strip()


def record_from_post(move: procedures.Transition, post: Any) -> dict[str, Any]:
    """The step's records from a submitted form (files are passed separately)."""
    record = {f: _value(post, f) for f in move.records if rules.FIELD_KINDS.get(f) != "file"}
    for field in move.records:
        for companion in rules.COMPANIONS.get(field, ()):
            record[companion] = _int(post, companion)
    return record


@require_POST
@topic_view
def topic_advance(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_for(request.user, topic_id)
    target = request.POST.get("target", "")
    move = next(
        (t for t in procedures.procedure_get(topic.procedure).transitions if t.target == target), None
    )
    record = record_from_post(move, request.POST) if move else {}
    meeting_id = _int(request.POST, "meeting")
    meeting = selectors.meeting_get_for(request.user, meeting_id) if meeting_id else None
    try:
        services.topic_advance(
            actor=request.user,
            topic=topic,
            target=target,
            capacities=selectors.capacities_for(request.user, topic),
            record=record,
            version=_int(request.POST, "version"),
            meeting=meeting,
            attachment=request.FILES.get("photo"),
        )
    except GongzhiError as exc:
        messages.error(request, str(exc.message))
        return _render(request, "detail.html", _detail_context(request, topic), exc.status)
    messages.success(request, str(_("Step recorded.")))
    return redirect("deliberation:detail", topic_id=topic.pk)


@require_POST
@topic_view
def topic_decide(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_change_for(request.user, topic_id)
    try:
        services.topic_decide(actor=request.user, topic=topic, decision=request.POST.get("decision", ""))
    except GongzhiError as exc:
        messages.error(request, str(exc.message))
        return _render(request, "detail.html", _detail_context(request, topic), exc.status)
    return redirect("deliberation:detail", topic_id=topic.pk)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    invitees = forms.CharField(
        label=_("Invitees (one a line)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


@require_POST
@topic_view
def meeting_schedule(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_change_for(request.user, topic_id)
    form = MeetingForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(_("Check the meeting's title, format and time.")))
        return _render(request, "detail.html", _detail_context(request, topic), 400)
    data = form.cleaned_data
    try:
        meeting = services.meeting_schedule(
            actor=request.user,
            topic=topic,
            title=data["title"],
            format=data["format"],
            starts_at=data["starts_at"],
            place=data["place"],
            invitees=[v.strip() for v in data["invitees"].splitlines() if v.strip()],
        )
    except GongzhiError as exc:
        messages.error(request, str(exc.message))
        return _render(request, "detail.html", _detail_context(request, topic), exc.status)
    return redirect("deliberation:meeting", meeting_id=meeting.pk)


@topic_view
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get_for(request.user, meeting_id)
    return _render(request, "meeting.html", _meeting_context(request, meeting))


def _meeting_context(request: HttpRequest, meeting: Any) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "topic": meeting.topic,
        "may_change": selectors.may_change(request.user, meeting.topic),
        "attendance": meeting.attendance.all(),
        "posts": meeting.posts.select_related("author"),
        "attachments": meeting.attachments.all(),
    }


def _meeting_action(
    name: str, run: Callable[[HttpRequest, Any], Any], manage: bool
) -> Callable[..., HttpResponse]:
    @require_POST
    @topic_view
    def view(request: HttpRequest, meeting_id: int) -> HttpResponse:
        get = selectors.meeting_change_for if manage else selectors.meeting_get_for
        meeting = get(request.user, meeting_id)
        try:
            run(request, meeting)
        except GongzhiError as exc:
            messages.error(request, str(exc.message))
            return _render(request, "meeting.html", _meeting_context(request, meeting), exc.status)
        return redirect("deliberation:meeting", meeting_id=meeting.pk)

    view.__name__ = f"meeting_{name}"
    return view


def _sign_in(request: HttpRequest, meeting: Any) -> Any:
    post = request.POST
    return services.meeting_sign_in(
        actor=request.user, meeting=meeting, name=post.get("name", ""), capacity=post.get("capacity", "")
    )


def _join(request: HttpRequest, meeting: Any) -> Any:
    name = request.POST.get("name", "").strip() or request.user.get_username()
    capacity = request.POST.get("capacity", "").strip() or procedures.RESIDENT
    return services.meeting_join(actor=request.user, meeting=meeting, name=name, capacity=capacity)


def _post(request: HttpRequest, meeting: Any) -> Any:
    return services.meeting_post(actor=request.user, meeting=meeting, body=request.POST.get("body", ""))


def _minutes(request: HttpRequest, meeting: Any) -> Any:
    vote_id = _int(request.POST, "vote_id")
    vote = vote_get_for(request.user, vote_id) if vote_id else None
    post = request.POST
    return services.meeting_record(
        actor=request.user,
        meeting=meeting,
        minutes=post.get("minutes", ""),
        decisions=post.get("decisions", ""),
        vote=vote,
    )


def _attach(request: HttpRequest, meeting: Any) -> Any:
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput(_("Choose a file."), code="file_required")
    return services.meeting_attach(actor=request.user, meeting=meeting, upload=upload)


meeting_sign_in = _meeting_action("sign_in", _sign_in, manage=True)
meeting_join = _meeting_action("join", _join, manage=False)
meeting_post = _meeting_action("post", _post, manage=False)
meeting_minutes = _meeting_action("minutes", _minutes, manage=True)
meeting_attach = _meeting_action("attach", _attach, manage=True)


@topic_view
def catalogue(request: HttpRequest, node_id: int) -> HttpResponse:
    community = access.community_get_for(request.user, node_id, Kind.TOPIC)
    may_change = request.user.has_perm("gongzhi.change_topic", community)
    status = 200
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        try:
            services.catalogue_add(
                actor=request.user, community=community, title=request.POST.get("title", "")
            )
        except GongzhiError as exc:
            messages.error(request, str(exc.message))
            status = exc.status
        else:
            return redirect("deliberation:catalogue", node_id=community.pk)
    context = {"community": community, "entries": selectors.catalogue_of(community), "may_change": may_change}
    return _render(request, "catalogue.html", context, status)
