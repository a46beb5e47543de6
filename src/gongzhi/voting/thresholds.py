"""The fractions a count compares against, taken from the policy packs. Pure Python (no Django, no database).

The tally functions take a `Thresholds` value rather than reading policy themselves, so they stay pure and
testable; the web app builds it from the effective policy of the node (`thresholds_from_values(policy.value)`),
the offline recount from the shipped pack files (`pack_thresholds`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

PACKS_DIR = Path(__file__).resolve().parent.parent / "policy" / "packs"

# Field of Thresholds → policy key (policy.schema.KEYS; values in policy/packs/*.yaml with their clauses).
KEYS: dict[str, str] = {
    "quorum_area": "assembly.quorum.area",
    "quorum_headcount": "assembly.quorum.headcount",
    "major_pass": "assembly.major.pass",
    "ordinary_pass": "assembly.ordinary.pass",
    "ordinary_strict": "assembly.ordinary.strict_majority",
    "building_quorum": "vote.building.quorum",
    "building_pass": "vote.building.pass",
    "tie_passes": "vote.tie_passes",
}
FRACTIONS = (
    "quorum_area",
    "quorum_headcount",
    "major_pass",
    "ordinary_pass",
    "building_quorum",
    "building_pass",
)
# Only Huzhou's document gives the building vote's fractions (HZ-5.1.3.2.2.5, the only explicit thresholds in
# the four documents); a count under another city's pack uses them unless that pack states its own.
BUILDING_SOURCE = "huzhou"


class ThresholdError(ValueError):
    """A pack (or policy) that lacks a key the count needs, or gives it a value of the wrong kind."""


@dataclass(frozen=True)
class Thresholds:
    """Exact fractions and switches for one count (LAW-CC-278, LAW-CC-1259, HZ-5.1.3.2.2.5, §5#1)."""

    quorum_area: Fraction  # participating area ≥ this × total area (三分之二以上)
    quorum_headcount: Fraction  # participating owners ≥ this × all owners
    major_pass: Fraction  # items 6–8: approving ≥ this × participating (四分之三以上)
    ordinary_pass: Fraction  # other items: approving > (or ≥) this × participating
    ordinary_strict: bool  # 过半数 is strictly more than half (LAW-CC-1259)
    building_quorum: Fraction  # household representatives voting ≥ this × the stairwell's households
    building_pass: Fraction  # yes ≥ this × votes cast (二分之一以上)
    tie_passes: bool  # building vote: False reads "half" strictly (a per-city switch, vote.tie_passes)


def _fraction(key: str, value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | str | Fraction):
        raise ThresholdError(f"{key}: expected a fraction such as 2/3, got {value!r}")
    try:
        share = Fraction(value)
    except (ValueError, ZeroDivisionError) as exc:
        raise ThresholdError(f"{key}: expected a fraction such as 2/3, got {value!r}") from exc
    if not 0 < share <= 1:
        raise ThresholdError(f"{key}: a share must be above 0 and at most 1, got {value!r}")
    return share


def thresholds_from_values(lookup: Callable[[str], Any]) -> Thresholds:
    """Build Thresholds from `lookup(policy key)` (a dict's get, or EffectivePolicy.value); None = missing."""
    fields: dict[str, Any] = {}
    for name, key in KEYS.items():
        value = lookup(key)
        if value is None:
            raise ThresholdError(f"{key}: missing from the policy")
        if name in FRACTIONS:
            fields[name] = _fraction(key, value)
        elif isinstance(value, bool):
            fields[name] = value
        else:
            raise ThresholdError(f"{key}: expected true or false, got {value!r}")
    return Thresholds(**fields)


def _pack_values(code: str, packs_dir: Path) -> dict[str, Any]:
    path = packs_dir / f"{code}.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: the recount starts fast
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
    return {key: entry["value"] for key, entry in (raw.get("values") or {}).items() if key in KEYS.values()}


def pack_thresholds(city: str = "", packs_dir: Path | None = None) -> Thresholds:
    """Thresholds from the shipped pack files, read directly (the full validation runs at Django start-up):
    national law, then the building vote's fractions from the Huzhou pack, then `city`'s own values."""
    packs_dir = packs_dir or PACKS_DIR
    values = _pack_values("national", packs_dir)
    building = _pack_values(BUILDING_SOURCE, packs_dir)
    values.update({k: v for k, v in building.items() if k.startswith("vote.building.")})
    if city:
        values.update(_pack_values(city, packs_dir))
    return thresholds_from_values(values.get)


def city_codes(packs_dir: Path | None = None) -> list[str]:
    """The city packs shipped (every pack file but the national one)."""
    return sorted(p.stem for p in (packs_dir or PACKS_DIR).glob("*.yaml") if p.stem != "national")
