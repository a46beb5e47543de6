"""Appeals as GeoReport service requests (issue 4 §3): two views of a case, never a private name.

- `full` (an api_key whose user sees the case, appeals.selectors.appeals_visible_to): what the appeal API
  and the case page show that person — description, the latest timeline line as status_notes, the handling
  body and node, the place's path names, the first photo.
- `public` (no api_key): only what the compound/community board shows (appeals.selectors.board,
  BZ-5.2.2(a)): category, open/closed and dates; the state's label as status_notes, the handling body by its
  role-level name, the address cut at the compound or resident group. No description, no resolution text,
  no home, no photo, no timeline line (those may name or point at people).

Neither view ever names the submitter, a recorder or a handler: handlers appear by body or role only, as in
appeals.presentation. Times are ISO 8601 in Asia/Shanghai (+08:00); a due date is expected by the end of
that day. The tree has no coordinates, so lat/long are empty.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.ladder import CityLadders, city_ladders
from gongzhi.appeals.lifecycle import FINAL_STATES
from gongzhi.appeals.models import Appeal, AppealEvent, AppealPhoto
from gongzhi.appeals.presentation import (
    TRANSITION_LABELS,
    actor_label,
    body_label,
    category_label,
    state_label,
)
from gongzhi.policy.packs import pack_policy
from gongzhi.tree.levels import Level
from gongzhi.tree.models import Node

OVERDUE = _("overdue")
UNOFFICIAL = _("deadline counted Monday to Friday: the calendar is not yet official")
# The board shows cases of a compound or community: a public address stops there.
PUBLIC_LEVELS = frozenset(
    {Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.COMPOUND, Level.RESIDENT_GROUP}
)
DAY_END = dt.time(23, 59, 59)
# Timeline events that are not lifecycle transitions (appeals.cases writes them on submitting).
EVENT_LABELS = {
    "submit": _("Submitted"),
    "duplicate_merged": _("The household spoke again on the same matter"),
}


def status_of(appeal: Appeal) -> str:
    """open until confirmed, closed without answer, or merged; a resolved case awaits the submitter: open."""
    return "closed" if appeal.state in FINAL_STATES else "open"


def iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def expected(due: dt.date | None) -> str | None:
    if due is None:
        return None
    return iso(dt.datetime.combine(due, DAY_END, tzinfo=timezone.get_current_timezone()))


@functools.cache
def _ladders(city: str) -> CityLadders | None:
    try:
        return city_ladders(pack_policy(city), city)
    except AppealRuleError:
        return None


def body_of(appeal: Appeal) -> str:
    """The handling body of the case's rung, from its city's pack (a role-level name, never a person)."""
    ladders = _ladders(appeal.city)
    try:
        step = ladders.ladder(appeal.track).step(appeal.step) if ladders else None
    except AppealRuleError:
        step = None
    return str(body_label(step.body)) if step else ""


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(Node.steplen, len(path) + 1, Node.steplen)]


class RequestMapper:
    """Maps many appeals with a fixed number of queries (the place's ancestors, latest events, photos)."""

    def __init__(self, appeals: Iterable[Appeal], *, full: bool, request: HttpRequest) -> None:
        self.appeals = list(appeals)
        self.full = full
        self.request = request
        paths = {p for a in self.appeals for p in _prefixes(a.path)}
        self.nodes = {n.path: n for n in Node.objects.filter(path__in=paths).only("path", "name", "level")}
        ids = [a.pk for a in self.appeals]
        self.latest: dict[int, AppealEvent] = {}
        self.photos: dict[int, AppealPhoto] = {}
        if full and ids:
            for e in AppealEvent.objects.filter(appeal_id__in=ids).order_by("appeal_id", "-at", "-pk"):
                self.latest.setdefault(e.appeal_id, e)
            for p in AppealPhoto.objects.filter(appeal_id__in=ids).order_by("appeal_id", "pk"):
                self.photos.setdefault(p.appeal_id, p)

    def records(self) -> list[dict[str, Any]]:
        return [self.record(a) for a in self.appeals]

    def record(self, appeal: Appeal) -> dict[str, Any]:
        """One request, fields in the spec's order."""
        return {
            "service_request_id": str(appeal.pk),
            "status": status_of(appeal),
            "status_notes": self._notes(appeal),
            "service_name": str(category_label(appeal.category)),
            "service_code": appeal.category,
            "description": appeal.description if self.full else None,
            "agency_responsible": self._agency(appeal),
            "service_notice": self._notice(appeal),
            "requested_datetime": iso(appeal.created_at),
            "updated_datetime": iso(appeal.updated_at),
            "expected_datetime": expected(appeal.due_date) if status_of(appeal) == "open" else None,
            "address": self._address(appeal),
            "address_id": f"n{appeal.place_id}" if self.full else None,
            "zipcode": None,
            "lat": None,
            "long": None,
            "media_url": self._media(appeal),
        }

    def _notes(self, appeal: Appeal) -> str:
        state = str(state_label(appeal.state))
        event = self.latest.get(appeal.pk)
        if not self.full or event is None:
            return state
        name = event.transition
        label = TRANSITION_LABELS.get(name) or EVENT_LABELS.get(name) or name
        said = [str(v) for k, v in event.record.items() if k != "channel" and v not in (None, "")]
        return " · ".join([str(label), str(actor_label(event.actor_role)), *said])

    def _agency(self, appeal: Appeal) -> str:
        parts = [body_of(appeal)]
        if self.full:
            node = appeal.handling_node
            parts += [node.name if node else "", appeal.handling_unit]
        return " · ".join(p for p in parts if p)

    def _notice(self, appeal: Appeal) -> str:
        if status_of(appeal) != "open":
            return ""
        notes = [str(OVERDUE)] if appeal.overdue else []
        if appeal.due_date and not appeal.calendar_official:
            notes.append(str(UNOFFICIAL))
        return "; ".join(notes)

    def _address(self, appeal: Appeal) -> str:
        names = []
        for prefix in _prefixes(appeal.path):
            node = self.nodes.get(prefix)
            if node is None or (not self.full and node.level not in PUBLIC_LEVELS):
                continue
            names.append(node.name)
        return " ".join(names)

    def _media(self, appeal: Appeal) -> str | None:
        photo = self.photos.get(appeal.pk)
        return self.request.build_absolute_uri(photo.file.url) if photo else None
