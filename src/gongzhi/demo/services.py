"""Generate a deterministic demo data set (foundation issue §7): one transaction, one summary audit entry."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from gongzhi.audit.services import audit_record
from gongzhi.demo.appeals import demo_appeals
from gongzhi.demo.bodies import VIOLATIONS, BodyMaker
from gongzhi.demo.bulk import BulkWriter, vacuum_analyze
from gongzhi.demo.directives import demo_directives
from gongzhi.demo.logins import LoginScopes, admin_get_or_create, demo_password_hash, logins_create
from gongzhi.demo.plan import TreePlan, plan_tree
from gongzhi.demo.population import Chunk, CommunityPeople, Population, _stairwells
from gongzhi.demo.via_services import ServiceWriter
from gongzhi.people.models import Person
from gongzhi.tree.models import Dwelling, Grid, Node

log = logging.getLogger(__name__)
DEFAULT_SEED = 20260101
BULK_FROM = 5000  # above this many dwellings the services would take minutes: use the bulk path
CHUNK_DWELLINGS = 20000  # rows handed to the writer at a time on the bulk path
# PostgreSQL bulk path from this many dwellings: a second process generates the last streets (bulk.fork_part).
PARALLEL_FROM = 100000
FIRST_PART_SHARE = 0.57  # the second process also formats its COPY text, so it takes the smaller share
# Bounds for the id counters of the second part (population.py, bodies.py): a household is at most an owner,
# a spouse, two children and a parent, or an absent owner and three tenants; at most two owners; a community
# makes far fewer than 1,000 bodies, a body far fewer than 1,000 members (a representatives meeting: ≤ 101).
PEOPLE_PER_DWELLING_MAX = 5
OWNERS_PER_DWELLING_MAX = 2
BODIES_PER_COMMUNITY_MAX = 1000
MEMBERS_PER_BODY_MAX = 1000


class Writer(Protocol):
    def tree(self, plan: TreePlan) -> None: ...
    def chunk(self, chunk: Chunk) -> None: ...
    def finish(self) -> None: ...
    def node(self, key: int) -> Node: ...
    def grid(self, key: int) -> Grid: ...
    def dwelling(self, key: int) -> Dwelling: ...
    def person(self, key: int) -> Person: ...


@dataclass(frozen=True)
class DemoSummary:
    scale: int
    seed: int
    bulk: bool
    nodes: int
    dwellings: int
    people: int
    ownerships: int
    residencies: int
    bodies: int
    memberships: int
    users: int


def demo_is_empty() -> bool:
    return not (Node.objects.exists() or Dwelling.objects.exists() or Person.objects.exists())


def demo_generate(
    *,
    scale: int,
    seed: int = DEFAULT_SEED,
    bulk: bool | None = None,
    progress: Callable[[int], object] | None = None,
) -> DemoSummary:
    """Build about `scale` dwellings with people, bodies, grids and one log-in per role.

    Precondition: no tree, dwellings or people yet (demo_is_empty). Same seed and day → same data.
    `progress` is called with the number of dwellings just generated.
    """
    started = time.monotonic()
    use_bulk = scale > BULK_FROM if bulk is None else bulk
    rng = random.Random(seed)
    anchor = timezone.localdate()
    plan = plan_tree(scale, rng)
    with transaction.atomic():
        # The bulk writer comes first: it may TRUNCATE the empty tables so that COPY can FREEZE.
        bulk_writer = BulkWriter() if use_bulk else None
        hashed = demo_password_hash()
        admin = admin_get_or_create(hashed=hashed)
        writer: Writer = bulk_writer or ServiceWriter(admin)
        counts, first = _write(writer, plan, rng, anchor, use_bulk, progress)
        log.info("demo: rows generated at %.1f s", time.monotonic() - started)
        writer.finish()
        log.info("demo: rows written and indexed at %.1f s", time.monotonic() - started)
        scopes = _scopes(writer, plan, first)
        users = logins_create(
            actor=admin, scopes=scopes, start=anchor - dt.timedelta(days=365), hashed=hashed
        )
        _open_demo_vote(admin, scopes.compound)
        demo_directives(
            admin=admin, street=scopes.street, community=scopes.community, compound=scopes.compound
        )
        _demo_topics(admin, scopes)
        demo_appeals(admin=admin, users=users, scopes=scopes, rng=rng)
        summary = DemoSummary(
            scale=scale, seed=seed, bulk=use_bulk, nodes=len(plan.nodes), users=len(users) + 1, **counts
        )
        audit_record(actor=admin, action="demo.generated", obj=admin, after=summary.__dict__)
        log.info("demo: log-ins created at %.1f s", time.monotonic() - started)
    log.info("demo: committed at %.1f s", time.monotonic() - started)
    if use_bulk:
        vacuum_analyze(frozen=bool(bulk_writer and bulk_writer.frozen))
    return summary


def _open_demo_vote(admin: Any, compound: Node) -> None:
    """An owners' assembly open for a week on the demo compound, so the resident log-in can cast a ballot."""
    from gongzhi.voting import services as voting

    now = timezone.now()
    vote = voting.vote_create(
        actor=admin,
        node=compound,
        rule="owners_assembly",
        item=5,
        title="续聘物业服务企业",
        motion="是否同意续聘现物业服务企业，服务期三年？",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
        roll_date=timezone.localdate(),
    )
    voting.vote_open(actor=admin, vote=vote)


def _demo_topics(admin: Any, scopes: LoginScopes) -> None:
    """A few topics in various steps (issue 5 §1): a building deliberation at each of its first steps on the
    resident's stairwell, a compound proposal, and the community's must-deliberate catalogue."""
    from gongzhi.deliberation import services as deliberation
    from gongzhi.voting import procedures as p

    stairwell = scopes.dwelling.stairwell
    deliberation.catalogue_add(actor=admin, community=scopes.community, title="公共收益使用")
    deliberation.catalogue_add(actor=admin, community=scopes.community, title="维修资金使用")
    steps: list[tuple[str, dict[str, Any]]] = [
        ("collected", {"document": "入户走访收集", "source": "building_leader_visit"}),
        ("screened", {"document": "经楼道长筛选确认"}),
        (
            "meeting_held",
            {
                "document": "线下楼道会",
                "format": "on_site",
                "attendance": [p.BUILDING_LEADER, p.GRID_LEADER, p.HOUSEHOLD_REPRESENTATIVE],
                "minutes": "同意统一清理",
            },
        ),
    ]
    for title, done in (("楼道堆物清理", 3), ("楼道灯更换", 1), ("单元门禁维修", 0)):
        topic = deliberation.topic_create(
            actor=admin, node=stairwell, title=title, source="building_leader_visit", procedure="building"
        )
        for target, record in steps[:done]:
            deliberation.topic_advance(
                actor=admin, topic=topic, target=target, capacities=[p.BUILDING_LEADER], record=record
            )
    deliberation.topic_create(
        actor=admin,
        node=scopes.compound,
        title="小区停车位划线调整",
        source="owners_group",
        procedure="compound",
    )


def _write(
    writer: Writer,
    plan: TreePlan,
    rng: random.Random,
    anchor: dt.date,
    use_bulk: bool,
    progress: Callable[[int], object] | None,
) -> tuple[dict[str, int], dict[str, Any]]:
    writer.tree(plan)
    created_at = timezone.now()
    split = _split_at(plan) if use_bulk and getattr(writer, "parallel", False) else len(plan.communities)
    part = None
    if split < len(plan.communities):
        # The last streets are generated by a second process (bulk.PostgresSink.fork_part) from a seed drawn
        # here, with id counters above any the first part can reach, so the data stays deterministic.
        seed, starts = rng.getrandbits(64), Starts.after(plan.communities[:split])
        rest = plan.communities[split:]
        part = writer.fork_part(  # type: ignore[attr-defined]
            lambda put: _generate(rest, random.Random(seed), anchor, created_at, starts, put, True, None)[0],
            progress,
        )
    first_part = Starts(id_sequences=(0, 250)) if part is not None else Starts()
    counts, first = _generate(
        plan.communities[:split], rng, anchor, created_at, first_part, writer.chunk, use_bulk, progress
    )
    if part is not None:
        for key, value in part.join().items():
            counts[key] += value
    return counts, first


@dataclass(frozen=True)
class Starts:
    """First ids of a part of the data set: generous bounds above what the communities before it can use."""

    dwelling: int = 1
    person: int = 1
    tag: int = 1
    ownership: int = 1
    residency: int = 1
    body: int = 1
    member: int = 1
    violations_done: bool = False  # the deliberate compliance violations are made once, in the first part
    id_sequences: tuple[int, int] = (0, 500)  # the ID-number sequence numbers this part may use

    @classmethod
    def after(cls, communities: list[Any]) -> Starts:
        dwellings = sum(_dwellings_of(c) for c in communities)
        bodies = BODIES_PER_COMMUNITY_MAX * len(communities)
        return cls(
            dwelling=dwellings + 1,
            person=PEOPLE_PER_DWELLING_MAX * dwellings + 1,
            tag=PEOPLE_PER_DWELLING_MAX * dwellings + 1,
            ownership=OWNERS_PER_DWELLING_MAX * dwellings + 1,
            residency=PEOPLE_PER_DWELLING_MAX * dwellings + 1,
            body=bodies + 1,
            member=MEMBERS_PER_BODY_MAX * bodies + 1,
            violations_done=True,
            id_sequences=(250, 500),
        )


def _split_at(plan: TreePlan) -> int:
    """Where the second process takes over: the first community of the street at which the first part holds
    FIRST_PART_SHARE of the dwellings (a street is never shared: its bodies are made with its first community).
    No split for small data sets."""
    sizes = [_dwellings_of(c) for c in plan.communities]
    total = sum(sizes)
    if total < PARALLEL_FROM:
        return len(plan.communities)
    running = 0
    for index, community in enumerate(plan.communities):
        if running >= FIRST_PART_SHARE * total and community.street is not plan.communities[index - 1].street:
            return index
        running += sizes[index]
    return len(plan.communities)


def _dwellings_of(community: Any) -> int:
    return sum(w.dwellings for group in community.compounds for _b, w in _stairwells(group))


def _generate(
    communities: list[Any],
    rng: random.Random,
    anchor: dt.date,
    created_at: dt.datetime,
    starts: Starts,
    put: Callable[[Chunk], object],
    use_bulk: bool,
    progress: Callable[[int], object] | None,
) -> tuple[dict[str, int], dict[str, Any]]:
    """People, homes and bodies of `communities`, handed to `put` chunk by chunk; (counts, first community's)."""
    population = Population(rng, anchor, created_at)
    maker = BodyMaker(rng, anchor)
    _start(population, maker, starts)
    counts = dict.fromkeys(("dwellings", "people", "ownerships", "residencies", "bodies", "memberships"), 0)
    first: dict[str, Any] = {}
    streets_done: set[int] = set()
    chunk = Chunk()
    for community in communities:
        who = population.community(chunk, community)
        first.setdefault("who", who)
        if community.street.key not in streets_done:
            streets_done.add(community.street.key)
            maker.street(chunk, community.street, community.district.pack, who)
        maker.community(chunk, community, who)
        if not use_bulk or len(chunk.dwellings) >= CHUNK_DWELLINGS or community is communities[-1]:
            _count(counts, chunk)
            if progress:
                progress(len(chunk.dwellings))
            put(chunk)
            chunk = Chunk()
    first["members"] = maker.first_members
    return counts, first


def _start(population: Population, maker: BodyMaker, starts: Starts) -> None:
    population.next_dwelling, population.next_person = starts.dwelling, starts.person
    population.next_tag, population.next_ownership = starts.tag, starts.ownership
    population.next_residency = starts.residency
    population.seq_first, population.seq_end = starts.id_sequences
    maker.next_body, maker.next_member = starts.body, starts.member
    if starts.violations_done:
        maker.done.update(VIOLATIONS)


def _count(counts: dict[str, int], chunk: Chunk) -> None:
    counts["dwellings"] += len(chunk.dwellings)
    counts["people"] += len(chunk.people)
    counts["ownerships"] += len(chunk.ownerships)
    counts["residencies"] += len(chunk.residencies)
    counts["bodies"] += len(chunk.bodies)
    counts["memberships"] += len(chunk.members)


def _scopes(writer: Writer, plan: TreePlan, first: dict[str, Any]) -> LoginScopes:
    """Every staff log-in works in the first community (Huzhou), so one can walk through it together."""
    community = plan.communities[0]
    compound = community.compounds[0]
    building = next(n for n in plan.nodes if n.level == "building" and n.path.startswith(compound.path))
    who: CommunityPeople = first["who"]
    dwelling_key, resident_key = who.representatives[0]
    members: dict[str, list[int]] = first["members"]

    def member(kind: str) -> Person | None:
        ids = members.get(kind)
        return writer.person(ids[0]) if ids else None

    return LoginScopes(
        district=writer.node(plan.districts[0].key),
        street=writer.node(community.street.key),
        community=writer.node(community.node.key),
        grid=writer.grid(community.grids[0].key),
        building=writer.node(building.key),
        compound=writer.node(compound.key),
        dwelling=writer.dwelling(dwelling_key),
        resident=writer.person(resident_key),
        owners_committee_member=member("owners_committee"),
        supervisory_committee_member=member("owners_supervisory_committee"),
        property_staff=member("property_company"),
        resident_group=next((writer.node(n.key) for n in plan.nodes if n.level == "resident_group"), None),
    )
