"""The permission-matrix world: one of each role inside 吴兴区, and a mirror world (names with 潮音) outside it.

In scope: district 吴兴区 → street 月河街道 → community 月河社区 → compound 锦绣小区 → building 1幢 →
stairwell 1单元 → dwellings 101, 201 (grid 一网格) and 301 (grid 二网格). 李居民 owns and lives in 101 and sits
on 锦绣业委会; 王二 lives in 201. Out of scope: the same shape under 外区, every name containing 潮音, so a
leak is one substring search away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.test import Client

from gongzhi.accounts import services as accounts
from gongzhi.bodies import services as bodies
from gongzhi.people import services as people
from gongzhi.tree import services as tree

START = dt.date(2024, 1, 1)
OUT_MARK = "潮音"

# Roles by short name: the role and where its assignment points (a key of the in-scope side's objects).
ROLE_SCOPES = {
    "DO": ("district_officer", "district"),
    "SO": ("street_officer", "street"),
    "CW": ("community_worker", "community"),
    "GL": ("grid_leader", "grid"),
    "GW": ("grid_worker", "grid"),
    "BL": ("building_leader", "building"),
    "OC": ("owners_committee_member", "compound"),
    "SC": ("supervisory_committee_member", "compound"),
    "PS": ("property_staff", "compound"),
    "RE": ("resident", "dwelling"),
}
ROLES = ("SU", *ROLE_SCOPES, "NB")  # SU: platform administrator; NB: logged in, no role


@dataclass
class World:
    ins: dict[str, Any]  # in-scope objects by key
    out: dict[str, Any]  # their out-of-scope mirrors
    users: dict[str, Any]
    clients: dict[str, Client] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    notices: dict[str, int] = field(default_factory=dict)  # one notice of each role's own (issue 4 §3)
    baseline: dict[str, Any] = field(default_factory=dict)  # every table, as the matrix test found it

    def ids(self, side: str) -> dict[str, int]:
        objs = self.ins if side == "in" else self.out
        return {k: v.pk for k, v in objs.items()}


def _side(actor: Any, names: dict[str, str], codes: tuple[str, str, str]) -> dict[str, Any]:
    d = tree.node_create(
        actor=actor,
        parent=None,
        name=names["district"],
        level="district",
        code=codes[0],
        policy_pack="huzhou",
    )
    s = tree.node_create(actor=actor, parent=d, name=names["street"], level="street", code=codes[1])
    c = tree.node_create(actor=actor, parent=s, name=names["community"], level="community", code=codes[2])
    k = tree.node_create(actor=actor, parent=c, name=names["compound"], level="compound")
    b = tree.node_create(actor=actor, parent=k, name=names["building"], level="building")
    w = tree.node_create(actor=actor, parent=b, name=names["stairwell"], level="stairwell")
    homes = [
        tree.dwelling_create(actor=actor, stairwell=w, number=f"{n}01", area=Decimal("89.47"), floor=n)
        for n in (1, 2, 3)
    ]
    grid = tree.grid_create(actor=actor, community=c, name=names["grid"])
    other_grid = tree.grid_create(actor=actor, community=c, name=names["grid"] + "二")
    tree.grid_assign(actor=actor, grid=grid, buildings=[], dwellings=homes[:2])
    tree.grid_assign(actor=actor, grid=other_grid, buildings=[], dwellings=homes[2:])
    person = people.person_create(actor=actor, name=names["person"], phone="13812345678")
    neighbour = people.person_create(actor=actor, name=names["neighbour"])
    ownership = people.ownership_open(actor=actor, dwelling=homes[0], person=person, start=START)
    residency = people.residency_move_in(
        actor=actor, dwelling=homes[0], person=person, relation="owner", start=START
    )
    people.residency_move_in(actor=actor, dwelling=homes[1], person=neighbour, relation="owner", start=START)
    body = bodies.body_create(actor=actor, kind="owners_committee", node=k, name=names["body"])
    membership = bodies.member_add(actor=actor, body=body, person=person, term_start=START)
    votes = _votes(actor, k, names["vote"])
    directives = _directives(actor, d, s, c, names["directive"])
    return {
        **votes,
        **directives,
        **_topics(actor, w, c, names["topic"]),
        **_followup(actor, w, k, names["topic"]),
        "district": d,
        "street": s,
        "community": c,
        "compound": k,
        "building": b,
        "stairwell": w,
        "dwelling": homes[0],
        "dwelling_b": homes[1],
        "grid": grid,
        "person": person,
        "person_b": neighbour,
        "ownership": ownership,
        "residency": residency,
        "body": body,
        "membership": membership,
    }


def _votes(actor: Any, compound: Any, title: str) -> dict[str, Any]:
    """A vote of the compound in each state an action needs: draft (open it), running (cast, enter paper),
    ended (close it), closed (publish it) and published (result, notice, recount, receipts)."""
    from django.utils import timezone

    from gongzhi.voting import services as voting

    now = timezone.now()

    def make(key: str, hours: tuple[int, int]) -> Any:
        return voting.vote_create(
            actor=actor,
            node=compound,
            rule="owners_assembly",
            item=5,
            title=f"{title}{key}",
            motion=f"{title}：是否同意？",
            opens_at=now + dt.timedelta(hours=hours[0]),
            closes_at=now + dt.timedelta(hours=hours[1]),
            roll_date=timezone.localdate(),
        )

    draft, running = make("（草案）", (-1, 24)), make("", (-1, 24))
    ended, closed, published = (make(k, (-3, -1)) for k in ("（已截止）", "（已关闭）", "（已公布）"))
    for vote in (running, ended, closed, published):
        voting.vote_open(actor=actor, vote=vote)
    for vote in (closed, published):
        voting.vote_close(actor=actor, vote=vote)
    voting.vote_publish(actor=actor, vote=published)
    return {
        "vote_draft": draft,
        "vote": running,
        "vote_ended": ended,
        "vote_closed": closed,
        "vote_published": published,
    }


def _file(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4 demo", content_type="application/pdf")


def _directives(actor: Any, district: Any, street: Any, community: Any, title: str) -> dict[str, Any]:
    """The county's access list, and two directives from the street to the community: one just received
    (acknowledge it), one acknowledged (split it, report progress, complete it)."""
    from django.utils import timezone

    from gongzhi.directives import services as directives

    item = directives.access_item_create(
        actor=actor, county=district, code="A01", title=f"{title}（准入事项）", kind="allowed"
    )
    due = timezone.localdate() + dt.timedelta(days=30)
    six = {k: title for k in ("project", "plan", "responsible_leader", "working_group", "timetable")}

    def make(suffix: str) -> Any:
        return directives.directive_issue(
            actor=actor,
            node=street,
            title=f"{title}{suffix}",
            content=f"{title}：请摸排。",
            basis=title,
            due_date=due,
            targets=[directives.Target(community, due)],
            access_item=item,
            **six,
        )

    received, acknowledged = make(""), make("（已签收）")
    step = directives.assignment_acknowledge(actor=actor, assignment=acknowledged.assignments.get())
    report = directives.assignment_report(
        actor=actor, assignment=step, percent=10, text=title, files=[_file(f"{title}.pdf")]
    )
    return {
        "directive_file": report.attachments.get(),
        "access_item": item,
        "directive": received,
        "assignment": received.assignments.get(),
        "directive_ack": acknowledged,
        "assignment_ack": step,
    }


def _topics(actor: Any, stairwell: Any, community: Any, title: str) -> dict[str, Any]:
    """A building deliberation's topic at its first step, an on-site and an online meeting of it, and the
    community's must-deliberate catalogue with one matter (deliberation, issue 5 §1)."""
    from django.utils import timezone

    from gongzhi.deliberation import services as deliberation

    topic = deliberation.topic_create(
        actor=actor, node=stairwell, title=title, source="building_leader_visit", procedure="building"
    )
    when = timezone.now() + dt.timedelta(days=1)
    on_site, online = (
        deliberation.meeting_schedule(actor=actor, topic=topic, title=f"{title}{f}", format=f, starts_at=when)
        for f in ("on_site", "online")
    )
    matter = deliberation.catalogue_add(actor=actor, community=community, title=f"{title}事项")
    return {"topic": topic, "meeting": on_site, "meeting_online": online, "matter": matter}


def _followup(actor: Any, stairwell: Any, compound: Any, title: str) -> dict[str, Any]:
    """After the decision (issue 5 §4): a building topic voted by show of hands, its notice posted and its
    implementer appointed (report progress, change, follow up, close; residents appraise), and a compound topic
    resolved, published and filed with the community, nobody appointed yet (appoint; acknowledge the filing)."""
    from django.utils import timezone

    from gongzhi.deliberation import services as deliberation
    from gongzhi.deliberation.models import Step
    from gongzhi.followup import services as followup

    decided = deliberation.topic_create(
        actor=actor, node=stairwell, title=f"{title}（已表决）", source="mailbox", procedure="building"
    )
    records = {
        "collected": {"document": title, "source": "mailbox"},
        "screened": {"document": title},
        "meeting_held": {"document": title, "format": "on_site", "attendance": ["x"], "minutes": title},
        "voted": {"document": title, "vote": {"yes": 2, "no": 0, "abstain": 0, "households": 3}},
        "notice_posted": {"document": title, "photo": "notice.jpg"},
    }
    for target, record in records.items():
        decided.refresh_from_db()
        deliberation.topic_advance(
            actor=actor, topic=decided, target=target, capacities=["building_leader"], record=record
        )
    decided.refresh_from_db()
    due = timezone.localdate() + dt.timedelta(days=30)
    impl = followup.implementation_appoint(
        actor=actor,
        topic=decided,
        capacities=["building_leader"],
        implementer=title,
        due_on=due,
        standard=title,
    )
    milestone = followup.implementation_milestone_add(
        actor=actor, implementation=impl, capacities=["building_leader"], title=f"{title}节点", due_on=due
    )
    filed = deliberation.topic_create(
        actor=actor, node=compound, title=f"{title}（已备案）", source="owners_group", procedure="compound"
    )
    # Its steps are stored directly: the assembly's counted vote the resolution links is beside the point here
    # (tests/followup run the same procedure through the services with a passed vote).
    states = ("new", "proposed", "consulted", "reviewed", "resolved", "published", "filed")
    for source, target in zip(states, states[1:], strict=False):
        Step.objects.create(
            topic=filed,
            source=source,
            target=target,
            clause="HZ-5.1.3.2.1.3",
            actor=actor,
            record={"document": title, "filing_reference": f"{title}备"},
        )
    filed.state = "filed"
    filed.save(update_fields=["state"])
    return {"topic_decided": decided, "topic_filed": filed, "milestone": milestone}


IN_NAMES = {
    "district": "吴兴区",
    "street": "月河街道",
    "community": "月河社区",
    "compound": "锦绣小区",
    "building": "1幢",
    "stairwell": "1单元",
    "grid": "一网格",
    "person": "李居民",
    "neighbour": "王二",
    "body": "锦绣业委会",
    "vote": "续聘物业表决",
    "directive": "加装电梯摸排",
    "topic": "楼道堆物清理",
}
OUT_NAMES = {k: f"{OUT_MARK}{v}" for k, v in IN_NAMES.items()}


def build_world(actor: Any, django_user_model: Any) -> World:
    from gongzhi.roster.models import ImportJob

    ins = _side(actor, IN_NAMES, ("330502", "330502001000", "330502001001"))
    out = _side(actor, OUT_NAMES, ("330503", "330503001000", "330503001001"))
    users = {"SU": actor}
    for short, (role, where) in ROLE_SCOPES.items():
        person = ins["person"] if short == "RE" else None
        user = accounts.user_create(
            actor=actor,
            username=f"m-{short.lower()}",
            password="pw-matrix-2026",
            person=person,
            is_staff=True,
        )
        target = {where: ins[where]} if where in ("grid", "dwelling") else {"node": ins[where]}
        accounts.role_assign(actor=actor, user=user, role=role, start=START, **target)
        users[short] = user
    users["NB"] = accounts.user_create(actor=actor, username="m-nb", password="pw-matrix-2026")
    # Import jobs are private to their uploader: the community worker's is in scope, the administrator's not.
    ins["job"] = ImportJob.objects.create(created_by=users["CW"], file_name="in.xlsx")
    out["job"] = ImportJob.objects.create(created_by=actor, file_name=f"{OUT_MARK}.xlsx")
    ins["appeal"], out["appeal"] = _appeals(users, ins, out)
    ins["appeal_open"], out["appeal_open"] = _appeal_accepted(users, ins), out["appeal"]
    ins["appeal_intake"], out["appeal_intake"] = _intakes(users, ins, out)
    ins["export"], ins["export_ok"] = _exports(users, ins["community"])
    out["export"], out["export_ok"] = _exports_elsewhere(users, out["community"])
    world = World(ins=ins, out=out, users=users, notices=_notices(users, ins["appeal"]))
    for short, user in users.items():
        client = Client()
        client.force_login(user)
        world.clients[short] = client
    return world


def _exports(users: dict[str, Any], community: Any) -> tuple[Any, Any]:
    """The community worker's export requests: one waiting for the street officer, one approved by them."""
    from gongzhi.exports import services as exports

    purpose = "入户走访核对花名册信息"
    waiting = exports.export_request_create(actor=users["CW"], node=community, purpose=purpose)
    approved = exports.export_request_create(actor=users["CW"], node=community, purpose=purpose)
    return waiting, exports.export_request_approve(actor=users["SO"], request=approved)


def _exports_elsewhere(users: dict[str, Any], community: Any) -> tuple[Any, Any]:
    """Their mirrors out of scope (no role there to go through the services, so stored directly)."""
    from django.utils import timezone

    from gongzhi.exports.models import ExportRequest

    now = timezone.now()
    decider = accounts.user_create(actor=users["SU"], username="m-out-so", password="pw-matrix-2026")
    common = {"requester": users["SU"], "requester_role": "community_worker", "node": community}
    waiting = ExportRequest.objects.create(purpose=f"{OUT_MARK}花名册", **common)
    approved = ExportRequest.objects.create(
        purpose=f"{OUT_MARK}花名册",
        status="approved",
        approver=decider,
        decided_at=now,
        expires_at=now + dt.timedelta(days=7),
        **common,
    )
    return waiting, approved


# --- appeals (issue 4 §1) -------------------------------------------------------------------------------------


def _appeals(users: dict[str, Any], ins: dict[str, Any], out: dict[str, Any]) -> tuple[Any, Any]:
    """李居民's appeal about 101 (Huzhou: at the building rung), and one recorded at a walk-in out of scope."""
    from gongzhi.appeals import cases

    mine = cases.appeal_submit(
        actor=users["RE"], dwelling=ins["dwelling"], category="sanitation", description="楼道堆放杂物"
    ).appeal
    elsewhere = cases.appeal_submit(
        actor=users["SU"],
        dwelling=out["dwelling"],
        category="sanitation",
        description=f"{OUT_MARK}楼道堆放杂物",
        channel="walk_in",
    ).appeal
    return mine, elsewhere


def _intakes(users: dict[str, Any], ins: dict[str, Any], out: dict[str, Any]) -> tuple[Any, Any]:
    """Queued submissions (appeals.intake): 李居民's about 101, and one recorded at a walk-in out of scope."""
    from gongzhi.appeals.intake import appeal_intake_receive

    mine = appeal_intake_receive(
        actor=users["RE"], dwelling_id=ins["dwelling"].pk, category="parking", description="车位被占"
    )
    elsewhere = appeal_intake_receive(
        actor=users["SU"],
        dwelling_id=out["dwelling"].pk,
        category="parking",
        description=f"{OUT_MARK}车位被占",
        channel="walk_in",
    )
    return mine, elsewhere


def _appeal_accepted(users: dict[str, Any], ins: dict[str, Any]) -> Any:
    """李居民's second case (facilities, the building rung), accepted by the building leader: being handled."""
    from gongzhi.appeals import cases

    case = cases.appeal_submit(
        actor=users["RE"], dwelling=ins["dwelling"], category="facilities", description="楼道扶手松动"
    ).appeal
    return cases.appeal_transition(actor=users["BL"], appeal_id=case.pk, transition="accept")


# --- notices (issue 4 §3) ---------------------------------------------------------------------------------------


def _notices(users: dict[str, Any], appeal: Any) -> dict[str, int]:
    """One notice for every user: in scope it is the role's own, out of scope someone else's (sweep._ids)."""
    from gongzhi.notices.services import notify, subject_of

    subject = subject_of(appeal, "appeals:detail")
    params = {"id": appeal.pk, "category": appeal.category}
    return {
        short: notify([user], "appeals.alert", subject, params=params)[0].pk for short, user in users.items()
    }
