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
_SEQ_TEXT = [f"{n:03d}" for n in range(1000)]
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
    """Generates people community by community; one instance per data set (it holds the id counters).

    This is the hot loop of a million-dwelling benchmark, so it trades a little elegance for speed: names
    come from pools drawn once, counters are attributes and rows are appended to local lists.
    """

    def __init__(self, rng: random.Random, anchor: dt.date, created_at: dt.datetime):
        self.rng = rng
        self.rnd = rng.random
        self.anchor = anchor
        self.created_at = created_at
        self.next_dwelling = self.next_person = self.next_tag = self.next_ownership = self.next_residency = 1
        self._anchor_ordinal = anchor.toordinal()
        self._days: dict[int, tuple[dt.date, str, int]] = {}  # ordinal → (date, "YYYYMMDD", weighted sum)
        self._area_sums: dict[str, int] = {}
        self._seq: dict[str, dict[int, int]] = {}  # area → {ordinal * 2 + male: people so far}
        self._recent_owners: list[int] = []
        self._given = (_given_pool(rng, names.GIVEN_FEMALE), _given_pool(rng, names.GIVEN_MALE))
        self._names = tuple(
            [names.SURNAMES[int(self.rnd() * len(names.SURNAMES))] + g for g in pool] for pool in self._given
        )
        # Per community (set by community()):
        self.chunk = Chunk()
        self.who = CommunityPeople()
        self.area = ""

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
        key = ordinal * 2 + male
        n = seqs.get(key, 0)
        while n >= 500:  # 500 people of one sex born on one day in one county: move on a day
            ordinal += 1
            key = ordinal * 2 + male
            n = seqs.get(key, 0)
        seqs[key] = n + 1
        seq = 2 * n + male
        day, digits, day_sum = self._days.get(ordinal) or self._day(ordinal)
        check = _CHECK[(self._area_sums[area] + day_sum + _SEQ_SUM[seq]) % 11]
        return area + digits + _SEQ_TEXT[seq] + check, day

    def person(self, age: int, male: bool, *, registered: bool = True, surname: str = "") -> int:
        """Add a person to the current chunk; returns the id. Adults of 25–70 are noted for bodies."""
        rnd = self.rnd
        area = self.area if registered else names.MIGRANT_AREAS[int(rnd() * len(names.MIGRANT_AREAS))]
        id_number, birth = self._id_number(
            area, self._anchor_ordinal - age * 365 - age // 4 - int(rnd() * 365), male
        )
        if surname:
            pool = self._given[male]
            name = surname + pool[int(rnd() * len(pool))]
        else:
            pool = self._names[male]
            name = pool[int(rnd() * len(pool))]
        phone = str(13000000000 + int(rnd() * 6e9)) if age >= 14 else ""
        party = age >= 18 and rnd() < PARTY_RATE_ADULTS
        pid = self.next_person
        self.next_person = pid + 1
        self.chunk.people.append(
            (pid, name, "M" if male else "F", id_number, birth, phone, party, registered, self.created_at)
        )
        r = rnd()
        if r < 0.04 or age >= 75 and r < 0.06 or not registered and r < 0.3:
            self._tag(pid, age, registered, r)
        if 25 <= age <= 70:
            self.who.adults.append(pid)
        if party:
            self.who.party.add(pid)
        return pid

    def _tag(self, pid: int, age: int, registered: bool, r: float) -> None:
        if not registered and r < 0.3:
            tag = "migrant"
        elif r < 0.04:
            x = r / 0.04
            tag = next(t for t, cum in _TAGS if x <= cum)
            if tag == "elderly_hardship" and age < 60 or tag == "left_behind" and 18 <= age < 60:
                tag = "disabled"
            if tag == "key_person" and age < 18:
                tag = "minor_hardship"
        else:
            tag = "elderly_alone"
        self.chunk.tags.append((self.next_tag, pid, tag, self.anchor))
        self.next_tag += 1

    # -- dwellings -----------------------------------------------------------------------------------
    def community(self, chunk: Chunk, plan: CommunityPlan) -> CommunityPeople:
        self.chunk, self.who, self.area = chunk, CommunityPeople(), plan.district.code
        community = plan.node.key
        for group in plan.compounds:
            owners: list[int] = []
            residents: list[int] = []
            self.who.owners_by_group[group.key] = owners
            self.who.residents_by_group[group.key] = residents
            for building, stairwell in _stairwells(group):
                head = (stairwell.key, building.key, community, stairwell.path)
                grids = (
                    building.grid.key if building.grid else None,
                    building.micro_grid.key if building.micro_grid else None,
                )
                for number, floor in _numbers(stairwell):
                    self._dwelling(head, grids, number, floor, owners, residents)
        return self.who

    def _dwelling(
        self, head: tuple, grids: tuple, number: str, floor: int, owners: list[int], residents: list[int]
    ) -> None:
        rnd = self.rnd
        did = self.next_dwelling
        self.next_dwelling = did + 1
        r = rnd()
        sold = r >= 0.03
        use = "commercial" if floor == 1 and rnd() < 0.04 else "residential"
        cents = 4500 + int(rnd() * 9500) if rnd() < 0.9 else 14000 + int(rnd() * 8000)
        self.chunk.dwellings.append(
            (
                did,
                *head,
                number,
                floor,
                use,
                f"{cents // 100}.{cents % 100:02d}",
                "register",
                sold,
                sold,
                *grids,
            )
        )
        if not sold:
            return
        bought = self._date_before(200 + int(rnd() * 7000))
        if r < 0.28:  # 10% empty, 15% let: the owner lives elsewhere, often owning several dwellings
            recent = self._recent_owners
            if recent and rnd() < 0.45:
                pid = recent[int(rnd() * len(recent))]
            else:
                pid = self.person(30 + int(rnd() * 45), rnd() < 0.5)
            self._own(did, pid, bought)
            owners.append(pid)
            if r >= 0.13:
                self._tenants(did, head[3], residents)
        else:
            self._household(did, head[3], bought, owners, residents)

    def _date_before(self, days: int) -> dt.date:
        ordinal = self._anchor_ordinal - days
        return (self._days.get(ordinal) or self._day(ordinal))[0]

    def _own(self, did: int, pid: int, start: dt.date) -> None:
        self.chunk.ownerships.append((self.next_ownership, did, pid, start, None, ""))
        self.next_ownership += 1

    def _live(self, did: int, pid: int, relation: str, rep: bool, start: dt.date, path: str) -> None:
        self.chunk.residencies.append((self.next_residency, did, pid, relation, rep, start, None, path))
        self.next_residency += 1
        if rep:
            self.who.representatives.append((did, pid))

    def _tenants(self, did: int, path: str, residents: list[int]) -> None:
        rnd = self.rnd
        start = self._date_before(30 + int(rnd() * 1000))
        for i in range(1 + int(rnd() * 3)):
            pid = self.person(20 + int(rnd() * 25), rnd() < 0.5, registered=rnd() < 0.3)
            self._live(did, pid, "tenant", i == 0, start, path)
            residents.append(pid)

    def _household(
        self, did: int, path: str, bought: dt.date, owners: list[int], residents: list[int]
    ) -> None:
        """An owner-occupied dwelling: one owner or a co-owning couple, children, sometimes a parent."""
        rnd = self.rnd
        age = 28 + int(rnd() * 55)
        male = rnd() < 0.5
        pid = self.person(age, male)
        surname = self.chunk.people[-1][1][0]
        self._own(did, pid, bought)
        self._live(did, pid, "owner", True, bought, path)
        owners.append(pid)
        residents.append(pid)
        recent = self._recent_owners
        recent.append(pid)
        if len(recent) > 200:
            del recent[:100]
        if rnd() < 0.7:  # a spouse, co-owner in 60% of couples
            sid = self.person(max(22, age + int(rnd() * 9) - 4), not male)
            if rnd() < 0.6:
                self._own(did, sid, bought)
                self._live(did, sid, "owner", False, bought, path)
                owners.append(sid)
            else:
                self._live(did, sid, "family", False, bought, path)
            residents.append(sid)
        for _child in range(int(rnd() * 2.4) if age < 60 else 0):
            cid = self.person(max(0, min(age - 22, int(rnd() * 30))), rnd() < 0.5, surname=surname)
            self._live(did, cid, "family", False, bought, path)
            residents.append(cid)
        if age < 55 and rnd() < 0.12:
            gid = self.person(age + 25 + int(rnd() * 8), rnd() < 0.5)
            self._live(did, gid, "family", False, bought, path)
            residents.append(gid)


def _given_pool(rng: random.Random, chars: str) -> list[str]:
    """Given names of one or two characters (60% two), drawn once per data set."""
    rnd = rng.random
    return [
        chars[int(rnd() * len(chars))] + (chars[int(rnd() * len(chars))] if rnd() < 0.6 else "")
        for _ in range(2000)
    ]


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
