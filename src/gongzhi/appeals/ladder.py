"""The appeal escalation ladders per city, read from the policy pack, and routing on them. Pure Python.

Catalogue §4.2 #17–#18, §5 #19, #22, #23. A city has one ladder per track (`appeals.ladder.<track>` in its
pack; tracks in policy.schema.APPEAL_TRACKS), each a list of rungs (`Step`) from the lowest up:

- Binzhou, general: resident group → community → street → district (BZ-3.1; the district is final, BZ-4.1(a)).
- Ningbo, general: compound (simple) → community (general) → street (complex), triaged by the first handler
  in the compound, reclassified by the community with a reason (NB-4.6.2, §5 #23).
- Cangzhou, property: community property manager → tripartite meeting → street PMC (CZ-III.6#2); general:
  community → street (CZ-IV.1#2).
- Huzhou, general: building → compound deliberation council → community → street (HZ-5.1.3.2.2.5#2,
  HZ-A.3.2.1); disputes: on-site → community mediation station → street mediation centre (HZ-A.6.1.2.4).

Entry points (the appeal services call these; `policy` is a policy.effective.EffectivePolicy or any
`key -> value-with-.value` lookup, e.g. policy.selectors.effective_policy(node) or policy.packs.pack_policy(city)):

- `city_ladders(policy)` → `CityLadders` (raises AppealRuleError "no_ladder" where no city pack applies).
- `CityLadders.route(category, severity=..., difficulty=..., present_levels=...)` → `Route`: the lowest rung
  that handles the category there (and where a major case goes at once, with an immediate alert, §5 #19).
- `escalation_target(ladder, from_step, severity=..., reason=..., to_step=...)` → `Escalation`: only the next
  rung up, with a reason; major/emergency may skip rungs (alert); the top is final (AppealRuleError codes
  "reason_required", "ladder_top_final", "skip_not_allowed", "not_above", "step_unknown").
- `triage_target(ladder, difficulty)` → the rung for an NB difficulty.
Nothing here escalates by time: escalation is always an explicit decision (§5 #22, `escalation.automatic`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from gongzhi.appeals.errors import AppealRuleError

Severity = Literal["normal", "major", "emergency"]
Difficulty = Literal["simple", "general", "complex"]
SEVERITIES: tuple[str, ...] = ("normal", "major", "emergency")
DIFFICULTIES: tuple[str, ...] = ("simple", "general", "complex")
TRACKS: tuple[str, ...] = ("general", "property", "dispute")  # = policy.schema.APPEAL_TRACKS
SEQUENTIAL = "sequential_on_failure"
TRIAGE = "triage_by_difficulty"
BY_NEED = "by_coordination_need_or_severity"

# Roles the ladders name that accounts.roles.Role does not have: none since the resident-group leader (BZ-4.4)
# and the community property manager (CZ-III.3) were added there.
LADDER_ONLY_ROLES: frozenset[str] = frozenset()


def is_severe(severity: str) -> bool:
    """Major problems and emergencies may skip rungs and raise an immediate alert (§5 #19, #22)."""
    return severity in ("major", "emergency")


@dataclass(frozen=True)
class Step:
    """One rung: where it sits in the tree, which body handles there, which roles act for it."""

    code: str
    level: str
    body: str
    roles: frozenset[str]
    clause: str
    categories: frozenset[str] = frozenset()
    also: tuple[str, ...] = ()
    difficulty: str | None = None
    requires_meeting: bool = False
    takes_major: bool = False

    @property
    def clauses(self) -> tuple[str, ...]:
        return (self.clause, *self.also)

    def handled_by(self, role: str, level: str) -> bool:
        return role in self.roles and level == self.level


@dataclass(frozen=True)
class Ladder:
    city: str
    track: str
    steps: tuple[Step, ...]
    mode: str
    clause: str
    major_may_skip: bool = True

    def index(self, code: str) -> int:
        for i, step in enumerate(self.steps):
            if step.code == code:
                return i
        raise AppealRuleError("step_unknown", step=code)

    def step(self, code: str) -> Step:
        return self.steps[self.index(code)]

    @property
    def bottom(self) -> Step:
        return self.steps[0]

    @property
    def top(self) -> Step:
        return self.steps[-1]

    def is_top(self, code: str) -> bool:
        return self.index(code) == len(self.steps) - 1

    def above(self, code: str) -> tuple[Step, ...]:
        """The rungs above `code`, nearest first (those that may supervise a case there)."""
        return self.steps[self.index(code) + 1 :]

    def next_up(self, code: str) -> Step | None:
        higher = self.above(code)
        return higher[0] if higher else None


@dataclass(frozen=True)
class Route:
    track: str
    step: Step
    alert: bool  # an immediate alert is due (§5 #19): major or emergency
    clause: str


@dataclass(frozen=True)
class Escalation:
    from_step: Step
    to_step: Step
    skipped: tuple[Step, ...]
    alert: bool
    reason: str
    clause: str


PolicyLookup = Callable[[str], Any]


def _value(policy: PolicyLookup, key: str, default: Any = None) -> Any:
    found = policy(key)
    return default if found is None else found.value


def _step(raw: Any) -> Step:
    """A rung from the pack value (policy.schema.LadderStep) or from a plain mapping (tests, fixtures)."""
    data: dict[str, Any] = raw if isinstance(raw, dict) else raw.model_dump()
    return Step(
        code=str(data["code"]),
        level=str(data["level"]),
        body=str(data["body"]),
        roles=frozenset(data.get("roles") or ()),
        clause=str(data["clause"]),
        categories=frozenset(data.get("categories") or ()),
        also=tuple(data.get("also") or ()),
        difficulty=data.get("difficulty"),
        requires_meeting=bool(data.get("requires_meeting", False)),
        takes_major=bool(data.get("takes_major", False)),
    )


@dataclass(frozen=True)
class CityLadders:
    city: str
    tracks: dict[str, Ladder]
    categories: tuple[str, ...]
    reclassify_steps: frozenset[str] = frozenset()

    def ladder(self, track: str) -> Ladder:
        if track not in self.tracks:
            raise AppealRuleError("track_unknown", track=track)
        return self.tracks[track]

    def entry(self, category: str) -> tuple[Ladder, Step]:
        """The track and the lowest rung whose categories include `category`."""
        if category not in self.categories:
            raise AppealRuleError("category_unknown", category=category)
        for ladder in self.tracks.values():
            for step in ladder.steps:
                if category in step.categories:
                    return ladder, step
        raise AppealRuleError("category_unrouted", category=category)

    def route(
        self,
        category: str,
        *,
        severity: str = "normal",
        difficulty: str | None = None,
        present_levels: Collection[str] | None = None,
    ) -> Route:
        """Where a new appeal goes. `present_levels`: the tree levels above the appeal's place (a community
        without compounds has no compound rung: the case starts at the next rung that exists there)."""
        if severity not in SEVERITIES:
            raise AppealRuleError("severity_unknown", severity=severity)
        ladder, step = self.entry(category)
        if difficulty is not None:
            step = max(step, triage_target(ladder, difficulty), key=lambda s: ladder.index(s.code))
        if is_severe(severity):
            step = _major_entry(ladder, step)
        step = _present(ladder, step, present_levels)
        return Route(track=ladder.track, step=step, alert=is_severe(severity), clause=step.clause)


def _major_entry(ladder: Ladder, step: Step) -> Step:
    """CZ-III.6#2: major problems and emergencies go straight to the rung that takes them."""
    for higher in ladder.steps[ladder.index(step.code) :]:
        if higher.takes_major:
            return higher
    return step


def _present(ladder: Ladder, step: Step, present_levels: Collection[str] | None) -> Step:
    if present_levels is None:
        return step
    for higher in ladder.steps[ladder.index(step.code) :]:
        if higher.level in present_levels:
            return higher
    raise AppealRuleError("no_level_here", step=step.code)


def triage_target(ladder: Ladder, difficulty: str) -> Step:
    """NB-4.6.2: simple → compound, general → community, complex → street."""
    if difficulty not in DIFFICULTIES:
        raise AppealRuleError("difficulty_unknown", difficulty=difficulty)
    for step in ladder.steps:
        if step.difficulty == difficulty:
            return step
    raise AppealRuleError("triage_not_used", clause=ladder.clause)


def escalation_target(
    ladder: Ladder,
    from_step: str,
    *,
    reason: str,
    severity: str = "normal",
    to_step: str | None = None,
) -> Escalation:
    """One rung up with the reason it cannot be resolved here; a major/emergency case may skip rungs."""
    here = ladder.step(from_step)
    if not (reason or "").strip():
        raise AppealRuleError("reason_required", clause="§5#22")
    nxt = ladder.next_up(from_step)
    if nxt is None:
        raise AppealRuleError("ladder_top_final", kind="conflict", clause=here.clause)
    target = nxt if to_step is None else ladder.step(to_step)
    if ladder.index(target.code) <= ladder.index(from_step):
        raise AppealRuleError("not_above", step=target.code)
    skipped = ladder.steps[ladder.index(nxt.code) : ladder.index(target.code)]
    if skipped and not (is_severe(severity) and ladder.major_may_skip):
        raise AppealRuleError("skip_not_allowed", kind="forbidden", clause="§5#22")
    return Escalation(
        from_step=here,
        to_step=target,
        skipped=tuple(skipped),
        alert=is_severe(severity),
        reason=reason.strip(),
        clause=target.clause,
    )


def city_ladders(policy: PolicyLookup, city: str = "") -> CityLadders:
    """The ladders in force where `policy` applies (national → city pack → local overrides)."""
    mode = _value(policy, "escalation.mode", SEQUENTIAL)
    skip = bool(_value(policy, "escalation.major_may_skip_levels", True))
    tracks: dict[str, Ladder] = {}
    for track in TRACKS:
        found = policy(f"appeals.ladder.{track}")
        if found is not None and found.value:
            steps = tuple(_step(raw) for raw in found.value)
            tracks[track] = Ladder(city, track, steps, mode, found.clause, skip)
    if not tracks:
        raise AppealRuleError("no_ladder")
    return CityLadders(
        city=city,
        tracks=tracks,
        categories=tuple(_value(policy, "appeals.categories", ())),
        reclassify_steps=frozenset(_value(policy, "appeals.triage.reclassify_steps", ())),
    )


def handler_steps(ladders: Iterable[Ladder], role: str, level: str) -> list[tuple[Ladder, Step]]:
    """The rungs a role held at a tree level acts for (a work queue's filter)."""
    return [(lad, s) for lad in ladders for s in lad.steps if s.handled_by(role, level)]
