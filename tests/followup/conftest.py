"""A compound with one stairwell of three dwellings (small_tree), its committees, staff and residents, and
topics brought to their decision: a building topic by a show of hands (HZ-5.1.3.2.2.5), a compound topic by
the assembly's published vote through to its filing with the community (HZ-5.1.3.2.1.3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts import services as accounts
from gongzhi.deliberation import selectors as deliberation
from gongzhi.deliberation import services as topics
from gongzhi.people import services as people
from gongzhi.voting import services as voting
from gongzhi.voting.models import Vote

START = dt.date(2020, 1, 1)
ROLES = [
    ("bl", "building_leader", "building"),
    ("oc", "owners_committee_member", "compound"),
    ("sc", "supervisory_committee_member", "compound"),
    ("ps", "property_staff", "compound"),
    ("cw", "community_worker", "community"),
]


@pytest.fixture
def world(actor, small_tree):
    t = small_tree
    users = {}
    for key, role, where in ROLES:
        users[key] = accounts.user_create(
            actor=actor, username=f"f-{key}", password="pw-follow-2026", is_staff=True
        )
        accounts.role_assign(actor=actor, user=users[key], role=role, start=START, node=t[where])
    for n, dwelling in enumerate(t["dwellings"], start=1):
        owner = people.person_create(actor=actor, name=f"业主{n}")
        people.ownership_open(actor=actor, dwelling=dwelling, person=owner, start=START)
        people.residency_move_in(
            actor=actor,
            dwelling=dwelling,
            person=owner,
            relation="owner",
            start=START,
            is_representative=True,
        )
        users[f"re{n}"] = accounts.user_create(
            actor=actor, username=f"f-re{n}", password="pw-follow-2026", person=owner
        )
        accounts.role_assign(
            actor=actor, user=users[f"re{n}"], role="resident", dwelling=dwelling, start=START
        )
    users["out"] = accounts.user_create(actor=actor, username="f-out", password="pw-follow-2026")
    return {**t, "users": users, "actor": actor}


def step(world, topic, target, record, who):
    user = world["users"][who]
    topic.refresh_from_db()
    caps = deliberation.capacities_for(user, topic)
    topics.topic_advance(actor=user, topic=topic, target=target, capacities=caps, record=record)
    topic.refresh_from_db()
    return topic


def building_topic(world, until="voted", title="楼道灯更换"):
    """A stairwell topic moved by the building leader up to `until` (a show of hands passes 2 of 3)."""
    topic = topics.topic_create(
        actor=world["users"]["bl"],
        node=world["stairwell"],
        title=title,
        source="mailbox",
        procedure="building",
    )
    records = {
        "collected": {"document": "信箱", "source": "mailbox"},
        "screened": {"document": "确认"},
        "meeting_held": {
            "document": "楼道会",
            "format": "on_site",
            "attendance": ["building_leader"],
            "minutes": "议",
        },
        "voted": {"document": "举手", "vote": {"yes": 2, "no": 0, "abstain": 1, "households": 3}},
        "notice_posted": {"document": "张贴", "photo": "notice.jpg"},
    }
    for target, record in records.items():
        step(world, topic, target, record, "bl")
        if target == until:
            break
    return topic


def passed_vote(world):
    """The compound's owners' assembly vote (LAW-CC-278 item 5), every owner voting yes, published."""
    actor, now = world["actor"], timezone.now()
    vote = voting.vote_create(
        actor=actor,
        node=world["compound"],
        rule="owners_assembly",
        item=5,
        title="更换小区路灯",
        motion="是否同意？",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=1),
        roll_date=timezone.localdate(),
    )
    voting.vote_open(actor=actor, vote=vote)
    for n, dwelling in enumerate(world["dwellings"], start=1):
        voting.ballot_cast_online(
            actor=world["users"][f"re{n}"], vote=vote, dwelling_id=dwelling.pk, choice="yes"
        )
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    vote.refresh_from_db()
    voting.vote_close(actor=actor, vote=vote)
    return voting.vote_publish(actor=actor, vote=vote)


def compound_topic(world, until="filed", title="小区路灯更换"):
    """A compound deliberation (HZ-5.1.3.2.1.3) moved up to `until`."""
    topic = topics.topic_create(
        actor=world["users"]["oc"],
        node=world["compound"],
        title=title,
        source="owners_group",
        procedure="compound",
    )
    plan = [
        ("proposed", {"document": "提议", "proposer": "owners_committee"}, "oc"),
        ("consulted", {"document": "联席会", "attendance": ["owners_committee"], "minutes": "商议"}, "oc"),
        ("reviewed", {"document": "审议", "opinion": "同意"}, "sc"),
        ("resolved", {"document": "决议", "vote": {"vote_id": None}}, "oc"),
        ("published", {"document": "公告", "channels": ["notice_board"]}, "oc"),
        ("filed", {"document": "备案报告", "filing_reference": "月河备2026-01"}, "oc"),
    ]
    for target, record, who in plan:
        if target == "resolved":
            record = {**record, "vote": {"vote_id": passed_vote(world).pk}}
        step(world, topic, target, record, who)
        if target == until:
            break
    return topic


@pytest.fixture
def caps():
    def of(world, who, topic):
        return deliberation.capacities_for(world["users"][who], topic)

    return of
