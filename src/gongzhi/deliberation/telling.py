"""Who hears of a topic's progress (gongzhi.notices): its participants of each step taken and of its decision,
and everyone a meeting invites. Called by deliberation.services inside their transactions.

Participants are the people who have taken part so far: whoever registered the topic, took a step, joined an
online meeting or wrote in its thread. A meeting invites capacities (deliberation.rules): the roles that give
one of them, held on the topic's node, above it or under it, and the members of the bodies that act in one of
them on the node or above it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.utils import timezone

from gongzhi.deliberation import rules
from gongzhi.deliberation.models import Attendance, Meeting, Post, Step, Topic
from gongzhi.notices.recipients import users_with_roles
from gongzhi.notices.services import notify, subject_of


def participants(topic: Topic) -> list[Any]:
    from django.contrib.auth import get_user_model

    ids = {topic.created_by_id}
    ids |= set(Step.objects.filter(topic=topic).values_list("actor_id", flat=True))
    ids |= set(
        Attendance.objects.filter(meeting__topic=topic, user__isnull=False).values_list("user_id", flat=True)
    )
    ids |= set(Post.objects.filter(meeting__topic=topic).values_list("author_id", flat=True))
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def invited(topic: Topic, capacities: Collection[str]) -> list[Any]:
    """Users holding one of the invited capacities at the topic's node (roles and body memberships)."""
    from gongzhi.bodies.models import BodyMembership
    from gongzhi.deliberation.services import self_and_above

    wanted = set(capacities)
    above = self_and_above(topic.node)
    roles = [role for role, caps in rules.ROLE_CAPACITIES.items() if wanted & set(caps)]
    users = users_with_roles(roles, [n.path for n in above], subtree=topic.node.path)
    kinds = [kind for kind, cap in rules.BODY_CAPACITIES.items() if cap in wanted]
    if kinds:
        members = BodyMembership.objects.filter(
            body__kind__in=kinds,
            body__node__in=above,
            body__dissolved_on__isnull=True,
            ended_on__isnull=True,
        ).exclude(term_end__lt=timezone.localdate())
        from django.contrib.auth import get_user_model

        person_ids = list(members.values_list("person_id", flat=True)[:500])
        users += list(get_user_model().objects.filter(account__person_id__in=person_ids, is_active=True))
    return users


def _params(topic: Topic, **extra: Any) -> dict[str, Any]:
    return {"title": topic.title, "procedure": topic.procedure, **extra}


def tell_step(actor: Any, topic: Topic, step: Step) -> None:
    subject = subject_of(topic, "deliberation:detail")
    params = _params(topic, state=step.target)
    notify(participants(topic), "deliberation.step", subject, params=params, actor=actor)


def tell_meeting(actor: Any, meeting: Meeting) -> None:
    topic = meeting.topic
    users = [*participants(topic), *invited(topic, meeting.invitees)]
    params = _params(topic, meeting=meeting.title, when=meeting.starts_at.isoformat())
    notify(
        users, "deliberation.meeting", subject_of(meeting, "deliberation:meeting"), params=params, actor=actor
    )


def tell_decided(actor: Any, topic: Topic) -> None:
    params = _params(topic, decision=topic.decision[:200])
    subject = subject_of(topic, "deliberation:detail")
    notify(participants(topic), "deliberation.decided", subject, params=params, actor=actor)
    from gongzhi.appeals.topics import tell_topic_decided  # the appeals this topic was convened on

    tell_topic_decided(actor, topic)
