"""Export fixtures: the small tree with two people, a second community and street out of the worker's scope,
and one user per rung of the approval ladder (CZ-VI.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongzhi.accounts import services as accounts
from gongzhi.audit.models import AuditEntry
from gongzhi.exports import services
from gongzhi.exports.models import ExportRequest
from gongzhi.people import idcard
from gongzhi.people import services as people
from gongzhi.tree import services as tree

START = dt.date(2025, 1, 1)
ID_WANG = idcard.make("330502", dt.date(1970, 5, 1), 11)
PHONE_WANG = "13900001111"
PURPOSE = "入户走访核对困难群众信息（2026年春节慰问）"


def make_user(django_user_model: Any, username: str, **extra: Any) -> Any:
    # No password: clients log in with force_login, and hashing would dominate the run time.
    return django_user_model.objects.create_user(username=username, password=None, **extra)


def give(actor: Any, user: Any, role: str, node: Any, **extra: Any) -> Any:
    return accounts.role_assign(actor=actor, user=user, role=role, start=START, node=node, **extra)


@pytest.fixture
def residents(actor, small_tree):
    """王芳 (owner, representative, disabled, Party member) in 101; 李强 in 201."""
    d101, d201 = small_tree["dwellings"][0], small_tree["dwellings"][1]
    wang = people.person_create(
        actor=actor, name="王芳", id_number=ID_WANG, phone=PHONE_WANG, is_party_member=True, tags=["disabled"]
    )
    li = people.person_create(actor=actor, name="李强", phone="13900002222")
    people.ownership_open(actor=actor, dwelling=d101, person=wang, start=START)
    people.residency_move_in(
        actor=actor, dwelling=d101, person=wang, relation="owner", start=START, is_representative=True
    )
    people.residency_move_in(actor=actor, dwelling=d201, person=li, relation="tenant", start=START)
    return {"wang": wang, "li": li}


@pytest.fixture
def other_street(actor, small_tree):
    """A second street with one community, compound, building, stairwell and dwelling."""
    s = tree.node_create(
        actor=actor, parent=small_tree["district"], name="龙泉街道", level="street", code="330502002000"
    )
    c = tree.node_create(actor=actor, parent=s, name="青山社区", level="community", code="330502002001")
    k = tree.node_create(actor=actor, parent=c, name="青山小区", level="compound")
    b = tree.node_create(actor=actor, parent=k, name="5幢", level="building")
    w = tree.node_create(actor=actor, parent=b, name="1单元", level="stairwell")
    tree.dwelling_create(actor=actor, stairwell=w, number="501", area="70.00")
    return {"street": s, "community": c, "building": b}


@pytest.fixture
def worker(actor, small_tree, django_user_model):
    user = make_user(django_user_model, "worker", first_name="小张")
    give(actor, user, "community_worker", small_tree["community"])
    return user


@pytest.fixture
def street_officer(actor, small_tree, django_user_model):
    user = make_user(django_user_model, "street", first_name="老李")
    give(actor, user, "street_officer", small_tree["street"])
    return user


@pytest.fixture
def district_officer(actor, small_tree, django_user_model):
    user = make_user(django_user_model, "district")
    give(actor, user, "district_officer", small_tree["district"])
    return user


@pytest.fixture
def other_street_officer(actor, other_street, django_user_model):
    user = make_user(django_user_model, "street2")
    give(actor, user, "street_officer", other_street["street"])
    return user


@pytest.fixture
def leader(actor, small_tree, django_user_model):
    """A building leader: their role covers the building but may not export."""
    user = make_user(django_user_model, "leader")
    give(actor, user, "building_leader", small_tree["building"])
    return user


def verified(user: Any) -> Any:
    """The user as django-otp marks them after a confirmed second factor in this session."""
    user.is_verified = lambda: True
    return user


@pytest.fixture
def requested(worker, small_tree, residents):
    return services.export_request_create(actor=worker, node=small_tree["community"], purpose=PURPOSE)


@pytest.fixture
def approved(requested, street_officer):
    return services.export_request_approve(
        actor=street_officer, request=requested, note="同意，限春节慰问使用"
    )


def state() -> dict[str, Any]:
    """Everything a refused step must leave unchanged: the requests as stored and the audit trail's length."""
    rows = list(ExportRequest.objects.order_by("pk").values())
    return {"requests": rows, "audit": AuditEntry.objects.count()}


def actions(obj: Any) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(obj.pk), action__startswith="exports.")
        .values_list("action", flat=True)
        .order_by("seq")
    )
