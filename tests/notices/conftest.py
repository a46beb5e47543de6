"""Two users with notices, a phone for one of them, and helpers to leave notices about a tree node."""

from __future__ import annotations

import pytest

from gongzhi.accounts import services as accounts
from gongzhi.notices.services import notify, subject_of
from gongzhi.people import services as people

PHONE = "13912345678"


@pytest.fixture
def pair(actor, small_tree):
    person = people.person_create(actor=actor, name="王五", phone=PHONE)
    me = accounts.user_create(actor=actor, username="n-me", password="pw-notice-2026", person=person)
    me.email = "me@example.org"
    me.save(update_fields=["email"])
    other = accounts.user_create(actor=actor, username="n-other", password="pw-notice-2026")
    return {"me": me, "other": other, "node": small_tree["building"], "tree": small_tree}


def leave(pair, who="me", kind="appeals.alert", **kw):
    """A notice about the building node, linking to its page."""
    kw.setdefault("params", {"id": 7, "category": "safety"})
    subject = subject_of(pair["node"], "web:node")
    return notify([pair[who]], kind, subject, **kw)
