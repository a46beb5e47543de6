"""Sweeps the permission matrix (matrix.py) over the world (world.py): every role × endpoint × in/out of scope.

On every denial nothing changed (a snapshot of every table the endpoints touch) and nothing leaked (an
out-of-scope object answers byte for byte like a missing one; lists never mention the out-of-scope world).
Each request runs in a savepoint that is rolled back, so one world serves every row.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from .matrix import Row
from .world import OUT_MARK, ROLES, World

MISSING = 987654321
CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


def audit_head() -> Any:
    """Every write goes through a service that appends to the hash chain, so its head tells of any change."""
    from gongzhi.audit.models import AuditEntry

    return AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()


def snapshot() -> dict[str, Any]:
    """Every row of every table an endpoint may write (token use times aside: reading updates them)."""
    from django.apps import apps

    labels = [
        "tree.node", "tree.dwelling", "tree.grid", "people.person", "people.persontag", "people.residency",
        "people.ownership", "bodies.body", "bodies.bodymembership", "accounts.roleassignment",
        "accounts.apitoken", "roster.importjob", "policy.policyoverride", "exports.exportrequest",
        "voting.vote", "voting.ballot", "voting.choice", "voting.paperballotentry", "voting.proxy",
        "directives.directive", "directives.assignment", "directives.progressreport",
        "directives.accesslistitem",
        "deliberation.topic", "deliberation.step", "deliberation.meeting", "deliberation.attendance",
        "deliberation.post", "deliberation.attachment", "deliberation.catalogueentry",
        "appeals.appeal", "appeals.appealevent", "notices.notice", "notices.preference",
        "followup.implementation", "followup.event", "followup.appraisal", "followup.filingreceipt",
        "followup.milestone",
    ]  # fmt: skip
    out: dict[str, Any] = {}
    for label in labels:
        model = apps.get_model(label)
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "last_used_at"]
        out[label] = list(model.objects.order_by("pk").values_list(*fields))
    out["audit"] = audit_head()
    return out


def call(world: World, role: str, row: Row, ids: dict[str, int]) -> tuple[int, str, dict[str, Any]]:
    """One request inside a savepoint that is rolled back; returns status, body and whether data changed.

    Every request starts from the same world (the savepoint is rolled back), so a refused request is compared
    with the world's baseline: every table after an unsafe method, the audit chain's head after a read.
    """
    client = world.clients[role]
    url = row.url.format(**ids)
    data = row.payload(ids) if row.payload else None
    with transaction.atomic():
        if row.method == "GET":
            response = client.get(url)
        elif row.is_api and row.multipart:
            response = client.post(url, data or {})
        elif row.is_api:
            response = client.generic(
                row.method, url, data=_json(data or {}), content_type="application/json"
            )
        else:
            response = client.post(url, data or {})
        changed = False
        if response.status_code >= 400 and row.method == "GET":
            changed = audit_head() != world.baseline["audit"]
        elif response.status_code >= 400:
            changed = snapshot() != world.baseline
        transaction.set_rollback(True)
    raw = b"".join(response.streaming_content) if response.streaming else response.content  # file downloads
    body = CSRF.sub(r"\1…", raw.decode(errors="replace"))
    return response.status_code, body, {"changed": changed, "response": response}


def _json(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data)


def _ids(world: World, side: str, role: str) -> dict[str, int]:
    ids = world.ids(side)
    # A token is the user's own in scope, someone else's (the administrator's) out of it.
    ids["token"] = world.tokens[role] if side == "in" else world.tokens["SU" if role != "SU" else "CW"]
    # Likewise a notice: the role's own in scope, another user's out of it (only the recipient sees one).
    ids["notice"] = world.notices[role] if side == "in" else world.notices["SU" if role != "SU" else "CW"]
    return ids


def check_row(world: World, row: Row) -> list[str]:
    problems = []
    for role in ROLES:
        status, body, info = call(world, role, row, _ids(world, "in", role))
        expected = 200 if role in row.allow else 403 if role in row.forbid else 404
        ok = status < 400 if expected == 200 else status == expected
        if not ok:
            problems.append(f"{row.method} {row.endpoint} as {role} in scope: {status}, expected {expected}")
            continue
        if expected != 200 and info["changed"]:
            problems.append(f"{row.method} {row.endpoint} as {role}: denied but data changed")
        if expected != 200 and row.is_api:
            want = row.code.get(role, "forbidden" if expected == 403 else "not_found")
            if f'"code": "{want}"' not in body:
                problems.append(
                    f"{row.method} {row.endpoint} as {role}: expected code {want}, got {body[:120]}"
                )
        if role != "SU" and OUT_MARK in body:
            problems.append(f"{row.method} {row.endpoint} as {role}: mentions the out-of-scope world")
        if row.has_object and role != "SU":
            problems += _out_is_missing(world, role, row)
    return problems


def _out_is_missing(world: World, role: str, row: Row) -> list[str]:
    out_ids = _ids(world, "out", role)
    missing = {k: MISSING for k in out_ids}
    out_status, out_body, out_info = call(world, role, row, out_ids)
    missing_status, missing_body, _ = call(world, role, row, missing)
    out_body, missing_body = _unpath(out_body, row, out_ids), _unpath(missing_body, row, missing)
    problems = []
    if (out_status, out_body) != (missing_status, missing_body):
        problems.append(
            f"{row.method} {row.endpoint} as {role}: out of scope answers {out_status} {out_body[:80]!r}, "
            f"a missing id {missing_status} {missing_body[:80]!r}"
        )
    if out_status < 400 or out_info["changed"]:
        problems.append(f"{row.method} {row.endpoint} as {role}: out of scope was allowed or changed data")
    return problems


def _unpath(body: str, row: Row, ids: dict[str, int]) -> str:
    """A page may echo its own URL (a language switch's `next`); the id in it is the caller's own input."""
    return body.replace(row.url.format(**ids), "<url>")
