"""Layering of policy: national pack, then the city pack, then local overrides (catalogue §5 #39). Pure Python.

When a later layer states the same value as an earlier one (Huzhou's "5 to 11" restating LAW-PMR), the value keeps
every clause that states it and the strongest force among them: the city restating national law does not weaken
it to a city "descriptive". A different value replaces the earlier one with its own clause and force.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from gongzhi.policy.schema import FORCE_RANK, KEYS, Entry


class UnknownPolicyKey(KeyError):
    """A key not in policy.schema.KEYS: a typo in code, caught at once rather than read as 'no rule'."""


@dataclass(frozen=True)
class PolicyValue:
    key: str
    value: Any
    clause: str
    force: str
    source: str  # 'national' | 'huzhou' | 'cangzhou' | 'ningbo' | 'binzhou' | 'override'
    clauses: tuple[str, ...] = ()
    delegable: bool = False
    note: str = ""
    override_id: int | None = None
    override_node_id: int | None = None

    @property
    def clause_text(self) -> str:
        return ", ".join(self.clauses or (self.clause,))

    @property
    def is_default(self) -> bool:
        """True when a product default (§5), not a source rule, decides this value (UI must say so)."""
        return self.force == "default"

    @property
    def value_text(self) -> str:
        """The value for display, language-neutral: 13/20 (65%), lists joined, levels as a chain."""
        return display(self.value)


def display(value: Any) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if value is None:
        return "—"
    if isinstance(value, Fraction):
        percent = value * 100
        shown = str(percent) if percent.denominator == 1 else f"{float(percent):.1f}"
        return f"{value} ({shown}%)"
    if isinstance(value, list) and value and isinstance(value[0], list):
        return "; ".join(" → ".join(str(v) for v in chain) for chain in value)
    if isinstance(value, list):
        return ", ".join(display(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class LocalOverride:
    """An active PolicyOverride row, as plain data (value already typed)."""

    id: int
    node_id: int
    depth: int
    key: str
    value: Any
    reason: str


def from_entry(key: str, entry: Entry, value: Any, source: str) -> PolicyValue:
    clauses = (entry.clause, *entry.also)
    return PolicyValue(
        key=key,
        value=value,
        clause=entry.clause,
        force=entry.force,
        source=source,
        clauses=clauses,
        delegable=entry.delegable,
        note=entry.note,
    )


def merge(earlier: PolicyValue | None, later: PolicyValue) -> PolicyValue:
    """`later` wins; if it restates `earlier`'s value, clauses accumulate and the stronger force is kept."""
    if earlier is None or earlier.value != later.value:
        return later
    force = max(later.force, earlier.force, key=lambda f: FORCE_RANK[f])
    clauses = tuple(dict.fromkeys((*later.clauses, *earlier.clauses)))
    return replace(later, force=force, clauses=clauses, delegable=later.delegable or earlier.delegable)


class EffectivePolicy:
    """The policy in force on one node: `get(key)` → PolicyValue or None when no layer sets the key."""

    def __init__(self, values: dict[str, PolicyValue], pack: str = "") -> None:
        self._values = values
        self.pack = pack

    def get(self, key: str) -> PolicyValue | None:
        if key not in KEYS:
            raise UnknownPolicyKey(key)
        return self._values.get(key)

    def __call__(self, key: str) -> PolicyValue | None:
        return self.get(key)

    def value(self, key: str, default: Any = None) -> Any:
        found = self.get(key)
        return default if found is None else found.value

    def entries(self) -> list[PolicyValue]:
        """Every value in force, sorted by key (for display on the node's page)."""
        return [self._values[k] for k in sorted(self._values)]

    def overrides(self) -> list[PolicyValue]:
        return [v for v in self.entries() if v.source == "override"]

    def __iter__(self) -> Iterator[PolicyValue]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self._values)


def layered(
    layers: Iterable[tuple[str, dict[str, tuple[Entry, Any]]]],
    overrides: Iterable[LocalOverride] = (),
    pack: str = "",
) -> EffectivePolicy:
    """Apply pack layers in order (each: source code, {key: (entry, typed value)}), then overrides by depth."""
    values: dict[str, PolicyValue] = {}
    for source, entries in layers:
        for key, (entry, typed) in entries.items():
            values[key] = merge(values.get(key), from_entry(key, entry, typed, source))
    for ov in sorted(overrides, key=lambda o: o.depth):  # deepest applied last, so it wins
        base = values.get(ov.key)
        # A stale row for a key a newer pack no longer delegates is ignored, never applied.
        if base is not None and base.delegable:
            values[ov.key] = replace(
                base,
                value=ov.value,
                source="override",
                note=ov.reason,
                override_id=ov.id,
                override_node_id=ov.node_id,
            )
    return EffectivePolicy(values, pack=pack)
