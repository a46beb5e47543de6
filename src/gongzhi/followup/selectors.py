"""Scoped reads after the decision: a topic's implementation and what the caller may do with it, the households
that may appraise and the appraisal's summary, a community's filings, and the deliberation success rate."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from gongzhi.access.reach import reach_of
from gongzhi.access.selectors import not_found
from gongzhi.deliberation import selectors as deliberation
from gongzhi.deliberation.models import Attendance, Post, Step, Topic
from gongzhi.deliberation.services import history_of
from gongzhi.followup import rules
from gongzhi.followup.models import Appraisal, Implementation, Milestone
from gongzhi.followup.services import appraisal_scale
from gongzhi.tree.models import Dwelling, Node
from gongzhi.voting.procedures import NEW


def implementation_of(topic: Topic) -> Implementation | None:
    return Implementation.objects.filter(topic=topic).select_related("appointed_by").first()


def milestone_late(milestone: Milestone) -> bool:
    """Past its date and not reached, or reached after the end of its day (Asia/Shanghai)."""
    if milestone.reached_at is None:
        return timezone.localdate() > milestone.due_on
    return timezone.localdate(milestone.reached_at) > milestone.due_on


def implementation_get_for(user: Any, topic_id: int) -> Implementation:
    """The implementation of a topic the user may see; NotFound alike for a missing topic or implementation."""
    topic = deliberation.topic_get_for(user, topic_id)
    impl = implementation_of(topic)
    if impl is None:
        raise not_found()
    return impl


def actions_for(user: Any, topic: Topic, impl: Implementation | None) -> list[str]:
    """What the user may do now (the forms a page shows): appointing only once the topic is decided."""
    state = impl.state if impl else ""
    names = rules.allowed_actions(topic.procedure, state, deliberation.capacities_for(user, topic))
    if impl is None and not rules.decided(topic.procedure, history_of(topic), topic.decided_at is not None):
        return []
    return names


def participants_of(topic: Topic) -> set[int]:
    """The users who took part in the topic's deliberation: who registered it, took its steps, attended its
    meetings online, posted to or scheduled them (HZ-5.1.3.2.1.5 会商人员), as user ids."""
    ids = {topic.created_by_id}
    ids |= set(Step.objects.filter(topic=topic).values_list("actor_id", flat=True))
    meetings = topic.meetings.all()
    ids |= set(meetings.values_list("created_by_id", flat=True))
    ids |= set(
        Attendance.objects.filter(meeting__topic=topic, user__isnull=False).values_list("user_id", flat=True)
    )
    ids |= set(Post.objects.filter(meeting__topic=topic).values_list("author_id", flat=True))
    return ids


# --- residents' appraisal ---------------------------------------------------------------------------------------


def households_of(topic: Topic) -> QuerySet[Dwelling]:
    """The households concerned: the dwellings under the topic's node (its stairwell, building, compound…)."""
    return Dwelling.objects.filter(path__startswith=topic.node.path)


def appraisal_dwellings(user: Any, topic: Topic) -> QuerySet[Dwelling]:
    """The user's own households (resident role) that the topic concerns."""
    ids = [g.dwelling_id for g in reach_of(user).grants if g.role == "resident" and g.dwelling_id is not None]
    return households_of(topic).filter(pk__in=ids).order_by("number")


def appraisal_summary_for(topic: Topic) -> rules.AppraisalSummary:
    scale_max, satisfied_min = appraisal_scale(topic)
    ratings = Appraisal.objects.filter(topic=topic).values_list("rating", flat=True)
    return rules.appraisal_summary(
        ratings, households=households_of(topic).count(), scale_max=scale_max, satisfied_min=satisfied_min
    )


def rated_dwellings(topic: Topic) -> set[int]:
    return set(Appraisal.objects.filter(topic=topic).values_list("dwelling_id", flat=True))


# --- filings with the community ---------------------------------------------------------------------------------


def filings_of(community: Node) -> QuerySet[Step]:
    """The filing steps of topics under `community` (HZ-5.1.3.2.1.3 备案), newest first, with any receipt.
    The caller has checked the community is in the user's reach."""
    steps = Step.objects.none()
    for procedure, state in rules.FILING_STATES.items():
        steps |= Step.objects.filter(
            topic__node__path__startswith=community.path, topic__procedure=procedure, target=state
        )
    return steps.select_related("topic__node", "actor", "receipt__by").order_by("-at", "-pk")


def filing_get_for(user: Any, topic_id: int) -> Step:
    """A visible topic's filing step; NotFound when the topic is not visible or not filed."""
    topic = deliberation.topic_get_for(user, topic_id)
    state = rules.FILING_STATES.get(topic.procedure)
    step = Step.objects.filter(topic=topic, target=state).select_related("topic__node").first()
    if step is None:
        raise not_found()
    return step


# --- deliberation success rate (§5 #29) -------------------------------------------------------------------------


@dataclass(frozen=True)
class RateRow:
    node: Node
    rate: rules.SuccessRate

    @property
    def percent(self) -> str:
        return rules.percent(self.rate.rate)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    return low, dt.datetime.combine(end, dt.time.min, tzinfo=tz) + dt.timedelta(days=1)


def success_rates(node: Node, start: dt.date, end: dt.date) -> tuple[RateRow, list[RateRow]]:
    """§5 #29 over topics under `node` accepted for deliberation between `start` and `end` (inclusive, Asia/
    Shanghai days): the node's rate and each child node's. The caller has checked the node is in reach."""
    low, high = _bounds(start, end)
    topics = list(Topic.objects.filter(node__path__startswith=node.path).select_related("node"))
    steps: dict[int, list[Step]] = defaultdict(list)
    for s in Step.objects.filter(topic__in=topics).order_by("at", "pk"):
        steps[s.topic_id].append(s)
    states = dict(Implementation.objects.filter(topic__in=topics).values_list("topic_id", "state"))
    facts: dict[str, list[rules.TopicFacts]] = defaultdict(list)
    for topic in topics:
        accepted_at = next(
            (s.at for s in steps[topic.pk] if s.target == rules.ACCEPTED_STATES.get(topic.procedure)), None
        )
        if accepted_at is None or not low <= accepted_at < high:
            continue
        history = [NEW, *(s.target for s in steps[topic.pk])]
        fact = rules.topic_facts(
            topic.procedure,
            history,
            decided_at_set=topic.decided_at is not None,
            implementation_state=states.get(topic.pk, ""),
        )
        facts[topic.node.path].append(fact)
    children = list(Node.objects.get_children(node).order_by("path"))
    rows = [RateRow(c, rules.success_rate(_under(facts, c.path))) for c in children]
    return RateRow(node, rules.success_rate(_under(facts, node.path))), rows


def _under(facts: dict[str, list[rules.TopicFacts]], path: str) -> list[rules.TopicFacts]:
    return [f for p, items in facts.items() if p.startswith(path) for f in items]
