"""The small-scale path: the same planned rows written through the ordinary service functions.

Slower than the bulk path but it exercises the services (validation, audit) exactly as a user's edits
would. Row ids from the plan are mapped to the objects the services create.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from gongzhi.bodies import services as bodies
from gongzhi.bodies.models import Body
from gongzhi.demo.plan import TreePlan
from gongzhi.demo.population import Chunk
from gongzhi.people import services as people
from gongzhi.people.models import Person
from gongzhi.tree import services as tree
from gongzhi.tree.models import Dwelling, Grid, Node


class ServiceWriter:
    def __init__(self, actor: Any):
        self.actor = actor
        self.nodes: dict[int, Node] = {}
        self.grids: dict[int, Grid] = {}
        self.dwellings: dict[int, Dwelling] = {}
        self.people: dict[int, Person] = {}
        self.bodies: dict[int, Body] = {}

    def tree(self, plan: TreePlan) -> None:
        for n in plan.nodes:
            parent = self.nodes[n.parent.key] if n.parent else None
            self.nodes[n.key] = tree.node_create(
                actor=self.actor,
                parent=parent,
                name=n.name,
                level=n.level,
                code=n.code,
                community_kind=n.community_kind,
                policy_pack=n.policy_pack,
            )
        for g in plan.grids:
            self.grids[g.key] = tree.grid_create(
                actor=self.actor,
                community=self.nodes[g.community.key],
                name=g.name,
                code=g.code,
                parent=self.grids[g.parent.key] if g.parent else None,
            )

    def chunk(self, chunk: Chunk) -> None:
        self._dwellings(chunk)
        self._people(chunk)
        for _id, did, pid, start, _end, document in chunk.ownerships:
            people.ownership_open(
                actor=self.actor,
                dwelling=self.dwellings[did],
                person=self.people[pid],
                start=start,
                document=document,
            )
        for _id, did, pid, relation, rep, start, _end, _path in chunk.residencies:
            people.residency_move_in(
                actor=self.actor,
                dwelling=self.dwellings[did],
                person=self.people[pid],
                relation=relation,
                start=start,
                is_representative=rep,
            )
        self._bodies(chunk)

    def _dwellings(self, chunk: Chunk) -> None:
        by_micro: dict[int, list[Dwelling]] = defaultdict(list)
        for (
            did,
            stairwell,
            _b,
            _c,
            _path,
            number,
            floor,
            use,
            area,
            source,
            sold,
            delivered,
            grid,
            micro,
        ) in chunk.dwellings:
            dwelling = tree.dwelling_create(
                actor=self.actor,
                stairwell=self.nodes[stairwell],
                number=number,
                area=area,
                use=use,
                area_source=source,
                floor=floor,
                is_sold=sold,
                is_delivered=delivered,
                grid=self.grids[grid] if grid else None,
            )
            self.dwellings[did] = dwelling
            if micro:
                by_micro[micro].append(dwelling)
        for micro, dwellings in by_micro.items():
            tree.grid_assign(actor=self.actor, grid=self.grids[micro], dwellings=dwellings)

    def _people(self, chunk: Chunk) -> None:
        tags: dict[int, list[str]] = defaultdict(list)
        for _id, pid, tag, _since in chunk.tags:
            tags[pid].append(tag)
        for pid, name, _gender, id_number, _birth, phone, party, registered, _created in chunk.people:
            self.people[pid] = people.person_create(
                actor=self.actor,
                name=name,
                id_number=id_number,
                phone=phone,
                is_party_member=party,
                is_registered_resident=registered,
                tags=tags.get(pid),
            )

    def _bodies(self, chunk: Chunk) -> None:
        for (
            bid,
            kind,
            node,
            grid,
            name,
            t_start,
            t_end,
            c_start,
            c_end,
            rules_size,
            _dissolved,
        ) in chunk.bodies:
            self.bodies[bid] = bodies.body_create(
                actor=self.actor,
                kind=kind,
                node=self.nodes[node],
                name=name,
                grid=self.grids[grid] if grid else None,
                term_start=t_start,
                term_end=t_end,
                contract_start=c_start,
                contract_end=c_end,
                rules_size=rules_size,
            )
        for _id, bid, pid, position, how, category, t_start, t_end, _ended in chunk.members:
            bodies.member_add(
                actor=self.actor,
                body=self.bodies[bid],
                person=self.people[pid],
                term_start=t_start,
                position=position,
                elected_how=how,
                category=category,
                term_end=t_end,
            )

    def finish(self) -> None:
        """Nothing is pending: every row went through its service."""

    def node(self, key: int) -> Node:
        return self.nodes[key]

    def grid(self, key: int) -> Grid:
        return self.grids[key]

    def dwelling(self, key: int) -> Dwelling:
        return self.dwellings[key]

    def person(self, key: int) -> Person:
        return self.people[key]
