"""The shape of a demo data set: the territorial tree and its grids, planned before anything is written.

Pure Python. Keys are 1-based and dense in pre-order, so the bulk path uses them as primary keys and
computes treebeard's materialised paths (steplen 4, base-36 alphabet) without asking the database.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from gongzhi.demo import names

STEPLEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DWELLINGS_PER_COMMUNITY = 2000  # CZ-II.2#1 / NB-2.3.2#2: about 1,500–3,000 households per community
COMMUNITIES_PER_STREET = 10
DWELLINGS_PER_GRID = 400
DWELLINGS_PER_DISTRICT = 150000  # at scale: districts of ~150k dwellings in ~8 streets of ~20k


def path_step(index: int) -> str:
    """The 1-based `index`-th step of a treebeard path: 1 → '0001', 36 → '0010'."""
    digits = ""
    while index:
        index, rest = divmod(index, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, "0")


@dataclass
class NodePlan:
    key: int
    parent: NodePlan | None
    name: str
    level: str
    code: str = ""
    community_kind: str = ""
    policy_pack: str = ""
    path: str = ""
    children: list[NodePlan] = field(default_factory=list)
    # Stairwells: floors × per_floor numbering, `dwellings` of them (the last stairwell may be short).
    floors: int = 0
    per_floor: int = 0
    dwellings: int = 0
    # Buildings: the grid (and micro-grid) their dwellings belong to.
    grid: GridPlan | None = None
    micro_grid: GridPlan | None = None

    @property
    def depth(self) -> int:
        return len(self.path) // STEPLEN


@dataclass
class GridPlan:
    key: int
    community: NodePlan
    name: str
    code: str
    parent: GridPlan | None = None


@dataclass
class CommunityPlan:
    node: NodePlan
    district: names.DistrictSeed
    street: NodePlan
    compounds: list[NodePlan]  # compounds, or resident groups in Binzhou-style and rural communities
    grids: list[GridPlan]
    special: str = ""  # "rural", "resident_groups", "clusters" or ""


@dataclass
class TreePlan:
    nodes: list[NodePlan]  # pre-order
    communities: list[CommunityPlan]
    grids: list[GridPlan]
    districts: list[NodePlan]
    streets: list[NodePlan]


class _Builder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.nodes: list[NodePlan] = []
        self.grids: list[GridPlan] = []
        self._grids_in: dict[int, int] = {}  # community key → grids so far (a scan of all grids is quadratic)

    def add(self, parent: NodePlan | None, name: str, level: str, **kw: object) -> NodePlan:
        node = NodePlan(key=len(self.nodes) + 1, parent=parent, name=name, level=level, **kw)  # type: ignore[arg-type]
        siblings = parent.children if parent else [n for n in self.nodes if n.parent is None]
        node.path = (parent.path if parent else "") + path_step(len(siblings) + 1)
        if parent:
            parent.children.append(node)
        self.nodes.append(node)
        return node

    def grid(self, community: NodePlan, name: str, parent: GridPlan | None = None) -> GridPlan:
        number = self._grids_in[community.key] = self._grids_in.get(community.key, 0) + 1
        code = f"{community.code}-{number:02d}"
        grid = GridPlan(key=len(self.grids) + 1, community=community, name=name, code=code, parent=parent)
        self.grids.append(grid)
        return grid


def community_sizes(scale: int) -> list[int]:
    """How many dwellings each community gets: about 2,000 at scale, at least six communities."""
    count = max(6, round(scale / DWELLINGS_PER_COMMUNITY)) if scale > 20000 else max(6, min(scale // 60, 12))
    count = min(count, max(1, scale // 4))
    base, extra = divmod(scale, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def plan_tree(scale: int, rng: random.Random) -> TreePlan:
    """Districts (one per city pack first) → ~10 streets → communities → compounds → buildings → stairwells."""
    sizes = community_sizes(scale)
    n_districts = min(len(names.DISTRICTS), max(4, math.ceil(scale / DWELLINGS_PER_DISTRICT)))
    per_district: list[list[int]] = [sizes[i::n_districts] for i in range(n_districts)]
    b = _Builder(rng)
    plan = TreePlan(nodes=b.nodes, communities=[], grids=b.grids, districts=[], streets=[])
    for d_index, d_sizes in enumerate(per_district):
        seed = names.DISTRICTS[d_index]
        district = b.add(None, seed.name, "district", code=seed.code, policy_pack=seed.pack)
        plan.districts.append(district)
        n_streets = max(1, math.ceil(len(d_sizes) / COMMUNITIES_PER_STREET))
        taken: set[str] = set()
        for s_index in range(n_streets):
            street = b.add(
                district, names.street_name(seed, s_index), "street", code=f"{seed.code}{s_index + 1:03d}000"
            )
            plan.streets.append(street)
            for c_index, size in enumerate(d_sizes[s_index::n_streets]):
                special = _special(seed.pack, d_index, len(d_sizes), s_index, c_index)
                plan.communities.append(_community(b, seed, street, c_index, size, special, taken))
    return plan


def _special(pack: str, d_index: int, n_communities: int, s_index: int, c_index: int) -> str:
    """Which communities differ from the ordinary urban one (in the first district of each pack)."""
    if pack == "binzhou":
        return "resident_groups"  # BZ-3.1: resident groups instead of compounds
    if d_index >= 4 or s_index:
        return ""
    if pack == "ningbo" and c_index == min(1, n_communities - 1):
        return "rural"  # NB-1.4: an administrative village
    if pack == "huzhou" and c_index == 0:
        return "clusters"
    return ""


def _community(
    b: _Builder,
    seed: names.DistrictSeed,
    street: NodePlan,
    c_index: int,
    size: int,
    special: str,
    taken: set[str],
) -> CommunityPlan:
    rural = special == "rural"
    name = names.unique_name(
        b.rng, names.VILLAGE_WORDS if rural else names.COMMUNITY_WORDS, "村" if rural else "社区", taken
    )
    code = f"{street.code[:9]}{(200 if rural else 1) + c_index:03d}"
    node = b.add(street, name, "community", code=code, community_kind="rural" if rural else "urban")
    if special in ("rural", "resident_groups"):
        groups = _resident_groups(b, node, size, rural)
    else:
        groups = _compounds(b, node, size, clusters=special == "clusters")
    plan = CommunityPlan(node=node, district=seed, street=street, compounds=groups, grids=[], special=special)
    _lay_grids(b, plan, micro=seed.pack == "ningbo")
    return plan


def _compounds(b: _Builder, community: NodePlan, size: int, *, clusters: bool) -> list[NodePlan]:
    n = max(1, round(size / 600))
    taken: set[str] = set()
    compounds = []
    for i in range(n):
        share = size // n + (1 if i < size % n else 0)
        name = names.unique_name(b.rng, names.COMPOUND_WORDS, b.rng.choice(names.COMPOUND_SUFFIXES), taken)
        compound = b.add(community, name, "compound")
        compounds.append(compound)
        if clusters and i == 0 and share >= 8:
            half = share // 2
            for j, part in enumerate((half, share - half)):
                cluster = b.add(compound, names.CLUSTER_NAMES[j], "cluster")
                _buildings(b, cluster, part, rural=False)
        else:
            _buildings(b, compound, share, rural=False)
    return compounds


def _resident_groups(b: _Builder, community: NodePlan, size: int, rural: bool) -> list[NodePlan]:
    n = max(1, round(size / 250))
    groups = []
    for i in range(n):
        share = size // n + (1 if i < size % n else 0)
        label = "村民小组" if rural else "居民小组"
        group = b.add(community, f"第{names.numeral(i + 1) if i < 99 else i + 1}{label}", "resident_group")
        groups.append(group)
        _buildings(b, group, share, rural=rural)
    return groups


def _buildings(b: _Builder, parent: NodePlan, size: int, *, rural: bool) -> None:
    """Buildings until `size` dwellings are planned: walk-ups, mid- and high-rise (rural: houses in rows)."""
    number = 0
    while size > 0:
        number += 1
        if rural:
            floors, per_floor, wells = 3, 1, 4  # a row of four village houses, one dwelling each "stairwell"
        else:
            floors, per_floor, wells = b.rng.choice(
                ((6, 2, 3), (6, 2, 2), (11, 2, 2), (18, 2, 2), (26, 4, 1), (33, 3, 1))
            )
        suffix = "排" if rural else "幢"
        building = b.add(parent, f"{number}{suffix}", "building")
        for w in range(1, wells + 1):
            if size <= 0:
                break
            cap = 1 if rural else floors * per_floor
            count = min(cap, size)
            size -= count
            name = f"{w}号" if rural else f"{w}单元"
            b.add(
                building,
                name,
                "stairwell",
                floors=1 if rural else floors,
                per_floor=per_floor,
                dwellings=count,
            )


def _buildings_of(node: NodePlan) -> list[NodePlan]:
    out: list[NodePlan] = []
    for child in node.children:
        if child.level == "building":
            out.append(child)
        else:
            out.extend(_buildings_of(child))
    return out


def _lay_grids(b: _Builder, plan: CommunityPlan, *, micro: bool) -> None:
    """Whole buildings into grids of about 400 dwellings; in Ningbo the first grid has two micro-grids."""
    buildings = _buildings_of(plan.node)
    total = sum(sum(w.dwellings for w in bld.children) for bld in buildings)
    n = max(1, round(total / DWELLINGS_PER_GRID))
    per_grid = math.ceil(len(buildings) / n)
    for i in range(n):
        members = buildings[i * per_grid : (i + 1) * per_grid]
        if not members:
            break
        grid = b.grid(plan.node, f"第{i + 1}网格")
        plan.grids.append(grid)
        for bld in members:
            bld.grid = grid
        if micro and i == 0 and len(members) >= 2:
            half = len(members) // 2
            for j, part in enumerate((members[:half], members[half:])):
                mg = b.grid(plan.node, f"第{i + 1}网格第{j + 1}微网格", parent=grid)
                plan.grids.append(mg)
                for bld in part:
                    bld.micro_grid = mg
