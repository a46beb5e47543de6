"""A compound of three dwellings with owners who have log-ins, staff who run the vote, and votes in each state.

101 (89.47 m²) 张一; 201 (89.47 m²) co-owned by 王二 and 王三; 301 (89.47 m²) 赵四. 张一 and 赵四 are
household representatives (for building meetings).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongzhi.accounts import services as accounts
from gongzhi.people import services as people
from gongzhi.voting import services as voting

START = dt.date(2020, 1, 1)


@pytest.fixture
def compound(actor, small_tree):
    t = small_tree
    d1, d2, d3 = t["dwellings"]
    owners = {}
    for key, name, dwelling in [
        ("zhang", "张一", d1),
        ("wang2", "王二", d2),
        ("wang3", "王三", d2),
        ("zhao", "赵四", d3),
    ]:
        person = people.person_create(actor=actor, name=name)
        people.ownership_open(actor=actor, dwelling=dwelling, person=person, start=START)
        owners[key] = person
    for key, dwelling in [("zhang", d1), ("zhao", d3)]:
        people.residency_move_in(
            actor=actor,
            dwelling=dwelling,
            person=owners[key],
            relation="owner",
            start=START,
            is_representative=True,
        )
    users = {
        key: accounts.user_create(actor=actor, username=f"u-{key}", password="pw-vote-2026", person=person)
        for key, person in owners.items()
    }
    for key in ("cw", "cw2"):
        users[key] = accounts.user_create(
            actor=actor, username=f"u-{key}", password="pw-vote-2026", is_staff=True
        )
        accounts.role_assign(
            actor=actor, user=users[key], role="community_worker", node=t["community"], start=START
        )
    return {**t, "owners": owners, "users": users, "d1": d1, "d2": d2, "d3": d3}


def make_vote(actor, node, *, rule="owners_assembly", item=5, secret=False, open_=True, hours=(-1, 1)):
    now = timezone.now()
    vote = voting.vote_create(
        actor=actor,
        node=node,
        rule=rule,
        item=item if rule == "owners_assembly" else None,
        title="更换物业服务企业",
        motion="是否同意续聘锦绣物业？",
        opens_at=now + dt.timedelta(hours=hours[0]),
        closes_at=now + dt.timedelta(hours=hours[1]),
        roll_date=timezone.localdate(),
        secret=secret,
    )
    return voting.vote_open(actor=actor, vote=vote) if open_ else vote


def end_voting(vote):
    """Move the closing time into the past (the clock, not a service: what a day's wait would do)."""
    from gongzhi.voting.models import Vote

    Vote.objects.filter(pk=vote.pk).update(
        opens_at=timezone.now() - dt.timedelta(hours=3), closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    vote.refresh_from_db()
    return vote


def scan(name="ballot.png"):
    return SimpleUploadedFile(name, b"\x89PNG fake scan", content_type="image/png")


@pytest.fixture
def assembly(actor, compound):
    return make_vote(actor, compound["compound"])


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
