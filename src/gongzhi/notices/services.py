"""The write path of the notification centre: leaving notices (`notify`, called by other apps' services inside
their own transaction), marking them read, and a user's channel preferences.

`notify` writes the in-app notices at once, in the caller's transaction, and hands their ids to
notices.delivery after commit (transaction.on_commit): a rolled-back transition leaves no notice and sends
nothing, and a failing email or SMS gateway never undoes or breaks the transition that caused it. `notify_many`
does the same for many notifications in a few statements (the sweep's reminders).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from gongzhi.audit.services import audit_record
from gongzhi.notices.models import Notice, Preference
from gongzhi.notices.selectors import notice_get_for


@dataclass(frozen=True)
class Subject:
    """What a notice is about and where its link goes."""

    type: str  # "<app label>.<model>", e.g. "appeals.appeal"
    id: int
    url_name: str = ""
    url_args: Sequence[Any] = field(default_factory=tuple)


def subject_of(obj: models.Model, url_name: str = "", url_args: Sequence[Any] | None = None) -> Subject:
    """The subject for a model instance; the link defaults to the object's own id as the only argument."""
    assert obj.pk is not None
    args = tuple(url_args) if url_args is not None else ((obj.pk,) if url_name else ())
    return Subject(obj._meta.label_lower, int(obj.pk), url_name, args)


def _distinct(recipients: Iterable[Any], actor: Any) -> list[Any]:
    """Each recipient once (users, or user ids), None and the actor skipped, in the order given."""
    seen: dict[int, Any] = {}
    skip = getattr(actor, "pk", None)
    for user in recipients:
        pk = user if isinstance(user, int) else getattr(user, "pk", None)
        if pk is not None and pk != skip:
            seen.setdefault(pk, user)
    return list(seen.values())


@dataclass(frozen=True)
class Notification:
    """One `notify` call, for `notify_many`: the same fields, the recipients as users or user ids."""

    recipients: Sequence[Any]
    kind: str
    subject: Subject
    message: str = ""
    params: dict[str, Any] | None = None
    actor: Any = None
    once_key: str = ""


def notify(
    recipients: Iterable[Any],
    kind: str,
    subject: Subject,
    *,
    message: str = "",
    params: dict[str, Any] | None = None,
    actor: Any = None,
    once_key: str = "",
    now: dt.datetime | None = None,
) -> list[Notice]:
    """Leave one notice per distinct recipient (None and the actor themself skipped) and deliver it after commit.

    Preconditions: called inside the transaction of the service whose change it reports (that service writes
    the audit entry); `message` is a code of notices.messages (default: `kind`), `params` plain JSON values.
    With `once_key`, a recipient who already has a notice with that key gets no second one.
    """
    one = Notification(list(recipients), kind, subject, message, params, actor, once_key)
    return notify_many([one], now=now)


def _pk(user: Any) -> int:
    return user if isinstance(user, int) else int(user.pk)


# (recipient, once key) pairs looked up per query.
ONCE_CHUNK = 1000


def _had(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (recipient id, once key) pairs among `pairs` that already have a notice.

    One probe of the (recipient, once key) unique index per pair, through a VALUES list joined on both columns:
    an IN list on each column instead would read every notice of every recipient named (PostgreSQL 15 walks the
    recipient's whole range), a cost that grows with each user's history, and with more than 100 keys it could
    not even use that partial index.
    """
    notice = Notice._meta
    qn = connection.ops.quote_name
    table, recipient, key = qn(notice.db_table), qn(notice.get_field("recipient").column), qn("once_key")
    had: set[tuple[int, str]] = set()
    ordered = sorted(pairs)
    for start in range(0, len(ordered), ONCE_CHUNK):
        chunk = ordered[start : start + ONCE_CHUNK]
        values = ", ".join(["(CAST(%s AS integer), CAST(%s AS varchar(120)))"] * len(chunk))
        sql = (
            f"SELECT n.{recipient}, n.{key} FROM {table} n JOIN (VALUES {values}) v"
            f" ON n.{recipient} = v.column1 AND n.{key} = v.column2 WHERE n.{key} <> ''"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for pair in chunk for value in pair])
            had.update((int(r), str(k)) for r, k in cursor.fetchall())
    return had


def notify_many(notifications: Iterable[Notification], *, now: dt.datetime | None = None) -> list[Notice]:
    """`notify` for many notifications at once (a sweep's reminders): the same notices, once keys checked in
    one query and written in one insert, delivered after commit in one batch per kind.

    Preconditions: as `notify`. A once key is honoured within the call too: the same key for the same
    recipient twice leaves one notice.
    """
    items = [(n, _distinct(n.recipients, n.actor)) for n in notifications]
    wanted = {(_pk(u), n.once_key) for n, users in items if n.once_key for u in users}
    had = _had(wanted) if wanted else set()
    now = now or timezone.now()
    rows: list[Notice] = []
    for n, users in items:
        for user in users:
            pk = _pk(user)
            if n.once_key:
                if (pk, n.once_key) in had:
                    continue
                had.add((pk, n.once_key))
            row = Notice(
                kind=n.kind,
                subject_type=n.subject.type,
                subject_id=n.subject.id,
                message=n.message or n.kind,
                params=n.params or {},
                url_name=n.subject.url_name,
                url_args=list(n.subject.url_args),
                once_key=n.once_key,
                created_at=now,
            )
            if isinstance(user, int):
                row.recipient_id = user
            else:
                row.recipient = user
            rows.append(row)
    if not rows:
        return []
    rows = Notice.objects.bulk_create(rows, batch_size=1000)
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        if row.pk is not None:
            by_kind.setdefault(row.kind, []).append(row.pk)
    if by_kind:
        from gongzhi.notices.delivery import deliver_after_commit

        for kind, ids in by_kind.items():
            deliver_after_commit(ids, kind)
    return rows


@transaction.atomic
def notice_mark_read(*, actor: Any, notice_id: int) -> Notice:
    """Mark one of the actor's own notices read (NotFound for anyone else's). Reading it twice changes nothing."""
    notice = notice_get_for(actor, notice_id)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        audit_record(actor=actor, action="notices.read", obj=notice, after={"read_at": notice.read_at})
    return notice


@transaction.atomic
def notices_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notice of the actor read; returns how many."""
    now = timezone.now()
    count = Notice.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=now)
    if count:
        audit_record(actor=actor, action="notices.read_all", obj=actor, after={"count": count})
    return count


@transaction.atomic
def preference_set(*, actor: Any, email: bool, sms: bool) -> Preference:
    """The actor's own choice of channels besides the in-app notice."""
    pref, _created = Preference.objects.select_for_update().get_or_create(user=actor)
    before = {"email": pref.email, "sms": pref.sms}
    pref.email, pref.sms = bool(email), bool(sms)
    pref.save()
    after = {"email": pref.email, "sms": pref.sms}
    audit_record(actor=actor, action="notices.preference_set", obj=pref, before=before, after=after)
    return pref
