"""The permission matrix as data: every API endpoint and web page, and who may use it on an in-scope object.

A row names the endpoint (API: "METHOD /api/v1/path" as in the OpenAPI document; web: the URL name), the URL
with {placeholders} filled from the world's in-scope or out-of-scope objects (tests/access/world.py), an
optional payload, and the expected outcome per role on the in-scope object:
- `allow`: a success (2xx, or a redirect for a web form);
- `forbid`: 403 — the object is visible to the role, the action is not theirs (`code` per role where the
  API answers a more specific one);
- every other role: 404, exactly like a missing object.
On the out-of-scope object every role but the administrator gets a response identical to the one for a
missing id. Rows without an object are lists (they must not mention anything out of scope) or self-service.
Later issues add their endpoints here; test_matrix_is_complete fails for an endpoint that is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ALL = frozenset({"SU", "DO", "SO", "CW", "GL", "GW", "BL", "OC", "SC", "PS", "RE", "NB"})
HOUSEHOLD = ALL - {"NB"}  # everyone with a role reaches 李居民 and dwelling 101
NODE_FULL = frozenset({"SU", "DO", "SO", "CW", "BL", "OC", "SC", "PS"})  # building 1幢 in full
COMMUNITY_FULL = frozenset({"SU", "DO", "SO", "CW"})
OFFICERS_AND_WORKER = frozenset({"SU", "DO", "SO", "CW"})
REGISTRARS = frozenset({"SU", "CW"})  # register homes, ownerships
VISITORS = frozenset({"SU", "CW", "GL", "GW"})  # keep people and households up to date
BODY_VIEW = HOUSEHOLD - {"GL", "GW"}  # the compound's committee: below the grid's community, not on its grid
AUDITORS = frozenset({"SU", "DO", "SO"})
# Bulk exports (CZ-VI.3): the roles that may ask for one over the community; a community worker's request is
# seen by its requester and by the street officer who approves it (exports.approval), nobody else.
EXPORTERS = frozenset({"DO", "SO", "CW"})
EXPORT_PARTIES = frozenset({"CW", "SO"})
HISTORY = OFFICERS_AND_WORKER
REVEALERS = frozenset({"SU", "CW"})  # privacy.reveal.roles in the national pack, and administrators
VOTE_VIEW = frozenset({"SU", "DO", "SO", "CW", "BL", "OC", "SC", "RE"})  # the compound's vote
VOTE_MANAGE = frozenset({"SU", "CW", "OC"})
VOTE_WATCH = VOTE_VIEW - VOTE_MANAGE
COMPOUND_FULL = frozenset({"SU", "DO", "SO", "CW", "OC", "SC", "PS"})
# Directives (issue 4 §2): the street issues to the community; the district reads the cascade under it, the
# street its own, the community works on its assignment; nobody else sees them.
DIRECTIVE_VIEW = frozenset({"SU", "DO", "SO", "CW"})
DIRECTIVE_ACT = frozenset({"SU", "CW"})
DIRECTIVE_WATCH = DIRECTIVE_VIEW - DIRECTIVE_ACT
STREET_ISSUERS = frozenset({"SU", "SO"})
# --- deliberation: the stairwell's topic is seen by everyone with a role; the step at hand (collect the topic,
# HZ-5.1.3.2.2.1) is the building leader's alone, whoever else may act on topics there is refused by capacity.
TOPIC_VIEW = HOUSEHOLD
TOPIC_CHANGE = frozenset({"SU", "CW", "GL", "GW", "BL", "OC", "SC", "PS"})
TOPIC_WATCH = TOPIC_VIEW - TOPIC_CHANGE
TOPIC_CREATE = NODE_FULL - {"DO", "SO"}  # change topics and see the stairwell's node
STEP_TAKERS = frozenset({"BL"})
CATALOGUE_KEEPERS = frozenset({"SU", "CW"})
# After the decision (issue 5 §4): on the stairwell's decided topic the building leader, the owners' committee
# (李居民 sits on it, so the resident too) and property staff report progress; the appointing side changes the
# due date; the supervisory committee and the grid leader follow up and close (followup.rules). On the compound's
# filed topic the owners' committee appoints and the community worker acknowledges the filing; only 李居民's
# household rates.
PROGRESS = frozenset({"BL", "OC", "PS", "RE"})
APPOINTING = frozenset({"BL", "OC", "RE"})
FOLLOWING = frozenset({"SC", "GL"})
COMPOUND_APPOINTING = frozenset({"OC", "RE"})
FILING_RECEIVERS = frozenset({"CW"})
RATERS = frozenset({"RE"})


def _capacity(allow: frozenset[str], code: str = "not_allowed") -> dict[str, Any]:
    """A row's allow set, with everyone else who sees the topic refused by capacity (403 with `code`)."""
    return {"forbid": TOPIC_VIEW - allow, "code": dict.fromkeys(TOPIC_VIEW - allow, code)}


def _milestone(i: dict[str, int]) -> dict[str, Any]:
    import datetime as dt

    from django.utils import timezone

    return {"title": "安装", "due_on": (timezone.localdate() + dt.timedelta(days=10)).isoformat()}


def _later(i: dict[str, int]) -> dict[str, Any]:
    import datetime as dt

    from django.utils import timezone

    return {"due_on": (timezone.localdate() + dt.timedelta(days=60)).isoformat(), "reason": "材料缺货"}


# Appeals (issue 4 §1): 李居民's case about 101 waits at the Huzhou building rung (building and grid leaders).
APPEAL_VIEW = HOUSEHOLD
APPEAL_HANDLERS = frozenset({"BL", "GL", "GW"})
APPEAL_SUBMIT = HOUSEHOLD - {"SC"}  # the supervisory committee watches
# Oversight (issue 4 §3): dashboards for staff whose scope covers the node; the agenda is the street's.
DASHBOARD_VIEW = OFFICERS_AND_WORKER  # the community's dashboard
STREET_STAFF = frozenset({"SU", "DO", "SO"})  # the street's weekly meeting agenda
TOPIC_FROM_APPEAL = APPEAL_HANDLERS & TOPIC_CREATE  # a handler who may also open topics on the building

Payload = Callable[[dict[str, int]], dict[str, Any]]


def _upload(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4 matrix", content_type="application/octet-stream")


def _in_days(days: int) -> str:
    import datetime as dt

    from django.utils import timezone

    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _directive_payload(i: dict[str, int]) -> dict[str, Any]:
    six = {k: "加装电梯" for k in ("project", "plan", "responsible_leader", "working_group", "timetable")}
    return {
        "node_id": i["street"],
        "title": "垃圾分类宣传",
        "content": "入户宣传",
        "basis": "区文件",
        "due_date": _in_days(20),
        "targets": [{"node_id": i["community"], "due_date": _in_days(20)}],
        "access_item_id": i["access_item"],
        **six,
    }


def _directive_form(i: dict[str, int]) -> dict[str, Any]:
    data = _directive_payload(i)
    return {
        **{k: v for k, v in data.items() if k not in ("node_id", "targets", "access_item_id")},
        "units": [i["community"]],
        "access_item": i["access_item"],
    }


def _scan() -> Any:
    """A fresh upload per request (a file is read once)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("scan.png", b"\x89PNG scan", content_type="image/png")


@dataclass(frozen=True)
class Row:
    endpoint: str  # "GET /api/v1/nodes/{node_id}" or a web URL name such as "web:node"
    method: str
    url: str  # with {placeholders} from World.ids()
    allow: frozenset[str]
    forbid: frozenset[str] = frozenset()
    payload: Payload | None = None
    code: dict[str, str] = field(default_factory=dict)  # expected API error code per role, if not the default
    multipart: bool = False  # an API endpoint that takes a multipart form (file uploads) instead of JSON

    @property
    def has_object(self) -> bool:
        return "{" in self.url

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")


def api(method: str, path: str, url: str, allow: frozenset[str], **kw: Any) -> Row:
    return Row(f"{method} /api/v1{path}", method, f"/api/v1{url}", allow, **kw)


def web(name: str, method: str, url: str, allow: frozenset[str], **kw: Any) -> Row:
    return Row(name, method, url, allow, **kw)


API_ROWS = [
    # accounts: self-service, the token is the user's own (out of scope: someone else's)
    api("GET", "/tokens", "/tokens", ALL),
    api("POST", "/tokens", "/tokens", ALL, payload=lambda i: {"name": "矩阵"}),
    api("POST", "/tokens/{token_id}/revoke", "/tokens/{token}/revoke", ALL),
    # tree
    api("GET", "/nodes", "/nodes", ALL),
    api(
        "POST",
        "/nodes",
        "/nodes",
        OFFICERS_AND_WORKER,
        forbid=NODE_FULL - OFFICERS_AND_WORKER,
        payload=lambda i: {"parent_id": i["building"], "name": "2单元", "level": "stairwell"},
    ),
    api("GET", "/nodes/{node_id}", "/nodes/{building}", NODE_FULL),
    api(
        "PATCH",
        "/nodes/{node_id}",
        "/nodes/{building}",
        OFFICERS_AND_WORKER,
        forbid=NODE_FULL - OFFICERS_AND_WORKER,
        payload=lambda i: {"name": "1幢东"},
    ),
    api("GET", "/nodes/{node_id}/dwellings", "/nodes/{building}/dwellings", NODE_FULL),
    api("GET", "/communities/{node_id}/grids", "/communities/{community}/grids", COMMUNITY_FULL),
    api(
        "GET",
        "/communities/{node_id}/ungridded-dwellings",
        "/communities/{community}/ungridded-dwellings",
        COMMUNITY_FULL,
    ),
    api(
        "POST",
        "/grids",
        "/grids",
        REGISTRARS,
        forbid=COMMUNITY_FULL - REGISTRARS,
        payload=lambda i: {"community_id": i["community"], "name": "三网格"},
    ),
    api(
        "POST",
        "/grids/{grid_id}/assign",
        "/grids/{grid}/assign",
        REGISTRARS,
        forbid=frozenset({"DO", "SO", "GL", "GW"}),
        payload=lambda i: {"dwelling_ids": [i["dwelling"]]},
    ),
    api("GET", "/dwellings", "/dwellings", ALL),
    api("GET", "/dwellings/{dwelling_id}", "/dwellings/{dwelling}", HOUSEHOLD),
    api(
        "POST",
        "/dwellings",
        "/dwellings",
        REGISTRARS,
        forbid=NODE_FULL - REGISTRARS,
        payload=lambda i: {"stairwell_id": i["stairwell"], "number": "999", "area": "60.00"},
    ),
    api(
        "PATCH",
        "/dwellings/{dwelling_id}",
        "/dwellings/{dwelling}",
        REGISTRARS,
        forbid=HOUSEHOLD - REGISTRARS,
        payload=lambda i: {"area": "90.00"},
    ),
    # people
    api("GET", "/people", "/people", ALL),
    api("POST", "/people", "/people", VISITORS, forbid=ALL - VISITORS, payload=lambda i: {"name": "新居民"}),
    api("GET", "/people/{person_id}", "/people/{person}", HOUSEHOLD),
    api(
        "PATCH",
        "/people/{person_id}",
        "/people/{person}",
        VISITORS,
        forbid=HOUSEHOLD - VISITORS,
        payload=lambda i: {"phone": "13900001111"},
    ),
    # Revealing needs the pack's role (community worker, and administrators): their sessions passed the second
    # factor at log-in (force_login stands for a complete log-in, tests/conftest.py); everyone else is refused.
    api(
        "POST",
        "/people/{person_id}/reveal",
        "/people/{person}/reveal",
        REVEALERS,
        forbid=HOUSEHOLD - REVEALERS,
        payload=lambda i: {"purpose": "核实身份信息"},
    ),
    api(
        "POST",
        "/people/{person_id}/ownerships",
        "/people/{person}/ownerships",
        REGISTRARS,
        forbid=HOUSEHOLD - REGISTRARS - {"RE"},  # the resident does not see dwelling 201
        payload=lambda i: {"dwelling_id": i["dwelling_b"], "start": "2025-01-01"},
    ),
    api(
        "POST",
        "/ownerships/{ownership_id}/close",
        "/ownerships/{ownership}/close",
        REGISTRARS,
        forbid=HOUSEHOLD - REGISTRARS,
        payload=lambda i: {"end": "2026-01-01"},
    ),
    api(
        "POST",
        "/residencies",
        "/residencies",
        VISITORS,
        forbid=HOUSEHOLD - VISITORS - {"RE"},
        payload=lambda i: {
            "person_id": i["person"],
            "dwelling_id": i["dwelling_b"],
            "relation": "tenant",
            "start": "2025-06-01",
        },
    ),
    api(
        "POST",
        "/residencies/{residency_id}/move-out",
        "/residencies/{residency}/move-out",
        VISITORS,
        forbid=HOUSEHOLD - VISITORS,
        payload=lambda i: {"end": "2026-01-01"},
    ),
    api(
        "POST",
        "/residencies/{residency_id}/make-representative",
        "/residencies/{residency}/make-representative",
        VISITORS,
        forbid=HOUSEHOLD - VISITORS,
    ),
    # bodies
    api("GET", "/bodies", "/bodies", ALL),
    api(
        "POST",
        "/bodies",
        "/bodies",
        OFFICERS_AND_WORKER,
        forbid=frozenset({"OC", "SC", "PS"}),
        payload=lambda i: {"kind": "property_company", "node_id": i["compound"], "name": "物业公司"},
    ),
    api("GET", "/bodies/{body_id}", "/bodies/{body}", BODY_VIEW),
    api(
        "PATCH",
        "/bodies/{body_id}",
        "/bodies/{body}",
        OFFICERS_AND_WORKER,
        forbid=BODY_VIEW - OFFICERS_AND_WORKER,
        payload=lambda i: {"name": "锦绣业委会（第二届）"},
    ),
    api(
        "POST",
        "/bodies/{body_id}/members",
        "/bodies/{body}/members",
        OFFICERS_AND_WORKER,
        forbid=BODY_VIEW - OFFICERS_AND_WORKER - {"RE"},  # the resident does not see 王二
        payload=lambda i: {"person_id": i["person_b"], "term_start": "2025-01-01"},
    ),
    api(
        "POST",
        "/memberships/{membership_id}/end",
        "/memberships/{membership}/end",
        OFFICERS_AND_WORKER,
        forbid=BODY_VIEW - OFFICERS_AND_WORKER,
        payload=lambda i: {"ended_on": "2026-01-01"},
    ),
    api("GET", "/bodies/{body_id}/compliance", "/bodies/{body}/compliance", BODY_VIEW),
    api("GET", "/communities/{node_id}/compliance", "/communities/{community}/compliance", COMMUNITY_FULL),
    # bulk exports (CZ-VI.3): {export} waits for a street officer; {export_ok} is approved and the worker's
    api("GET", "/exports", "/exports", ALL),
    api("GET", "/exports/awaiting", "/exports/awaiting", ALL),
    api(
        "POST",
        "/exports",
        "/exports",
        EXPORTERS,
        forbid=frozenset({"SU"}),
        payload=lambda i: {"node_id": i["community"], "purpose": "入户走访核对花名册信息"},
        code={"SU": "role_may_not_export"},
    ),
    api("GET", "/exports/{request_id}", "/exports/{export}", EXPORT_PARTIES),
    api(
        "POST",
        "/exports/{request_id}/approve",
        "/exports/{export}/approve",
        frozenset({"SO"}),
        forbid=frozenset({"CW"}),
        code={"CW": "own_request"},
    ),
    api(
        "POST",
        "/exports/{request_id}/reject",
        "/exports/{export}/reject",
        frozenset({"SO"}),
        forbid=frozenset({"CW"}),
        payload=lambda i: {"note": "范围过大"},
        code={"CW": "own_request"},
    ),
    api(
        "POST",
        "/exports/{request_id}/withdraw",
        "/exports/{export}/withdraw",
        frozenset({"CW"}),
        forbid=frozenset({"SO"}),
        code={"SO": "not_your_step"},
    ),
    api(
        "POST",
        "/exports/{request_id}/download",
        "/exports/{export_ok}/download",
        frozenset({"CW"}),
        forbid=frozenset({"SO"}),
        code={"SO": "not_your_step"},
    ),
    # --- directives (issue 4 §2) ---
    api("GET", "/directives", "/directives", ALL),
    api(
        "POST",
        "/directives",
        "/directives",
        STREET_ISSUERS,
        forbid=frozenset({"DO"}),
        payload=_directive_payload,
    ),
    api("GET", "/directives/{directive_id}", "/directives/{directive}", DIRECTIVE_VIEW),
    api(
        "POST",
        "/directives/{directive_id}/assignments/{assignment_id}/acknowledge",
        "/directives/{directive}/assignments/{assignment}/acknowledge",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
    ),
    api(
        "POST",
        "/directives/{directive_id}/assignments/{assignment_id}/split",
        "/directives/{directive_ack}/assignments/{assignment_ack}/split",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
        payload=lambda i: {"targets": [{"node_id": i["compound"], "due_date": _in_days(10)}]},
    ),
    api(
        "POST",
        "/directives/{directive_id}/assignments/{assignment_id}/progress",
        "/directives/{directive_ack}/assignments/{assignment_ack}/progress",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
        payload=lambda i: {"percent": 40, "text": "已摸排四成"},
    ),
    api(
        "POST",
        "/directives/{directive_id}/assignments/{assignment_id}/report",
        "/directives/{directive_ack}/assignments/{assignment_ack}/report",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
        payload=lambda i: {"percent": 40, "text": "已摸排四成", "files": [_upload("现场.jpg")]},
        multipart=True,
    ),
    api(
        "POST",
        "/directives/{directive_id}/files",
        "/directives/{directive}/files",
        STREET_ISSUERS,
        forbid=DIRECTIVE_VIEW - STREET_ISSUERS,
        payload=lambda i: {"files": [_upload("实施方案.pdf")]},
        multipart=True,
    ),
    api(
        "GET",
        "/directives/{directive_id}/files/{attachment_id}",
        "/directives/{directive_ack}/files/{directive_file}",
        DIRECTIVE_VIEW,
    ),
    api(
        "POST",
        "/directives/{directive_id}/assignments/{assignment_id}/complete",
        "/directives/{directive_ack}/assignments/{assignment_ack}/complete",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
    ),
    api("GET", "/nodes/{node_id}/access-list", "/nodes/{community}/access-list", COMMUNITY_FULL),
    api(
        "POST",
        "/nodes/{node_id}/access-list",
        "/nodes/{district}/access-list",
        frozenset({"SU", "DO"}),
        payload=lambda i: {"code": "B01", "title": "社区志愿服务", "kind": "allowed"},
    ),
    api("GET", "/directives-reports/dispatch", "/directives-reports/dispatch?year=2026&month=1", ALL),
    api("GET", "/directives-reports/assessment", "/directives-reports/assessment?year=2026&quarter=1", ALL),
    # votes
    # --- deliberation ---
    api("GET", "/topics", "/topics", ALL),
    api(
        "POST",
        "/topics",
        "/topics",
        TOPIC_CREATE,
        forbid=frozenset({"DO", "SO"}),
        payload=lambda i: {
            "node_id": i["stairwell"],
            "title": "电梯加装",
            "source": "mailbox",
            "procedure": "building",
        },
    ),
    api("GET", "/topics/{topic_id}", "/topics/{topic}", TOPIC_VIEW),
    api(
        "POST",
        "/topics/{topic_id}/steps",
        "/topics/{topic}/steps",
        STEP_TAKERS,
        forbid=TOPIC_VIEW - STEP_TAKERS,
        code={r: "not_allowed" for r in TOPIC_VIEW - STEP_TAKERS},
        payload=lambda i: {"target": "collected", "record": {"document": "走访", "source": "mailbox"}},
    ),
    api(
        "POST",
        "/topics/{topic_id}/decide",
        "/topics/{topic}/decide",
        TOPIC_CHANGE,
        forbid=TOPIC_WATCH,
        payload=lambda i: {"decision": "已清理"},
    ),
    api(
        "POST",
        "/topics/{topic_id}/meetings",
        "/topics/{topic}/meetings",
        TOPIC_CHANGE,
        forbid=TOPIC_WATCH,
        payload=lambda i: {"title": "楼道会", "format": "on_site", "starts_at": "2030-05-01T19:00:00+08:00"},
    ),
    api("GET", "/meetings/{meeting_id}", "/meetings/{meeting}", TOPIC_VIEW),
    api(
        "POST",
        "/meetings/{meeting_id}/attendance",
        "/meetings/{meeting}/attendance",
        TOPIC_CHANGE,
        forbid=TOPIC_WATCH,
        payload=lambda i: {"name": "张一", "capacity": "household_representative"},
    ),
    api(
        "POST",
        "/meetings/{meeting_id}/join",
        "/meetings/{meeting_online}/join",
        TOPIC_VIEW,
        payload=lambda i: {"name": "张一", "capacity": "resident"},
    ),
    api(
        "POST",
        "/meetings/{meeting_id}/posts",
        "/meetings/{meeting_online}/posts",
        TOPIC_VIEW,
        payload=lambda i: {"body": "同意"},
    ),
    api(
        "POST",
        "/meetings/{meeting_id}/minutes",
        "/meetings/{meeting}/minutes",
        TOPIC_CHANGE,
        forbid=TOPIC_WATCH,
        payload=lambda i: {"minutes": "同意清理"},
    ),
    api(
        "GET",
        "/communities/{node_id}/must-deliberate",
        "/communities/{community}/must-deliberate",
        COMMUNITY_FULL,
    ),
    api(
        "POST",
        "/communities/{node_id}/must-deliberate",
        "/communities/{community}/must-deliberate",
        CATALOGUE_KEEPERS,
        forbid=COMMUNITY_FULL - CATALOGUE_KEEPERS,
        payload=lambda i: {"title": "公共收益使用"},
    ),
    # --- end deliberation ---
    # --- follow-up (issue 5 §4) ---
    api("GET", "/topics/{topic_id}/implementation", "/topics/{topic_decided}/implementation", TOPIC_VIEW),
    api(
        "POST",
        "/topics/{topic_id}/implementation",
        "/topics/{topic_filed}/implementation",
        COMPOUND_APPOINTING,
        payload=lambda i: {"implementer": "锦绣物业", "due_on": "2099-01-01", "standard": "路灯全亮"},
        **_capacity(COMPOUND_APPOINTING),
    ),
    api(
        "POST",
        "/topics/{topic_id}/implementation/progress",
        "/topics/{topic_decided}/implementation/progress",
        PROGRESS,
        payload=lambda i: {"text": "已进场", "percent": 20},
        **_capacity(PROGRESS),
    ),
    api(
        "POST",
        "/topics/{topic_id}/implementation/change",
        "/topics/{topic_decided}/implementation/change",
        APPOINTING,
        payload=_later,
        **_capacity(APPOINTING),
    ),
    api(
        "POST",
        "/topics/{topic_id}/implementation/milestones",
        "/topics/{topic_decided}/implementation/milestones",
        APPOINTING,
        payload=_milestone,
        **_capacity(APPOINTING),
    ),
    api(
        "POST",
        "/topics/{topic_id}/implementation/milestones/{milestone_id}/reached",
        "/topics/{topic_decided}/implementation/milestones/{milestone}/reached",
        PROGRESS,
        payload=lambda i: {"text": "已完成"},
        **_capacity(PROGRESS),
    ),
    api(
        "POST",
        "/topics/{topic_id}/implementation/follow-ups",
        "/topics/{topic_decided}/implementation/follow-ups",
        FOLLOWING,
        payload=lambda i: {"text": "现场查看"},
        **_capacity(FOLLOWING),
    ),
    api(
        "POST",
        "/topics/{topic_id}/implementation/close",
        "/topics/{topic_decided}/implementation/close",
        FOLLOWING,
        payload=lambda i: {"outcome": "accept", "text": "验收合格"},
        **_capacity(FOLLOWING),
    ),
    api("GET", "/topics/{topic_id}/appraisals", "/topics/{topic_decided}/appraisals", TOPIC_VIEW),
    api(
        "POST",
        "/topics/{topic_id}/appraisals",
        "/topics/{topic_decided}/appraisals",
        RATERS,
        payload=lambda i: {"dwelling_id": i["dwelling"], "rating": 4},
        **_capacity(RATERS, "not_your_household"),
    ),
    api("GET", "/communities/{node_id}/filings", "/communities/{community}/filings", COMMUNITY_FULL),
    api(
        "POST",
        "/topics/{topic_id}/filing/acknowledge",
        "/topics/{topic_filed}/filing/acknowledge",
        FILING_RECEIVERS,
        payload=lambda i: {"note": "已收"},
        **_capacity(FILING_RECEIVERS),
    ),
    api("GET", "/topics/success-rate", "/topics/success-rate?node_id={community}", COMMUNITY_FULL),
    # --- end follow-up ---
    api("GET", "/votes", "/votes", ALL),
    api(
        "POST",
        "/votes",
        "/votes",
        VOTE_MANAGE,
        forbid=COMPOUND_FULL - VOTE_MANAGE,
        payload=lambda i: {
            "node_id": i["compound"],
            "rule": "owners_assembly",
            "item": 3,
            "title": "修订管理规约",
            "motion": "是否同意？",
            "opens_at": "2026-03-01T08:00:00+08:00",
            "closes_at": "2026-03-08T20:00:00+08:00",
            "roll_date": "2026-02-28",
        },
    ),
    api("GET", "/votes/{vote_id}", "/votes/{vote}", VOTE_VIEW),
    api("POST", "/votes/{vote_id}/open", "/votes/{vote_draft}/open", VOTE_MANAGE, forbid=VOTE_WATCH),
    api("POST", "/votes/{vote_id}/close", "/votes/{vote_ended}/close", VOTE_MANAGE, forbid=VOTE_WATCH),
    api("POST", "/votes/{vote_id}/publish", "/votes/{vote_closed}/publish", VOTE_MANAGE, forbid=VOTE_WATCH),
    # Only an owner on the frozen roll votes (李居民 owns 101); everyone else who sees the vote is told so.
    api(
        "POST",
        "/votes/{vote_id}/ballots",
        "/votes/{vote}/ballots",
        frozenset({"RE"}),
        forbid=VOTE_VIEW - {"RE"},
        payload=lambda i: {"dwelling_id": i["dwelling"], "choice": "yes"},
        code={r: "not_on_roll" for r in VOTE_VIEW - {"RE"}},
    ),
    api("GET", "/votes/{vote_id}/my-ballots", "/votes/{vote}/my-ballots", VOTE_VIEW),
    api("GET", "/votes/{vote_id}/result", "/votes/{vote_published}/result", VOTE_VIEW),
    api("GET", "/votes/{vote_id}/recount", "/votes/{vote_published}/recount", VOTE_VIEW),
    api("GET", "/votes/{vote_id}/notice.pdf", "/votes/{vote_published}/notice.pdf", VOTE_VIEW),
    api(
        "GET", "/votes/{vote_id}/receipt", "/votes/{vote_published}/receipt?code=7KQ2M9XD4FWBTN3C", VOTE_VIEW
    ),
    # appeals (issue 4 §1)
    api("GET", "/appeals", "/appeals", ALL),
    api(
        "POST",
        "/appeals",
        "/appeals",
        APPEAL_SUBMIT,
        forbid=frozenset({"SC"}),
        payload=lambda i: {
            "category": "sanitation",
            "description": "楼道灯坏了",
            "dwelling_id": i["dwelling"],
        },
    ),
    api("GET", "/appeals/{appeal_id}", "/appeals/{appeal}", APPEAL_VIEW),
    # A queued submission (appeals.intake) is followed by the one who made it, and by nobody else.
    api("GET", "/appeals/intakes/{intake_id}", "/appeals/intakes/{appeal_intake}", frozenset({"RE"})),
    # An appeal turned into a deliberation topic at its rung (the building: 1幢's building procedure). The grid
    # staff handle the case but do not open topics on the building (access: their topics are the community's).
    api(
        "POST",
        "/appeals/{appeal_id}/topics",
        "/appeals/{appeal_open}/topics",
        TOPIC_FROM_APPEAL,
        forbid=APPEAL_VIEW - TOPIC_FROM_APPEAL,
        payload=lambda i: {"procedure": "building", "title": "楼道扶手议事"},
        code={
            r: "forbidden" if r in APPEAL_HANDLERS else "not_allowed" for r in APPEAL_VIEW - TOPIC_FROM_APPEAL
        },
    ),
    api(
        "POST",
        "/appeals/{appeal_id}/{transition}",
        "/appeals/{appeal}/accept",
        APPEAL_HANDLERS,
        forbid=APPEAL_VIEW - APPEAL_HANDLERS,
        code={r: "not_allowed" for r in APPEAL_VIEW - APPEAL_HANDLERS},
    ),
    # the official holiday calendar (§5 #18): administrators only
    api("GET", "/holidays", "/holidays", frozenset({"SU"}), forbid=ALL - {"SU"}),
    api(
        "POST",
        "/holidays",
        "/holidays",
        frozenset({"SU"}),
        forbid=ALL - {"SU"},
        payload=lambda i: {"year": 2031, "holidays": ["2031-01-01"], "source": "国办发明电〔2030〕1号"},
    ),
    # oversight (issue 4 §3)
    api("GET", "/oversight/{node_id}/dashboard", "/oversight/{community}/dashboard", DASHBOARD_VIEW),
    api("GET", "/oversight/{node_id}/agenda", "/oversight/{street}/agenda", STREET_STAFF),
    # notices (issue 4 §3): everyone's own, nobody else's (the out-of-scope notice is another user's)
    api("GET", "/notices", "/notices?unread=true", ALL),
    api("POST", "/notices/read-all", "/notices/read-all", ALL),
    api("POST", "/notices/{notice_id}/read", "/notices/{notice}/read", ALL),
]

WEB_ROWS = [
    web("web:home", "GET", "/", ALL),
    web("web:tree", "GET", "/tree/", ALL),
    # The resident sees the nodes above their home by name only (navigation), never their contents.
    web("web:node", "GET", "/tree/{building}/", NODE_FULL | {"RE"}),
    web("web:node_policy", "GET", "/tree/{building}/policy/", NODE_FULL),
    web("web:dwellings", "GET", "/dwellings/", ALL),
    web("web:dwelling", "GET", "/dwellings/{dwelling}/", HOUSEHOLD),
    web("web:person", "GET", "/people/{person}/", HOUSEHOLD),
    web(
        "web:person",
        "POST",
        "/people/{person}/",
        REVEALERS,
        forbid=HOUSEHOLD - REVEALERS,
        payload=lambda i: {"purpose": "核实身份信息"},
    ),
    web("web:body", "GET", "/bodies/{body}/", BODY_VIEW),
    web("web:compliance", "GET", "/communities/{community}/compliance/", COMMUNITY_FULL),
    web("web:api_tokens", "GET", "/account/tokens/", ALL),
    web("web:api_tokens", "POST", "/account/tokens/", ALL, payload=lambda i: {"name": "矩阵"}),
    web("web:my_data", "GET", "/me/", ALL),
    web("web:security", "GET", "/account/security/", ALL),
    web("web:security", "POST", "/account/security/", ALL, payload=lambda i: {"action": "start"}),
    web("web:audit_search", "GET", "/audit/", AUDITORS),
    web("web:history", "GET", "/history/node/{building}/", HISTORY),
    web("web:history", "GET", "/history/dwelling/{dwelling}/", HISTORY),
    web("web:history", "GET", "/history/person/{person}/", HISTORY),
    web("web:history", "GET", "/history/body/{body}/", HISTORY),
    # --- directives (issue 4 §2) ---
    web("directives:list", "GET", "/directives/", ALL),
    web("directives:create", "GET", "/directives/new/{street}/", STREET_ISSUERS, forbid=frozenset({"DO"})),
    web(
        "directives:create",
        "POST",
        "/directives/new/{street}/",
        STREET_ISSUERS,
        forbid=frozenset({"DO"}),
        payload=_directive_form,
    ),
    web("directives:detail", "GET", "/directives/{directive}/", DIRECTIVE_VIEW),
    web(
        "directives:attachment", "GET", "/directives/{directive_ack}/files/{directive_file}/", DIRECTIVE_VIEW
    ),
    web(
        "directives:acknowledge",
        "POST",
        "/directives/{directive}/assignments/{assignment}/acknowledge/",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
    ),
    web(
        "directives:split",
        "GET",
        "/directives/{directive_ack}/assignments/{assignment_ack}/split/",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
    ),
    web(
        "directives:split",
        "POST",
        "/directives/{directive_ack}/assignments/{assignment_ack}/split/",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
        payload=lambda i: {"units": [i["compound"]], "units_due": _in_days(10)},
    ),
    web(
        "directives:progress",
        "GET",
        "/directives/{directive_ack}/assignments/{assignment_ack}/progress/",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
    ),
    web(
        "directives:progress",
        "POST",
        "/directives/{directive_ack}/assignments/{assignment_ack}/progress/",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
        payload=lambda i: {"percent": "40", "text": "已摸排四成"},
    ),
    web(
        "directives:complete",
        "POST",
        "/directives/{directive_ack}/assignments/{assignment_ack}/complete/",
        DIRECTIVE_ACT,
        forbid=DIRECTIVE_WATCH,
    ),
    web("directives:access_list", "GET", "/directives/access-list/{community}/", COMMUNITY_FULL),
    web(
        "directives:access_list",
        "POST",
        "/directives/access-list/{district}/",
        frozenset({"SU", "DO"}),
        payload=lambda i: {"code": "B01", "title": "社区志愿服务", "kind": "allowed"},
    ),
    web("directives:dispatch", "GET", "/directives/reports/dispatch/", ALL),
    web("directives:assessment", "GET", "/directives/reports/assessment/", ALL),
    # --- deliberation ---
    web("deliberation:list", "GET", "/topics/", ALL),
    web(
        "deliberation:create", "GET", "/topics/new/{stairwell}/", TOPIC_CREATE, forbid=frozenset({"DO", "SO"})
    ),
    web(
        "deliberation:create",
        "POST",
        "/topics/new/{stairwell}/",
        TOPIC_CREATE,
        forbid=frozenset({"DO", "SO"}),
        payload=lambda i: {"title": "电梯加装", "source": "mailbox", "procedure": "building"},
    ),
    web("deliberation:detail", "GET", "/topics/{topic}/", TOPIC_VIEW),
    web(
        "deliberation:advance",
        "POST",
        "/topics/{topic}/step/",
        STEP_TAKERS,
        forbid=TOPIC_VIEW - STEP_TAKERS,
        payload=lambda i: {"target": "collected", "document": "走访", "source": "mailbox"},
    ),
    web(
        "deliberation:decide",
        "POST",
        "/topics/{topic}/decide/",
        TOPIC_CHANGE,
        forbid=TOPIC_WATCH,
        payload=lambda i: {"decision": "已清理"},
    ),
    web(
        "deliberation:meeting_new",
        "POST",
        "/topics/{topic}/meetings/new/",
        TOPIC_CHANGE,
        forbid=TOPIC_WATCH,
        payload=lambda i: {"title": "楼道会", "format": "on_site", "starts_at": "2030-05-01T19:00"},
    ),
    web("deliberation:meeting", "GET", "/topics/meetings/{meeting}/", TOPIC_VIEW),
    web(
        "deliberation:sign_in",
        "POST",
        "/topics/meetings/{meeting}/sign-in/",
        TOPIC_CHANGE,
        forbid=TOPIC_WATCH,
        payload=lambda i: {"name": "张一", "capacity": "household_representative"},
    ),
    web("deliberation:join", "POST", "/topics/meetings/{meeting_online}/join/", TOPIC_VIEW),
    web(
        "deliberation:post",
        "POST",
        "/topics/meetings/{meeting_online}/post/",
        TOPIC_VIEW,
        payload=lambda i: {"body": "同意"},
    ),
    web(
        "deliberation:minutes",
        "POST",
        "/topics/meetings/{meeting}/minutes/",
        TOPIC_CHANGE,
        forbid=TOPIC_WATCH,
        payload=lambda i: {"minutes": "同意清理"},
    ),
    web(
        "deliberation:attach",
        "POST",
        "/topics/meetings/{meeting}/attach/",
        TOPIC_CHANGE,
        forbid=TOPIC_WATCH,
        payload=lambda i: {"file": _scan()},
    ),
    web("deliberation:catalogue", "GET", "/topics/must-deliberate/{community}/", COMMUNITY_FULL),
    web(
        "deliberation:catalogue",
        "POST",
        "/topics/must-deliberate/{community}/",
        CATALOGUE_KEEPERS,
        forbid=COMMUNITY_FULL - CATALOGUE_KEEPERS,
        payload=lambda i: {"title": "公共收益使用"},
    ),
    # --- end deliberation ---
    # --- follow-up (issue 5 §4) ---
    web("followup:page", "GET", "/topics/{topic_decided}/followup/", TOPIC_VIEW),
    web("followup:notice", "GET", "/topics/{topic_decided}/notice/", TOPIC_VIEW),
    web(
        "followup:appoint",
        "POST",
        "/topics/{topic_filed}/followup/appoint/",
        COMPOUND_APPOINTING,
        forbid=TOPIC_VIEW - COMPOUND_APPOINTING,
        payload=lambda i: {"implementer": "锦绣物业", "due_on": "2099-01-01", "standard": "路灯全亮"},
    ),
    web(
        "followup:act",
        "POST",
        "/topics/{topic_decided}/followup/progress/",
        PROGRESS,
        forbid=TOPIC_VIEW - PROGRESS,
        payload=lambda i: {"text": "已进场", "percent": "20"},
    ),
    web(
        "followup:act",
        "POST",
        "/topics/{topic_decided}/followup/change/",
        APPOINTING,
        forbid=TOPIC_VIEW - APPOINTING,
        payload=_later,
    ),
    web(
        "followup:act",
        "POST",
        "/topics/{topic_decided}/followup/milestone/",
        APPOINTING,
        forbid=TOPIC_VIEW - APPOINTING,
        payload=_milestone,
    ),
    web(
        "followup:act",
        "POST",
        "/topics/{topic_decided}/followup/milestone_reached/",
        PROGRESS,
        forbid=TOPIC_VIEW - PROGRESS,
        payload=lambda i: {"milestone": i["milestone"]},
    ),
    web(
        "followup:act",
        "POST",
        "/topics/{topic_decided}/followup/follow_up/",
        FOLLOWING,
        forbid=TOPIC_VIEW - FOLLOWING,
        payload=lambda i: {"text": "现场查看"},
    ),
    web(
        "followup:act",
        "POST",
        "/topics/{topic_decided}/followup/fail/",
        FOLLOWING,
        forbid=TOPIC_VIEW - FOLLOWING,
        payload=lambda i: {"text": "拒不落实"},
    ),
    web(
        "followup:appraise",
        "POST",
        "/topics/{topic_decided}/followup/appraise/",
        RATERS,
        forbid=TOPIC_VIEW - RATERS,
        payload=lambda i: {"dwelling": i["dwelling"], "rating": "4"},
    ),
    web(
        "followup:acknowledge",
        "POST",
        "/topics/{topic_filed}/filing/acknowledge/",
        FILING_RECEIVERS,
        forbid=TOPIC_VIEW - FILING_RECEIVERS,
    ),
    web("followup:filings", "GET", "/topics/filings/{community}/", COMMUNITY_FULL),
    web("followup:success", "GET", "/topics/success/{community}/", COMMUNITY_FULL),
    # --- end follow-up ---
    web("voting:list", "GET", "/votes/", ALL),
    web("voting:create", "GET", "/votes/new/{compound}/", VOTE_MANAGE, forbid=COMPOUND_FULL - VOTE_MANAGE),
    web(
        "voting:create",
        "POST",
        "/votes/new/{compound}/",
        VOTE_MANAGE,
        forbid=COMPOUND_FULL - VOTE_MANAGE,
        payload=lambda i: {
            "rule": "owners_assembly",
            "item": "3",
            "title": "修订管理规约",
            "motion": "是否同意？",
            "opens_at": "2026-03-01T08:00",
            "closes_at": "2026-03-08T20:00",
            "roll_date": "2026-02-28",
        },
    ),
    web("voting:detail", "GET", "/votes/{vote}/", VOTE_VIEW),
    web("voting:open", "POST", "/votes/{vote_draft}/open/", VOTE_MANAGE, forbid=VOTE_WATCH),
    web("voting:close", "POST", "/votes/{vote_ended}/close/", VOTE_MANAGE, forbid=VOTE_WATCH),
    web("voting:publish", "POST", "/votes/{vote_closed}/publish/", VOTE_MANAGE, forbid=VOTE_WATCH),
    web("voting:cast", "GET", "/votes/{vote}/cast/", frozenset({"RE"}), forbid=VOTE_VIEW - {"RE"}),
    web(
        "voting:cast",
        "POST",
        "/votes/{vote}/cast/",
        frozenset({"RE"}),
        forbid=VOTE_VIEW - {"RE"},
        payload=lambda i: {"dwelling": i["dwelling"], "choice": "no"},
    ),
    web("voting:mine", "GET", "/votes/{vote}/mine/", VOTE_VIEW),
    web("voting:paper", "GET", "/votes/{vote}/paper/", VOTE_MANAGE, forbid=VOTE_WATCH),
    web(
        "voting:paper",
        "POST",
        "/votes/{vote}/paper/",
        VOTE_MANAGE,
        forbid=VOTE_WATCH,
        payload=lambda i: {"pick": f"{i['dwelling']}:{i['person']}", "choice": "yes", "scan": _scan()},
    ),
    web("voting:proxies", "GET", "/votes/{vote}/proxies/", VOTE_MANAGE, forbid=VOTE_WATCH),
    web(
        "voting:proxies",
        "POST",
        "/votes/{vote}/proxies/",
        VOTE_MANAGE,
        forbid=VOTE_WATCH,
        payload=lambda i: {
            "pick": f"{i['dwelling']}:{i['person']}",
            "holder_name": "代理人",
            "document": _scan(),
        },
    ),
    web("voting:result", "GET", "/votes/{vote_published}/result/", VOTE_VIEW),
    web("voting:notice", "GET", "/votes/{vote_published}/notice/", VOTE_VIEW),
    web("voting:notice_pdf", "GET", "/votes/{vote_published}/notice.pdf", VOTE_VIEW),
    web("voting:screen", "GET", "/votes/{vote_published}/screen/", VOTE_VIEW),
    web("voting:lookup", "GET", "/votes/{vote_published}/lookup/?code=7KQ2M9XD4FWBTN3C", VOTE_VIEW),
    web("voting:recount", "GET", "/votes/{vote_published}/recount.json", VOTE_VIEW),
    # appeals (issue 4 §1)
    web("appeals:mine", "GET", "/appeals/", ALL),
    web("appeals:queue", "GET", "/appeals/queue/", ALL),
    web("appeals:submit", "GET", "/appeals/new/", ALL),
    web(
        "appeals:submit",
        "POST",
        "/appeals/new/?home={dwelling}",
        APPEAL_SUBMIT,
        forbid=frozenset({"SC"}),
        payload=lambda i: {
            "dwelling": i["dwelling"],
            "category": "sanitation",
            "description": "楼道灯坏了",
            "severity": "normal",
            "channel": "web",
        },
    ),  # fmt: skip
    web("appeals:detail", "GET", "/appeals/{appeal}/", APPEAL_VIEW),
    web(
        "appeals:act",
        "POST",
        "/appeals/{appeal}/act/accept/",
        APPEAL_HANDLERS,
        forbid=APPEAL_VIEW - APPEAL_HANDLERS,
    ),
    web("appeals:board", "GET", "/appeals/board/{compound}/", HOUSEHOLD - {"GL", "GW"}),
    web("appeals:holidays", "GET", "/appeals/holidays/", frozenset({"SU"}), forbid=ALL - {"SU"}),
    web(
        "appeals:holidays",
        "POST",
        "/appeals/holidays/",
        frozenset({"SU"}),
        forbid=ALL - {"SU"},
        payload=lambda i: {"year": 2031, "schedule": "2031-01-01 holiday", "source": "国办发明电〔2030〕1号"},
    ),
    # oversight (issue 4 §3)
    web("oversight:home", "GET", "/oversight/", ALL),
    web("oversight:dashboard", "GET", "/oversight/{community}/dashboard/", DASHBOARD_VIEW),
    web("oversight:agenda", "GET", "/oversight/{street}/agenda/", STREET_STAFF),
    web(
        "appeals:topic",
        "POST",
        "/appeals/{appeal_open}/topic/",
        TOPIC_FROM_APPEAL,
        forbid=APPEAL_VIEW - TOPIC_FROM_APPEAL,
        payload=lambda i: {"procedure": "building", "title": "楼道扶手议事"},
    ),
    # notices (issue 4 §3)
    web("notices:list", "GET", "/notices/?unread=1", ALL),
    web("notices:read", "POST", "/notices/{notice}/read/", ALL),
    web("notices:read_all", "POST", "/notices/read-all/", ALL),
    web("notices:preferences", "GET", "/notices/settings/", ALL),
    web("notices:preferences", "POST", "/notices/settings/", ALL, payload=lambda i: {"email": "on"}),
    web("roster:import", "GET", "/roster/", REGISTRARS),
    web("roster:template", "GET", "/roster/template.xlsx", REGISTRARS),
    web("roster:job", "GET", "/roster/jobs/{job}/", REGISTRARS),
    web("roster:job_status", "GET", "/roster/jobs/{job}/status/", REGISTRARS),
    web("roster:export", "GET", "/roster/export/{community}/", COMMUNITY_FULL),  # to exports:new
    web("exports:mine", "GET", "/exports/", ALL),
    web("exports:awaiting", "GET", "/exports/awaiting/", ALL),
    web("exports:new", "GET", "/exports/new/?node={community}", EXPORTERS, forbid=frozenset({"SU"})),
    web(
        "exports:new",
        "POST",
        "/exports/new/?node={community}",
        EXPORTERS,
        forbid=frozenset({"SU"}),
        payload=lambda i: {"purpose": "入户走访核对花名册信息"},
    ),
    web("exports:detail", "GET", "/exports/{export}/", EXPORT_PARTIES),
    web("exports:approve", "POST", "/exports/{export}/approve/", frozenset({"SO"}), forbid=frozenset({"CW"})),
    web(
        "exports:reject",
        "POST",
        "/exports/{export}/reject/",
        frozenset({"SO"}),
        forbid=frozenset({"CW"}),
        payload=lambda i: {"note": "范围过大"},
    ),
    web(
        "exports:withdraw", "POST", "/exports/{export}/withdraw/", frozenset({"CW"}), forbid=frozenset({"SO"})
    ),
    web(
        "exports:download",
        "POST",
        "/exports/{export_ok}/download/",
        frozenset({"CW"}),
        forbid=frozenset({"SO"}),
    ),
]


# Open311 GeoReport v2 (issue 4 §3): neither /api/v1 nor a page. The caller is the api_key's user (the sweep in
# test_matrix_open311.py sends each role's own key); the rows are URL names, checked complete with the pages.
def open311(name: str, method: str, url: str, allow: frozenset[str], **kw: Any) -> Row:
    return Row(f"open311:{name}", method, f"/open311/v2{url}", allow, **kw)


OPEN311_ROWS = [
    open311("services", "GET", "/services.json", ALL),
    open311("service", "GET", "/services/sanitation.json?jurisdiction_id=330502", ALL),
    open311("requests", "GET", "/requests.json", ALL),
    open311(
        "requests",
        "POST",
        "/requests.json",
        APPEAL_SUBMIT,
        forbid=frozenset({"SC"}),
        payload=lambda i: {
            "service_code": "sanitation",
            "address_id": f"d{i['dwelling']}",
            "description": "楼道灯坏了",
        },
    ),
    open311("request", "GET", "/requests/{appeal}.json", APPEAL_VIEW),
]

# URL names that are not objects of a scope, each with where it is tested.
WEB_EXEMPT = {
    "web:login": "the log-in form itself (tests/web/test_pages.py, tests/accounts)",
    "web:logout": "ends one's own session",
    "web:second_factor": "the code page after the password, for one's own session (tests/accounts/test_second_factor.py)",
    "set_language": "Django's language switch: a cookie, no data",
    "admin": "superusers only (tests/web/test_admin.py, and test_back_office_is_for_administrators below)",
}
