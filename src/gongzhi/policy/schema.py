"""The shape of a policy pack and the one registry of known policy keys with their value types.

Pure Python (pydantic, no Django). A pack file (policy/packs/<code>.yaml) has a `meta` section and a `values`
mapping of dotted key → entry; every key must be registered in KEYS, and its value must have the declared type,
so a typo'd key or a wrong type fails at start-up (policy.packs.load_packs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

Force = Literal["shall", "should", "may", "descriptive", "default"]
# Strength order used when two layers state the same value: the strongest wording decides the severity.
FORCE_RANK: dict[str, int] = {"may": 0, "default": 1, "descriptive": 2, "should": 3, "shall": 4}
Cadence = Literal[
    "weekly",
    "monthly",
    "quarterly",
    "half_yearly",
    "yearly",
    "monthly_or_quarterly",
    "regular",
    "immediate",
    "per_law",
]

# Catalogue entry IDs (HZ-A.2.1.1, CZ-II.3#1, BZ-5.2.4.1(c)), national-law IDs (LAW-PMR, LAW-CC-1259) and
# references to catalogue sections for product defaults (§5#14, §4.1#9).
CLAUSE_RE = re.compile(r"^((HZ|CZ|NB|BZ)-[A-Za-z0-9.#()]+|LAW-[A-Z]+(-\d+)?|§[45](\.\d)?#\d+)$")


@dataclass(frozen=True)
class KeySpec:
    """A known key: its value type and, for a numeric bound, which way is stricter (tighten-only check)."""

    type: Any
    bound: Literal["min", "max"] | None = None

    def adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.type)


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(type_: Any) -> TypeAdapter[Any]:
    key = repr(type_)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(type_)
    return _ADAPTERS[key]


INT = KeySpec(int)
MIN = KeySpec(int, "min")
MAX = KeySpec(int, "max")
BOOL = KeySpec(bool)
STR = KeySpec(str)
STRS = KeySpec(list[str])
INTS = KeySpec(list[int])
SHARE_MIN = KeySpec(Fraction, "min")
RATIO = KeySpec(Fraction)
CADENCE = KeySpec(Cadence)
OPT_INT = KeySpec(int | None)

# Bodies whose composition the packs constrain (bodies.kinds.BodyKind values).
OC = "owners_committee"
OSC = "owners_supervisory_committee"
RC = "residents_committee"
VC = "villagers_committee"
RASC = "residents_affairs_supervisory_committee"
RRM = "residents_representative_meeting"


class LadderStep(BaseModel):
    """One rung of an appeal ladder (catalogue §4.2 #17): who handles there and what is first routed there.

    `level` is the tree level the handling body sits at (tree.levels.Level values); `roles` are the roles that
    act for it; `categories` are the appeal categories whose lowest handling rung this is; `difficulty` is the
    NB-4.6.2 tier it takes; `requires_meeting`: escalating from here needs a meeting held here first (a vote
    forming an opinion, BZ-5.2.3(d)); `takes_major`: major problems and emergencies go straight here
    (CZ-III.6#2).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    level: str
    body: str
    roles: list[str]
    clause: str
    categories: list[str] = Field(default_factory=list)
    also: list[str] = Field(default_factory=list)
    difficulty: Literal["simple", "general", "complex"] | None = None
    requires_meeting: bool = False
    takes_major: bool = False

    @field_validator("clause")
    @classmethod
    def _clause_id(cls, v: str) -> str:
        return _check_clause(v)

    @field_validator("also")
    @classmethod
    def _also_ids(cls, v: list[str]) -> list[str]:
        return [_check_clause(c) for c in v]

    def __repr__(self) -> str:
        # The node's policy page prints the value as is: one readable rung, not the model's field dump.
        return f"{self.code} ({self.level}: {', '.join(self.roles)}; {self.clause})"

    __str__ = __repr__


# Appeal tracks: most matters climb the general ladder; CZ property matters (CZ-III.6#2) and HZ family and
# neighbour disputes (HZ-A.6.1.2.4) have their own.
APPEAL_TRACKS = ("general", "property", "dispute")


def _sizes(kind: str) -> dict[str, KeySpec]:
    return {f"{kind}.size.min": MIN, f"{kind}.size.max": MAX}


KEYS: dict[str, KeySpec] = {
    # §5 #33 / LAW-PIPL art. 28: which person categories are sensitive, and which roles need to see them
    "privacy.sensitive_tags": STRS,
    "privacy.sensitive_tags.roles": STRS,
    "privacy.party_membership.roles": STRS,
    "privacy.reveal.roles": STRS,
    # CZ-VI.3 tiered approval of bulk exports: days an approval allows downloads (product default, §5-style)
    "exports.approval_valid_days": MAX,
    # --- directives (issue 4 §2): access control of work pushed onto residents' committees ---
    "task_push.access_control": BOOL,  # CZ-IV.6#2, NB-4.5.1: cite an item of the county's access list
    "task_push.statutory_duties_refused": BOOL,  # CZ-IV.6#2
    "task_push.forbidden_kinds": STRS,  # CZ-IV.6#3
    "task_push.assisted_requires_staff_and_funding": BOOL,  # NB-4.5.2, CZ-IV.6#2
    # §4.1 #1 community size
    f"{RC}.households.min": OPT_INT,
    f"{RC}.households.max": MAX,
    f"{RC}.households.soft": BOOL,
    f"{RC}.households.tolerance": RATIO,
    # §4.1 #2 residents' / villagers' committee size
    **_sizes(RC),
    **_sizes(VC),
    f"{RC}.term_years": INT,
    # §4.1 #3–#5 owners' committee
    **_sizes(OC),
    f"{OC}.size.odd": BOOL,
    f"{OC}.size.equals_rules_size": BOOL,
    f"{OC}.chair_required": BOOL,
    f"{OC}.vice_chair.min": MIN,
    f"{OC}.party_share.min": SHARE_MIN,
    f"{OC}.chair_party_member": BOOL,
    f"{OC}.members_are_owners": BOOL,
    f"{OC}.candidate_vetting": BOOL,
    f"{OC}.cross_appointment": BOOL,
    f"{OC}.term_years.min": MIN,
    f"{OC}.term_years.max": MAX,
    f"{OC}.term_set_by_assembly_rules": BOOL,
    f"{OC}.filing_days": MAX,
    f"{OC}.first_meeting_days": MAX,
    # §4.1 #6 supervision of the owners' committee
    f"{OC}.supervision_model": STRS,
    f"{OSC}.sizes": INTS,
    f"{OSC}.members_are_owners": BOOL,
    f"{OSC}.disjoint_from_owners_committee": BOOL,
    f"{OSC}.term_equals_owners_committee": BOOL,
    f"{OSC}.term_years.min": MIN,
    f"{OSC}.term_years.max": MAX,
    f"{OSC}.voucher_review.cadence": CADENCE,
    # §4.1 #7 supervision of the residents' committee
    f"{RASC}.enabled": BOOL,
    **_sizes(RASC),
    f"{RASC}.chair_count": INT,
    # NB-2.3.7 residents' representatives meeting
    **_sizes(RRM),
    f"{RRM}.resident_share.min": SHARE_MIN,
    # §4.1 #8 staffing
    "staffing.formula": STR,
    "staffing.community_workers.min": MIN,
    "staffing.households_base": INT,
    "staffing.households_per_extra_worker": INT,
    "staffing.full_time_per_10000_residents": MIN,
    # §4.1 #9 mediation
    "mediation.model": STR,
    "mediation.full_time_min_per_community": MIN,
    # §4.1 #10–#11 grids and Party structure
    "hierarchy.levels": KeySpec(list[list[str]]),
    "grid.roles": STRS,
    "grid.leaders_per_grid": INT,
    "grid.part_time_workers.min": MIN,
    "grid.building_leaders_per_stairwell": INT,
    "party_structure.levels": KeySpec(list[list[str]]),
    # §4.1 #12 facilities (m²)
    "facility.community_service.min_m2": MIN,
    "facility.street_elderly_care_centre.min_m2": MIN,
    "facility.community_day_care.approx_m2": INT,
    "facility.compound_station.area_above_m2": MIN,
    "facility.compound_station.activity_spaces.min": MIN,
    "facility.standards": STR,
    # §4.1 #13–#14 funding and allowances (CNY in integer fen, §5 #42)
    "budget.community_work.fen_per_year.min": MIN,
    "budget.party_service.fen_per_year.min": MIN,
    "budget.growth_mechanism": BOOL,
    "budget.community_fund": BOOL,
    "budget.channels": STRS,
    "allowance.building_leader.communication_fen_per_month": OPT_INT,
    "allowance.social_worker.assistant_fen_per_month.min": MIN,
    "allowance.social_worker.standard_fen_per_month.min": MIN,
    "allowance.social_worker.senior_fen_per_month.min": MIN,
    # §4.2 #17–#18 escalation, §5 #22 reminders
    "escalation.ladder": STRS,
    "escalation.mode": KeySpec(
        Literal["sequential_on_failure", "triage_by_difficulty", "by_coordination_need_or_severity"]
    ),
    "escalation.terminal_level": STR,
    "escalation.automatic": BOOL,
    "escalation.major_may_skip_levels": BOOL,
    "escalation.reminder_days.compound": INT,
    "escalation.reminder_days.community": INT,
    "escalation.reminder_days.street": INT,
    "escalation.reminder_days.building": INT,
    "escalation.reminder_days.resident_group": INT,
    "escalation.reminder_days.district": INT,
    # Issue 4 appeals: the ladders per track as data (appeals.ladder reads them), categories and timing
    **{f"appeals.ladder.{track}": KeySpec(list[LadderStep]) for track in APPEAL_TRACKS},
    "appeals.categories": STRS,
    "appeals.triage.reclassify_steps": STRS,
    "appeals.deadline.unit": KeySpec(Literal["calendar_days", "working_days"]),
    "appeals.deadline.roll_to_workday": BOOL,
    "appeals.reminder.repeat_days": INT,
    "appeals.acknowledge_hours": MAX,
    "appeals.alert_minutes": MAX,
    "appeals.report_upward_minutes": MAX,
    "appeals.confirmation_days": INT,
    "appeals.reopen.max_per_level": INT,
    "appeals.rating.scale_max": INT,
    "appeals.rating.satisfied_min": INT,
    "appeals.anonymous.allowed": BOOL,
    "deliberation.appraisal.scale_max": INT,
    "deliberation.appraisal.satisfied_min": INT,
    # §4.3 #25–#26 disclosure
    "disclosure.public_income.cadence": CADENCE,
    "disclosure.fund_use.cadence": CADENCE,
    "disclosure.general.cadence": CADENCE,
    "disclosure.major.cadence": CADENCE,
    "disclosure.major.sla_working_days": MAX,
    "disclosure.village_finance.cadence": CADENCE,
    "disclosure.donated_funds.cadence": CADENCE,
    "disclosure.property_appraisal.cadence": CADENCE,
    "disclosure.period_report_days": MAX,
    "disclosure.posting_days.min": MIN,
    # §4.3 #27 meeting cadences
    "meeting.cadence.owners_committee_dispute_analysis": CADENCE,
    "meeting.cadence.compound_party_org": CADENCE,
    "meeting.cadence.street_pmc": CADENCE,
    "meeting.cadence.community_pmc": CADENCE,
    "meeting.cadence.party_joint_meeting": CADENCE,
    "meeting.cadence.community_work_meeting": CADENCE,
    "meeting.cadence.rc_oc_property_coordination": CADENCE,
    "meeting.cadence.oc_report_to_party_org": CADENCE,
    "meeting.cadence.street_weekly_meeting": CADENCE,
    "supervision.dispatch.cadence": CADENCE,
    "supervision.appraisal.cadence": CADENCE,
    # §4.3 #28 field-work quotas
    "field.visits_per_week.min": MIN,
    "field.coverage_period": CADENCE,
    "field.building_leader_patrols_per_week.min": MIN,
    "field.must_visit_triggers": STRS,
    "field.must_visit_due_days": MAX,
    "field.building_leader_kpis_by_county": BOOL,
    # §4.3 #29 evaluation
    "evaluation.owners_committee.cadence": CADENCE,
    "evaluation.owners_committee.by": STR,
    "evaluation.property_survey.reach.min": SHARE_MIN,
    "evaluation.property.cadence": CADENCE,
    "evaluation.default_cadence": CADENCE,
    "evaluation.community_pmc.cadence": CADENCE,
    # §4.3 #30 recognition
    "recognition.schemes": STRS,
    "recognition.selection.cadence": CADENCE,
    "recognition.commendation.cadence": CADENCE,
    # §5 #1–#10, #14, #15 voting and bodies
    "vote.tie_passes": BOOL,
    "vote.thresholds_round_up": BOOL,
    "vote.abstention_counts_as_participant": BOOL,
    "vote.online_allowed": BOOL,
    "vote.absent_households_in_denominator": BOOL,
    "vote.proposal.base": KeySpec(Literal["owners_representatives_else_owners", "owners"]),
    "vote.building.quorum": SHARE_MIN,
    "vote.building.pass": SHARE_MIN,
    "vote.proposal.share": SHARE_MIN,
    "vote.joint_meeting.unanimous": BOOL,
    "vote.meeting.quorum": SHARE_MIN,
    "vote.meeting.pass": SHARE_MIN,
    "vote.meeting.strict_majority": BOOL,
    "assembly.quorum.area": SHARE_MIN,
    "assembly.quorum.headcount": SHARE_MIN,
    "assembly.major.pass": SHARE_MIN,
    "assembly.ordinary.pass": SHARE_MIN,
    "assembly.ordinary.strict_majority": BOOL,
    "assembly.special_meeting.request_share": SHARE_MIN,
    "body.vacancy.by_election_due_days": MAX,
    "term.expiry_warning_days": INT,
}


class Meta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    name_zh: str
    name_en: str
    document: str
    status: str
    version: str
    issuer: str = ""


class Entry(BaseModel):
    """One value with its source: the clause that states it and how strongly (catalogue §3.0 'Force')."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Any
    clause: str
    force: Force
    delegable: bool = False
    also: tuple[str, ...] = ()
    note: str = ""

    @field_validator("clause")
    @classmethod
    def _clause_id(cls, v: str) -> str:
        return _check_clause(v)

    @field_validator("also")
    @classmethod
    def _also_ids(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_clause(c) for c in v)


def _check_clause(v: str) -> str:
    if not CLAUSE_RE.match(v):
        raise ValueError(f"{v!r} is not a clause ID (HZ-…, CZ-…, NB-…, BZ-…, LAW-… or §5#n)")
    return v


class PackFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    meta: Meta
    values: dict[str, Entry] = Field(default_factory=dict)


def validate_value(key: str, raw: Any) -> Any:
    """The typed value for `key` (KeyError for an unknown key, pydantic.ValidationError for a bad value)."""
    spec = KEYS[key]
    if spec.type is int and isinstance(raw, bool):
        raise ValueError("expected an integer, got a boolean")
    if spec.type is Fraction and isinstance(raw, float):
        raise ValueError('write a ratio as an exact fraction such as "13/20", never as a float')
    return spec.adapter().validate_python(raw, strict=_strict(spec))


def _strict(spec: KeySpec) -> bool:
    # Fractions come as "13/20" strings; everything else must already have its exact type ("5" is not 5).
    return spec.type is not Fraction


def dump_value(key: str, value: Any) -> Any:
    """JSON-ready form of a typed value (for PolicyOverride.value and the audit trail)."""
    return KEYS[key].adapter().dump_python(value, mode="json")


def loosens(key: str, value: Any, floor: Any) -> bool:
    """True when `value` is weaker than `floor` for a min/max bound key (a city may tighten, never loosen)."""
    bound = KEYS[key].bound
    if bound is None or value is None or floor is None:
        return False
    return bool(value < floor) if bound == "min" else bool(value > floor)
