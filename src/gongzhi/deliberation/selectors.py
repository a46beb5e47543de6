"""Scoped reads of topics and meetings (NotFound alike for missing and out of reach), the capacities an account
holds at a topic, and what a topic page shows (the stepper, the current step's moves)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from gongzhi.access import filters
from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.permissions import can
from gongzhi.access.reach import reach_of
from gongzhi.access.selectors import forbidden, not_found
from gongzhi.bodies.models import BodyMembership
from gongzhi.deliberation import rules
from gongzhi.deliberation.models import CatalogueEntry, Meeting, Topic
from gongzhi.deliberation.services import history_of, self_and_above
from gongzhi.tree.models import Node
from gongzhi.voting import procedures
from gongzhi.voting.services import person_of


def topics_visible_to(user: Any) -> QuerySet[Topic]:
    qs = Topic.objects.select_related("node").order_by("-created_at", "-pk")
    q = filters.topic_q(reach_of(user), Action.VIEW)
    return qs if q is None else qs.filter(q)


def topic_get_for(user: Any, topic_id: int) -> Topic:
    topic = topics_visible_to(user).filter(pk=topic_id).first()
    if topic is None:
        raise not_found()
    return topic


def may_change(user: Any, topic: Topic) -> bool:
    return can(user, Kind.TOPIC, Action.CHANGE, topic)


def topic_change_for(user: Any, topic_id: int) -> Topic:
    """A topic the user may act on (schedule meetings, sign people in, decide); 403 if only visible."""
    topic = topic_get_for(user, topic_id)
    if not may_change(user, topic):
        raise forbidden()
    return topic


def meeting_get_for(user: Any, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_related("topic__node").filter(pk=meeting_id).first()
    if meeting is None or not topics_visible_to(user).filter(pk=meeting.topic_id).exists():
        raise not_found()
    return meeting


def meeting_change_for(user: Any, meeting_id: int) -> Meeting:
    meeting = meeting_get_for(user, meeting_id)
    if not may_change(user, meeting.topic):
        raise forbidden()
    return meeting


def capacities_for(user: Any, topic: Topic) -> frozenset[str]:
    """Capacities at the topic's node: roles that may change topics there (a resident: their own stairwell's
    and the nodes above it) and memberships of bodies on the node or above it. A superuser holds none: the
    platform administrator does not take part in deliberations."""
    reach = reach_of(user)
    path = topic.node.path
    roles = {
        g.role
        for g in reach.granting(Kind.TOPIC, Action.CHANGE)
        if g.dwelling_id is None and path.startswith(g.path)
    }
    if any(g.role == "resident" and g.path.startswith(path) for g in reach.grants):
        roles.add("resident")
    return rules.capacities_of(roles, _body_kinds(user, topic.node))


def _body_kinds(user: Any, node: Node) -> set[str]:
    person = person_of(user)
    if person is None:
        return set()
    today = timezone.localdate()
    above = [n.pk for n in self_and_above(node)]
    rows = BodyMembership.objects.filter(
        person=person, ended_on__isnull=True, body__node_id__in=above, body__dissolved_on__isnull=True
    ).exclude(term_end__lt=today)
    return set(rows.values_list("body__kind", flat=True))


@dataclass(frozen=True)
class StepView:
    state: str
    label: str
    status: str  # done | current | todo


def stepper_for(topic: Topic) -> list[StepView]:
    labels = rules.step_labels(topic.procedure)
    reached = history_of(topic)
    return [
        StepView(s, labels.get(s, s), status) for s, status in procedures.stepper(topic.procedure, reached)
    ]


def moves_for(user: Any, topic: Topic) -> list[procedures.Transition]:
    """The steps the user may take now (the forms a page shows)."""
    return procedures.next_transitions(topic.procedure, topic.state, capacities_for(user, topic))


def catalogue_of(community: Node) -> QuerySet[CatalogueEntry]:
    return CatalogueEntry.objects.filter(community=community)


def catalogue_for_node(node: Node) -> QuerySet[CatalogueEntry]:
    """The must-deliberate catalogue of the community `node` lies in."""
    ids = [n.pk for n in self_and_above(node) if n.level == "community"]
    return CatalogueEntry.objects.filter(community_id__in=ids)
