"""Dwellings and the people in them, one community at a time, as plain row tuples (pure Python).

Rows carry their own ids (dense, from 1), so the bulk path can COPY them and the service path maps ids to
the objects it creates. Proportions are rough real-world ones: about 3% unsold developer units, 10% empty,
15% let to tenants, the rest owner-occupied; about 7% of people are Party members; care tags are rare.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from gongzhi.demo import names
from gongzhi.demo.plan import CommunityPlan, NodePlan

DWELLING_COLS = (
    "id",
    "stairwell_id",
    "building_id",
    "community_id",
    "path",
    "number",
    "floor",
    "use",
    "area",
    "area_source",
    "is_sold",
    "is_delivered",
    "grid_id",
    "micro_grid_id",
)
PERSON_COLS = (
    "id",
    "name",
    "gender",
    "id_number",
    "birth_date",
    "phone",
    "is_party_member",
    "is_registered_resident",
    "created_at",
)
TAG_COLS = ("id", "person_id", "tag", "since")
OWNERSHIP_COLS = ("id", "dwelling_id", "person_id", "start", "end", "document")
RESIDENCY_COLS = ("id", "dwelling_id", "person_id", "relation", "is_representative", "start", "end", "path")

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SEQ_SUM = [sum(int(c) * w for c, w in zip(f"{n:03d}", _WEIGHTS[14:], strict=True)) for n in range(1000)]
# (tag, cumulative probability) for people who carry one; about 4% of people do (catalogue §2.11).
_TAGS = (
    ("disabled", 0.30),
    ("dibao", 0.50),
    ("entitled_group", 0.65),
    ("unemployed", 0.80),
    ("elderly_hardship", 0.88),
    ("tekun", 0.92),
    ("left_behind", 0.96),
    ("key_person", 1.0),
)
PARTY_RATE_ADULTS = 0.085  # ≈7% of all people once children are counted


@dataclass
class Chunk:
    """Rows for one or more communities, plus what the bodies need to know about the people."""

    dwellings: list[tuple] = field(default_factory=list)
    people: list[tuple] = field(default_factory=list)
    tags: list[tuple] = field(default_factory=list)
    ownerships: list[tuple] = field(default_factory=list)
    residencies: list[tuple] = field(default_factory=list)
    bodies: list[tuple] = field(default_factory=list)
    members: list[tuple] = field(default_factory=list)


@dataclass
class CommunityPeople:
    """Who lives in / owns what in one community, for choosing body members."""

    adults: list[int] = field(default_factory=list)  # resident adults aged 25–70
    party: set[int] = field(default_factory=set)
    owners_by_group: dict[int, list[int]] = field(default_factory=dict)  # compound/group key → owner ids
    residents_by_group: dict[int, list[int]] = field(default_factory=dict)
    representatives: list[tuple[int, int]] = field(default_factory=list)  # (dwelling id, person id)


class Population:
    """Generates people community by community; one instance per data set (it holds the id counters)."""

    def __init__(self, rng: random.Random, anchor: dt.date, created_at: dt.datetime):
        self.rng = rng
        self.anchor = anchor
        self.created_at = created_at
        self.next = {"dwelling": 1, "person": 1, "tag": 1, "ownership": 1, "residency": 1}
        self._anchor_ordinal = anchor.toordinal()
        self._days: dict[int, tuple[dt.date, str, int]] = {}  # ordinal → (date, "YYYYMMDD", weighted sum)
        self._area_sums: dict[str, int] = {}
        self._seq: dict[str, dict[int, int]] = {}  # area → {ordinal * 2 + male: people so far}
        self._recent_owners: list[int] = []

    # -- people --------------------------------------------------------------------------------------
    def _day(self, ordinal: int) -> tuple[dt.date, str, int]:
        cached = self._days.get(ordinal)
        if cached is None:
            day = dt.date.fromordinal(ordinal)
            digits = f"{day:%Y%m%d}"
            cached = (day, digits, sum(int(c) * w for c, w in zip(digits, _WEIGHTS[6:14], strict=True)))
            self._days[ordinal] = cached
        return cached

    def _id_number(self, area: str, ordinal: int, male: bool) -> tuple[str, dt.date]:
        """A valid, unique GB 11643 number (same result as people.idcard.make, computed from cached sums)."""
        seqs = self._seq.get(area)
        if seqs is None:
            seqs = self._seq[area] = {}
            self._area_sums[area] = sum(int(c) * w for c, w in zip(area, _WEIGHTS, strict=False))
        n = seqs.get(ordinal * 2 + male, 0)
        while n >= 500:  # 500 people of one sex born on one day in one county: move on a day
            ordinal += 1
            n = seqs.get(ordinal * 2 + male, 0)
        seqs[ordinal * 2 + male] = n + 1
        seq = 2 * n + male
        day, digits, day_sum = self._day(ordinal)
        check = _CHECK[(self._area_sums[area] + day_sum + _SEQ_SUM[seq]) % 11]
        return f"{area}{digits}{seq:03d}{check}", day

    def person(
        self,
        chunk: Chunk,
        area: str,
        age: int,
        *,
        male: bool | None = None,
        registered: bool = True,
        surname: str = "",
    ) -> tuple[int, bool]:
        """Add a person; returns (id, is Party member)."""
        rnd = self.rng.random
        if male is None:
            male = rnd() < 0.5
        ordinal = self._anchor_ordinal - age * 365 - age // 4 - int(rnd() * 365)
        if not registered:
            area = names.MIGRANT_AREAS[int(rnd() * len(names.MIGRANT_AREAS))]
        id_number, birth = self._id_number(area, ordinal, male)
        given = names.GIVEN_MALE if male else names.GIVEN_FEMALE
        name = (surname or names.SURNAMES[int(rnd() * len(names.SURNAMES))]) + given[int(rnd() * len(given))]
        if rnd() < 0.6:
            name += given[int(rnd() * len(given))]
        phone = f"1{'3578'[int(rnd() * 4)]}{int(rnd() * 1e9):09d}" if age >= 14 else ""
        party = age >= 18 and rnd() < PARTY_RATE_ADULTS
        pid = self.next["person"]
        self.next["person"] = pid + 1
        chunk.people.append(
            (pid, name, "M" if male else "F", id_number, birth, phone, party, registered, self.created_at)
        )
        self._tag(chunk, pid, age, registered)
        return pid, party

    def _tag(self, chunk: Chunk, pid: int, age: int, registered: bool) -> None:
        r = self.rng.random()
        tag = ""
        if not registered and r < 0.3:
            tag = "migrant"
        elif r < 0.04:
            x = r / 0.04
            tag = next(t for t, cum in _TAGS if x <= cum)
            if tag == "elderly_hardship" and age < 60 or tag == "left_behind" and age >= 18 and age < 60:
                tag = "disabled"
            if tag == "key_person" and age < 18:
                tag = "minor_hardship"
        elif age >= 75 and r < 0.06:
            tag = "elderly_alone"
        if tag:
            chunk.tags.append((self.next["tag"], pid, tag, self.anchor))
            self.next["tag"] += 1

    # -- dwellings -----------------------------------------------------------------------------------
    def community(self, chunk: Chunk, plan: CommunityPlan) -> CommunityPeople:
        who = CommunityPeople()
        area = plan.district.code
        for group in plan.compounds:
            who.owners_by_group[group.key] = []
            who.residents_by_group[group.key] = []
            for building, stairwell in _stairwells(group):
                for number, floor in _numbers(stairwell):
                    self._dwelling(chunk, who, plan, group, building, stairwell, number, floor, area)
        return who

    def _dwelling(
        self,
        chunk: Chunk,
        who: CommunityPeople,
        plan: CommunityPlan,
        group: NodePlan,
        building: NodePlan,
        stairwell: NodePlan,
        number: str,
        floor: int,
        area: str,
    ) -> None:
        rng = self.rng
        did = self.next["dwelling"]
        self.next["dwelling"] = did + 1
        r = rng.random()
        sold = r >= 0.03
        use = "commercial" if floor == 1 and rng.random() < 0.04 else "residential"
        cents = 4500 + int(rng.random() * 9500) if rng.random() < 0.9 else 14000 + int(rng.random() * 8000)
        grid = building.grid.key if building.grid else None
        micro = building.micro_grid.key if building.micro_grid else None
        chunk.dwellings.append(
            (
                did,
                stairwell.key,
                building.key,
                plan.node.key,
                stairwell.path,
                number,
                floor,
                use,
                f"{cents // 100}.{cents % 100:02d}",
                "register",
                sold,
                sold,
                grid,
                micro,
            )
        )
        if not sold:
            return
        bought = self.anchor - dt.timedelta(days=200 + int(rng.random() * 7000))
        if r < 0.13:
            self._owners(chunk, who, group, did, bought, area)
        elif r < 0.28:
            self._owners(chunk, who, group, did, bought, area)
            self._tenants(chunk, who, group, did, stairwell.path, area)
        else:
            self._household(chunk, who, group, did, stairwell.path, bought, area)

    def _own(self, chunk: Chunk, did: int, pid: int, start: dt.date) -> None:
        chunk.ownerships.append((self.next["ownership"], did, pid, start, None, ""))
        self.next["ownership"] += 1

    def _live(
        self,
        chunk: Chunk,
        who: CommunityPeople,
        group: NodePlan,
        did: int,
        pid: int,
        relation: str,
        rep: bool,
        start: dt.date,
        path: str,
    ) -> None:
        chunk.residencies.append((self.next["residency"], did, pid, relation, rep, start, None, path))
        self.next["residency"] += 1
        who.residents_by_group[group.key].append(pid)
        if rep:
            who.representatives.append((did, pid))

    def _owners(
        self, chunk: Chunk, who: CommunityPeople, group: NodePlan, did: int, bought: dt.date, area: str
    ) -> None:
        """Owners who live elsewhere: often someone who already owns another flat here (several dwellings)."""
        recent = self._recent_owners
        if recent and self.rng.random() < 0.45:
            pid = recent[int(self.rng.random() * len(recent))]
        else:
            pid, party = self.person(chunk, area, 30 + int(self.rng.random() * 45))
            if party:
                who.party.add(pid)
        self._own(chunk, did, pid, bought)
        who.owners_by_group[group.key].append(pid)

    def _tenants(
        self, chunk: Chunk, who: CommunityPeople, group: NodePlan, did: int, path: str, area: str
    ) -> None:
        rng = self.rng
        start = self.anchor - dt.timedelta(days=30 + int(rng.random() * 1000))
        for i in range(1 + int(rng.random() * 3)):
            age = 20 + int(rng.random() * 25)
            pid, party = self.person(chunk, area, age, registered=rng.random() < 0.3)
            self._live(chunk, who, group, did, pid, "tenant", i == 0, start, path)
            self._note_adult(who, pid, age, party)

    def _household(
        self,
        chunk: Chunk,
        who: CommunityPeople,
        group: NodePlan,
        did: int,
        path: str,
        bought: dt.date,
        area: str,
    ) -> None:
        """An owner-occupied dwelling: one owner or a co-owning couple, children, sometimes a parent."""
        rng = self.rng
        age = 28 + int(rng.random() * 55)
        male = rng.random() < 0.5
        pid, party = self.person(chunk, area, age, male=male)
        surname = chunk.people[-1][1][0]
        self._own(chunk, did, pid, bought)
        self._live(chunk, who, group, did, pid, "owner", True, bought, path)
        who.owners_by_group[group.key].append(pid)
        self._note_adult(who, pid, age, party)
        self._recent_owners.append(pid)
        if len(self._recent_owners) > 200:
            del self._recent_owners[:100]
        if rng.random() < 0.7:  # a spouse, co-owner in 60% of couples
            s_age = max(22, age + int(rng.random() * 9) - 4)
            sid, s_party = self.person(chunk, area, s_age, male=not male)
            if rng.random() < 0.6:
                self._own(chunk, did, sid, bought)
                self._live(chunk, who, group, did, sid, "owner", False, bought, path)
                who.owners_by_group[group.key].append(sid)
            else:
                self._live(chunk, who, group, did, sid, "family", False, bought, path)
            self._note_adult(who, sid, s_age, s_party)
        for _child in range(int(rng.random() * 2.4) if age < 60 else 0):
            c_age = max(0, min(age - 22, int(rng.random() * 30)))
            cid, c_party = self.person(chunk, area, c_age, surname=surname)
            self._live(chunk, who, group, did, cid, "family", False, bought, path)
            self._note_adult(who, cid, c_age, c_party)
        if age < 55 and rng.random() < 0.12:
            p_age = age + 25 + int(rng.random() * 8)
            gid, _gp = self.person(chunk, area, p_age)
            self._live(chunk, who, group, did, gid, "family", False, bought, path)

    def _note_adult(self, who: CommunityPeople, pid: int, age: int, party: bool) -> None:
        if 25 <= age <= 70:
            who.adults.append(pid)
        if party:
            who.party.add(pid)


def _stairwells(node: NodePlan) -> list[tuple[NodePlan, NodePlan]]:
    """(building, stairwell) pairs under a compound, cluster or resident group, in tree order."""
    out: list[tuple[NodePlan, NodePlan]] = []
    for child in node.children:
        if child.level == "building":
            out.extend((child, w) for w in child.children)
        else:
            out.extend(_stairwells(child))
    return out


def _numbers(stairwell: NodePlan) -> list[tuple[str, int]]:
    """Dwelling numbers floor by floor: 101, 102, 201 … (rural houses are numbered 1)."""
    out: list[tuple[str, int]] = []
    floor = 1
    while len(out) < stairwell.dwellings:
        for unit in range(1, stairwell.per_floor + 1):
            if len(out) == stairwell.dwellings:
                break
            out.append(
                (f"{floor}{unit:02d}" if stairwell.per_floor > 1 or stairwell.floors > 1 else "1", floor)
            )
        floor += 1
    return out
