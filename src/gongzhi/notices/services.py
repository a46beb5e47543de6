"""The write path of the notification centre: leaving notices (`notify`, called by other apps' services inside
their own transaction), marking them read, and a user's channel preferences.

`notify` writes the in-app notices at once, in the caller's transaction, and hands their ids to
notices.delivery after commit (transaction.on_commit): a rolled-back transition leaves no notice and sends
nothing, and a failing email or SMS gateway never undoes or breaks the transition that caused it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
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
    seen: dict[int, Any] = {}
    skip = getattr(actor, "pk", None)
    for user in recipients:
        if user is not None and user.pk is not None and user.pk != skip:
            seen.setdefault(user.pk, user)
    return list(seen.values())


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
    users = _distinct(recipients, actor)
    if once_key and users:
        had = set(
            Notice.objects.filter(once_key=once_key, recipient__in=users).values_list(
                "recipient_id", flat=True
            )
        )
        users = [u for u in users if u.pk not in had]
    if not users:
        return []
    now = now or timezone.now()
    rows = Notice.objects.bulk_create(
        [
            Notice(
                recipient=u,
                kind=kind,
                subject_type=subject.type,
                subject_id=subject.id,
                message=message or kind,
                params=params or {},
                url_name=subject.url_name,
                url_args=list(subject.url_args),
                once_key=once_key,
                created_at=now,
            )
            for u in users
        ]
    )
    ids = [r.pk for r in rows if r.pk is not None]
    if ids:
        from gongzhi.notices.delivery import deliver_after_commit

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
