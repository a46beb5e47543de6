"""The territorial tree's levels and which level may sit under which (pure Python, no Django models).

Levels follow catalogue §2.1 and the foundation issue: district → street → community → compound or
resident group (→ cluster) → building → stairwell; dwellings hang off stairwells (see tree.models.Dwelling).
"""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    COMPOUND = "compound"
    RESIDENT_GROUP = "resident_group"
    CLUSTER = "cluster"
    BUILDING = "building"
    STAIRWELL = "stairwell"


# Which child levels each level accepts. A compound may have clusters (组团, HZ); BZ uses resident groups
# instead of compounds (BZ-3.1).
CHILD_LEVELS: dict[Level | None, frozenset[Level]] = {
    None: frozenset({Level.DISTRICT}),
    Level.DISTRICT: frozenset({Level.STREET}),
    Level.STREET: frozenset({Level.COMMUNITY}),
    Level.COMMUNITY: frozenset({Level.COMPOUND, Level.RESIDENT_GROUP}),
    Level.COMPOUND: frozenset({Level.CLUSTER, Level.BUILDING}),
    Level.RESIDENT_GROUP: frozenset({Level.BUILDING}),
    Level.CLUSTER: frozenset({Level.BUILDING}),
    Level.BUILDING: frozenset({Level.STAIRWELL}),
    Level.STAIRWELL: frozenset(),
}

# Levels that carry an official 12-digit statistical division code (统计用区划代码).
CODED_LEVELS = frozenset({Level.STREET, Level.COMMUNITY})
# Districts carry the 6-digit administrative division code (padded to 12 in the statistical code).
DISTRICT_CODE_LEN = 6
STAT_CODE_LEN = 12


def may_contain(parent: Level | None, child: Level) -> bool:
    return child in CHILD_LEVELS[parent]


def validate_code(level: Level, code: str, parent_code: str | None = None) -> str | None:
    """Return an error key when `code` is not a valid division code for `level`, else None.

    A street's 12-digit code is district(6) + street(3) + '000'; a community's is street(9) + 3 digits.
    The child must extend its parent's code when the parent has one.
    """
    if not code:
        return None
    if not code.isdigit():
        return "code_not_digits"
    if level == Level.DISTRICT:
        return None if len(code) in (DISTRICT_CODE_LEN, STAT_CODE_LEN) else "code_length"
    if level not in CODED_LEVELS:
        return "code_not_allowed"
    if len(code) != STAT_CODE_LEN:
        return "code_length"
    if level == Level.STREET:
        if code[9:] != "000":
            return "code_shape"
        prefix = 6
    else:
        if code[9:] == "000":
            return "code_shape"
        prefix = 9
    if parent_code and code[:prefix] != parent_code[:prefix]:
        return "code_parent_mismatch"
    return None
