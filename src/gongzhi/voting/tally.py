"""Counting votes: owners' assemblies (LAW-CC-278, counted per LAW-SPC-8/9) and building meetings
(HZ-5.1.3.2.2.5). Pure Python, no Django: the web app and `gongzhi tally` (the offline recount) run this code.

Every threshold is a `Comparison` of integers against an exact Fraction (LAW-CC-1259: never floats); areas are
integer hundredths of a square metre, exact because a registered area has at most two decimals. A result keeps
its comparisons so a result page can show the arithmetic, and the rejected ballots with a stable code each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, NamedTuple

from gongzhi.voting.i18n import Translate, _, untranslated
from gongzhi.voting.thresholds import Thresholds

CHOICES = ("yes", "no", "abstain")
ITEMS = range(1, 10)  # the nine matters of LAW-CC-278
MAJOR_ITEMS = frozenset({6, 7, 8})  # raise the fund, rebuild, change the use of common parts: 3/4

ASSEMBLY_BASIS = ("LAW-CC-278", "LAW-SPC-9")
BUILDING_BASIS = ("HZ-5.1.3.2.2.5", "LAW-CC-1259")

# Stable rejection codes → readable message (params in braces). Codes never change; messages may.
REASONS: dict[str, str] = {
    "unknown_dwelling": _("Dwelling {dwelling} is not on the roll of this vote."),
    "voter_not_owner": _("Voter {voter} is not among the owners of dwelling {dwelling}."),
    "dwelling_conflict": _(
        "The owners of dwelling {dwelling} chose differently, so the dwelling's ballot is void."
    ),
    "person_conflict": _(
        "The same owners chose differently on dwellings {dwellings}, so all of these ballots are rejected."
    ),
    "unknown_household": _("Household {household} is not among the stairwell's households."),
    "household_conflict": _("Household {household} chose differently, so its ballot is void."),
}


# Inputs are NamedTuples, not dataclasses: a roll of thousands is built in a fraction of the time (bench).
class Dwelling(NamedTuple):
    """An exclusive part (专有部分) on the roll frozen for the vote; `area` in hundredths of m² (LAW-SPC-8)."""

    id: str
    area: int
    owners: frozenset[str]
    unsold: bool = False


class Ballot(NamedTuple):
    dwelling: str
    voter: str
    choice: str  # one of CHOICES


class HouseholdBallot(NamedTuple):
    household: str
    choice: str


@dataclass(frozen=True)
class Rejection:
    index: int  # position of the ballot in the input
    code: str  # a key of REASONS
    params: tuple[tuple[str, str], ...] = ()

    def message(self, translate: Translate = untranslated) -> str:
        return translate(REASONS[self.code]).format(**dict(self.params))


@dataclass(frozen=True)
class Comparison:
    """One test the outcome depends on: `value op share × base`, in exact integer arithmetic."""

    name: str  # quorum.area, quorum.headcount, pass.area, pass.headcount, quorum.households, pass.votes
    value: int
    op: Literal[">=", ">"]
    share: Fraction
    base: int
    clause: str

    @property
    def met(self) -> bool:
        left, right = self.value * self.share.denominator, self.share.numerator * self.base
        return left > right if self.op == ">" else left >= right


@dataclass(frozen=True)
class Measure:
    total: int
    participating: int
    approving: int


@dataclass(frozen=True)
class AssemblyResult:
    item: int
    major: bool
    quorum_met: bool
    passed: bool
    headcount: Measure
    area: Measure  # hundredths of m²
    comparisons: tuple[Comparison, ...]
    rejected: tuple[Rejection, ...]
    basis: tuple[str, ...] = ASSEMBLY_BASIS


@dataclass(frozen=True)
class BuildingResult:
    households: int
    voters: int
    yes: int
    no: int
    abstain: int
    quorum_met: bool
    passed: bool
    comparisons: tuple[Comparison, ...]
    rejected: tuple[Rejection, ...]
    basis: tuple[str, ...] = BUILDING_BASIS


# --- Owners' assembly ---------------------------------------------------------------------------------------

PersonKey = tuple[str, frozenset[str]]
UNSOLD: PersonKey = ("unsold", frozenset())


def person_of(dwelling: Dwelling) -> PersonKey:
    """LAW-SPC-9: all unsold parts together are one person; the same set of owners is one person across parts.
    A sold part whose owners are not on the roll is still one person of its own."""
    if dwelling.unsold:
        return UNSOLD
    if dwelling.owners:
        return ("owners", dwelling.owners)
    return ("dwelling", frozenset({dwelling.id}))


def _reject(rejected: dict[int, Rejection], indexes: Iterable[int], code: str, **params: str) -> None:
    for index in indexes:
        rejected[index] = Rejection(index, code, tuple(sorted(params.items())))


def _admissible(
    roll: dict[str, Dwelling], ballots: Sequence[Ballot], rejected: dict[int, Rejection]
) -> dict[str, list[int]]:
    """Ballot indexes per dwelling, after refusing unknown dwellings and voters who are not its owners."""
    per_dwelling: dict[str, list[int]] = {}
    for index, ballot in enumerate(ballots):
        dwelling = roll.get(ballot.dwelling)
        if dwelling is None:
            _reject(rejected, [index], "unknown_dwelling", dwelling=ballot.dwelling)
        elif ballot.voter not in dwelling.owners:
            _reject(rejected, [index], "voter_not_owner", voter=ballot.voter, dwelling=ballot.dwelling)
        else:
            per_dwelling.setdefault(dwelling.id, []).append(index)
    return per_dwelling


def _dwelling_choices(
    per_dwelling: dict[str, list[int]], ballots: Sequence[Ballot], rejected: dict[int, Rejection]
) -> dict[str, str]:
    """One choice per dwelling: co-owners' identical ballots count once, different ones void the dwelling."""
    choices: dict[str, str] = {}
    for dwelling_id, indexes in per_dwelling.items():
        first = ballots[indexes[0]].choice
        if len(indexes) == 1 or all(ballots[i].choice == first for i in indexes):
            choices[dwelling_id] = first
        else:
            _reject(rejected, indexes, "dwelling_conflict", dwelling=dwelling_id)
    return choices


def _person_choices(
    persons: dict[str, PersonKey],
    choices: dict[str, str],
    per_dwelling: dict[str, list[int]],
    rejected: dict[int, Rejection],
) -> dict[PersonKey, str]:
    """One choice per person (LAW-SPC-9); a person whose parts carry different choices loses all of them
    (removed from `choices` too)."""
    result: dict[PersonKey, str] = {}
    conflicted: set[PersonKey] = set()
    for dwelling_id, choice in choices.items():
        person = persons[dwelling_id]
        if result.setdefault(person, choice) != choice:
            conflicted.add(person)
    if not conflicted:
        return result
    parts: dict[PersonKey, list[str]] = {person: [] for person in conflicted}
    for dwelling_id in choices:
        if persons[dwelling_id] in conflicted:
            parts[persons[dwelling_id]].append(dwelling_id)
    for person, dwelling_ids in parts.items():
        del result[person]
        listed = ", ".join(sorted(dwelling_ids))
        for dwelling_id in dwelling_ids:
            del choices[dwelling_id]
            _reject(rejected, per_dwelling[dwelling_id], "person_conflict", dwellings=listed)
    return result


def _assembly_comparisons(
    item: int, headcount: Measure, area: Measure, t: Thresholds
) -> tuple[list[Comparison], list[Comparison]]:
    quorum = [
        Comparison("quorum.area", area.participating, ">=", t.quorum_area, area.total, "LAW-CC-278"),
        Comparison(
            "quorum.headcount",
            headcount.participating,
            ">=",
            t.quorum_headcount,
            headcount.total,
            "LAW-CC-278",
        ),
    ]
    op: Literal[">=", ">"]
    if item in MAJOR_ITEMS:  # 四分之三以上: the boundary is included
        share, op, clause = t.major_pass, ">=", "LAW-CC-278"
    else:  # 过半数 is strict (LAW-CC-1259) unless a pack says otherwise
        share, op, clause = t.ordinary_pass, (">" if t.ordinary_strict else ">="), "LAW-CC-1259"
    approval = [
        Comparison("pass.area", area.approving, op, share, area.participating, clause),
        Comparison("pass.headcount", headcount.approving, op, share, headcount.participating, clause),
    ]
    return quorum, approval


def tally_assembly(
    *, item: int, dwellings: Sequence[Dwelling], ballots: Sequence[Ballot], thresholds: Thresholds
) -> AssemblyResult:
    """Count an owners' assembly vote on matter `item` (1–9) of LAW-CC-278 over the frozen roll `dwellings`.

    Preconditions (checked by the caller, e.g. voting.recount): dwelling ids unique, choices in CHOICES.
    """
    if item not in ITEMS:
        raise ValueError(f"item must be 1 to 9 (LAW-CC-278), got {item!r}")
    roll = {d.id: d for d in dwellings}
    if len(roll) != len(dwellings):
        raise ValueError("dwelling ids must be unique")
    person_by_dwelling = {d.id: person_of(d) for d in dwellings}
    rejected: dict[int, Rejection] = {}
    per_dwelling = _admissible(roll, ballots, rejected)
    choices = _dwelling_choices(per_dwelling, ballots, rejected)
    by_person = _person_choices(person_by_dwelling, choices, per_dwelling, rejected)
    headcount = Measure(
        total=len(set(person_by_dwelling.values())),
        participating=len(by_person),
        approving=sum(1 for c in by_person.values() if c == "yes"),
    )
    area = Measure(
        total=sum(d.area for d in dwellings),
        participating=sum(roll[d].area for d in choices),
        approving=sum(roll[d].area for d, c in choices.items() if c == "yes"),
    )
    quorum, approval = _assembly_comparisons(item, headcount, area, thresholds)
    # Nobody taking part is never a quorum, and nobody agreeing never passes, even where 0 ≥ share × 0.
    quorum_met = all(c.met for c in quorum) and headcount.participating > 0 and area.participating > 0
    passed = quorum_met and all(c.met for c in approval) and headcount.approving > 0 and area.approving > 0
    return AssemblyResult(
        item=item,
        major=item in MAJOR_ITEMS,
        quorum_met=quorum_met,
        passed=passed,
        headcount=headcount,
        area=area,
        comparisons=(*quorum, *approval),
        rejected=tuple(rejected[i] for i in sorted(rejected)),
    )


# --- Building meeting (HZ-5.1.3.2.2.5) --------------------------------------------------------------------


def _household_choices(
    households: Sequence[str], ballots: Sequence[HouseholdBallot], rejected: dict[int, Rejection]
) -> dict[str, str]:
    """One choice per household: identical repeats count once, different ones void the household's ballot."""
    known = set(households)
    per_household: dict[str, list[int]] = {}
    for index, ballot in enumerate(ballots):
        if ballot.household in known:
            per_household.setdefault(ballot.household, []).append(index)
        else:
            _reject(rejected, [index], "unknown_household", household=ballot.household)
    choices: dict[str, str] = {}
    for household, indexes in per_household.items():
        cast = {ballots[i].choice for i in indexes}
        if len(cast) == 1:
            choices[household] = cast.pop()
        else:
            _reject(rejected, indexes, "household_conflict", household=household)
    return choices


def tally_building(
    *,
    households: Sequence[str],
    ballots: Sequence[HouseholdBallot],
    thresholds: Thresholds,
    tie_passes: bool | None = None,
) -> BuildingResult:
    """Count a building (stairwell) vote: quorum ≥ 2/3 of the stairwell's household representatives, absent ones
    included (§5#5); passes with yes ≥ 1/2 of the votes cast, abstentions counted as cast (§5#4); a tie passes
    unless `tie_passes` (default: the pack's vote.tie_passes, §5#1) is False.

    Preconditions: household ids unique, choices in CHOICES.
    """
    if len(set(households)) != len(households):
        raise ValueError("household ids must be unique")
    rejected: dict[int, Rejection] = {}
    choices = _household_choices(households, ballots, rejected)
    counts = {choice: 0 for choice in CHOICES}
    for choice in choices.values():
        counts[choice] += 1
    voters = len(choices)
    ties = thresholds.tie_passes if tie_passes is None else tie_passes
    quorum = Comparison(
        "quorum.households", voters, ">=", thresholds.building_quorum, len(households), "HZ-5.1.3.2.2.5"
    )
    approval = Comparison(
        "pass.votes", counts["yes"], ">=" if ties else ">", thresholds.building_pass, voters, "HZ-5.1.3.2.2.5"
    )
    quorum_met = quorum.met and voters > 0
    return BuildingResult(
        households=len(households),
        voters=voters,
        yes=counts["yes"],
        no=counts["no"],
        abstain=counts["abstain"],
        quorum_met=quorum_met,
        passed=quorum_met and approval.met and counts["yes"] > 0,
        comparisons=(quorum, approval),
        rejected=tuple(rejected[i] for i in sorted(rejected)),
    )


def area_text(hundredths: int) -> str:
    """An area in hundredths of m² as the roll writes it: '89.47'."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"
