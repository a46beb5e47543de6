"""An appeal turned into a deliberation topic, or linked to one (issue 4 §1: the handler "convenes a meeting at
that level (link a deliberation record)"; issue 5 §1: "a handler can turn an appeal into a topic").

Either way it is the case's `convene_meeting` transition (a meeting at this rung, BZ-5.2.3(d)), recorded on the
case's timeline with the topic's number so the timeline links to it; the topic is made through
deliberation.services.topic_create on the node of the rung the case is at, and both sides are audited in one
transaction. When the topic's decision is recorded, the case's handlers hear of it (tell_topic_decided).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.selectors import require
from gongzhi.appeals import cases, lifecycle
from gongzhi.appeals.models import Appeal, AppealTopic
from gongzhi.appeals.selectors import appeal_get_for, appeals_visible_to
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import Conflict, InvalidInput
from gongzhi.deliberation import rules as deliberation_rules
from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import Topic
from gongzhi.deliberation.selectors import topic_get_for, topics_visible_to
from gongzhi.notices.services import notify
from gongzhi.tree.models import Node
from gongzhi.voting import procedures

CONVENE = "convene_meeting"


def procedures_at(node: Node | None) -> list[str]:
    """The deliberation procedures held at the node's level (deliberation.rules.PROCEDURE_LEVELS)."""
    if node is None:
        return []
    return [k for k in procedures.PROCEDURES if deliberation_rules.level_allows(k, node.level)]


def _on_one_branch(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _locked(actor: Any, appeal_id: int, version: int | None) -> Appeal:
    appeal = appeal_get_for(actor, appeal_id)
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("place").get(pk=appeal.pk)
    if version is not None and version != appeal.version:
        raise Conflict(cases.ALREADY_CHANGED, code="already_changed")
    return appeal


def _existing(actor: Any, appeal: Appeal, topic_id: int) -> Topic:
    topic = topic_get_for(actor, topic_id)
    if not _on_one_branch(topic.node.path, appeal.path):
        raise InvalidInput(
            _("Link a topic of the place the appeal is about or of a level above it."), code="topic_elsewhere"
        )
    if AppealTopic.objects.filter(appeal=appeal, topic=topic).exists():
        raise Conflict(_("This topic is already linked to the appeal."), code="topic_already_linked")
    return topic


def _new(actor: Any, appeal: Appeal, title: str, procedure: str, description: str) -> Topic:
    node = appeal.handling_node
    if not procedures_at(node):
        raise InvalidInput(
            _("No deliberation procedure is held at this level: link an existing topic instead."),
            code="no_procedure_here",
        )
    assert node is not None
    require(actor, Kind.TOPIC, Action.CHANGE, node)
    return deliberation.topic_create(
        actor=actor,
        node=node,
        title=(title or "").strip() or str(_("Appeal #%(id)s") % {"id": appeal.pk}),
        source="appeal",
        procedure=procedure,
        description=(description or "").strip() or appeal.description,
        appeal_id=appeal.pk,
    )


def appeal_convene_topic(
    *,
    actor: Any,
    appeal_id: int,
    topic_id: int | None = None,
    title: str = "",
    procedure: str = "",
    description: str = "",
    version: int | None = None,
) -> tuple[Appeal, Topic]:
    """Convene a deliberation on the case at its rung: link the topic `topic_id`, or make a new topic on the
    rung's node with `procedure` (one held at that level) and `title` (default: the appeal's number).

    Preconditions: the actor handles the case at its current rung and the case is being handled (the
    `convene_meeting` transition's guards); a new topic needs the actor to act on topics at that node; a
    linked topic is one the actor sees, on the case's branch of the tree, not linked to it yet.
    """
    with transaction.atomic():
        appeal = _locked(actor, appeal_id, version)
        ctx = cases.context_of(appeal.place)
        cases._seat_for(actor, appeal, cases.as_case(appeal, ctx), CONVENE)  # 403 before anything is made
        if appeal.state not in lifecycle.TRANSITIONS[CONVENE].sources:  # 409 likewise
            raise Conflict(cases.ALREADY_CHANGED, code="already_changed")
        created = topic_id is None
        if topic_id is None:
            topic = _new(actor, appeal, title, procedure, description)
        else:
            topic = _existing(actor, appeal, topic_id)
        AppealTopic.objects.create(
            appeal=appeal,
            topic=topic,
            step=appeal.step,
            created_from_appeal=created,
            linked_by=actor,
            linked_at=timezone.now(),
        )
        after = {"topic": topic.pk, "step": appeal.step, "created": created}
        audit_record(
            actor=actor, action="appeals.topic_linked", obj=appeal, after=after, node_path=appeal.path
        )
        reference = f"#{topic.pk} {topic.title}"[:300]
        appeal = cases._apply(actor, appeal, CONVENE, {"deliberation": reference, "topic": topic.pk})
        return appeal, topic


def topics_of(user: Any, appeal: Appeal) -> QuerySet[Topic]:
    """The topics convened on the case that the user may see."""
    ids = AppealTopic.objects.filter(appeal=appeal).values("topic_id")
    return topics_visible_to(user).filter(Q(pk__in=ids) | Q(appeal_id=appeal.pk)).order_by("created_at", "pk")


def appeals_of(user: Any, topic: Topic) -> QuerySet[Appeal]:
    """The cases the topic was convened on that the user may see."""
    ids = AppealTopic.objects.filter(topic=topic).values("appeal_id")
    where = Q(pk__in=ids) | Q(pk=topic.appeal_id) if topic.appeal_id else Q(pk__in=ids)
    return appeals_visible_to(user).filter(where)


def tell_topic_decided(actor: Any, topic: Topic) -> None:
    """The handlers of every case the topic was convened on (at the rung the case is at now) and whoever
    convened it hear of the decision. Called by deliberation.services.topic_decide in its transaction."""
    links = list(AppealTopic.objects.filter(topic=topic).select_related("appeal__place", "linked_by"))
    appeals = {link.appeal_id: link.appeal for link in links}
    if topic.appeal_id and topic.appeal_id not in appeals:
        found = Appeal.objects.select_related("place").filter(pk=topic.appeal_id).first()
        if found is not None:
            appeals[found.pk] = found
    for appeal in appeals.values():
        ctx = cases.context_of(appeal.place)
        linkers = [link.linked_by for link in links if link.appeal_id == appeal.pk]
        params = cases._params(appeal, title=topic.title, decision=topic.decision[:200])
        notify([*cases._handlers(appeal, ctx), *linkers], "appeals.topic_decided", cases._subject(appeal),
               params=params, actor=actor)  # fmt: skip
