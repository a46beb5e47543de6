"""A user's reach: their active role assignments as (role, scope) grants, and the pure checks over tree paths.

Three scope shapes (accounts.roles.ROLE_SCOPE): a node subtree (`path`), a grid or micro-grid (`grid_id`; its
`path` is the community's) and one dwelling (`dwelling_id`; its `path` is the stairwell's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from gongzhi.access.capabilities import Action, Kind, allows


class NodeAccess(StrEnum):
    FULL = "full"
    NAME_ONLY = "name_only"  # on the way down to a scope: shown by name, for navigation only


@dataclass(frozen=True)
class Grant:
    role: str
    path: str
    grid_id: int | None = None
    dwelling_id: int | None = None

    @property
    def is_node(self) -> bool:
        return self.grid_id is None and self.dwelling_id is None

    def allows(self, kind: Kind, action: Action) -> bool:
        return allows(self.role, kind, action)


@dataclass(frozen=True)
class Reach:
    superuser: bool
    grants: tuple[Grant, ...]

    @property
    def nothing(self) -> bool:
        return not self.superuser and not self.grants

    def granting(self, kind: Kind, action: Action) -> list[Grant]:
        return [g for g in self.grants if g.allows(kind, action)]

    def node_paths(self, kind: Kind, action: Action) -> list[str]:
        """Subtrees in which node-scoped grants allow `action` on `kind` (no nested duplicates)."""
        return outermost(g.path for g in self.granting(kind, action) if g.is_node)

    def covers_path(self, kind: Kind, action: Action, path: str) -> bool:
        """Whether a node-scoped grant reaches `path` (creating something under a node, node pages)."""
        return self.superuser or any(path.startswith(p) for p in self.node_paths(kind, action))

    def anywhere(self, kind: Kind, action: Action) -> bool:
        return self.superuser or bool(self.granting(kind, action))

    def node_access(self, path: str) -> NodeAccess | None:
        if self.covers_path(Kind.NODE, Action.VIEW, path):
            return NodeAccess.FULL
        if any(g.path.startswith(path) for g in self.grants):
            return NodeAccess.NAME_ONLY
        return None


def outermost(paths: Iterable[str]) -> list[str]:
    """The paths not under another one of them: `a` covers `ab`, so `ab` adds nothing."""
    unique = sorted(set(paths))
    out: list[str] = []
    for p in unique:
        if not any(p.startswith(q) for q in out):
            out.append(p)
    return out


def reach_of(user: Any) -> Reach:
    """The user's reach today. Anonymous and inactive users reach nothing; a superuser reaches everything."""
    from gongzhi.accounts.selectors import active_roles

    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return Reach(superuser=False, grants=())
    if getattr(user, "is_superuser", False):
        return Reach(superuser=True, grants=())
    rows = active_roles(user).values_list("role", "scope_path", "grid_id", "dwelling_id")
    return Reach(superuser=False, grants=tuple(Grant(*row) for row in rows))
