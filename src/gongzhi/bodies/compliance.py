"""Compliance of a body's composition with the policy in force. Pure Python: no Django import.

Every number comes from the policy (policy packs, each value with its clause); this module only says which keys
apply to which kind of body and how to compare. Comparisons are exact (integers and Fraction, never floats) and
boundaries are inclusive where the text says 以上/不低于/不少于 (LAW-CC-1259). A finding under a "shall" rule is an
error, under any other force a warning; neither blocks data entry (bodies.services).
Messages live on the Django side (bodies.selectors.MESSAGES), keyed by `message_id`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, Protocol

Severity = Literal["error", "warning"]

OC = "owners_committee"
OSC = "owners_supervisory_committee"
RC = "residents_committee"
VC = "villagers_committee"
RASC = "residents_affairs_supervisory_committee"
RRM = "residents_representative_meeting"
CHAIR = "chair"
VICE_CHAIR = "vice_chair"
RESIDENT_REPRESENTATIVE = "resident_representative"


class Rule(Protocol):
    """What a policy lookup returns (policy.effective.PolicyValue satisfies it)."""

    @property
    def value(self) -> Any: ...
    @property
    def clause(self) -> str: ...
    @property
    def force(self) -> str: ...
    @property
    def clauses(self) -> tuple[str, ...]: ...


PolicyLookup = Callable[[str], Rule | None]


@dataclass(frozen=True)
class MemberSnapshot:
    person_id: int
    name: str = ""
    position: str = "member"
    is_party_member: bool = False
    is_owner_in_compound: bool = False
    category: str = ""
    term_start: dt.date | None = None
    term_end: dt.date | None = None


@dataclass(frozen=True)
class BodySnapshot:
    """A body as seated on one day: its open memberships, and what the checks need from around it."""

    kind: str
    members: tuple[MemberSnapshot, ...] = ()
    rules_size: int | None = None
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    # For an owners' supervisory committee: the people on the owners' committee of the same compound.
    owners_committee_person_ids: frozenset[int] = frozenset()
    # ... and that owners' committee's term (start, end), when it exists.
    owners_committee_term: tuple[dt.date | None, dt.date | None] | None = None

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Finding:
    code: str
    clause: str  # every clause that states the rule, comma-separated, most specific first
    force: str
    severity: Severity
    message_id: str
    params: Mapping[str, Any] = field(default_factory=dict)
    clauses: tuple[str, ...] = ()
    key: str = ""


def _finding(code: str, key: str, rule: Rule, **params: Any) -> Finding:
    clauses = tuple(rule.clauses) or (rule.clause,)
    severity: Severity = "error" if rule.force == "shall" else "warning"
    return Finding(
        code=code,
        clause=", ".join(clauses),
        force=rule.force,
        severity=severity,
        message_id=code,
        params=params,
        clauses=clauses,
        key=key,
    )


def _rule(lookup: PolicyLookup, key: str) -> Rule | None:
    rule = lookup(key)
    return rule if rule is not None and rule.value is not None and rule.value is not False else None


Check = Callable[[BodySnapshot, PolicyLookup, dt.date], list[Finding]]


def check_size_range(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    out = []
    low_key, high_key = f"{body.kind}.size.min", f"{body.kind}.size.max"
    low, high = _rule(lookup, low_key), _rule(lookup, high_key)
    if low and body.size < low.value:
        out.append(_finding("size_below_min", low_key, low, size=body.size, min=low.value))
    if high and body.size > high.value:
        out.append(_finding("size_above_max", high_key, high, size=body.size, max=high.value))
    return out


def check_size_odd(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    key = f"{body.kind}.size.odd"
    rule = _rule(lookup, key)
    return [_finding("size_even", key, rule, size=body.size)] if rule and body.size % 2 == 0 else []


def check_size_allowed(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    key = f"{body.kind}.sizes"
    rule = _rule(lookup, key)
    if rule and body.size not in rule.value:
        allowed = ", ".join(str(n) for n in rule.value)
        return [_finding("size_not_allowed", key, rule, size=body.size, allowed=allowed)]
    return []


def check_size_rules(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    """NB-2.8.1: the size is the number the assembly's rules of procedure fix (Body.rules_size)."""
    key = f"{body.kind}.size.equals_rules_size"
    rule = _rule(lookup, key)
    if rule is None:
        return []
    if body.rules_size is None:
        return [_finding("rules_size_missing", key, rule)]
    if body.size != body.rules_size:
        return [_finding("size_differs_from_rules", key, rule, size=body.size, rules_size=body.rules_size)]
    return []


def _count(body: BodySnapshot, position: str) -> int:
    return sum(1 for m in body.members if m.position == position)


def check_officers(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    out = []
    chair_key, vice_key = f"{body.kind}.chair_required", f"{body.kind}.vice_chair.min"
    chair, vice = _rule(lookup, chair_key), _rule(lookup, vice_key)
    chairs = _count(body, CHAIR)
    if chair and chairs == 0:
        out.append(_finding("chair_missing", chair_key, chair))
    if chair and chairs > 1:
        out.append(_finding("chair_several", chair_key, chair, chairs=chairs))
    if vice and _count(body, VICE_CHAIR) < vice.value:
        out.append(
            _finding(
                "vice_chair_missing", vice_key, vice, vice_chairs=_count(body, VICE_CHAIR), min=vice.value
            )
        )
    return out


def check_chair_count(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    key = f"{body.kind}.chair_count"
    rule = _rule(lookup, key)
    chairs = _count(body, CHAIR)
    return (
        [_finding("chair_count", key, rule, chairs=chairs, expected=rule.value)]
        if rule and chairs != rule.value
        else []
    )


def share_short(have: int, size: int, share: Fraction) -> int | None:
    """The minimum count (ceil, §5 #2) when `have` is below `share` of `size` (inclusive), else None."""
    if size == 0 or Fraction(have) >= share * size:
        return None
    return math.ceil(share * size)


def check_party_share(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    key = f"{body.kind}.party_share.min"
    rule = _rule(lookup, key)
    if rule is None:
        return []
    party = sum(1 for m in body.members if m.is_party_member)
    needed = share_short(party, body.size, rule.value)
    if needed is None:
        return []
    percent = str(
        rule.value * 100 if (rule.value * 100).denominator == 1 else round(float(rule.value * 100), 1)
    )
    return [
        _finding("party_share_below", key, rule, party=party, size=body.size, needed=needed, percent=percent)
    ]


def check_chair_party_member(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    key = f"{body.kind}.chair_party_member"
    rule = _rule(lookup, key)
    if rule is None:
        return []
    return [
        _finding("chair_not_party_member", key, rule, name=m.name)
        for m in body.members
        if m.position == CHAIR and not m.is_party_member
    ]


def check_members_are_owners(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    key = f"{body.kind}.members_are_owners"
    rule = _rule(lookup, key)
    if rule is None:
        return []
    return [
        _finding("member_not_owner", key, rule, name=m.name)
        for m in body.members
        if not m.is_owner_in_compound
    ]


def check_disjoint_from_oc(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    key = f"{body.kind}.disjoint_from_owners_committee"
    rule = _rule(lookup, key)
    if rule is None:
        return []
    return [
        _finding("member_also_on_owners_committee", key, rule, name=m.name)
        for m in body.members
        if m.person_id in body.owners_committee_person_ids
    ]


def check_term_equals_oc(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    """HZ-A.3.1.3: the supervisory committee's term is the owners' committee's term."""
    key = f"{body.kind}.term_equals_owners_committee"
    rule = _rule(lookup, key)
    oc_term = body.owners_committee_term
    if rule is None or oc_term is None or None in (body.term_start, body.term_end, *oc_term):
        return []
    if (body.term_start, body.term_end) == oc_term:
        return []
    start, end = oc_term
    assert start is not None and end is not None  # checked above; for the type checker
    return [
        _finding(
            "term_differs_from_owners_committee",
            key,
            rule,
            oc_start=start.isoformat(),
            oc_end=end.isoformat(),
        )
    ]


def check_resident_share(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    key = f"{body.kind}.resident_share.min"
    rule = _rule(lookup, key)
    if rule is None:
        return []
    residents = sum(1 for m in body.members if m.category == RESIDENT_REPRESENTATIVE)
    needed = share_short(residents, body.size, rule.value)
    if needed is None:
        return []
    return [_finding("resident_share_below", key, rule, residents=residents, size=body.size, needed=needed)]


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_term_length(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    """A term of N years runs from its first day to the day before the same date N years on (end inclusive)."""
    if body.term_start is None or body.term_end is None:
        return []
    out = []
    after_end = body.term_end + dt.timedelta(days=1)
    low_key, high_key = f"{body.kind}.term_years.min", f"{body.kind}.term_years.max"
    low, high = _rule(lookup, low_key), _rule(lookup, high_key)
    if low and after_end < add_years(body.term_start, low.value):
        out.append(
            _finding(
                "term_too_short",
                low_key,
                low,
                start=body.term_start.isoformat(),
                end=body.term_end.isoformat(),
                min=low.value,
            )
        )
    if high and after_end > add_years(body.term_start, high.value):
        out.append(
            _finding(
                "term_too_long",
                high_key,
                high,
                start=body.term_start.isoformat(),
                end=body.term_end.isoformat(),
                max=high.value,
            )
        )
    return out


def check_term_expiry(body: BodySnapshot, lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    """Alert `term.expiry_warning_days` (§5 #14) before the term ends, to start the re-election in time."""
    key = "term.expiry_warning_days"
    rule = _rule(lookup, key)
    if rule is None or body.term_end is None:
        return []
    days = (body.term_end - today).days
    if days < 0:
        return [_finding("term_expired", key, rule, end=body.term_end.isoformat(), days=-days)]
    if days <= rule.value:
        return [_finding("term_expiring", key, rule, end=body.term_end.isoformat(), days=days)]
    return []


# Which checks apply to which kind of body; the keys each reads are declared in policy.schema.KEYS.
SIZE = (check_size_range,)
CHECKS: dict[str, tuple[Check, ...]] = {
    OC: (
        *SIZE,
        check_size_odd,
        check_size_rules,
        check_officers,
        check_party_share,
        check_chair_party_member,
        check_members_are_owners,
        check_term_length,
    ),
    OSC: (
        check_size_allowed,
        check_members_are_owners,
        check_disjoint_from_oc,
        check_term_length,
        check_term_equals_oc,
    ),
    RC: SIZE,
    VC: SIZE,
    RASC: (*SIZE, check_chair_count),
    RRM: (*SIZE, check_resident_share),
}
ALWAYS: tuple[Check, ...] = (check_term_expiry,)


def check_body(snapshot: BodySnapshot, policy_lookup: PolicyLookup, today: dt.date) -> list[Finding]:
    """Every finding for one body on `today`, errors first, in a stable order."""
    findings = [
        f
        for check in (*CHECKS.get(snapshot.kind, ()), *ALWAYS)
        for f in check(snapshot, policy_lookup, today)
    ]
    return sorted(findings, key=lambda f: f.severity != "error")
