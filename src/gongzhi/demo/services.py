"""Generate a deterministic demo data set (foundation issue §7): one transaction, one summary audit entry."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.utils import timezone

from gongzhi.audit.services import audit_record
from gongzhi.demo.appeals import demo_appeals
from gongzhi.demo.bodies import BodyMaker
from gongzhi.demo.bulk import BulkWriter, vacuum_analyze
from gongzhi.demo.directives import demo_directives
from gongzhi.demo.logins import LoginScopes, admin_get_or_create, demo_password_hash, logins_create
from gongzhi.demo.plan import TreePlan, plan_tree
from gongzhi.demo.population import Chunk, CommunityPeople, Population
from gongzhi.demo.via_services import ServiceWriter
from gongzhi.people.models import Person
from gongzhi.tree.models import Dwelling, Grid, Node

log = logging.getLogger(__name__)
DEFAULT_SEED = 20260101
BULK_FROM = 5000  # above this many dwellings the services would take minutes: use the bulk path
CHUNK_DWELLINGS = 20000  # rows handed to the writer at a time on the bulk path


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
        with _collector_paused() if use_bulk else contextlib.nullcontext():
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


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while the rows are generated.

    Generation allocates tens of millions of tuples and makes no reference cycles, so the collector only
    costs time: its passes over the growing heap, and in each process forked to format a chunk (which
    inherits this setting), copies of every page whose object headers a pass would touch.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    population = Population(rng, anchor, timezone.now())
    maker = BodyMaker(rng, anchor)
    counts = dict.fromkeys(("dwellings", "people", "ownerships", "residencies", "bodies", "memberships"), 0)
    first: dict[str, Any] = {}
    streets_done: set[int] = set()
    chunk = Chunk()
    for community in plan.communities:
        who = population.community(chunk, community)
        first.setdefault("who", who)
        if community.street.key not in streets_done:
            streets_done.add(community.street.key)
            maker.street(chunk, community.street, community.district.pack, who)
        maker.community(chunk, community, who)
        if not use_bulk or len(chunk.dwellings) >= CHUNK_DWELLINGS or community is plan.communities[-1]:
            _count(counts, chunk)
            if progress:
                progress(len(chunk.dwellings))
            writer.chunk(chunk)
            chunk = Chunk()
    first["members"] = maker.first_members
    return counts, first


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
