"""The database half of a roster import: resolve the parsed rows against what is registered, then write in bulk.

`resolve` only reads and returns errors (unknown community, building, grid or dwelling). `write` must run inside
the import's transaction after `resolve` found nothing wrong. Matching, which makes a second import of the same
file a no-op:
- dwellings by (stairwell, number); their attributes are updated when the file differs;
- people by ID number, else by name + phone among people without an ID number; name, phone (when given) and
  Party membership (when given) are updated; care tags are only added;
- ownerships by an open (dwelling, person) row; residencies by the person's open residency. An import never
  ends an ownership or residency that the file does not list; a person listed in another dwelling moves there
  (people.services.residency_move_in closes the old residency).
New rows are written with bulk_create in batches, each with its audit entry (same action codes as the
single-object services); missing compounds, buildings and stairwells are inserted per parent, numbered as
treebeard's add_child would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import models
from django.db.models import F

from gongzhi.audit.services import Change, audit_record_many, snapshot
from gongzhi.people import services as people_services
from gongzhi.people.models import Ownership, Person, PersonTag, Residency
from gongzhi.roster.bulk import insert_rows
from gongzhi.roster.errors import RowError
from gongzhi.roster.validate import DwellingKey, DwellingRow, Parsed, PersonRow, Progress
from gongzhi.tree.levels import Level
from gongzhi.tree.models import CommunityKind, Dwelling, Grid, Node
from gongzhi.tree.services import NODE_FIELDS

BATCH = 2000
StructureKey = tuple[str, str, str]  # compound, building, stairwell
DWELLING_ATTRS = (
    "floor",
    "use",
    "area",
    "area_source",
    "is_sold",
    "is_delivered",
    "grid_id",
    "micro_grid_id",
)
STRUCTURE_LEVELS = (
    (frozenset({Level.COMPOUND, Level.RESIDENT_GROUP}), "unknown_compound", "小区/居民小组"),
    (frozenset({Level.BUILDING}), "unknown_building", "楼栋"),
    (frozenset({Level.STAIRWELL}), "unknown_stairwell", "单元"),
)


@dataclass
class Plan:
    """What `resolve` learnt from the database, for `write`."""

    community: Node
    nodes: dict[tuple[str, ...], Node] = field(default_factory=dict)  # name path below the community → node
    missing: dict[StructureKey, None] = field(default_factory=dict)  # an ordered set
    grids: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # name → (grid, micro-grid)
    dwellings: dict[tuple[int, str], tuple[Any, ...]] = field(
        default_factory=dict
    )  # (stairwell, number) → id+attrs
    errors: list[RowError] = field(default_factory=list)


def chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- resolve -------------------------------------------------------------------------------------------------


def _load_structure(plan: Plan) -> dict[tuple[str, ...], list[Node]]:
    community = plan.community
    below = Node.objects.filter(
        path__startswith=community.path, depth__gt=community.depth, depth__lte=community.depth + 3
    ).order_by("path")
    by_path: dict[str, tuple[str, ...]] = {community.path: ()}
    named: dict[tuple[str, ...], list[Node]] = {}
    for node in below:
        parent_names = by_path.get(node.path[: -Node.steplen])
        if parent_names is None:
            continue
        names = (*parent_names, node.name)
        by_path[node.path] = names
        named.setdefault(names, []).append(node)
    return named


def _resolve_structure(
    plan: Plan, rows: Iterable[DwellingRow | PersonRow], create: bool, creatable: bool
) -> None:
    named = _load_structure(plan)
    for row in rows:
        key = row.key[:3]
        if key in plan.nodes or key in plan.missing:
            continue
        for depth, (levels, unknown_code, column) in enumerate(STRUCTURE_LEVELS, start=1):
            names = key[:depth]
            found = named.get(names, [])
            if len(found) > 1:
                plan.errors.append(
                    RowError(row.sheet, row.row, column, "ambiguous_node", {"name": names[-1]})
                )
                break
            if found and found[0].level not in levels:
                plan.errors.append(RowError(row.sheet, row.row, column, "wrong_level", {"name": names[-1]}))
                break
            if found:
                plan.nodes[names] = found[0]
                continue
            if not (create and creatable):
                plan.errors.append(RowError(row.sheet, row.row, column, unknown_code, {"name": names[-1]}))
                break
            plan.missing[key] = None
            break


def _resolve_grids(plan: Plan, rows: list[DwellingRow]) -> None:
    for grid_id, name, kind, parent_id in Grid.objects.filter(community=plan.community).values_list(
        "id", "name", "kind", "parent_id"
    ):
        plan.grids[name] = (parent_id, grid_id) if kind == Grid.Kind.MICRO_GRID else (grid_id, None)
    for row in rows:
        if row.grid and row.grid not in plan.grids:
            plan.errors.append(RowError(row.sheet, row.row, "网格", "unknown_grid", {"name": row.grid}))


def _load_dwellings(plan: Plan) -> None:
    fields = ("id", "stairwell_id", "number", *DWELLING_ATTRS)
    for values in Dwelling.objects.filter(community=plan.community).values_list(*fields):
        plan.dwellings[(values[1], values[2])] = (values[0], *values[3:])


def _resolve_people_dwellings(plan: Plan, parsed: Parsed) -> None:
    in_file = {d.key for d in parsed.dwellings}
    for row in parsed.people:
        if row.key in in_file or row.key[:3] in plan.missing:
            continue
        stairwell = plan.nodes.get(row.key[:3])
        if stairwell is not None and (stairwell.pk, row.key[3]) not in plan.dwellings:
            plan.errors.append(RowError(row.sheet, row.row, "房号", "unknown_dwelling"))


def may_import_into(actor: Any, community: Node) -> bool:
    """Importing registers homes and people: both changes must be the actor's to make there."""
    from gongzhi.access.capabilities import Action, Kind
    from gongzhi.access.permissions import can

    return can(actor, Kind.DWELLING, Action.CHANGE, community) and can(
        actor, Kind.PERSON, Action.CHANGE, community
    )


def resolve(parsed: Parsed, *, create_structure: bool, actor: Any = None) -> Plan | list[RowError]:
    """Match the rows to the registered tree; returns the errors instead when something is unknown.

    With an `actor`, a community outside what they may register answers like an unknown one (no leak).
    """
    community = Node.objects.filter(code=parsed.community_code, level=Level.COMMUNITY).first()
    if community is None or (actor is not None and not may_import_into(actor, community)):
        first = (parsed.dwellings or parsed.people)[0]
        return [
            RowError(first.sheet, first.row, "社区代码", "unknown_community", {"code": parsed.community_code})
        ]
    community = Node.objects.select_for_update().get(pk=community.pk)  # one import per community at a time
    plan = Plan(community=community)
    _resolve_structure(plan, parsed.dwellings, create_structure, creatable=True)
    in_file = {d.key[:3] for d in parsed.dwellings}
    _resolve_structure(plan, (p for p in parsed.people if p.key[:3] not in in_file), False, creatable=False)
    _resolve_grids(plan, parsed.dwellings)
    _load_dwellings(plan)
    _resolve_people_dwellings(plan, parsed)
    return plan.errors or plan


# --- write ---------------------------------------------------------------------------------------------------


class Writer:
    """Writes one resolved import; `counts` says what changed."""

    def __init__(self, *, actor: Any, plan: Plan, today: dt.date, progress: Progress | None):
        self.actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        self.plan, self.today, self.progress = plan, today, progress
        self.community = plan.community
        self.counts: dict[str, int] = dict.fromkeys(
            (
                "nodes_created",
                "dwellings_created",
                "dwellings_updated",
                "people_created",
                "people_updated",
                "tags_added",
                "ownerships_opened",
                "residencies_opened",
                "residencies_updated",
                "moved",
            ),
            0,
        )
        self.audit: list[Change] = []
        self.dwelling_ids: dict[DwellingKey, tuple[int, str]] = {}  # key → (id, path)
        self.person_ids: dict[tuple[str, str], int] = {}
        self.done = 0
        self.total = 0

    def run(self, parsed: Parsed) -> dict[str, int]:
        self.total = len(parsed.dwellings) + 3 * len(parsed.people)  # people rows pass three steps
        self.create_structure()
        self.write_dwellings(parsed.dwellings)
        self.index_dwellings(parsed.people)
        self.write_people(parsed.people)
        self.write_ownerships(parsed.people)
        self.write_residencies(parsed.people)
        self.flush_audit(force=True)
        return self.counts

    def tick(self, rows: int) -> None:
        self.done += rows
        if self.progress:
            self.progress("write", min(self.done, self.total), self.total)

    # audit -------------------------------------------------------------------------------------------------
    def record(
        self,
        action: str,
        obj: models.Model,
        node_path: str = "",
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Queue one audit entry; queued entries are written in bulk (audit_record_many, same transaction)."""
        self.audit.append(Change(action=action, obj=obj, before=before, after=after, node_path=node_path))
        self.flush_audit()

    def record_batch(self, action: str, ids: list[int]) -> None:
        """One entry for a batch of created rows (their ids), on the community: per-object entries would double
        the rows written by an import. Updates and moves keep one entry per object, with before/after."""
        if ids:
            after = {"ids": ids, "count": len(ids)}
            self.record(action, self.community, self.community.path, after=after)

    def flush_audit(self, force: bool = False) -> None:
        if self.audit and (force or len(self.audit) >= BATCH):
            audit_record_many(actor=self.actor, changes=self.audit)
            self.audit = []

    # structure ---------------------------------------------------------------------------------------------
    def create_structure(self) -> None:
        """Missing compounds, then buildings, then stairwells, each parent's new children in one insert."""
        compound_level = (
            Level.RESIDENT_GROUP if self.community.community_kind == CommunityKind.RURAL else Level.COMPOUND
        )
        for depth, level in enumerate((compound_level, Level.BUILDING, Level.STAIRWELL), start=1):
            wanted: dict[tuple[str, ...], list[str]] = {}  # parent names → new child names, in file order
            for key in self.plan.missing:
                names = key[:depth]
                if names not in self.plan.nodes and names[-1] not in wanted.setdefault(names[:-1], []):
                    wanted[names[:-1]].append(names[-1])
            for parent_names, children in wanted.items():
                parent = self.plan.nodes[parent_names] if parent_names else self.community
                for node in self._add_children(parent, level, children):
                    self.plan.nodes[(*parent_names, node.name)] = node

    def _add_children(self, parent: Node, level: str, names: list[str]) -> list[Node]:
        """New children of `parent`, numbered after its last child exactly as treebeard's add_child would
        (tree.services.node_create adds one node per call: three queries and an audit lock each)."""
        if not names:
            return []
        parent = Node.objects.select_for_update().get(pk=parent.pk)
        depth = parent.depth + 1
        last = (
            Node.objects.filter(path__startswith=parent.path, depth=depth)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        start = Node._str2int(last[-Node.steplen :]) if last else 0
        nodes = [
            Node(
                name=name,
                level=level,
                depth=depth,
                numchild=0,
                path=Node._get_path(parent.path, depth, start + i),
            )
            for i, name in enumerate(names, start=1)
        ]
        Node.objects.bulk_create(nodes)
        Node.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(nodes))
        for node in nodes:
            self.record("tree.node_created", node, node.path, after=snapshot(node, NODE_FIELDS))
        self.counts["nodes_created"] += len(nodes)
        return nodes

    # dwellings ---------------------------------------------------------------------------------------------
    def _attrs(self, row: DwellingRow) -> tuple[Any, ...]:
        grid_id, micro_id = self.plan.grids.get(row.grid, (None, None)) if row.grid else (None, None)
        return (
            row.floor,
            row.use,
            row.area,
            row.area_source,
            row.is_sold,
            row.is_delivered,
            grid_id,
            micro_id,
        )

    def write_dwellings(self, rows: list[DwellingRow]) -> None:
        for batch in chunks(rows):
            new: list[tuple[DwellingRow, dict[str, Any]]] = []
            changed: list[tuple[Dwelling, dict[str, Any]]] = []
            for row in batch:
                stairwell = self.plan.nodes[row.key[:3]]
                attrs = self._attrs(row)
                existing = self.plan.dwellings.get((stairwell.pk, row.key[3]))
                if existing is None:
                    new.append((row, self._new_dwelling(row, stairwell, attrs)))
                    continue
                self.dwelling_ids[row.key] = (existing[0], stairwell.path)
                if tuple(existing[1:]) != attrs:
                    before = dict(zip(DWELLING_ATTRS, existing[1:], strict=True))
                    obj = Dwelling(
                        pk=existing[0],
                        number=row.key[3],
                        path=stairwell.path,
                        **dict(zip(DWELLING_ATTRS, attrs, strict=True)),
                    )
                    changed.append((obj, before))
            self._create_dwellings(new)
            self._update_dwellings(changed)
            self.tick(len(batch))

    def _new_dwelling(self, row: DwellingRow, stairwell: Node, attrs: tuple[Any, ...]) -> dict[str, Any]:
        building = self.plan.nodes[row.key[:2]]
        return {
            "stairwell_id": stairwell.pk,
            "building_id": building.pk,
            "community_id": self.community.pk,
            "path": stairwell.path,
            "number": row.key[3],
            **dict(zip(DWELLING_ATTRS, attrs, strict=True)),
        }

    def _create_dwellings(self, new: list[tuple[DwellingRow, dict[str, Any]]]) -> None:
        ids = insert_rows(Dwelling, [values for _, values in new])
        for (row, values), pk in zip(new, ids, strict=True):
            self.dwelling_ids[row.key] = (pk, values["path"])
        self.record_batch("tree.dwellings_created", ids)
        self.counts["dwellings_created"] += len(ids)

    def _update_dwellings(self, changed: list[tuple[Dwelling, dict[str, Any]]]) -> None:
        if not changed:
            return
        Dwelling.objects.bulk_update([obj for obj, _ in changed], list(DWELLING_ATTRS))
        for obj, before in changed:
            after = {name: getattr(obj, name) for name in DWELLING_ATTRS}
            self.record("tree.dwelling_updated", obj, obj.path, before=before, after=after)
        self.counts["dwellings_updated"] += len(changed)

    def index_dwellings(self, rows: list[PersonRow]) -> None:
        """Dwellings named only in the 人员 sheet (already registered)."""
        for row in rows:
            if row.key not in self.dwelling_ids:
                stairwell = self.plan.nodes[row.key[:3]]
                existing = self.plan.dwellings[(stairwell.pk, row.key[3])]
                self.dwelling_ids[row.key] = (existing[0], stairwell.path)

    # people ------------------------------------------------------------------------------------------------
    def write_people(self, rows: list[PersonRow]) -> None:
        firsts: dict[tuple[str, str], PersonRow] = {}
        tags: dict[tuple[str, str], set[str]] = {}
        for row in rows:
            firsts.setdefault(row.person_key, row)
            tags.setdefault(row.person_key, set()).update(row.tags)
        known = self._known_people(list(firsts))
        new = [row for key, row in firsts.items() if key not in known]
        self._update_people(firsts, known)
        for batch in chunks(new):
            self._create_people(batch)
        self._add_tags(tags)
        self.tick(len(rows))

    def _known_people(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[Any, ...]]:
        known: dict[tuple[str, str], tuple[Any, ...]] = {}
        fields = ("id", "id_number", "name", "phone", "is_party_member")
        ids = [number for kind, number in keys if kind == "id"]
        for batch in chunks(ids):
            for values in Person.objects.filter(id_number__in=batch).values_list(*fields):
                known[("id", values[1])] = values
        phones = [phone for name, phone in keys if name != "id" and phone]
        for batch in chunks(phones):
            for values in Person.objects.filter(id_number="", phone__in=batch).values_list(*fields):
                known.setdefault((values[2], values[3]), values)
        for key, values in known.items():
            self.person_ids[key] = values[0]
        return known

    def _update_people(
        self, firsts: dict[tuple[str, str], PersonRow], known: dict[tuple[str, str], tuple[Any, ...]]
    ) -> None:
        changed: list[tuple[Person, dict[str, Any], dict[str, Any]]] = []
        for key, values in known.items():
            row = firsts[key]
            before = {"name": values[2], "phone": values[3], "is_party_member": values[4]}
            after = {
                "name": row.name,
                "phone": row.phone or values[3],
                "is_party_member": values[4] if row.is_party_member is None else row.is_party_member,
            }
            if after != before:
                changed.append((Person(pk=values[0], id_number=values[1], **after), before, after))
        for batch in chunks(changed):
            Person.objects.bulk_update([p for p, _, _ in batch], ["name", "phone", "is_party_member"])
            for person, before, after in batch:
                self.record("people.person_updated", person, before=before, after=after)
        self.counts["people_updated"] += len(changed)

    def _create_people(self, rows: list[PersonRow]) -> None:
        values = [
            {
                "name": r.name,
                "id_number": r.id_number,
                "phone": r.phone,
                "gender": r.gender,
                "birth_date": r.birth_date,
                "is_party_member": bool(r.is_party_member),
            }
            for r in rows
        ]
        ids = insert_rows(Person, values)
        for row, pk in zip(rows, ids, strict=True):
            self.person_ids[row.person_key] = pk
        self.record_batch("people.people_created", ids)
        self.counts["people_created"] += len(ids)

    def _add_tags(self, tags: dict[tuple[str, str], set[str]]) -> None:
        wanted = {(self.person_ids[key], tag) for key, values in tags.items() for tag in values}
        if not wanted:
            return
        person_ids = sorted({pid for pid, _ in wanted})
        have: set[tuple[int, str]] = set()
        for batch in chunks(person_ids):
            have.update(PersonTag.objects.filter(person_id__in=batch).values_list("person_id", "tag"))
        for batch in chunks(sorted(wanted - have)):
            ids = insert_rows(
                PersonTag, [{"person_id": pid, "tag": tag, "since": self.today} for pid, tag in batch]
            )
            self.record_batch("people.tags_added", ids)
            self.counts["tags_added"] += len(ids)

    # ownerships and residencies ----------------------------------------------------------------------------
    def write_ownerships(self, rows: list[PersonRow]) -> None:
        have = set(
            Ownership.objects.filter(dwelling__community=self.community, end__isnull=True).values_list(
                "dwelling_id", "person_id"
            )
        )
        for batch in chunks(rows):
            new: list[dict[str, Any]] = []
            for row in batch:
                if not row.is_owner:
                    continue
                dwelling_id, path = self.dwelling_ids[row.key]
                pair = (dwelling_id, self.person_ids[row.person_key])
                if pair in have:
                    continue
                have.add(pair)
                start = row.owner_since or row.moved_in or self.today
                new.append({"dwelling_id": pair[0], "person_id": pair[1], "start": start})
            ids = insert_rows(Ownership, new)
            self.record_batch("people.ownerships_opened", ids)
            self.counts["ownerships_opened"] += len(ids)
            self.tick(len(batch))

    def write_residencies(self, rows: list[PersonRow]) -> None:
        resident_rows = [r for r in rows if r.relation]
        current = self._open_residencies([self.person_ids[r.person_key] for r in resident_rows])
        reps = dict(
            Residency.objects.filter(
                dwelling__community=self.community, end__isnull=True, is_representative=True
            ).values_list("dwelling_id", "person_id")
        )
        later: list[tuple[PersonRow, int]] = []  # representatives to set through the service afterwards
        for batch in chunks(rows):
            new: list[dict[str, Any]] = []
            relation_changes: list[tuple[Residency, str]] = []
            for row in batch:
                if not row.relation:
                    continue
                person_id = self.person_ids[row.person_key]
                dwelling_id, path = self.dwelling_ids[row.key]
                now = current.get(person_id)
                if now is None:
                    rep = row.is_representative and dwelling_id not in reps
                    if row.is_representative and not rep:
                        later.append((row, person_id))
                    new.append(
                        {
                            "dwelling_id": dwelling_id,
                            "person_id": person_id,
                            "relation": row.relation,
                            "is_representative": rep,
                            "start": row.moved_in or self.today,
                            "path": path,
                        }
                    )
                elif now[1] != dwelling_id:
                    later.append((row, person_id))
                else:
                    if now[2] != row.relation:
                        relation_changes.append(
                            (Residency(pk=now[0], relation=row.relation, path=path), now[2])
                        )
                    if row.is_representative and not now[3]:
                        later.append((row, person_id))
            self._create_residencies(new)
            self._update_relations(relation_changes)
            self.tick(len(batch))
        self._slow_path(later, current)

    def _open_residencies(self, person_ids: list[int]) -> dict[int, tuple[Any, ...]]:
        current: dict[int, tuple[Any, ...]] = {}
        for batch in chunks(person_ids):
            for values in Residency.objects.filter(person_id__in=batch, end__isnull=True).values_list(
                "person_id", "id", "dwelling_id", "relation", "is_representative"
            ):
                current[values[0]] = values
        return {pid: (v[1], v[2], v[3], v[4]) for pid, v in current.items()}

    def _create_residencies(self, new: list[dict[str, Any]]) -> None:
        ids = insert_rows(Residency, new)
        self.record_batch("people.residencies_opened", ids)
        self.counts["residencies_opened"] += len(ids)

    def _update_relations(self, changes: list[tuple[Residency, str]]) -> None:
        if not changes:
            return
        Residency.objects.bulk_update([r for r, _ in changes], ["relation"])
        for r, before in changes:
            self.record(
                "roster.relation_changed",
                Ref(Residency, r.pk, str(r.pk)),
                r.path,
                before={"relation": before},
                after={"relation": r.relation},
            )
        self.counts["residencies_updated"] += len(changes)

    def _slow_path(self, later: list[tuple[PersonRow, int]], current: dict[int, tuple[Any, ...]]) -> None:
        """Moves between dwellings and representative changes: rare, so through the people services."""
        self.flush_audit(force=True)
        for row, person_id in later:
            dwelling_id, _path = self.dwelling_ids[row.key]
            dwelling = Dwelling.objects.get(pk=dwelling_id)
            person = Person.objects.get(pk=person_id)
            now = current.get(person_id)
            if now is not None and now[1] != dwelling_id:
                people_services.residency_move_in(
                    actor=self.actor,
                    dwelling=dwelling,
                    person=person,
                    relation=row.relation,
                    start=row.moved_in or self.today,
                    is_representative=row.is_representative,
                )
                self.counts["moved"] += 1
                continue
            residency = Residency.objects.get(person_id=person_id, dwelling_id=dwelling_id, end__isnull=True)
            people_services.household_representative_set(actor=self.actor, residency=residency)
            self.counts["residencies_updated"] += 1


def Ref(model: type[models.Model], pk: Any, text: str) -> models.Model:  # noqa: N802 (reads like a model)
    """What audit_record_many reads from an object (label, pk, text), without the FK fetches __str__ would do."""
    return cast(models.Model, _Ref(model._meta, pk, text))


class _Ref:
    def __init__(self, meta: Any, pk: Any, text: str):
        self._meta, self.pk, self.text = meta, pk, text

    def __str__(self) -> str:
        return self.text
