"""Reads over bodies: snapshots of seated members and the compliance list (bodies.compliance), translated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.compliance import OC, OSC, BodySnapshot, Finding, MemberSnapshot, check_body
from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.people.selectors import ownerships_on
from gongzhi.policy.selectors import effective_policies
from gongzhi.tree.models import Node

MESSAGES: dict[str, Promise] = {
    "size_below_min": _("The body has %(size)d members; it needs at least %(min)d."),
    "size_above_max": _("The body has %(size)d members; it may have at most %(max)d."),
    "size_even": _("The body has %(size)d members; the number must be odd."),
    "size_not_allowed": _("The body has %(size)d members; the allowed sizes are %(allowed)s."),
    "rules_size_missing": _("The size fixed by the owners' assembly rules of procedure is not recorded."),
    "size_differs_from_rules": _(
        "The body has %(size)d members, but the assembly rules of procedure fix %(rules_size)d."
    ),
    "chair_missing": _("The body has no chair."),
    "chair_several": _("The body has %(chairs)d chairs; it must have one."),
    "vice_chair_missing": _("The body has %(vice_chairs)d vice chairs; it needs at least %(min)d."),
    "chair_count": _("The body has %(chairs)d chairs; it must have exactly %(expected)d."),
    "party_share_below": _(
        "%(party)d of %(size)d members are Party members; at least %(percent)s%% means at least %(needed)d."
    ),
    "chair_not_party_member": _("The chair, %(name)s, is not a Party member."),
    "member_not_owner": _("%(name)s does not own a dwelling in this compound."),
    "member_also_on_owners_committee": _("%(name)s also sits on the owners' committee of the same compound."),
    "resident_share_below": _(
        "%(residents)d of %(size)d members are residents' representatives; at least %(needed)d are needed."
    ),
    "term_too_short": _("The term from %(start)s to %(end)s is shorter than %(min)d years."),
    "term_too_long": _("The term from %(start)s to %(end)s is longer than %(max)d years."),
    "term_differs_from_owners_committee": _(
        "The term differs from the owners' committee's term (%(oc_start)s to %(oc_end)s)."
    ),
    "term_expiring": _("The term ends on %(end)s, in %(days)d days: prepare the re-election."),
    "term_expired": _("The term ended on %(end)s: a re-election is due."),
}
SEVERITY_LABELS = {"error": _("error"), "warning": _("warning")}
FORCE_LABELS = {
    "shall": _("shall (mandatory)"),
    "should": _("should (recommended)"),
    "may": _("may (optional)"),
    "descriptive": _("descriptive (default practice)"),
    "default": _("product default"),
}


@dataclass(frozen=True)
class RenderedFinding:
    code: str
    message: str
    clause: str
    clauses: tuple[str, ...]
    severity: str
    force: str
    key: str
    params: dict[str, Any]

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def is_default(self) -> bool:
        """A product default (§5), not a source rule, decided this finding: the UI says so."""
        return self.force == "default"

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS[self.severity])

    @property
    def force_label(self) -> str:
        return str(FORCE_LABELS.get(self.force, self.force))


def render(finding: Finding) -> RenderedFinding:
    params = dict(finding.params)
    return RenderedFinding(
        code=finding.code,
        message=str(MESSAGES[finding.message_id]) % params,
        clause=finding.clause,
        clauses=finding.clauses,
        severity=finding.severity,
        force=finding.force,
        key=finding.key,
        params=params,
    )


def bodies_under(node: Node) -> QuerySet[Body]:
    """Bodies attached to `node` or anywhere below it (one index range on the path)."""
    return (
        Body.objects.filter(node__path__startswith=node.path)
        .select_related("node")
        .order_by("node__path", "kind", "name", "pk")
    )


def _seated(body_ids: list[int], today: dt.date) -> QuerySet[BodyMembership]:
    return BodyMembership.objects.filter(body_id__in=body_ids, term_start__lte=today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today)
    )


def _owner_paths(bodies: list[Body], members: list[BodyMembership], today: dt.date) -> dict[int, list[str]]:
    """{person id: [paths of dwellings they own on `today`]} under the compounds of OCs and OSCs."""
    paths = {b.node.path for b in bodies if b.kind in (OC, OSC)}
    people = {m.person_id for m in members}
    if not paths or not people:
        return {}
    where = reduce(or_, (Q(dwelling__path__startswith=p) for p in sorted(paths)))
    out: dict[int, list[str]] = {}
    for person_id, path in (
        ownerships_on(today).filter(where, person_id__in=people).values_list("person_id", "dwelling__path")
    ):
        out.setdefault(person_id, []).append(path)
    return out


@dataclass(frozen=True)
class _OwnersCommittee:
    person_ids: frozenset[int]
    term: tuple[dt.date | None, dt.date | None]


def _owners_committees(bodies: list[Body], today: dt.date) -> dict[int, _OwnersCommittee]:
    """{compound node id: its active owners' committee}, for the OSC overlap and term checks (one query)."""
    nodes = {b.node_id for b in bodies if b.kind == OSC}
    if not nodes:
        return {}
    rows = (
        Body.objects.filter(kind=OC, node_id__in=nodes)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
        .order_by("pk")
        .values_list(
            "node_id",
            "term_start",
            "term_end",
            "memberships__person_id",
            "memberships__term_start",
            "memberships__ended_on",
        )
    )
    people: dict[int, set[int]] = {}
    terms: dict[int, tuple[dt.date | None, dt.date | None]] = {}
    for node_id, start, end, person_id, seated_from, left_on in rows:
        terms.setdefault(node_id, (start, end))
        people.setdefault(node_id, set())
        if person_id is not None and seated_from <= today and (left_on is None or left_on > today):
            people[node_id].add(person_id)
    return {n: _OwnersCommittee(frozenset(people[n]), terms[n]) for n in terms}


def _member(m: BodyMembership, body: Body, owned: dict[int, list[str]]) -> MemberSnapshot:
    is_owner = any(p.startswith(body.node.path) for p in owned.get(m.person_id, ()))
    return MemberSnapshot(
        person_id=m.person_id,
        name=m.person.name,
        position=m.position,
        is_party_member=m.person.is_party_member,
        is_owner_in_compound=is_owner,
        category=m.category,
        term_start=m.term_start,
        term_end=m.term_end,
    )


def _snapshots(bodies: list[Body], today: dt.date) -> dict[int, BodySnapshot]:
    """Snapshots of many bodies in at most three queries (members with people, ownerships, OC members)."""
    members = list(_seated([b.pk for b in bodies], today).select_related("person").order_by("pk"))
    owned = _owner_paths(bodies, members, today)
    ocs = _owners_committees(bodies, today)
    by_body: dict[int, list[MemberSnapshot]] = {}
    bodies_by_id = {b.pk: b for b in bodies}
    for m in members:
        by_body.setdefault(m.body_id, []).append(_member(m, bodies_by_id[m.body_id], owned))
    return {
        b.pk: BodySnapshot(
            kind=b.kind,
            members=tuple(by_body.get(b.pk, ())),
            rules_size=b.rules_size,
            term_start=b.term_start,
            term_end=b.term_end,
            owners_committee_person_ids=ocs[b.node_id].person_ids if b.node_id in ocs else frozenset(),
            owners_committee_term=ocs[b.node_id].term if b.node_id in ocs else None,
        )
        for b in bodies
    }


def body_snapshot(body: Body, today: dt.date) -> BodySnapshot:
    return _snapshots([body], today)[body.pk]


def _is_active(body: Body, today: dt.date) -> bool:
    return body.dissolved_on is None or body.dissolved_on > today


def _compliance(bodies: Iterable[Body], today: dt.date) -> list[tuple[Body, list[RenderedFinding]]]:
    bodies = [b for b in bodies if _is_active(b, today)]
    if not bodies:
        return []
    snapshots = _snapshots(bodies, today)
    policies = effective_policies({b.node_id: b.node for b in bodies}.values())
    return [(b, [render(f) for f in check_body(snapshots[b.pk], policies[b.node_id], today)]) for b in bodies]


def bodies_compliance(
    bodies: Iterable[Body], today: dt.date | None = None
) -> list[tuple[Body, list[RenderedFinding]]]:
    """(body, findings) for a given list of bodies (e.g. one node's), in the same fixed number of queries."""
    return _compliance(bodies, today or timezone.localdate())


def body_compliance(body: Body, today: dt.date | None = None) -> list[RenderedFinding]:
    """The compliance list of one body under the policy in force on its node (empty for a dissolved body)."""
    found = _compliance([body], today or timezone.localdate())
    return found[0][1] if found else []


def community_compliance(
    community: Node, today: dt.date | None = None
) -> list[tuple[Body, list[RenderedFinding]]]:
    """(body, findings) for every active body on the community and below it, in a fixed number of queries."""
    return _compliance(bodies_under(community), today or timezone.localdate())
