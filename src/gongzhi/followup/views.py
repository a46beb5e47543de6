"""Pages after the decision: a topic's implementation with the forms its user may use and the residents'
appraisal; the stairwell notice of the result; a community's filings; the deliberation success rate. Thin:
selectors read, services write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Kind
from gongzhi.core.errors import Forbidden, GongzhiError, InvalidInput
from gongzhi.deliberation import selectors as deliberation
from gongzhi.deliberation.models import Topic
from gongzhi.deliberation.services import history_of, self_and_above
from gongzhi.deliberation.views import topic_view
from gongzhi.followup import api, rules, selectors, services


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"followup/{template}", context, status=status)


def page_context(request: HttpRequest, topic: Topic) -> dict[str, Any]:
    impl = selectors.implementation_of(topic)
    summary = selectors.appraisal_summary_for(topic)
    scale_max, satisfied_min = services.appraisal_scale(topic)
    rated = selectors.rated_dwellings(topic)
    return {
        "topic": topic,
        "impl": impl,
        "events": impl.events.select_related("actor") if impl else [],
        "milestones": [(m, selectors.milestone_late(m)) for m in impl.milestones.all()] if impl else [],
        "overdue": impl is not None
        and rules.overdue(state=impl.state, due_on=impl.due_on, today=timezone.localdate()),
        "actions": selectors.actions_for(request.user, topic, impl),
        "action_labels": {k: a.label for k, a in rules.ACTIONS.items()},
        "states": rules.STATES,
        "summary": summary,
        "satisfaction": rules.percent(summary.satisfaction),
        "response_rate": rules.percent(summary.response_rate),
        "scale": range(scale_max, 0, -1),
        "satisfied_min": satisfied_min,
        "appraisal_open": rules.appraisal_open(
            topic.procedure, history_of(topic), impl.state if impl else ""
        ),
        "my_households": [(d, d.pk in rated) for d in selectors.appraisal_dwellings(request.user, topic)],
        "filing": _filing(topic),
        "may_acknowledge": bool(set(services.RECEIVERS) & deliberation.capacities_for(request.user, topic)),
    }


def _filing(topic: Topic) -> Any:
    state = rules.FILING_STATES.get(topic.procedure)
    return topic.steps.filter(target=state).select_related("actor", "receipt__by").first() if state else None


@topic_view
def followup_page(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = deliberation.topic_get_for(request.user, topic_id)
    return _render(request, "page.html", page_context(request, topic))


def _failed(request: HttpRequest, topic: Topic, exc: GongzhiError) -> HttpResponse:
    messages.error(request, str(exc.message))
    return _render(request, "page.html", page_context(request, topic), exc.status)


def _date(value: str, required: bool = True) -> dt.date | None:
    if not value and not required:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(_("Give the date as YYYY-MM-DD."), code="date_invalid") from exc


def _day(value: str) -> dt.date:
    day = _date(value)
    assert day is not None  # required: _date raised InvalidInput for an empty value
    return day


def _version(post: Any) -> int | None:
    value = post.get("version", "")
    return int(value) if value.isdigit() else None


@require_POST
@topic_view
def appoint(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = deliberation.topic_get_for(request.user, topic_id)
    post = request.POST
    try:
        services.implementation_appoint(
            actor=request.user,
            topic=topic,
            capacities=deliberation.capacities_for(request.user, topic),
            implementer=post.get("implementer", ""),
            due_on=_day(post.get("due_on", "")),
            standard=post.get("standard", ""),
        )
    except GongzhiError as exc:
        return _failed(request, topic, exc)
    messages.success(request, str(_("Implementer appointed.")))
    return redirect("followup:page", topic_id=topic.pk)


def _act(request: HttpRequest, action: str, impl: Any, capacities: frozenset[str]) -> None:
    post, common = request.POST, {"actor": request.user, "implementation": impl, "capacities": capacities}
    version, text = _version(post), post.get("text", "")
    if action == "progress":
        percent = post.get("percent", "")
        services.implementation_report(
            **common, text=text, percent=int(percent) if percent.isdigit() else None, version=version
        )
    elif action == "change":
        services.implementation_change(
            **common,
            due_on=_date(post.get("due_on", ""), required=False),
            standard=post.get("standard") or None,
            reason=post.get("reason", ""),
            version=version,
        )
    elif action == "milestone":
        services.implementation_milestone_add(
            **common,
            title=post.get("title", ""),
            due_on=_day(post.get("due_on", "")),
            version=version,
        )
    elif action == "milestone_reached":
        milestone = post.get("milestone", "")
        services.implementation_milestone_reach(
            **common, milestone_id=int(milestone) if milestone.isdigit() else 0, text=text, version=version
        )
    elif action == "follow_up":
        services.implementation_follow_up(**common, text=text, version=version)
    else:
        services.implementation_close(**common, outcome=action, text=text, version=version)


@require_POST
@topic_view
def act(request: HttpRequest, topic_id: int, action: str) -> HttpResponse:
    impl = selectors.implementation_get_for(request.user, topic_id)
    if action not in rules.ACTIONS or action == "appoint":
        raise access.not_found()
    try:
        _act(request, action, impl, deliberation.capacities_for(request.user, impl.topic))
    except GongzhiError as exc:
        return _failed(request, impl.topic, exc)
    messages.success(request, str(_("Recorded.")))
    return redirect("followup:page", topic_id=topic_id)


class AppraisalForm(forms.Form):
    dwelling = forms.IntegerField(min_value=1)
    rating = forms.IntegerField()
    comment = forms.CharField(max_length=500, required=False)


@require_POST
@topic_view
def appraise(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = deliberation.topic_get_for(request.user, topic_id)
    form = AppraisalForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Choose your household and a rating."), code="rating_invalid")
        data = form.cleaned_data
        dwelling = selectors.appraisal_dwellings(request.user, topic).filter(pk=data["dwelling"]).first()
        if dwelling is None:
            raise Forbidden(services.NOT_YOUR_HOUSEHOLD, code="not_your_household")
        services.appraisal_submit(
            actor=request.user, topic=topic, dwelling=dwelling, rating=data["rating"], comment=data["comment"]
        )
    except GongzhiError as exc:
        return _failed(request, topic, exc)
    messages.success(request, str(_("Thank you: your household's evaluation is recorded.")))
    return redirect("followup:page", topic_id=topic.pk)


@topic_view
def notice(request: HttpRequest, topic_id: int) -> HttpResponse:
    """The notice for the stairwell board (HZ-5.1.3.2.2.6): the decision, its implementation and the residents'
    evaluation (HZ-5.1.3.2.2.7), printable."""
    topic = deliberation.topic_get_for(request.user, topic_id)
    return _render(request, "notice.html", page_context(request, topic))


@require_POST
@topic_view
def acknowledge(request: HttpRequest, topic_id: int) -> HttpResponse:
    step = selectors.filing_get_for(request.user, topic_id)
    try:
        services.filing_acknowledge(
            actor=request.user,
            step=step,
            capacities=deliberation.capacities_for(request.user, step.topic),
            note=request.POST.get("note", ""),
        )
    except GongzhiError as exc:
        return _failed(request, step.topic, exc)
    messages.success(request, str(_("Receipt acknowledged.")))
    community = next((n for n in self_and_above(step.topic.node) if n.level == "community"), None)
    if request.POST.get("next") == "list" and community is not None:
        return redirect("followup:filings", node_id=community.pk)
    return redirect("followup:page", topic_id=step.topic_id)


@topic_view
def filings(request: HttpRequest, node_id: int) -> HttpResponse:
    community = access.community_get_for(request.user, node_id, Kind.TOPIC)
    rows = list(selectors.filings_of(community)[:500])
    return _render(request, "filings.html", {"community": community, "rows": rows})


@topic_view
def success(request: HttpRequest, node_id: int) -> HttpResponse:
    node = api.success_node(request.user, node_id)
    try:
        start = _date(request.GET.get("start", ""), required=False)
        end = _date(request.GET.get("end", ""), required=False)
        start, end = api.period(start, end)
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
        start, end = api.period(None, None)
    total, children = selectors.success_rates(node, start, end)
    context = {"node": node, "start": start, "end": end, "total": total, "children": children}
    return _render(request, "success.html", context)
