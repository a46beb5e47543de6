"""From the database to the recount file and back through `gongzhi tally`'s own code (voting.recount).

The web app never counts by itself: it writes the vote as the JSON document `gongzhi tally` reads, and counts
that document with voting.recount, so the published result and anyone's offline recount of the downloaded
file are the same computation on the same bytes.

A secret vote's file cannot name the dwelling of a choice. Dwellings that voted are listed under their receipt
code ("R:7KQ2-…") with their area and the per-vote pseudonym of their owners; dwellings that did not vote keep
their label. Every owner is a pseudonym in that file, so LAW-SPC-9's "same owners are one person" still holds.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from gongzhi.voting import ballot_chain, recount
from gongzhi.voting.i18n import LANGUAGES, translator
from gongzhi.voting.models import Ballot, Choice, RollEntry, RollVoter, Rule, Vote
from gongzhi.voting.tally import Ballot as TallyBallot
from gongzhi.voting.tally import Dwelling as TallyDwelling
from gongzhi.voting.tally import HouseholdBallot
from gongzhi.voting.thresholds import Thresholds, pack_thresholds


def thresholds_for(vote: Vote) -> Thresholds:
    """The pack the vote was created under, read as `gongzhi tally --city` reads it."""
    return pack_thresholds(vote.city)


def chain_entries(vote: Vote) -> list[ballot_chain.Entry]:
    rows = (
        Choice.objects.filter(vote=vote)
        .order_by("seq")
        .values_list("seq", "receipt", "choice", "dwelling_label", "prev", "hash")
    )
    return [ballot_chain.Entry(*row) for row in rows]


def _hundredths(area: Decimal) -> int:
    return int(Decimal(area) * 100)


def _roll(vote: Vote) -> tuple[list[RollEntry], dict[int, list[str]]]:
    entries = list(RollEntry.objects.filter(vote=vote).order_by("label"))
    voters: dict[int, list[str]] = {e.pk: [] for e in entries}
    for entry_id, person_id in RollVoter.objects.filter(vote=vote).values_list("entry_id", "person_id"):
        voters[entry_id].append(f"p{person_id}")
    return entries, voters


def _open_assembly(vote: Vote) -> dict[str, Any]:
    entries, voters = _roll(vote)
    dwellings = [
        TallyDwelling(e.label, _hundredths(e.area), frozenset(voters[e.pk]), e.unsold) for e in entries
    ]
    rows = (
        Choice.objects.filter(vote=vote)
        .order_by("seq")
        .values_list("ballot__entry__label", "voter_id", "choice")
    )
    ballots = [TallyBallot(label, f"p{voter}", choice) for label, voter, choice in rows]
    return recount.assembly_document(vote.item or 0, dwellings, ballots)


def _secret_assembly(vote: Vote) -> dict[str, Any]:
    from gongzhi.voting.services import owners_key

    voted = set(Ballot.objects.filter(vote=vote).values_list("entry_id", flat=True))
    dwellings = [
        TallyDwelling(e.label, _hundredths(e.area), frozenset({owners_key(vote, e)}), e.unsold)
        for e in RollEntry.objects.filter(vote=vote).exclude(pk__in=voted).order_by("label")
    ]
    ballots = []
    for receipt, choice, area, key in (
        Choice.objects.filter(vote=vote)
        .order_by("receipt")
        .values_list("receipt", "choice", "area", "owners_key")
    ):
        unsold = key == "unsold"
        area_hundredths = _hundredths(area) if area is not None else 0  # always set in a secret vote
        dwellings.append(TallyDwelling(f"R:{receipt}", area_hundredths, frozenset({key}), unsold))
        ballots.append(TallyBallot(f"R:{receipt}", key, choice))
    return recount.assembly_document(vote.item or 0, dwellings, ballots)


def _building(vote: Vote) -> dict[str, Any]:
    households = list(RollEntry.objects.filter(vote=vote).order_by("label").values_list("label", flat=True))
    if vote.secret:  # every choice under its receipt; households that voted drop out of the list by name
        voted = set(Ballot.objects.filter(vote=vote).values_list("entry__label", flat=True))
        rows = list(Choice.objects.filter(vote=vote).order_by("receipt").values_list("receipt", "choice"))
        households = [h for h in households if h not in voted] + [f"R:{r}" for r, _ in rows]
        ballots = [HouseholdBallot(f"R:{r}", c) for r, c in rows]
    else:
        pairs = Choice.objects.filter(vote=vote).order_by("seq").values_list("ballot__entry__label", "choice")
        ballots = [HouseholdBallot(label, choice) for label, choice in pairs]
    return recount.building_document(households, ballots, thresholds_for(vote).tie_passes)


def recount_document(vote: Vote) -> dict[str, Any]:
    """The vote as `gongzhi tally` reads it (issue 5 §3)."""
    if vote.rule == Rule.BUILDING_MEETING:
        return _building(vote)
    return _secret_assembly(vote) if vote.secret else _open_assembly(vote)


def recount_file(vote: Vote) -> bytes:
    """The exact bytes offered for download; count_vote counts these bytes."""
    return json.dumps(recount_document(vote), ensure_ascii=False, indent=1).encode("utf-8")


def count_vote(vote: Vote) -> dict[str, dict[str, Any]]:
    """The result with its comparisons (`--explain`), per language: only rejection messages differ."""
    document, thresholds = recount_file(vote), thresholds_for(vote)
    return {
        language: recount.recount(document, thresholds, translator(language), explain=True)
        for language in LANGUAGES
    }
