"""Scoped reads of votes: the list, one vote (NotFound alike for missing and out of reach), what a page shows.

A vote is seen by the roles gongzhi.access gives Kind.VOTE on its node's path, and by everyone on its frozen
roll (an owner whose log-in has no role still sees the votes they may cast a ballot in).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from gongzhi.access import filters
from gongzhi.access.capabilities import Action, Kind
from gongzhi.access.permissions import can
from gongzhi.access.reach import reach_of
from gongzhi.access.selectors import forbidden, not_found
from gongzhi.voting.models import (
    Ballot,
    Choice,
    PaperBallotEntry,
    PaperState,
    RollEntry,
    RollVoter,
    Status,
    Vote,
)
from gongzhi.voting.services import entries_of, person_of


def votes_visible_to(user: Any) -> QuerySet[Vote]:
    qs = Vote.objects.select_related("node").order_by("-opens_at", "-pk")
    q = filters.vote_q(reach_of(user), Action.VIEW)
    if q is None:
        return qs
    person = person_of(user)
    if person is not None:
        q |= Q(Exists(RollVoter.objects.filter(vote=OuterRef("pk"), person=person)))
    return qs.filter(q)


def vote_get_for(user: Any, vote_id: int) -> Vote:
    vote = votes_visible_to(user).filter(pk=vote_id).first()
    if vote is None:
        raise not_found()
    return vote


def may_manage(user: Any, vote: Vote) -> bool:
    return can(user, Kind.VOTE, Action.CHANGE, vote)


def vote_manage_for(user: Any, vote_id: int) -> Vote:
    """A vote the user may open, close, publish and enter paper ballots for (403 if only visible)."""
    vote = vote_get_for(user, vote_id)
    if not may_manage(user, vote):
        raise forbidden()
    return vote


def my_entries(user: Any, vote: Vote) -> list[RollEntry]:
    return entries_of(vote, person_of(user))


def my_choices(user: Any, vote: Vote) -> list[Choice]:
    """The user's own ballots with their receipts (open votes; a secret vote shows its receipt only once)."""
    person = person_of(user)
    if person is None or vote.secret:
        return []
    return list(
        Choice.objects.filter(vote=vote, voter=person).select_related("ballot__entry").order_by("seq")
    )


def voted_entry_ids(vote: Vote) -> set[int]:
    return set(Ballot.objects.filter(vote=vote).values_list("entry_id", flat=True))


def vote_counts(vote: Vote) -> dict[str, int]:
    return {
        "roll": RollEntry.objects.filter(vote=vote).count(),
        "voted": Ballot.objects.filter(vote=vote).count(),
    }


def paper_readings(vote: Vote) -> QuerySet[PaperBallotEntry]:
    """Readings still waiting or in conflict: both staff members see the conflict side by side."""
    return (
        PaperBallotEntry.objects.filter(vote=vote, state__in=[PaperState.PENDING, PaperState.CONFLICT])
        .select_related("entry", "voter", "entered_by")
        .order_by("entry__label", "entered_at")
    )


def roll_with_voters(vote: Vote) -> list[tuple[RollEntry, list[Any]]]:
    entries = list(RollEntry.objects.filter(vote=vote).order_by("label"))
    voters: dict[int, list[Any]] = {e.pk: [] for e in entries}
    for rv in RollVoter.objects.filter(vote=vote).select_related("person"):
        voters[rv.entry_id].append(rv.person)
    return [(e, voters[e.pk]) for e in entries]


def is_published(vote: Vote) -> bool:
    return vote.status == Status.PUBLISHED


def ballots_by_channel(vote: Vote) -> dict[str, int]:
    return dict(
        Ballot.objects.filter(vote=vote)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
