"""The only write path after a topic's decision: appointing who implements it and the implementation's log
(HZ-5.1.3.2.1.5), residents' appraisals (HZ-5.1.3.2.2.7), the community's receipt of a filed result
(HZ-5.1.3.2.1.3 备案).

Each service runs in one transaction with its audit entry. The caller checks that the actor may see the topic
(followup.selectors) and passes the actor's capacities at it (deliberation.selectors.capacities_for); which
action those capacities allow is decided here from followup.rules. Changes to an implementation lock its row and
check the version the actor's form was drawn from. Participants get a notice in the centre (_notify_participants), delivered after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import Conflict, Forbidden, InvalidInput
from gongzhi.deliberation.models import Step, Topic
from gongzhi.deliberation.services import history_of
from gongzhi.followup import rules
from gongzhi.followup.models import Appraisal, Event, FilingReceipt, Implementation, Milestone
from gongzhi.policy.selectors import effective_policy
from gongzhi.tree.models import Dwelling

logger = logging.getLogger(__name__)
REFUSAL_ERRORS = {"not_allowed": Forbidden}
NOT_YOUR_HOUSEHOLD = _("Only a household the topic concerns evaluates it, through its resident.")
PERIOD_INVALID = _("The period ends before it starts.")


def _refused(exc: rules.Refused) -> Exception:
    params = dict(exc.params)
    if "state" in params:
        params["state"] = gettext(rules.STATES.get(params["state"], params["state"]))
    message = gettext(rules.REFUSALS[exc.code]).format(**params)
    return REFUSAL_ERRORS.get(exc.code, Conflict)(message, code=exc.code)


def _check(procedure: str, action: str, state: str, capacities: Collection[str]) -> rules.Action:
    try:
        return rules.check(procedure, action, state=state, capacities=capacities)
    except rules.Refused as exc:
        raise _refused(exc) from exc


def _snapshot(impl: Implementation) -> dict[str, Any]:
    return {
        "implementer": impl.implementer,
        "due_on": impl.due_on.isoformat(),
        "standard": impl.standard,
        "state": impl.state,
        "version": impl.version,
    }


def _notify_participants(actor: Any, topic: Topic, action: str) -> None:
    """HZ-5.1.3.2.1.5 适时将落实情况告知会商人员: the consultation's participants (followup.selectors.participants_of)
    get a notice in the centre, delivered by gongzhi.notices after commit; the actor is not told of their own act."""
    from django.contrib.auth import get_user_model

    from gongzhi.followup.selectors import participants_of
    from gongzhi.notices.services import notify, subject_of

    users = get_user_model().objects.filter(pk__in=participants_of(topic), is_active=True)
    subject = subject_of(topic, "followup:page")
    notify(users, "followup.changed", subject, params={"title": topic.title, "action": action}, actor=actor)


def _log(
    impl: Implementation,
    actor: Any,
    action: str,
    capacities: Collection[str],
    before: dict[str, Any],
    **fields: Any,
) -> Event:
    event = Event.objects.create(
        implementation=impl,
        action=action,
        actor=actor,
        capacities=sorted(set(rules.actors_for(impl.topic.procedure, action)) & set(capacities)),
        before=before,
        after=_snapshot(impl),
        **fields,
    )
    audit_record(
        actor=actor,
        action=f"followup.implementation_{action}",
        obj=impl,
        before=before,
        after={**_snapshot(impl), "event": event.pk, "text": event.text},
        node_path=impl.topic.node.path,
    )
    _notify_participants(actor, impl.topic, action)
    return event


def _required(text: str, code: str, message: Any) -> str:
    if not text.strip():
        raise InvalidInput(message, code=code)
    return text.strip()


@transaction.atomic
def implementation_appoint(
    *,
    actor: Any,
    topic: Topic,
    capacities: Collection[str],
    implementer: str,
    due_on: dt.date,
    standard: str,
) -> Implementation:
    """HZ-5.1.3.2.1.5: the body the procedure names (the owners' committee for a compound matter) appoints who
    implements a decided topic, by when and to what standard. Preconditions: the actor may see the topic; the
    topic is decided (its procedure's decision state reached, or a decision recorded); none appointed yet."""
    topic = Topic.objects.select_for_update().select_related("node").get(pk=topic.pk)
    existing = Implementation.objects.filter(topic=topic).first()
    _check(topic.procedure, "appoint", existing.state if existing else "", capacities)
    if not rules.decided(topic.procedure, history_of(topic), topic.decided_at is not None):
        raise Conflict(gettext(rules.REFUSALS["not_decided"]), code="not_decided")
    implementer = _required(implementer, "implementer_required", _("Name who implements the decision."))
    standard = _required(standard, "standard_required", _("State the acceptance standard."))
    if due_on < timezone.localdate():
        raise InvalidInput(_("The due date has passed already."), code="due_in_past")
    impl = Implementation.objects.create(
        topic=topic, implementer=implementer, due_on=due_on, standard=standard, appointed_by=actor
    )
    _log(impl, actor, "appoint", capacities, {})
    return impl


def _lock(impl: Implementation, version: int | None) -> Implementation:
    impl = Implementation.objects.select_for_update().select_related("topic__node").get(pk=impl.pk)
    if version is not None and version != impl.version:
        raise Conflict(_("Someone else changed this implementation; reload the page."), code="stale")
    return impl


def _bump(impl: Implementation, *fields: str) -> None:
    impl.version += 1
    impl.save(update_fields=[*fields, "version"])


@transaction.atomic
def implementation_report(
    *,
    actor: Any,
    implementation: Implementation,
    capacities: Collection[str],
    text: str,
    percent: int | None = None,
    version: int | None = None,
) -> Event:
    """Progress on an open implementation, by the implementer (property company) or the appointing body."""
    impl = _lock(implementation, version)
    _check(impl.topic.procedure, "progress", impl.state, capacities)
    text = _required(text, "text_required", gettext(rules.REFUSALS["text_required"]))
    if percent is not None and not 0 <= percent <= 100:
        raise InvalidInput(_("Give the progress from 0 to 100 per cent."), code="percent_invalid")
    before = _snapshot(impl)
    _bump(impl)
    return _log(impl, actor, "progress", capacities, before, text=text, percent=percent)


@transaction.atomic
def implementation_change(
    *,
    actor: Any,
    implementation: Implementation,
    capacities: Collection[str],
    due_on: dt.date | None = None,
    standard: str | None = None,
    reason: str = "",
    version: int | None = None,
) -> Event:
    """Change the due date or the acceptance standard. HZ-5.1.3.2.1.5 不应延期或降低落实标准: a later date or a
    different standard needs a reason, kept in the log and the audit entry."""
    impl = _lock(implementation, version)
    _check(impl.topic.procedure, "change", impl.state, capacities)
    standard = standard.strip() if standard is not None and standard.strip() else None
    new_due = due_on if due_on is not None and due_on != impl.due_on else None
    new_standard = standard if standard is not None and standard != impl.standard else None
    if new_due is None and new_standard is None:
        raise InvalidInput(gettext(rules.REFUSALS["nothing_changed"]), code="nothing_changed")
    needs = rules.change_needs_reason(
        due_on=impl.due_on, new_due_on=new_due, standard=impl.standard, new_standard=new_standard
    )
    if needs and not reason.strip():
        raise InvalidInput(gettext(rules.REFUSALS["reason_required"]), code="reason_required")
    if new_due is not None and new_due < timezone.localdate():
        raise InvalidInput(_("The due date has passed already."), code="due_in_past")
    before = _snapshot(impl)
    impl.due_on = new_due or impl.due_on
    impl.standard = new_standard or impl.standard
    _bump(impl, "due_on", "standard")
    return _log(impl, actor, "change", capacities, before, text=reason.strip())


@transaction.atomic
def implementation_milestone_add(
    *,
    actor: Any,
    implementation: Implementation,
    capacities: Collection[str],
    title: str,
    due_on: dt.date,
    version: int | None = None,
) -> Milestone:
    """The appointing body sets a stage of the work with its own date, not after the implementation's due date
    (moving that is a change with a reason). Milestones are not moved; a missed one stays visible as late."""
    impl = _lock(implementation, version)
    _check(impl.topic.procedure, "milestone", impl.state, capacities)
    title = _required(title, "title_required", _("Name the milestone."))
    if due_on < timezone.localdate() or due_on > impl.due_on:
        raise InvalidInput(
            _("A milestone falls between today and the implementation's due date."), code="milestone_date"
        )
    if impl.milestones.filter(title=title).exists():
        raise Conflict(_("This implementation already has a milestone of that name."), code="duplicate")
    milestone = Milestone.objects.create(implementation=impl, title=title, due_on=due_on)
    before = _snapshot(impl)
    _bump(impl)
    _log(impl, actor, "milestone", capacities, before, text=f"{title} · {due_on.isoformat()}")
    return milestone


@transaction.atomic
def implementation_milestone_reach(
    *,
    actor: Any,
    implementation: Implementation,
    capacities: Collection[str],
    milestone_id: int,
    text: str = "",
    version: int | None = None,
) -> Milestone:
    """The implementer (or the appointing body) reports a milestone reached, once."""
    impl = _lock(implementation, version)
    _check(impl.topic.procedure, "milestone_reached", impl.state, capacities)
    milestone = impl.milestones.select_for_update().filter(pk=milestone_id).first()
    if milestone is None:
        raise InvalidInput(_("Choose a milestone of this implementation."), code="milestone_invalid")
    if milestone.reached_at is not None:
        raise Conflict(_("This milestone is already reached."), code="reached")
    milestone.reached_at, milestone.reached_by = timezone.now(), actor
    milestone.save(update_fields=["reached_at", "reached_by"])
    before = _snapshot(impl)
    _bump(impl)
    _log(
        impl, actor, "milestone_reached", capacities, before, text=f"{milestone.title} {text.strip()}".strip()
    )
    return milestone


@transaction.atomic
def implementation_follow_up(
    *,
    actor: Any,
    implementation: Implementation,
    capacities: Collection[str],
    text: str,
    version: int | None = None,
) -> Event:
    """A follow-up check by the owners' supervisory committee (HZ-5.1.3.2.1.5 跟踪督查), or the body the
    procedure has supervise, on an open implementation."""
    impl = _lock(implementation, version)
    _check(impl.topic.procedure, "follow_up", impl.state, capacities)
    text = _required(text, "text_required", gettext(rules.REFUSALS["text_required"]))
    before = _snapshot(impl)
    _bump(impl)
    return _log(impl, actor, "follow_up", capacities, before, text=text)


@transaction.atomic
def implementation_close(
    *,
    actor: Any,
    implementation: Implementation,
    capacities: Collection[str],
    outcome: str,
    text: str,
    version: int | None = None,
) -> Event:
    """The supervisory body closes the implementation: `accept` (done, checked against the standard: `text`
    says how) or `fail` (`text` is the reason). Closed is final."""
    if outcome not in ("accept", "fail"):
        raise InvalidInput(_("Choose accept or fail."), code="outcome_invalid")
    impl = _lock(implementation, version)
    move = _check(impl.topic.procedure, outcome, impl.state, capacities)
    text = _required(text, "text_required", gettext(rules.REFUSALS["text_required"]))
    before = _snapshot(impl)
    impl.state, impl.closed_at = move.target, timezone.now()
    _bump(impl, "state", "closed_at")
    return _log(impl, actor, outcome, capacities, before, text=text)


# --- residents' appraisal (HZ-5.1.3.2.2.7) -----------------------------------------------------------------------


def appraisal_scale(topic: Topic) -> tuple[int, int]:
    """(scale_max, satisfied_min) in force at the topic's node (catalogue §5 #27 unless a pack says otherwise)."""
    policy = effective_policy(topic.node)
    return (
        int(policy.value("deliberation.appraisal.scale_max", 5)),
        int(policy.value("deliberation.appraisal.satisfied_min", 4)),
    )


def _implementation_state(topic: Topic) -> str:
    impl = Implementation.objects.filter(topic=topic).first()
    return impl.state if impl else ""


@transaction.atomic
def appraisal_submit(
    *, actor: Any, topic: Topic, dwelling: Dwelling, rating: int, comment: str = ""
) -> Appraisal:
    """A household rates the result, once. Preconditions: the actor is a resident of `dwelling` and the dwelling
    lies under the topic's node (followup.selectors.appraisal_dwellings); appraisal is open (the implementation
    closed, or a building topic's notice posted)."""
    topic = Topic.objects.select_related("node").get(pk=topic.pk)
    if not dwelling.path.startswith(topic.node.path):
        raise InvalidInput(_("This household is not concerned by the topic."), code="dwelling_invalid")
    if not rules.appraisal_open(topic.procedure, history_of(topic), _implementation_state(topic)):
        raise Conflict(
            _("Residents evaluate the result once it is implemented (or the notice is posted)."),
            code="appraisal_not_open",
        )
    scale_max, _satisfied = appraisal_scale(topic)
    if isinstance(rating, bool) or not 1 <= rating <= scale_max:
        raise InvalidInput(_("Rate from 1 to %(max)s.") % {"max": scale_max}, code="rating_invalid")
    try:
        with transaction.atomic():
            row = Appraisal.objects.create(
                topic=topic, dwelling=dwelling, rating=rating, comment=comment.strip()[:500], by=actor
            )
    except IntegrityError as exc:
        raise Conflict(_("Your household has already evaluated this result."), code="already_rated") from exc
    audit_record(
        actor=actor,
        action="followup.appraisal_submitted",
        obj=row,
        after={"topic": topic.pk, "dwelling": dwelling.pk, "rating": rating},
        node_path=topic.node.path,
    )
    return row


# --- filing with the community (HZ-5.1.3.2.1.3 备案) --------------------------------------------------------------

RECEIVERS = ("residents_committee", "community_worker")


@transaction.atomic
def filing_acknowledge(
    *, actor: Any, step: Step, capacities: Collection[str], note: str = ""
) -> FilingReceipt:
    """The community acknowledges receipt of a result filed with it. Preconditions: `step` is a topic's filing
    step (rules.FILING_STATES) the actor may see; `capacities` are the actor's at that topic."""
    step = Step.objects.select_for_update().select_related("topic__node").get(pk=step.pk)
    if rules.FILING_STATES.get(step.topic.procedure) != step.target:
        raise InvalidInput(_("This step is not a filing with the community."), code="not_a_filing")
    if not set(RECEIVERS) & set(capacities):
        raise Forbidden(_("The community's residents' committee acknowledges a filing."), code="not_allowed")
    if FilingReceipt.objects.filter(step=step).exists():
        raise Conflict(_("The community has already acknowledged this filing."), code="acknowledged")
    receipt = FilingReceipt.objects.create(step=step, note=note.strip()[:500], by=actor)
    audit_record(
        actor=actor,
        action="followup.filing_acknowledged",
        obj=receipt,
        after={"topic": step.topic_id, "step": step.pk, "note": receipt.note},
        node_path=step.topic.node.path,
    )
    return receipt
