"""Reads for the roster: a community's rows in template order (for export), import jobs a user may see.

The row readers take `within`, a tree path under the community (a compound or building), to export part of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from gongzhi.core.errors import NotFound
from gongzhi.people.models import Ownership, Person, PersonTag, Residency
from gongzhi.roster.columns import AREA_SOURCE_WORDS, CARE_TAG_WORDS, RELATION_WORDS, USE_WORDS, first_word
from gongzhi.roster.models import ImportJob
from gongzhi.tree.levels import Level
from gongzhi.tree.models import Dwelling, Grid, Node

CHUNK = 5000


def communities() -> QuerySet[Node]:
    return Node.objects.filter(level=Level.COMMUNITY).order_by("path")


def community_get(community_id: int) -> Node:
    community = communities().filter(pk=community_id).first()
    if community is None:
        raise NotFound("community")
    return community


def community_by_code(code: str) -> Node:
    community = communities().filter(code=code).first()
    if community is None:
        raise NotFound("community")
    return community


def _names(community: Node) -> dict[str, str]:
    return dict(Node.objects.filter(path__startswith=community.path).values_list("path", "name"))


def _place(names: dict[str, str], community: Node, stairwell_path: str) -> list[str]:
    """community code, compound, building, stairwell (clusters between compound and building are not kept)."""
    step = Node.steplen
    compound = names[stairwell_path[: len(community.path) + step]]
    return [community.code, compound, names[stairwell_path[:-step]], names[stairwell_path]]


def _dwellings(community: Node, within: str) -> QuerySet[Dwelling]:
    dwellings = Dwelling.objects.filter(community=community)
    return dwellings.filter(path__startswith=within) if within else dwellings


def dwelling_rows(community: Node, within: str = "") -> Iterator[list[Any]]:
    names = _names(community)
    grids = dict(Grid.objects.filter(community=community).values_list("id", "name"))
    fields = (
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
    for path, number, floor, use, area, source, sold, delivered, grid, micro in (
        _dwellings(community, within).order_by("path", "number").values_list(*fields).iterator(CHUNK)
    ):
        yield [
            *_place(names, community, path),
            number,
            floor,
            first_word(USE_WORDS, use),
            area,
            first_word(AREA_SOURCE_WORDS, source),
            "是" if sold else "否",
            "是" if delivered else "否",
            grids.get(micro or grid, ""),
        ]


def _holdings(community: Node, within: str) -> dict[tuple[int, int], dict[str, Any]]:
    """(dwelling, person) → open ownership start and/or open residency, for the community (or part of it)."""
    out: dict[tuple[int, int], dict[str, Any]] = {}
    owned = Ownership.objects.filter(dwelling__community=community, end__isnull=True)
    if within:
        owned = owned.filter(dwelling__path__startswith=within)
    for dwelling_id, person_id, start in owned.values_list("dwelling_id", "person_id", "start").iterator(
        CHUNK
    ):
        out.setdefault((dwelling_id, person_id), {})["owner_since"] = start
    lived = Residency.objects.filter(path__startswith=within or community.path, end__isnull=True)
    for dwelling_id, person_id, relation, rep, start in lived.values_list(
        "dwelling_id", "person_id", "relation", "is_representative", "start"
    ).iterator(CHUNK):
        out.setdefault((dwelling_id, person_id), {}).update(relation=relation, rep=rep, moved_in=start)
    return out


def _people(person_ids: list[int]) -> tuple[dict[int, tuple[Any, ...]], dict[int, list[str]]]:
    people: dict[int, tuple[Any, ...]] = {}
    tags: dict[int, list[str]] = {}
    for start in range(0, len(person_ids), CHUNK):
        batch = person_ids[start : start + CHUNK]
        for values in Person.objects.filter(pk__in=batch).values_list(
            "id", "name", "id_number", "phone", "is_party_member"
        ):
            people[values[0]] = values[1:]
        for pid, tag in (
            PersonTag.objects.filter(person_id__in=batch).order_by("tag").values_list("person_id", "tag")
        ):
            tags.setdefault(pid, []).append(tag)
    return people, tags


def people_rows(community: Node, within: str = "") -> Iterator[list[Any]]:
    holdings = _holdings(community, within)
    people, tags = _people(sorted({pid for _, pid in holdings}))
    names = _names(community)
    dwellings = _dwellings(community, within).order_by("path", "number").values_list("id", "path", "number")
    by_dwelling: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for (dwelling_id, person_id), held in holdings.items():
        by_dwelling.setdefault(dwelling_id, []).append((person_id, held))
    for dwelling_id, path, number in dwellings.iterator(CHUNK):
        rows = sorted(
            by_dwelling.get(dwelling_id, []), key=lambda r: (not r[1].get("rep"), people[r[0]][0], r[0])
        )
        for person_id, held in rows:
            name, id_number, phone, party = people[person_id]
            yield [
                *_place(names, community, path),
                number,
                name,
                id_number,
                phone,
                first_word(RELATION_WORDS, held["relation"]) if "relation" in held else "",
                "是" if held.get("rep") else "否",
                "是" if "owner_since" in held else "否",
                _iso(held.get("owner_since")),
                _iso(held.get("moved_in")),
                "是" if party else "否",
                "、".join(first_word(CARE_TAG_WORDS, t) for t in tags.get(person_id, [])),
            ]


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    jobs = ImportJob.objects.all()
    return jobs if user.is_superuser else jobs.filter(created_by=user)


def job_get_for(user: Any, job_id: int) -> ImportJob:
    job = jobs_visible_to(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound("import job")
    return job


def dwelling_rows_count(community: Node, within: str = "") -> int:
    return _dwellings(community, within).count()
