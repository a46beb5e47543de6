"""POST requests: a GeoReport request read into the appeals app's own submission (issue 4 §3).

The key's user submits through appeals.cases.appeal_submit, the same service the pages and the API use, so
routing, the household merge (BZ-5.2.1), the photo and description checks, notifications and the audit
entry all apply, in its one transaction. Everything Open311-specific is checked before it runs, so a refused
request writes nothing.

- `address_id` is required: `d<id>` (or a bare number) is a dwelling id — the key's user speaks for that
  home (channel web, as on the form: they are the submitter); `n<id>` is a tree node id — a case raised on
  patrol there by a grid worker or building leader (channel patrol, they are its recorder). `lat`/`long` or
  `address_string` alone are refused: there is no geocoder.
- `media_url` is never fetched: a http(s) URL is recorded at the end of the description, for the handler.
- `attribute[severity]` (normal, major, emergency) and `attribute[anonymous]` (true/false) as the service
  definition lists them; any other attribute is refused.
- `email`, `first_name`, `last_name`, `phone`, `device_id`, `account_id` are ignored and never stored: the
  submitter is the key's user, whose details the platform already holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from gongzhi.access import selectors as access
from gongzhi.appeals import cases
from gongzhi.appeals.ladder import SEVERITIES
from gongzhi.appeals.models import Channel
from gongzhi.core.errors import GongzhiError
from gongzhi.open311 import selectors
from gongzhi.open311.errors import Open311Error
from gongzhi.open311.mapping import body_of, expected

ADDRESS_ID = re.compile(r"^(?P<kind>[dn]?)(?P<id>\d{1,12})$")
MEDIA_URL_MAX = 500
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")
ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\]]*)\]$")

NO_SERVICE_CODE = _("service_code is required.")
NO_ADDRESS = _("address_id is required: the id of your home (d123) or of a place in the tree (n45).")
NO_GEOCODER = _("Locations by lat/long or address_string are not accepted: give address_id (d123 or n45).")
BAD_ADDRESS = _("address_id must be d followed by a home's id, or n followed by a place's id.")
OUTSIDE = _("address_id is not inside jurisdiction_id.")
BAD_SERVICE = _("Unknown service_code: it is not offered at this place.")
BAD_MEDIA = _("media_url must be an http or https address of at most 500 characters.")
BAD_ATTRIBUTE = _("Unknown attribute: see the service definition.")
BAD_SEVERITY = _("attribute[severity] must be normal, major or emergency.")
BAD_ANONYMOUS = _("attribute[anonymous] must be true or false.")
MERGED = _("Your household already has an open request on this matter here: this joined request {id}.")
ROUTED = _("Received; handled first by: {body}.")
ROUTED_DUE = _("Received; handled first by: {body}, expected by {due}.")


@dataclass(frozen=True)
class Place:
    dwelling: Any
    node: Any

    @property
    def node_or_home(self) -> Any:
        return self.node if self.node is not None else self.dwelling.stairwell


def _place(user: Any, data: Mapping[str, str]) -> Place:
    raw = (data.get("address_id") or "").strip()
    if not raw:
        located = any((data.get(k) or "").strip() for k in ("lat", "long", "address_string"))
        raise Open311Error(400, NO_GEOCODER if located else NO_ADDRESS, "address_required")
    match = ADDRESS_ID.match(raw)
    if match is None:
        raise Open311Error(400, BAD_ADDRESS, "address_invalid")
    pk = int(match["id"])
    try:
        if match["kind"] == "n":
            return Place(None, access.node_get_for(user, pk, name_only_ok=True))
        return Place(access.dwelling_get_for(user, pk), None)
    except GongzhiError as exc:  # missing and out of reach alike: 404
        raise Open311Error.from_gongzhi(exc) from exc


def _attributes(data: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        match = ATTRIBUTE.match(key)
        if match is None:
            continue
        code, value = match["code"], (value or "").strip().lower()
        if code == "severity":
            if value not in SEVERITIES:
                raise Open311Error(400, BAD_SEVERITY, "severity_invalid")
            out["severity"] = value
        elif code == "anonymous":
            if value not in TRUE + FALSE:
                raise Open311Error(400, BAD_ANONYMOUS, "anonymous_invalid")
            out["anonymous"] = value in TRUE
        else:
            raise Open311Error(400, BAD_ATTRIBUTE, "attribute_unknown")
    return out


def _description(data: Mapping[str, str]) -> str:
    text = (data.get("description") or "").strip()
    url = (data.get("media_url") or "").strip()
    if not url:
        return text
    try:
        if len(url) > MEDIA_URL_MAX:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise Open311Error(400, BAD_MEDIA, "media_url_invalid") from exc
    return f"{text}\n\nmedia_url: {url}".strip()


def _notice(done: cases.Submitted) -> str:
    appeal = done.appeal
    if done.merged:
        return str(MERGED).format(id=appeal.pk)
    body = " · ".join(
        p for p in (body_of(appeal), appeal.handling_node.name if appeal.handling_node else "") if p
    )
    if appeal.due_date:
        return str(ROUTED_DUE).format(body=body, due=(expected(appeal.due_date) or "")[:10])
    return str(ROUTED).format(body=body)


def open311_submit(*, actor: Any, data: Mapping[str, str]) -> dict[str, Any]:
    """Submit (or merge) one request for the key's user; returns the POST response record.

    Preconditions: `actor` is the api_key's user; `data` holds the POST fields (attribute[code] flattened).
    Raises Open311Error (4xx, translated) before anything is written, or the service's own refusal mapped.
    """
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, NO_SERVICE_CODE, "service_code_required")
    place = _place(actor, data)
    area = selectors.jurisdiction(data.get("jurisdiction_id"))
    where = place.node_or_home
    if area is not None and not where.path.startswith(area.path):
        raise Open311Error(400, OUTSIDE, "outside_jurisdiction")
    if code not in {s.code for s in _offered(where)}:
        raise Open311Error(400, BAD_SERVICE, "service_code_unknown")
    description, attributes = _description(data), _attributes(data)
    try:
        done = cases.appeal_submit(
            actor=actor,
            category=code,
            description=description,
            dwelling=place.dwelling,
            place=place.node,
            channel=Channel.WEB if place.dwelling is not None else Channel.PATROL,
            **attributes,
        )
    except GongzhiError as exc:
        raise Open311Error.from_gongzhi(exc) from exc
    return {"service_request_id": str(done.appeal.pk), "service_notice": _notice(done), "account_id": None}


def _offered(node: Any) -> list[Any]:
    try:
        return selectors.services_at(node)
    except Open311Error:
        return []
