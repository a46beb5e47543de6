"""Bodies and their members for demo data, as row tuples (pure Python).

Most bodies follow the rules of their city pack; a few are deliberately out of line so that the compliance
list has something to show (`VIOLATIONS`): an owners' committee of 6 (HZ-A.2.1.1 / CZ-II.3#1), an owners'
supervisory committee sharing a member with the owners' committee (HZ-3.2), a residents' committee of 4
(NB-2.3.3), terms ending within 90 days, and a Huzhou owners' committee under 65% Party members (HZ-A.2.1.2).
"""

from __future__ import annotations

import datetime as dt
import math
import random

from gongzhi.demo import names
from gongzhi.demo.plan import CommunityPlan, NodePlan
from gongzhi.demo.population import Chunk, CommunityPeople

BODY_COLS = (
    "id",
    "kind",
    "node_id",
    "grid_id",
    "name",
    "term_start",
    "term_end",
    "contract_start",
    "contract_end",
    "rules_size",
    "dissolved_on",
)
MEMBER_COLS = (
    "id",
    "body_id",
    "person_id",
    "position",
    "elected_how",
    "category",
    "term_start",
    "term_end",
    "ended_on",
)

VIOLATIONS = ("oc_size_6", "osc_shares_oc_member", "rc_size_4", "term_ending_soon", "hz_oc_party_share_low")


def _unique(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))


class BodyMaker:
    def __init__(self, rng: random.Random, anchor: dt.date):
        self.rng = rng
        self.anchor = anchor
        self.next_body = 1
        self.next_member = 1
        self.done: set[str] = set()
        self.kinds: dict[int, str] = {}
        self.first_members: dict[str, list[int]] = {}  # kind → the first such body's members (demo log-ins)

    def _once(self, violation: str, applies: bool = True) -> bool:
        if applies and violation not in self.done:
            self.done.add(violation)
            return True
        return False

    def _term(self, years: int, ends_soon: bool = False) -> tuple[dt.date, dt.date]:
        """A term of `years` that is under way today (or ends within 90 days when `ends_soon`)."""
        days = 45 if ends_soon else 120 + int(self.rng.random() * (years - 1) * 365)
        end = self.anchor + dt.timedelta(days=days)
        after_end = end + dt.timedelta(days=1)  # the end day is the term's last day
        try:
            return after_end.replace(year=after_end.year - years), end
        except ValueError:  # 29 February
            return after_end.replace(year=after_end.year - years, day=28), end

    def body(
        self,
        chunk: Chunk,
        kind: str,
        node: NodePlan,
        name: str,
        *,
        grid: int | None = None,
        term: tuple[dt.date, dt.date] | None = None,
        contract: tuple[dt.date, dt.date] | None = None,
        rules_size: int | None = None,
    ) -> tuple[int, tuple[dt.date, dt.date] | None]:
        bid = self.next_body
        self.next_body += 1
        start, end = term or (None, None)
        c_start, c_end = contract or (None, None)
        self.kinds[bid] = kind
        chunk.bodies.append((bid, kind, node.key, grid, name, start, end, c_start, c_end, rules_size, None))
        return bid, term

    def members(
        self,
        chunk: Chunk,
        body: tuple[int, tuple[dt.date, dt.date] | None],
        people: list[int],
        positions: tuple[str, ...],
        how: str,
        categories: list[str] | None = None,
    ) -> None:
        """`people` in order; the first ones take `positions`, the rest are plain members."""
        bid, term = body
        start, end = term or (self.anchor - dt.timedelta(days=400), None)
        if people:
            self.first_members.setdefault(self.kinds[bid], list(people))
        for i, pid in enumerate(people):
            position = positions[i] if i < len(positions) else "member"
            category = categories[i] if categories else ""
            chunk.members.append((self.next_member, bid, pid, position, how, category, start, end, None))
            self.next_member += 1

    def _pick(self, pool: list[int], n: int, exclude: set[int] | None = None) -> list[int]:
        """Up to `n` distinct people from `pool` (which may repeat), none from `exclude`."""
        exclude = exclude or set()
        if n <= 0 or not pool:
            return []
        if len(pool) > 4 * (n + len(exclude)) + 50:  # large pool: draw with rejection, no full copy
            rnd, chosen, seen = self.rng.random, [], set(exclude)
            for _attempt in range(20 * n):
                p = pool[int(rnd() * len(pool))]
                if p not in seen:
                    seen.add(p)
                    chosen.append(p)
                    if len(chosen) == n:
                        return chosen
        candidates = [p for p in _unique(pool) if p not in exclude]
        return self.rng.sample(candidates, min(n, len(candidates)))

    def _party(self, pool: list[int], who: CommunityPeople, n: int) -> list[int]:
        """`n` Party members from `pool`, topped up from the community's (a tiny demo may have too few)."""
        chosen = self._pick([p for p in pool if p in who.party], n)
        chosen += self._pick([p for p in who.adults if p in who.party], n - len(chosen), set(chosen))
        return chosen + self._pick(who.adults, n - len(chosen), set(chosen))

    def _pick_party_first(
        self, pool: list[int], party: set[int], n: int, share: float, exclude: set[int] | None = None
    ) -> list[int]:
        """At least `share` of the `n` from Party members where the pool allows it."""
        exclude = exclude or set()
        members = self._pick([p for p in pool if p in party], math.ceil(n * share), exclude)
        rest = self._pick([p for p in pool if p not in party], n - len(members), exclude | set(members))
        return members + rest

    # -- community level ------------------------------------------------------------------------------
    def community(self, chunk: Chunk, plan: CommunityPlan, who: CommunityPeople) -> None:
        node, pack, rng = plan.node, plan.district.pack, self.rng
        rural = plan.special == "rural"
        adults = who.adults
        party_adults = [p for p in adults if p in who.party]
        committee_term = self._term(5)
        party_org = self.body(
            chunk,
            "community_party_org",
            node,
            f"中共{node.name}{'支部' if rural else ''}委员会",
            term=committee_term,
        )
        party_members = self._party(party_adults, who, 5 + 2 * int(rng.random() * 2))
        self.members(chunk, party_org, party_members, ("secretary", "deputy_secretary"), "party_election")
        secretary = party_members[:1]
        size = 4 if self._once("rc_size_4", pack == "ningbo" and not rural) else (5 if rural else 7)
        soon = self._once("term_ending_soon", pack == "binzhou")
        kind, label = (
            ("villagers_committee", "村民委员会") if rural else ("residents_committee", "居民委员会")
        )
        rc = self.body(chunk, kind, node, f"{node.name}{label}", term=self._term(5, soon))
        rc_members = secretary + self._pick(adults, size - len(secretary), set(secretary))
        self.members(chunk, rc, rc_members, ("chair", "vice_chair"), "residents_election")
        used = set(party_members) | set(rc_members)
        sup = self.body(
            chunk,
            "residents_affairs_supervisory_committee",
            node,
            f"{node.name}{'村务' if rural else '居务'}监督委员会",
            term=committee_term,
        )
        self.members(
            chunk, sup, party_members[1:2] + self._pick(adults, 2, used), ("chair",), "residents_election"
        )
        if not rural:
            self._representatives(chunk, plan, who, rc_members, committee_term)
        med = self.body(
            chunk, "people_mediation_committee", node, f"{node.name}人民调解委员会", term=committee_term
        )
        self.members(chunk, med, rc_members[1:2] + self._pick(adults, 2, used), ("head",), "appointed")
        org = self.body(chunk, "social_org", node, f"{node.name}{rng.choice(names.SOCIAL_ORG_NAMES)}")
        self.members(chunk, org, self._pick(adults, 5 + int(rng.random() * 4)), ("head",), "volunteer")
        if pack == "cangzhou":  # CZ-III.2#1: headed by the community Party secretary
            pmc = self.body(chunk, "community_pmc", node, f"{node.name}物业管理委员会", term=committee_term)
            self.members(
                chunk, pmc, secretary + self._pick(adults, 4, set(secretary)), ("head",), "ex_officio"
            )
        for grid in plan.grids:
            if grid.parent is None:
                branch = self.body(
                    chunk, "grid_party_branch", node, f"{grid.name}党支部", grid=grid.key, term=committee_term
                )
                self.members(
                    chunk, branch, self._party(party_adults, who, 3), ("secretary",), "party_election"
                )
        for group in plan.compounds:
            if group.level == "compound":
                self.compound(chunk, plan, group, who)
            else:
                self._resident_group(chunk, group, who)

    def _representatives(
        self,
        chunk: Chunk,
        plan: CommunityPlan,
        who: CommunityPeople,
        committee: list[int],
        term: tuple[dt.date, dt.date],
    ) -> None:
        """NB-2.3.7: 51–101 members, residents' representatives at least two thirds."""
        households = len(who.representatives)
        size = max(51, min(101, households // 30))
        body = self.body(
            chunk, "residents_representative_meeting", plan.node, f"{plan.node.name}居民代表会议", term=term
        )
        others = self._pick(who.adults, size - len(committee), set(committee))
        units = len(others) // 10
        categories = (
            ["committee_member"] * len(committee)
            + ["unit_representative"] * units
            + ["resident_representative"] * (len(others) - units)
        )
        self.members(chunk, body, committee + others, (), "residents_election", categories)

    def _resident_group(self, chunk: Chunk, group: NodePlan, who: CommunityPeople) -> None:
        body = self.body(chunk, "resident_group", group, group.name)
        adults = set(who.adults)
        pool = [p for p in who.residents_by_group[group.key] if p in adults]
        self.members(chunk, body, self._pick(pool, 4), ("leader",), "residents_election")

    # -- compound level -------------------------------------------------------------------------------
    def compound(self, chunk: Chunk, plan: CommunityPlan, compound: NodePlan, who: CommunityPeople) -> None:
        pack, rng = plan.district.pack, self.rng
        owners = _unique(who.owners_by_group[compound.key])
        households = len(owners)
        self.body(
            chunk, "owners_general_assembly", compound, f"{compound.name}业主大会"
        )  # members: the owners' roll
        size = (
            6
            if self._once("oc_size_6", pack == "cangzhou")
            else (5 if households < 300 else 7 if households < 800 else 9)
        )
        soon = self._once("term_ending_soon", pack == "huzhou")
        term = self._term(5, soon)
        oc = self.body(
            chunk, "owners_committee", compound, f"{compound.name}业主委员会", term=term, rules_size=size
        )
        if pack != "huzhou":
            oc_members = self._pick(owners, size)
        elif self._once("hz_oc_party_share_low"):
            oc_members = self._pick([p for p in owners if p not in who.party], size)
        else:
            oc_members = self._pick_party_first(owners, who.party, size, 0.65)  # HZ-A.2.1.2
        self.members(chunk, oc, oc_members, ("chair", "vice_chair"), "owners_assembly")
        if pack in ("huzhou", "ningbo"):
            osc = self.body(
                chunk, "owners_supervisory_committee", compound, f"{compound.name}业主监督委员会", term=term
            )
            shared = oc_members[-1:] if self._once("osc_shares_oc_member", pack == "huzhou") else []
            self.members(
                chunk,
                osc,
                shared + self._pick(owners, 3 - len(shared), set(oc_members)),
                ("chair",),
                "owners_assembly",
            )
        company = rng.choice(names.PROPERTY_COMPANY_NAMES)
        start = self.anchor - dt.timedelta(days=int(rng.random() * 900))
        pc = self.body(
            chunk,
            "property_company",
            compound,
            f"{company}（{compound.name}项目）",
            contract=(start, start + dt.timedelta(days=3 * 365)),
        )
        self.members(chunk, pc, self._pick(who.adults, 3, set(oc_members)), ("manager",), "employed")
        if pack == "huzhou":  # HZ-A.1.1.1: compound Party organisation down to buildings
            party = self.body(
                chunk, "compound_party_org", compound, f"{compound.name}党支部", term=self._term(5)
            )
            self.members(
                chunk,
                party,
                self._party(owners, who, 3),
                ("secretary",),
                "party_election",
            )
        building = _first_building(compound)
        if building is not None:
            group = self.body(
                chunk, "building_party_group", building, f"{compound.name}{building.name}党小组"
            )
            residents = who.residents_by_group[compound.key]
            self.members(
                chunk,
                group,
                self._party(residents, who, 3),
                ("leader",),
                "party_election",
            )

    def street(self, chunk: Chunk, street: NodePlan, pack: str, who: CommunityPeople) -> None:
        """CZ-III.1#1: a street property management committee (Cangzhou)."""
        if pack != "cangzhou":
            return
        pmc = self.body(chunk, "street_pmc", street, f"{street.name}物业管理委员会", term=self._term(5))
        self.members(chunk, pmc, self._pick(who.adults, 5), ("head",), "appointed")


def _first_building(node: NodePlan) -> NodePlan | None:
    for child in node.children:
        if child.level == "building":
            return child
        found = _first_building(child)
        if found:
            return found
    return None
