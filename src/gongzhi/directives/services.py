"""The only write path for directives: the county's access list, issuing, and each receiving unit's steps
(acknowledge, split for its children, report progress, complete). Each service runs in one transaction with
its audit entry; who may call it (the issuer at their node, the unit on its assignment) is checked by the
caller through directives.selectors. The process itself is directives.rules.

A step on an assignment locks its row first (select_for_update) and re-reads its state under the lock: two
people of one unit acting at once get one success and one "already changed".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import Conflict, InvalidInput
from gongzhi.directives import rules
from gongzhi.directives.messages import refusal_message, step_refused
from gongzhi.directives.models import AccessListItem, Assignment, Attachment, Directive, ProgressReport
from gongzhi.directives.rules import ItemKind, State, Step
from gongzhi.notices.models import Notice
from gongzhi.notices.recipients import users_with_roles
from gongzhi.notices.services import notify, subject_of
from gongzhi.policy.selectors import effective_policy
from gongzhi.tree.models import Node

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Target:
    node: Node
    due_date: dt.date


# --- the access list (CZ-IV.6#2) ------------------------------------------------------------------------


@transaction.atomic
def access_item_create(
    *, actor: Any, county: Node, code: str, title: str, kind: str, basis: str = ""
) -> AccessListItem:
    """An item of the county's access list; `county` is a district (the county-level unit)."""
    if county.level != "district":
        raise InvalidInput(
            _("An access list belongs to a district (county-level unit)."), code="not_a_county"
        )
    if kind not in ItemKind.__members__.values():
        raise InvalidInput(_("Choose one of the kinds of item."), code="kind_invalid")
    if not code.strip() or not title.strip():
        raise InvalidInput(_("An item needs a number and a title."), code="text_required")
    if AccessListItem.objects.filter(county=county, code=code.strip()).exists():
        raise Conflict(_("This county's list already has an item with this number."), code="duplicate")
    item = AccessListItem.objects.create(
        county=county, code=code.strip(), title=title.strip(), kind=kind, basis=basis.strip()
    )
    after = {"code": item.code, "title": item.title, "kind": item.kind, "basis": item.basis}
    audit_record(
        actor=actor, action="directives.access_item_created", obj=item, after=after, node_path=county.path
    )
    return item


# --- issuing --------------------------------------------------------------------------------------------


def push_policy(node: Node) -> rules.PushPolicy:
    """The pack's `task_push.*` values in force on `node`, with their clauses."""
    policy = effective_policy(node)

    def get(key: str) -> tuple[Any, str]:
        found = policy.get(key)
        return (None, "") if found is None else (found.value, found.clause)

    control, control_clause = get("task_push.access_control")
    statutory, statutory_clause = get("task_push.statutory_duties_refused")
    forbidden, forbidden_clause = get("task_push.forbidden_kinds")
    assisted, assisted_clause = get("task_push.assisted_requires_staff_and_funding")
    return rules.PushPolicy(
        access_control=bool(control),
        access_clause=control_clause,
        statutory_refused=bool(statutory),
        statutory_clause=statutory_clause,
        forbidden_kinds=frozenset(forbidden or ()),
        forbidden_clause=forbidden_clause,
        assisted_needs_support=bool(assisted),
        assisted_clause=assisted_clause,
    )


def _check_push(directive: Directive, source: Node, target: Node) -> None:
    """Refuse work pushed onto a residents' committee that the county's access list does not admit."""
    if not rules.pushes_onto_residents_committee(source.level, target.level):
        return
    item = directive.access_item
    refusal = rules.push_refusal(
        push_policy(target),
        target_path=target.path,
        item=rules.Item(item.kind, item.county.path) if item is not None else None,
        staff=directive.support_staff,
        funding_fen=directive.support_funding_fen,
    )
    if refusal is not None:
        raise InvalidInput(refusal_message(refusal, target.name), code=refusal.code)


def _check_targets(source: Node, due_date: dt.date, targets: Sequence[Target]) -> None:
    if not targets:
        raise InvalidInput(_("Choose at least one unit to give the work to."), code="no_targets")
    if len({t.node.pk for t in targets}) != len(targets):
        raise InvalidInput(_("Each unit can be chosen only once."), code="duplicate_target")
    for t in targets:
        if t.due_date < timezone.localdate():
            raise InvalidInput(_("The due date has already passed."), code="due_in_past")
        if not rules.is_child(source.path, t.node.path, Node.steplen):
            raise InvalidInput(
                _("%(unit)s is not directly under %(source)s.")
                % {"unit": t.node.name, "source": source.name},
                code="not_a_child",
            )
        if rules.deadline_refusal(t.due_date, due_date):
            raise InvalidInput(
                _("The deadline for %(unit)s is later than %(due)s, the deadline it comes from.")
                % {"unit": t.node.name, "due": due_date.isoformat()},
                code="deadline_after_parent",
            )


def _check_fields(fields: dict[str, Any], due_date: dt.date) -> None:
    if not all((fields.get(k) or "").strip() for k in ("title", "content", "basis")):
        raise InvalidInput(_("A title, the content and its basis are required."), code="text_required")
    missing = rules.six_ones_missing(fields)
    if missing:
        raise InvalidInput(
            _(
                'The "six ones" are incomplete (BZ-5.1.1.3): give the project, plan, responsible leader, '
                "working group and timetable."
            ),
            code="six_ones_incomplete",
        )
    if due_date < timezone.localdate():
        raise InvalidInput(_("The due date has already passed."), code="due_in_past")
    if fields.get("support_funding_fen", 0) < 0:
        raise InvalidInput(_("Funding cannot be negative."), code="funding_negative")


@transaction.atomic
def directive_issue(
    *,
    actor: Any,
    node: Node,
    title: str,
    content: str,
    basis: str,
    due_date: dt.date,
    project: str,
    plan: str,
    responsible_leader: str,
    working_group: str,
    timetable: str,
    targets: Sequence[Target],
    access_item: AccessListItem | None = None,
    support_staff: str = "",
    support_funding_fen: int = 0,
    files: Sequence[UploadedFile] = (),
) -> Directive:
    """Issue a directive at `node` (district, street or community) to units directly under it, each with a
    deadline no later than the directive's. Work given to a residents' committee passes the access list."""
    if node.level not in rules.ISSUING_LEVELS:
        raise InvalidInput(_("Directives are issued by a district, a street or a community."), code="level")
    fields = {
        "title": title,
        "content": content,
        "basis": basis,
        "project": project,
        "plan": plan,
        "responsible_leader": responsible_leader,
        "working_group": working_group,
        "timetable": timetable,
        "support_funding_fen": support_funding_fen,
    }
    _check_fields(fields, due_date)
    _check_targets(node, due_date, targets)
    _check_files(files)
    text = {k: v.strip() for k, v in fields.items() if isinstance(v, str)}
    directive = Directive(
        node=node,
        due_date=due_date,
        access_item=access_item,
        support_staff=support_staff.strip(),
        support_funding_fen=support_funding_fen,
        issued_by=actor,
        issued_at=timezone.now(),
        **text,
    )
    for t in targets:
        _check_push(directive, node, t.node)
    directive.save()
    made = _assign(directive, None, targets, note="")
    _attach(actor, directive, None, files)
    after = {
        **text,
        "due_date": due_date,
        "access_item": access_item.pk if access_item else None,
        "support_staff": directive.support_staff,
        "support_funding_fen": support_funding_fen,
        "assignments": [{"node": a.node_id, "due_date": a.due_date} for a in made],
    }
    audit_record(actor=actor, action="directives.issued", obj=directive, after=after, node_path=node.path)
    _tell_assigned(actor, directive, made)
    return directive


@transaction.atomic
def directive_attach(*, actor: Any, directive: Directive, files: Sequence[UploadedFile]) -> Directive:
    """Add files to a directive (the plan, a form to fill in…). Only the issuing unit: whoever may issue
    directives at its node."""
    from gongzhi.access.selectors import forbidden
    from gongzhi.directives.selectors import may_issue_at

    if not may_issue_at(actor, directive.node):
        raise forbidden()
    if not files:
        raise InvalidInput(_("Choose at least one file."), code="files_required")
    _check_files(files)
    _attach(actor, directive, None, files)
    names = [(f.name or "file")[:200] for f in files]
    audit_record(
        actor=actor, action="directives.files_attached", obj=directive, after={"files": names},
        node_path=directive.node.path,
    )  # fmt: skip
    return directive


def _assign(
    directive: Directive, parent: Assignment | None, targets: Sequence[Target], note: str
) -> list[Assignment]:
    rows = [
        Assignment(
            directive=directive, node=t.node, path=t.node.path, parent=parent, due_date=t.due_date, note=note
        )
        for t in targets
    ]
    for row in rows:
        row.save()
    return rows


def _check_files(files: Sequence[UploadedFile]) -> None:
    for f in files:
        if f.size is not None and f.size > MAX_UPLOAD_BYTES:
            raise InvalidInput(_("A file may not be larger than 20 MB."), code="file_too_large")


def _attach(
    actor: Any, directive: Directive, report: ProgressReport | None, files: Sequence[UploadedFile]
) -> None:
    for f in files:
        name = (f.name or "file")[:200]
        Attachment.objects.create(directive=directive, report=report, file=f, name=name, uploaded_by=actor)


# --- the receiving unit's steps -------------------------------------------------------------------------


def _lock(assignment: Assignment, step: Step) -> Assignment:
    row = Assignment.objects.select_for_update().select_related("node", "directive").get(pk=assignment.pk)
    if not rules.step_allowed(step, row.state):
        raise Conflict(step_refused(row.get_state_display()), code="already_changed")
    return row


def _snapshot(a: Assignment) -> dict[str, Any]:
    return {"state": a.state, "percent": a.percent}


@transaction.atomic
def assignment_acknowledge(*, actor: Any, assignment: Assignment) -> Assignment:
    """The receiving unit has taken note of its assignment (received → acknowledged)."""
    row = _lock(assignment, Step.ACKNOWLEDGE)
    before = _snapshot(row)
    row.state = rules.state_after(Step.ACKNOWLEDGE, row.state)
    row.acknowledged_at = timezone.now()
    row.save(update_fields=["state", "acknowledged_at"])
    audit_record(
        actor=actor,
        action="directives.acknowledged",
        obj=row,
        before=before,
        after=_snapshot(row),
        node_path=row.path,
    )
    _tell_issuer(actor, row, "acknowledged")
    return row


@transaction.atomic
def assignment_split(
    *, actor: Any, assignment: Assignment, targets: Sequence[Target], note: str = ""
) -> list[Assignment]:
    """Pass the work on to units directly under this one, each with a deadline no later than this one's."""
    row = _lock(assignment, Step.SPLIT)
    if row.node.level not in rules.SPLITTING_LEVELS:
        raise InvalidInput(_("A compound carries out its part itself."), code="cannot_split")
    _check_targets(row.node, row.due_date, targets)
    taken = set(
        Assignment.objects.filter(directive=row.directive, node__in=[t.node for t in targets]).values_list(
            "node__name", flat=True
        )
    )
    if taken:
        raise Conflict(
            _("Already given to: %(units)s.") % {"units": "、".join(sorted(taken))}, code="already_assigned"
        )
    for t in targets:
        _check_push(row.directive, row.node, t.node)
    made = _assign(row.directive, row, targets, note.strip())
    after = {"note": note.strip(), "assignments": [{"node": a.node_id, "due_date": a.due_date} for a in made]}
    audit_record(actor=actor, action="directives.split", obj=row, after=after, node_path=row.path)
    _tell_assigned(actor, row.directive, made)
    return made


@transaction.atomic
def assignment_report(
    *, actor: Any, assignment: Assignment, percent: int, text: str, files: Sequence[UploadedFile] = ()
) -> ProgressReport:
    """A progress report (percent done, what was done, files); the assignment is then in progress."""
    row = _lock(assignment, Step.REPORT)
    if not 0 <= percent <= 100:
        raise InvalidInput(_("Give the percent done from 0 to 100."), code="percent_invalid")
    if not text.strip():
        raise InvalidInput(_("Describe the progress."), code="text_required")
    _check_files(files)
    before = _snapshot(row)
    report = ProgressReport.objects.create(
        assignment=row, percent=percent, text=text.strip(), reported_by=actor, reported_at=timezone.now()
    )
    _attach(actor, row.directive, report, files)
    row.state = rules.state_after(Step.REPORT, row.state)
    row.percent = percent
    row.save(update_fields=["state", "percent"])
    after = {**_snapshot(row), "report": report.pk, "text": report.text, "files": len(files)}
    audit_record(
        actor=actor,
        action="directives.progress_reported",
        obj=row,
        before=before,
        after=after,
        node_path=row.path,
    )
    _tell_issuer(actor, row, "progress", percent=percent)
    return report


@transaction.atomic
def assignment_complete(*, actor: Any, assignment: Assignment) -> Assignment:
    """The unit's part is done; a unit that split its work waits until every unit under it is done."""
    row = _lock(assignment, Step.COMPLETE)
    if row.children.exclude(state=State.COMPLETED).exists():
        raise Conflict(_("Units under this one have not completed their part yet."), code="children_open")
    before = _snapshot(row)
    now = timezone.now()
    row.state = rules.state_after(Step.COMPLETE, row.state)
    row.percent = 100
    row.completed_at, row.completed_on = now, timezone.localdate(now)
    row.save(update_fields=["state", "percent", "completed_at", "completed_on"])
    audit_record(
        actor=actor,
        action="directives.completed",
        obj=row,
        before=before,
        after=_snapshot(row),
        node_path=row.path,
    )
    _tell_issuer(actor, row, "completed")
    return row


# --- who hears of it (gongzhi.notices) --------------------------------------------------------------------
# The receiving unit's staff of new work; the issuer (and the unit that split the work, for a part under it)
# of every step taken on it and of a deadline missed.

# Roles that act for a unit on its assignment (access.capabilities: directive change at one's own node).
UNIT_ROLES = ("district_officer", "street_officer", "community_worker")


def unit_staff(node_path: str) -> list[Any]:
    """Who acts for the unit at `node_path`: its own officers or workers; a compound's community workers."""
    community = 3 * Node.steplen
    path = node_path if len(node_path) <= community else node_path[:community]
    return users_with_roles(UNIT_ROLES, [path])


def _params(directive: Directive, row: Assignment, **extra: Any) -> dict[str, Any]:
    return {"title": directive.title, "unit": row.node.name, "due": row.due_date.isoformat(), **extra}


def _tell_assigned(actor: Any, directive: Directive, rows: Sequence[Assignment]) -> None:
    subject = subject_of(directive, "directives:detail")
    for row in rows:
        params = _params(directive, row)
        notify(unit_staff(row.path), "directives.assigned", subject, params=params, actor=actor)


def issuers_of(row: Assignment) -> list[Any]:
    """The directive's issuer and, for a part split off by a unit, that unit's staff."""
    parent_path = row.parent.path if row.parent_id and row.parent else ""
    return [row.directive.issued_by, *(unit_staff(parent_path) if parent_path else [])]


def _tell_issuer(actor: Any, row: Assignment, event: str, *, once_key: str = "", **extra: Any) -> list[Any]:
    directive = row.directive
    return notify(
        issuers_of(row),
        f"directives.{event}",
        subject_of(directive, "directives:detail"),
        params=_params(directive, row, **extra),
        actor=actor,
        once_key=once_key,
    )


def directives_overdue_sweep(*, today: dt.date | None = None) -> int:
    """Tell the issuer once of each open assignment past its deadline (part of `gongzhi sweep`); returns how
    many were told of. One short transaction per assignment, locked with SKIP LOCKED: two sweeps at once
    share the work, and the notice's once-key keeps a second sweep from telling anyone again."""
    today = today or timezone.localdate()
    late = Assignment.objects.filter(due_date__lt=today).exclude(state=State.COMPLETED)
    keys = {pk: _overdue_key(pk, due) for pk, due in late.order_by("pk").values_list("pk", "due_date")}
    # Those already told are left out unlocked; the others are decided again under their lock.
    done = set(Notice.objects.filter(once_key__in=list(keys.values())).values_list("once_key", flat=True))
    told = 0
    for pk in [pk for pk, key in keys.items() if key not in done]:
        with transaction.atomic():
            row = (
                Assignment.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("node", "directive__issued_by", "parent")
                .filter(pk=pk)
                .exclude(state=State.COMPLETED)
                .first()
            )
            if row is None:
                continue
            if _tell_overdue(row, _overdue_key(row.pk, row.due_date)):
                told += 1
    return told


def _overdue_key(pk: int, due_date: dt.date) -> str:
    return f"directives:{pk}:overdue:{due_date.isoformat()}"


def _tell_overdue(row: Assignment, key: str) -> bool:
    if not _tell_issuer(None, row, "overdue", once_key=key):
        return False
    audit_record(actor=None, action="directives.overdue_told", obj=row, after={"due": row.due_date},
                 node_path=row.path)  # fmt: skip
    return True
