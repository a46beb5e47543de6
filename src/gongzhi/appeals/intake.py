"""Receiving appeals from programs in volume: check, store, answer; route in the background (issue 4 §1, §4).

With GONGZHI_APPEAL_INTAKE=queue, POST /api/v1/appeals checks the submission as an inline one would be checked
(who may speak for the home or the place, the category and severity on the city's ladder, anonymity allowed,
the description) and stores it as an AppealIntake, answering 202 with where to follow it. `gongzhi
appeals-intake` (a worker, or cron with --once) routes the waiting intakes in order through
appeals.cases.appeal_submit — the one submission service, so the ladder, the household check (BZ-5.2.1), the
deadline counted from the moment of receipt, the timeline, the audit entry (with the submitter as actor and
their address) and the notices are exactly those of an inline submission. A check that fails only at routing
(the pack changed in between) refuses the intake with the reason and a notice to the submitter.

The default, `inline`, routes in the request; the demo, the tests and a small deployment need no worker. The web
form and Open311 always route inline: a resident at the form sees at once where the case went.

Why a queue at all: routing reads the tree, the policy, the household's open cases and the handlers, and writes
five rows under the audit chain's lock; a hotline bridge or an app posting a burst should not wait for that, and
the request's cost stays within a small multiple of a bare insert (issue 4 §4, appeal_submit_floor_ratio).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Action, Kind, roles_allowed
from gongzhi.access.filters import home_allows
from gongzhi.access.permissions import can
from gongzhi.access.reach import reach_of
from gongzhi.accounts.models import RoleAssignment
from gongzhi.appeals import cases
from gongzhi.appeals.ladder import SEVERITIES
from gongzhi.appeals.models import AppealIntake, Channel
from gongzhi.audit.context import current_ip
from gongzhi.audit.services import audit_record
from gongzhi.core.compiled import CompiledInsert
from gongzhi.core.errors import GongzhiError
from gongzhi.notices.services import notify, subject_of
from gongzhi.policy.effective import EffectivePolicy
from gongzhi.policy.models import PolicyOverride
from gongzhi.policy.selectors import effective_policy_and_levels, local_override, policy_at
from gongzhi.tree.models import Dwelling, Node

log = logging.getLogger(__name__)

QUEUE = "queue"
BATCH = 100
MAX_DEPTH = 8  # district, street, community, compound, cluster, building, stairwell, and room to spare


def queued() -> bool:
    return getattr(settings, "GONGZHI_APPEAL_INTAKE", "inline") == QUEUE


@dataclass(frozen=True)
class _Home:
    """A dwelling with what checking a submission about it needs: its path and grids, and on each of its
    ancestors-or-self the level, the pack set there and the active policy overrides."""

    dwelling_id: int
    path: str
    stairwell_id: int
    grid_id: int | None
    micro_grid_id: int | None
    levels: frozenset[str]
    policy: EffectivePolicy
    context: str | None  # the digest of what decides the ladder check here (_CONTEXT_PART; PostgreSQL only)


# What decides whether the city's ladder takes a submission about a home, besides the submission's category,
# severity and anonymity: the levels of the home's ancestors-or-self, the packs set on them and their active
# overrides (appeals.cases.routed on policy.selectors.policy_at; the packs' contents are fixed for the life of a
# process). The database digests them in ancestor order into the home's "context": one part per ancestor and
# active override, in the same order in the window below (_home_sql) and in the aggregate of _judged_insert_sql.
_CONTEXT_PART = "concat(n.level, '|', n.policy_pack, '|', o.id, '|', o.key, '|', md5(o.value::text))"
_CONTEXT_ORDER = "n.depth, o.id"


def _own_sql(roles: int) -> str:
    # Whether a role in force on this very home lets the actor submit (a resident); in force as
    # accounts.selectors.active_roles says: started, and not ended before today (test_intake holds them equal).
    r = RoleAssignment._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {r} r WHERE r.user_id = %s AND r.dwelling_id = d.id AND r.start <= %s "
        f'AND (r."end" IS NULL OR r."end" >= %s) AND r.role IN ({", ".join(["%s"] * roles)}))'
    )


def _ancestors_sql() -> str:
    # A dwelling's path is its stairwell's, so its ancestors-or-self are the nodes whose path is a prefix of it at
    # whole steps (at most MAX_DEPTH levels); with each, its active overrides.
    d, n, o = Dwelling._meta.db_table, Node._meta.db_table, PolicyOverride._meta.db_table
    prefixes = ", ".join(f"substr(d.path, 1, {Node.steplen * k})" for k in range(1, MAX_DEPTH + 1))
    return (
        f"{d} d JOIN {n} n ON n.path IN ({prefixes}) "
        f"LEFT JOIN {o} o ON o.node_id = n.id AND o.withdrawn_at IS NULL WHERE d.id = %s"
    )


@functools.cache
def _home_sql(roles: int, with_context: bool) -> str:
    # One statement instead of four (the actor's roles, the dwelling, its ancestors' packs, their overrides): a
    # submission's check is the hot path of intake.
    context = (
        f", md5(string_agg({_CONTEXT_PART}, '/') OVER (ORDER BY {_CONTEXT_ORDER} "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))"
        if with_context
        else ", NULL"
    )
    return (
        f"SELECT d.path, d.stairwell_id, d.grid_id, d.micro_grid_id, {_own_sql(roles)}, n.id, n.path, n.level, "
        f"n.policy_pack, n.depth, o.id, o.key, o.value, o.reason{context} FROM {_ancestors_sql()}"
    )


@functools.cache
def _submitting_roles() -> tuple[str, ...]:
    # The capability table is fixed at import; read once, not on every submission.
    return tuple(sorted(roles_allowed(Kind.APPEAL, Action.CHANGE)))


def _read_home(actor: Any, dwelling_id: int) -> tuple[_Home | None, bool]:
    """The home and whether a role of the actor's on that very home allows submitting for it."""
    roles = _submitting_roles()
    today = timezone.localdate()
    with connection.cursor() as cur:
        cur.execute(_home_sql(len(roles), _judging()), [actor.pk, today, today, *roles, dwelling_id])
        rows = cur.fetchall()
    if not rows:
        return None, False
    value_field = PolicyOverride._meta.get_field("value")
    packs: dict[str, str] = {}
    overrides: dict[str, list[Any]] = {}
    for *_d, node_id, node_path, _level, pack, depth, ov_id, key, raw, reason, _context in rows:
        if pack:
            packs[node_path] = pack
        if ov_id is not None:
            value = value_field.from_db_value(raw, None, connection)  # type: ignore[attr-defined,arg-type]
            local = local_override(ov_id, node_id, depth, key, value, reason)
            if local is not None:
                overrides.setdefault(node_path, []).append(local)
    path, stairwell_id, grid_id, micro_grid_id, own = rows[0][:5]
    home = _Home(
        dwelling_id=dwelling_id,
        path=path,
        stairwell_id=stairwell_id,
        grid_id=grid_id,
        micro_grid_id=micro_grid_id,
        levels=frozenset(row[7] for row in rows),
        policy=policy_at(path, packs, overrides),
        context=rows[0][-1],
    )
    return home, bool(own)


def _home(actor: Any, dwelling_id: int) -> _Home:
    """The home `actor` may submit for; otherwise the answer an inline submission gives (not found when out
    of sight, forbidden when only visible). Staff (grid, node roles) are checked on their whole reach."""
    home, own = _read_home(actor, dwelling_id)
    allowed = home is not None and (
        own
        or home_allows(
            reach_of(actor),
            Kind.APPEAL,
            Action.CHANGE,
            dwelling_id=dwelling_id,
            path=home.path,
            grid_id=home.grid_id,
            micro_grid_id=home.micro_grid_id,
        )
    )
    if home is None or not allowed:
        access.dwelling_get_for(actor, dwelling_id)  # raises NotFound when the home is out of sight
        raise access.forbidden()
    return home


def _place(actor: Any, dwelling_id: int | None, place_id: int | None, channel: str) -> tuple[Node, Any]:
    """The node the case is about, after the same checks as appeals.cases._place_for, and (for a home
    without another place) the policy and levels there, read with it."""
    cases.check_place_given(home=dwelling_id is not None, place=place_id is not None, channel=channel)
    place = access.node_get_for(actor, place_id, name_only_ok=True) if place_id is not None else None
    if dwelling_id is None:
        assert place is not None
        if not can(actor, Kind.APPEAL, Action.CHANGE, place):
            raise access.forbidden()
        return place, None
    home = _home(actor, dwelling_id)
    if place is None:
        return Node(pk=home.stairwell_id, path=home.path), home
    cases.check_place_contains(place.path, home.path)
    return place, None


def _check_ladder(place: Node, home: _Home | None, category: str, severity: str, anonymous: bool) -> None:
    policy, levels = (home.policy, home.levels) if home is not None else effective_policy_and_levels(place)
    # The ladders read from this policy once per process (cases.context_for), as an inline submission reads them;
    # a place with no city pack is answered as a rule error there, in the user's language.
    cases.routed(policy, cases.context_for(policy).ladders, category, severity, anonymous, set(levels))


# Compiled once: storing the submission is the whole write of an intake request (issue 4 §4's ratio).
_INSERT_INTAKE: CompiledInsert[AppealIntake] = CompiledInsert(AppealIntake)


def appeal_intake_receive(
    *,
    actor: Any,
    category: str,
    description: str,
    dwelling_id: int | None = None,
    place_id: int | None = None,
    channel: str = Channel.WEB,
    on_behalf_of: str = "",
    anonymous: bool = False,
    severity: str = "normal",
    source_ip: str | None = None,
) -> AppealIntake:
    """Check a submission and store it for routing (one INSERT; nothing else is written until it is routed).

    Preconditions: those of appeals.cases.appeal_submit, checked here against the same rules so that a bad
    submission is answered now (4xx) rather than refused later. The audit entry is written when the case is
    made (appeals_intake_route), in that transaction, with this actor, the time of receipt and `source_ip`.
    """
    description = cases.checked_text(description, channel)
    received = AppealIntake(
        received_at=timezone.now(),
        recorded_by=actor,
        channel=channel,
        on_behalf_of=(on_behalf_of or "").strip()[:100],
        dwelling_id=dwelling_id,
        place_id=place_id,
        category=category,
        description=description,
        anonymous=anonymous,
        severity=severity,
        source_ip=source_ip,
        language=translation.get_language() or "",
    )
    if _judged_store(actor, received):
        return received
    place, home = _place(actor, dwelling_id, place_id, channel)
    _check_ladder(place, home, category, severity, anonymous)
    # Learnt once per context: a full check where the context is already known (staff, say) learns nothing new.
    if (
        home is not None
        and home.context is not None
        and place_id is None
        and home.context not in _JUDGED.get((category, severity, anonymous), ())
    ):
        _learn(home)
    return _INSERT_INTAKE.save(received)


# --- checked and stored in one statement (PostgreSQL) -------------------------------------------------------------
# Most submissions in volume are residents' about their own home, and the ladder check (_check_ladder) depends on
# the home only through its context (_CONTEXT_PART), which few homes do not share with many others. So each process
# remembers, for a category, severity and anonymity, the contexts where the full check has passed, and then
# checks and stores such a submission in one statement: the database inserts the row only if the actor holds a
# role in force on the home (as _home_sql's `own`) and the home's context, read in that statement, is one of
# them. Anything else (a context not yet judged here, staff acting through their reach, a place given, a home not
# found) stores nothing there and takes the full check, which reads the context with the home and, on a pass,
# teaches the process. A context is a digest of the database's current rows, so a changed pack or override
# gives a new one, which is checked afresh.
_JUDGED: dict[tuple[str, str, bool], tuple[str, ...]] = {}
_JUDGED_MAX = 256  # contexts kept per (category, severity, anonymity); the demo's tree has a few dozen in all


def _judging() -> bool:
    return connection.vendor == "postgresql"


def _learn(home: _Home) -> None:
    """Judge at once every submission the home's context takes (each category of its ladder, each severity, with
    and without anonymity), as _check_ladder would: learning them one by one left a worker checking in full a
    first submission of every category in every context."""
    assert home.context is not None
    ladders = cases.context_for(home.policy).ladders
    levels = set(home.levels)
    for category, severity, anonymous in itertools.product(ladders.categories, SEVERITIES, (False, True)):
        try:
            cases.routed(home.policy, ladders, category, severity, anonymous, levels)
        except GongzhiError:
            continue
        _judged(category, severity, anonymous, home.context)


def _judged(category: str, severity: str, anonymous: bool, context: str) -> None:
    key = (category, severity, anonymous)
    known = _JUDGED.get(key, ())
    if context not in known:
        _JUDGED[key] = (*known[-(_JUDGED_MAX - 1) :], context)  # replaced whole: safe between threads


def _judged_store(actor: Any, received: AppealIntake) -> bool:
    """Store `received` if the database finds it passes as one already judged (above); False when not stored."""
    if received.dwelling_id is None or received.place_id is not None or not _judging():
        return False
    contexts = _JUDGED.get((received.category, received.severity, received.anonymous))
    if not contexts:
        return False
    roles = _submitting_roles()
    today = timezone.localdate()
    values = _INSERT_INTAKE.prepared(received, connection)
    with connection.cursor() as cur:
        cur.execute(
            _judged_insert_sql(len(roles)),
            [actor.pk, today, today, *roles, received.dwelling_id, *values, list(contexts)],
        )
        (pk,) = cur.fetchone()
    if pk is None:
        return False
    _INSERT_INTAKE.saved(received, pk)
    return True


@functools.cache
def _judged_insert_sql(roles: int) -> str:
    columns = _INSERT_INTAKE.columns(connection)
    names = ", ".join(name for name, _cast in columns)
    values = ", ".join(f"CAST(%s AS {cast})" for _name, cast in columns)
    table = connection.ops.quote_name(AppealIntake._meta.db_table)
    return (
        f"WITH home AS (SELECT {_own_sql(roles)} AS own, "
        f"md5(string_agg({_CONTEXT_PART}, '/' ORDER BY {_CONTEXT_ORDER})) AS context "
        f"FROM {_ancestors_sql()} GROUP BY d.id), "
        f"stored AS (INSERT INTO {table} ({names}) SELECT {values} FROM home "
        "WHERE home.own AND home.context = ANY(CAST(%s AS text[])) RETURNING id) "
        "SELECT (SELECT id FROM stored)"
    )


def intake_get_for(user: Any, intake_id: int) -> AppealIntake:
    """An intake, for the one who submitted it (anyone else: not found)."""
    intake = AppealIntake.objects.filter(pk=intake_id, recorded_by_id=getattr(user, "pk", None)).first()
    if intake is None:
        raise access.not_found()
    return intake


# --- routing (the worker) ---------------------------------------------------------------------------------------


@dataclass
class IntakeResult:
    routed: int = 0
    merged: int = 0
    refused: int = 0
    ids: list[int] = field(default_factory=list)


def appeals_intake_route(*, limit: int = BATCH) -> IntakeResult:
    """Route up to `limit` waiting intakes, oldest first, in one transaction; each in its own savepoint.

    Two workers at once share the queue: the rows are claimed with SKIP LOCKED, so none is routed twice. A
    submission the rules now refuse is marked refused with the reason, in the submitter's language, and the
    submitter is told through the notification centre.
    """
    result = IntakeResult()
    with transaction.atomic():
        rows = list(
            AppealIntake.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=AppealIntake.State.WAITING)
            .select_related("recorded_by", "dwelling", "place")
            .order_by("pk")[:limit]
        )
        cases.lock_households(
            dwelling_ids=[r.dwelling_id for r in rows if r.dwelling_id is not None],
            user_ids=[r.recorded_by_id for r in rows if r.dwelling_id is None],
        )
        for row in rows:
            _route_one(row, result)
            result.ids.append(row.pk)
    return result


def _route_one(row: AppealIntake, result: IntakeResult) -> None:
    now = timezone.now()
    ip = current_ip.set(row.source_ip)
    try:
        with transaction.atomic():
            done = cases.appeal_submit(
                actor=row.recorded_by,
                category=row.category,
                description=row.description,
                dwelling=row.dwelling,
                place=row.place,
                channel=row.channel,
                on_behalf_of=row.on_behalf_of,
                anonymous=row.anonymous,
                severity=row.severity,
                received_at=row.received_at,
            )
    except GongzhiError as exc:
        _refuse(row, exc, now)
        result.refused += 1
        return
    finally:
        current_ip.reset(ip)
    row.state, row.appeal, row.merged, row.routed_at = (
        AppealIntake.State.ROUTED,
        done.appeal,
        done.merged,
        now,
    )
    row.save(update_fields=["state", "appeal", "merged", "routed_at"])
    result.routed += 1
    result.merged += int(done.merged)


def _refuse(row: AppealIntake, exc: GongzhiError, now: dt.datetime) -> None:
    with translation.override(row.language or settings.LANGUAGE_CODE):
        reason = str(exc.message)
    row.state, row.refusal, row.refusal_code, row.routed_at = (
        AppealIntake.State.REFUSED,
        reason[:500],
        exc.code,
        now,
    )
    row.save(update_fields=["state", "refusal", "refusal_code", "routed_at"])
    audit_record(actor=None, action="appeals.intake_refused", obj=row, after={"code": exc.code})
    notify([row.recorded_by], "appeals.intake_refused", subject_of(row), params={"id": row.pk, "reason": reason[:500]},
           now=now)  # fmt: skip
    log.info("appeal intake %s refused: %s", row.pk, exc.code)
