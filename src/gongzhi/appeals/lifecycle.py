"""The appeal case lifecycle, declared once as data, and the pure function that applies it. No Django import.

Issue 4 §1 with catalogue CZ-IV.1#2 (discover → push → handle → coordinate → supervise → feedback), BZ-3.1 and
BZ-5.2.* (level by level, a real attempt at each), NB-4.6.2 with §5 #23 (triage), §5 #22 (no automatic
escalation), §5 #27 (5-point rating). States:

    submitted ──accept──▶ in_progress ──resolve──▶ resolved ──confirm──▶ closed
        ▲  │                 │  ▲ │                  │ │ └─close_no_response (7 days, system)──▶ closed_no_response
        │  └─transfer (same level, another body)       │ └─reopen (once per level)──▶ in_progress
        │                    │  └─request_info ⇄ provide_info (awaiting_info)
        └──escalate (one rung up, reason; major/emergency may skip) ◀── request_escalation (submitter)
    any open state ──merge (same household)──▶ merged

Who acts is a *capacity* derived from the actor's role and the tree level it is held at: `handler` (a role of
the case's current rung, held at that rung's level), `supervisor` (a role of any rung above, at its level),
`submitter` and `system` (pass those strings as `actor_role`; the caller decides that the user is the case's
submitter, and `system` is the sweep).

Entry points for the appeal services, pages and API:
- `TRANSITIONS`: the declaration (sources, target, capacities, fields to record, clause) — the UI's buttons.
- `allowed_transitions(state, actor_role, actor_level, case, now=None)` → names the actor may apply now.
- `apply(transition, case, actor_role=, actor_level=, now=, data=)` → `Applied` (new `Case` snapshot, the
  validated record to store on the timeline, alert flag, rungs moved between), or raises `AppealRuleError`
  with a stable code ("wrong_state" 409, "not_allowed" 403, "field_required" 400, …).
- `case_rules(policy)`: reopen limit, rating scale, confirmation window from the pack.
- `find_duplicate`, `linked_groups`, `households_speaking`: one household speaks once (BZ-5.2.1); many
  households' cases are linked into one problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.ladder import TRIAGE, Ladder, Step, escalation_target, is_severe, triage_target


class State(StrEnum):
    SUBMITTED = "submitted"  # routed to a rung, waiting for a handler there to accept it
    IN_PROGRESS = "in_progress"
    AWAITING_INFO = "awaiting_info"  # the handler asked the submitter for information
    RESOLVED = "resolved"  # written resolution; waiting for the submitter to confirm and rate
    CLOSED = "closed"
    CLOSED_NO_RESPONSE = "closed_no_response"  # counted apart from ratings (§5 #27)
    MERGED = "merged"  # a duplicate from the same household, merged into another case


OPEN_STATES = frozenset({State.SUBMITTED, State.IN_PROGRESS, State.AWAITING_INFO})
FINAL_STATES = frozenset({State.CLOSED, State.CLOSED_NO_RESPONSE, State.MERGED})

HANDLER = "handler"
SUPERVISOR = "supervisor"
SUBMITTER = "submitter"
SYSTEM = "system"


@dataclass(frozen=True)
class CaseRules:
    """The pack values the lifecycle needs (national §5 defaults unless a city says otherwise)."""

    reopen_max: int = 1
    rating_max: int = 5
    satisfied_min: int = 4
    confirmation_days: int = 7
    reclassify_steps: frozenset[str] = frozenset()


def case_rules(policy: Callable[[str], Any]) -> CaseRules:
    def value(key: str, default: Any) -> Any:
        found = policy(key)
        return default if found is None else found.value

    return CaseRules(
        reopen_max=value("appeals.reopen.max_per_level", 1),
        rating_max=value("appeals.rating.scale_max", 5),
        satisfied_min=value("appeals.rating.satisfied_min", 4),
        confirmation_days=value("appeals.confirmation_days", 7),
        reclassify_steps=frozenset(value("appeals.triage.reclassify_steps", ())),
    )


@dataclass(frozen=True)
class Case:
    """What the rules need to know about one case (the appeal model maps onto it)."""

    ladder: Ladder
    state: State
    step: str
    id: Hashable | None = None
    household: Hashable | None = None
    severity: str = "normal"
    difficulty: str | None = None
    accepted_steps: frozenset[str] = frozenset()  # rungs where a handler accepted it (a real attempt)
    meeting_steps: frozenset[str] = frozenset()  # rungs where a meeting was convened on it
    reopened: tuple[str, ...] = ()  # one rung code per reopening
    resolved_at: dt.datetime | None = None
    supervision_due: dt.date | None = None
    rules: CaseRules = field(default_factory=CaseRules)

    @property
    def current(self) -> Step:
        return self.ladder.step(self.step)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[State]
    target: State | None  # None: the state does not change (a note, a meeting, supervision, a link)
    by: frozenset[str]  # capacities
    records: tuple[str, ...]  # fields that must be given, non-empty
    optional: tuple[str, ...]
    clause: str


def _t(
    name: str,
    sources: Iterable[State],
    target: State | None,
    by: Iterable[str],
    records: tuple[str, ...] = (),
    optional: tuple[str, ...] = (),
    clause: str = "CZ-IV.1#2",
) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(by), records, optional, clause)


S = State
_HANDLING = (S.SUBMITTED, S.IN_PROGRESS)
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t("accept", [S.SUBMITTED], S.IN_PROGRESS, [HANDLER]),
        _t("triage", _HANDLING, None, [HANDLER], ("difficulty",), ("reason",), "NB-4.6.2"),
        _t("record_progress", [S.IN_PROGRESS, S.AWAITING_INFO], None, [HANDLER], ("note",)),
        _t("request_info", [S.IN_PROGRESS], S.AWAITING_INFO, [HANDLER], ("question",)),
        _t("provide_info", [S.AWAITING_INFO], S.IN_PROGRESS, [SUBMITTER], ("answer",)),
        _t("transfer", _HANDLING, S.SUBMITTED, [HANDLER], ("to_unit", "to_level", "reason")),
        _t("convene_meeting", [S.IN_PROGRESS], None, [HANDLER], ("deliberation",), ("topic",), "BZ-5.2.3(d)"),
        _t("resolve", [S.IN_PROGRESS], S.RESOLVED, [HANDLER], ("resolution",)),
        _t("escalate", _HANDLING, S.SUBMITTED, [HANDLER], ("reason",), ("to_step",), "BZ-3.1"),
        _t("supervise", OPEN_STATES, None, [SUPERVISOR], ("due",), ("note",), "BZ-7.2"),
        _t("confirm", [S.RESOLVED], S.CLOSED, [SUBMITTER], ("rating",), ("comment",), "§5#27"),
        _t("reopen", [S.RESOLVED], S.IN_PROGRESS, [SUBMITTER], ("reason",), ("rating",), "§5#27"),
        _t("request_escalation", [S.RESOLVED], S.SUBMITTED, [SUBMITTER], ("reason",), ("rating",), "BZ-3.1"),
        _t("close_no_response", [S.RESOLVED], S.CLOSED_NO_RESPONSE, [SYSTEM], (), (), "§5#27"),
        _t("merge", OPEN_STATES, S.MERGED, [HANDLER], ("into_case", "into_household"), (), "BZ-5.2.1"),
        _t("link", OPEN_STATES, None, [HANDLER], ("with_case", "with_household"), (), "BZ-5.2.4.1(b)"),
    )
}


@dataclass(frozen=True)
class Applied:
    case: Case
    transition: str
    record: dict[str, Any]  # the validated fields to store on the case's timeline
    from_step: str
    to_step: str
    alert: bool = False  # an immediate alert is due (§5 #19)
    clause: str = ""


# --- who may act ------------------------------------------------------------------------------------------


def capacities(case: Case, actor_role: str, actor_level: str) -> frozenset[str]:
    if actor_role in (SUBMITTER, SYSTEM):
        return frozenset({actor_role})
    out: set[str] = set()
    if case.current.handled_by(actor_role, actor_level):
        out.add(HANDLER)
    if any(s.handled_by(actor_role, actor_level) for s in case.ladder.above(case.step)):
        out.add(SUPERVISOR)
    return frozenset(out)


def allowed_transitions(
    state: State | str, actor_role: str, actor_level: str, case: Case, *, now: dt.datetime | None = None
) -> list[str]:
    """Transitions `actor_role` held at `actor_level` may apply to `case` in `state` (normally case.state).

    Guards that need the submitted data (a reason, a rating) are checked by `apply`; guards on the case itself
    (the top is final, one reopening per rung, triage only where the pack triages, the 7-day window when
    `now` is given) are applied here too, so the UI shows only buttons that can work.
    """
    case = replace(case, state=State(state))
    caps = capacities(case, actor_role, actor_level)
    return [
        name
        for name, spec in TRANSITIONS.items()
        if case.state in spec.sources and caps & spec.by and _case_guard(name, case, now) is None
    ]


# --- guards on the case alone -----------------------------------------------------------------------------


def _guard_triage(case: Case, now: dt.datetime | None) -> AppealRuleError | None:
    if case.ladder.mode != TRIAGE:
        return AppealRuleError("triage_not_used", clause=case.ladder.clause)
    if case.difficulty is not None and case.step not in case.rules.reclassify_steps:
        return AppealRuleError("reclassify_not_allowed", kind="forbidden", clause="§5#23")
    return None


def _guard_accept(case: Case, now: dt.datetime | None) -> AppealRuleError | None:
    # NB-4.6.2 with §5 #23: where the pack triages, the first handler classifies instead of plainly accepting.
    if case.ladder.mode == TRIAGE and case.difficulty is None:
        return AppealRuleError("triage_first", kind="conflict", clause="§5#23")
    return None


def _guard_escalate(case: Case, now: dt.datetime | None) -> AppealRuleError | None:
    if case.ladder.is_top(case.step):
        return AppealRuleError("ladder_top_final", kind="conflict", clause=case.current.clause)
    if is_severe(case.severity):
        return None  # major/emergency: no attempt needed first (§5 #19, #22)
    if _guard_accept(case, now) is not None:
        return _guard_accept(case, now)
    if case.state == State.SUBMITTED or case.step not in case.accepted_steps:
        return AppealRuleError("not_attempted", kind="conflict", clause="§5#22")
    if case.current.requires_meeting and case.step not in case.meeting_steps:
        return AppealRuleError("meeting_required", kind="conflict", clause=case.current.clause)
    return None


def _guard_reopen(case: Case, now: dt.datetime | None) -> AppealRuleError | None:
    if case.reopened.count(case.step) >= case.rules.reopen_max:
        return AppealRuleError("reopen_used", kind="conflict", clause="§5#27")
    return None


def _guard_request_escalation(case: Case, now: dt.datetime | None) -> AppealRuleError | None:
    if case.ladder.is_top(case.step):
        return AppealRuleError("ladder_top_final", kind="conflict", clause=case.current.clause)
    return None


def _guard_no_response(case: Case, now: dt.datetime | None) -> AppealRuleError | None:
    if now is None or case.resolved_at is None:
        return None
    if now < case.resolved_at + dt.timedelta(days=case.rules.confirmation_days):
        return AppealRuleError("confirmation_window_open", kind="conflict", clause="§5#27")
    return None


_CASE_GUARDS: dict[str, Callable[[Case, dt.datetime | None], AppealRuleError | None]] = {
    "accept": _guard_accept,
    "triage": _guard_triage,
    "escalate": _guard_escalate,
    "reopen": _guard_reopen,
    "request_escalation": _guard_request_escalation,
    "close_no_response": _guard_no_response,
}


def _case_guard(name: str, case: Case, now: dt.datetime | None) -> AppealRuleError | None:
    guard = _CASE_GUARDS.get(name)
    return guard(case, now) if guard else None


# --- applying ---------------------------------------------------------------------------------------------


def apply(
    transition: str,
    case: Case,
    *,
    actor_role: str,
    actor_level: str = "",
    now: dt.datetime,
    data: Mapping[str, Any] | None = None,
) -> Applied:
    """Check and apply one transition; return the new snapshot and what to record, or raise AppealRuleError."""
    spec = TRANSITIONS.get(transition)
    if spec is None:
        raise AppealRuleError("transition_unknown", transition=transition)
    if case.state not in spec.sources:
        raise AppealRuleError("wrong_state", kind="conflict", state=str(case.state), transition=transition)
    if not capacities(case, actor_role, actor_level) & spec.by:
        raise AppealRuleError("not_allowed", kind="forbidden", transition=transition)
    if now.tzinfo is None:
        raise AppealRuleError("naive_datetime")
    record = _record(spec, data or {})
    error = _case_guard(transition, case, now if transition == "close_no_response" else None)
    if error is not None:
        raise error
    return _EFFECTS[transition](case, record, now)


def _record(spec: Transition, data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(spec.records) - set(spec.optional)
    if unknown:
        raise AppealRuleError("field_unknown", field=sorted(unknown)[0])
    out: dict[str, Any] = {}
    for name in spec.records:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise AppealRuleError("field_required", field=name, clause=spec.clause)
        out[name] = value.strip() if isinstance(value, str) else value
    for name in spec.optional:
        if data.get(name) not in (None, ""):
            out[name] = data[name].strip() if isinstance(data[name], str) else data[name]
    return out


def _moved(case: Case, transition: str, record: dict[str, Any], **changes: Any) -> Applied:
    new = replace(case, **changes)
    return Applied(new, transition, record, case.step, new.step, clause=TRANSITIONS[transition].clause)


def _stay(case: Case, transition: str, record: dict[str, Any], **changes: Any) -> Applied:
    target = TRANSITIONS[transition].target
    return _moved(case, transition, record, state=target or case.state, **changes)


def _accept(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    return _stay(case, "accept", record, accepted_steps=case.accepted_steps | {case.step})


def _triage(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    if case.difficulty is not None and "reason" not in record:
        raise AppealRuleError("field_required", field="reason", clause="§5#23")
    target = triage_target(case.ladder, record["difficulty"])
    if target.code == case.step:  # it stays here: triaging is handling it
        return _moved(
            case,
            "triage",
            record,
            state=State.IN_PROGRESS,
            difficulty=record["difficulty"],
            accepted_steps=case.accepted_steps | {case.step},
        )
    return _moved(
        case, "triage", record, state=State.SUBMITTED, step=target.code, difficulty=record["difficulty"]
    )


def _transfer(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    if record["to_level"] != case.current.level:
        raise AppealRuleError("transfer_not_sideways", level=case.current.level)
    return _stay(case, "transfer", record)


def _meeting(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    return _stay(case, "convene_meeting", record, meeting_steps=case.meeting_steps | {case.step})


def _resolve(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    return _stay(case, "resolve", record, resolved_at=now)


def _escalate(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    esc = escalation_target(
        case.ladder, case.step, reason=record["reason"], severity=case.severity, to_step=record.get("to_step")
    )
    record = {**record, "to_step": esc.to_step.code, "skipped": [s.code for s in esc.skipped]}
    applied = _moved(case, "escalate", record, state=State.SUBMITTED, step=esc.to_step.code)
    return replace(applied, alert=esc.alert, clause=esc.clause)


def _supervise(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    due = record["due"]
    if not isinstance(due, dt.date) or isinstance(due, dt.datetime):
        raise AppealRuleError("due_invalid")
    if due <= now.date():
        raise AppealRuleError("due_in_past")
    return _stay(case, "supervise", record, supervision_due=due)


def _rating(case: Case, raw: Any) -> int:
    if type(raw) is not int or not 1 <= raw <= case.rules.rating_max:
        raise AppealRuleError("rating_invalid", clause="§5#27", max=case.rules.rating_max)
    return raw


def _dissatisfied(case: Case, record: dict[str, Any]) -> None:
    if "rating" in record and _rating(case, record["rating"]) >= case.rules.satisfied_min:
        raise AppealRuleError("rating_says_satisfied", clause="§5#27")


def _confirm(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    _rating(case, record["rating"])
    return _stay(case, "confirm", record)


def _reopen(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    _dissatisfied(case, record)
    return _stay(case, "reopen", record, reopened=(*case.reopened, case.step), resolved_at=None)


def _request_escalation(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    _dissatisfied(case, record)
    esc = escalation_target(case.ladder, case.step, reason=record["reason"])  # never skips
    applied = _moved(
        case, "request_escalation", record, state=State.SUBMITTED, step=esc.to_step.code, resolved_at=None
    )
    return replace(applied, clause=esc.clause)


def _merge(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    if record["into_case"] == case.id:
        raise AppealRuleError("merge_self")
    if case.household is None or record["into_household"] != case.household:
        raise AppealRuleError("merge_other_household", clause="BZ-5.2.1")
    return _stay(case, "merge", record)


def _link(case: Case, record: dict[str, Any], now: dt.datetime) -> Applied:
    if record["with_case"] == case.id:
        raise AppealRuleError("link_self")
    if case.household is not None and record["with_household"] == case.household:
        raise AppealRuleError("link_same_household", clause="BZ-5.2.1")
    return _stay(case, "link", record)


def _plain(name: str) -> Callable[[Case, dict[str, Any], dt.datetime], Applied]:
    return lambda case, record, now: _stay(case, name, record)


_EFFECTS: dict[str, Callable[[Case, dict[str, Any], dt.datetime], Applied]] = {
    "accept": _accept,
    "triage": _triage,
    "record_progress": _plain("record_progress"),
    "request_info": _plain("request_info"),
    "provide_info": _plain("provide_info"),
    "transfer": _transfer,
    "convene_meeting": _meeting,
    "resolve": _resolve,
    "escalate": _escalate,
    "supervise": _supervise,
    "confirm": _confirm,
    "reopen": _reopen,
    "request_escalation": _request_escalation,
    "close_no_response": _plain("close_no_response"),
    "merge": _merge,
    "link": _link,
}


# --- one household speaks once; many households' cases linked ----------------------------------------------


@dataclass(frozen=True)
class CaseKey:
    id: Hashable
    household: Hashable
    category: str
    place: Hashable


def find_duplicate(new: CaseKey, open_cases: Iterable[CaseKey]) -> CaseKey | None:
    """An open case of the same household about the same category and place (BZ-5.2.1: one voice per
    household); the service merges the new submission into it."""
    for other in open_cases:
        same = (other.household, other.category, other.place) == (new.household, new.category, new.place)
        if same and other.id != new.id:
            return other
    return None


def linked_groups(
    ids: Iterable[Hashable], links: Iterable[tuple[Hashable, Hashable]]
) -> list[frozenset[Any]]:
    """Cases joined by links, as groups (every id in exactly one group; links are symmetric and transitive)."""
    parent: dict[Hashable, Hashable] = {i: i for i in ids}

    def root(x: Hashable) -> Hashable:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[Hashable, set[Hashable]] = {}
    for x in list(parent):
        groups.setdefault(root(x), set()).add(x)
    return [frozenset(g) for g in groups.values()]


def households_speaking(group: Iterable[Hashable], household_of: Mapping[Hashable, Hashable]) -> int:
    """How many households a linked problem speaks for: each household counts once (BZ-5.2.1)."""
    return len({household_of[i] for i in group})
