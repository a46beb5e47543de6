"""Demo log-ins: one per role, with a fixed, documented password (never use demo data in production).

All demo accounts share DEMO_PASSWORD; the superuser is `admin`. The password passes the configured
validators (at least 8 characters, not a common password), although create_user does not run them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser

from gongzhi.accounts import services as accounts
from gongzhi.accounts.models import Account
from gongzhi.accounts.roles import Role
from gongzhi.audit.services import audit_record
from gongzhi.people.models import Person
from gongzhi.tree.models import Dwelling, Grid, Node

DEMO_PASSWORD = "gongzhi-demo-2026"
ADMIN_USERNAME = "admin"
# One log-in per role; the user name is the role's identifier.
DEMO_USERNAMES: dict[Role, str] = {role: role.value for role in Role}


@dataclass(frozen=True)
class LoginScopes:
    """Where each role is held, and the people behind the member, staff and resident log-ins."""

    district: Node
    street: Node
    community: Node
    grid: Grid
    building: Node
    compound: Node
    dwelling: Dwelling
    resident: Person | None
    owners_committee_member: Person | None
    supervisory_committee_member: Person | None
    property_staff: Person | None
    resident_group: Node | None = (
        None  # a BZ-style resident group somewhere in the demo (its leader's log-in)
    )


def demo_password_hash() -> str:
    """Hashed once per data set: a dozen deliberately slow hashes would dominate a small demo."""
    return make_password(DEMO_PASSWORD)


def admin_get_or_create(*, hashed: str) -> AbstractBaseUser:
    """The demo superuser (kept as it is when it already exists)."""
    User = get_user_model()
    user = User.objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        user = User.objects.create(username=ADMIN_USERNAME, password=hashed, is_staff=True, is_superuser=True)
        Account.objects.create(user=user)
    return user


def _user_create(*, actor: Any, username: str, hashed: str, person: Person | None, is_staff: bool) -> Any:
    """As accounts.services.user_create, with an already hashed password."""
    user = get_user_model().objects.create(
        username=username, password=hashed, is_staff=is_staff, first_name=person.name if person else ""
    )
    Account.objects.create(user=user, person=person)
    audit_record(
        actor=actor,
        action="accounts.user_created",
        obj=user,
        after={"username": username, "person": person.pk if person else None, "is_staff": is_staff},
    )
    return user


def demo_totp_key(username: str) -> str:
    """The demo's authenticator secret for `username` (hex, as django-otp stores it): fixed and public, like
    the demo password, so that a re-generated demo, the printed log-ins and the browser tests keep working."""
    return hashlib.sha1(f"gongzhi-demo-totp:{username}".encode()).hexdigest()


def demo_second_factor(*, actor: Any, user: Any) -> None:
    """Enrol a demo user whose role needs a second factor (accounts.two_factor) with the demo secret."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from gongzhi.accounts.two_factor import confirmed_device, second_factor_required

    if not second_factor_required(user) or confirmed_device(user) is not None:
        return
    device = TOTPDevice.objects.create(
        user=user, name="demo", key=demo_totp_key(user.get_username()), confirmed=True
    )
    audit_record(
        actor=actor,
        action="accounts.second_factor_confirmed",
        obj=device,
        after={"confirmed": True, "demo_key": True},
    )


def logins_create(*, actor: Any, scopes: LoginScopes, start: dt.date, hashed: str) -> list[AbstractBaseUser]:
    """A user and an open role assignment per role (roles through accounts.services, which audit)."""
    where: dict[Role, dict[str, Any]] = {
        Role.DISTRICT_OFFICER: {"node": scopes.district},
        Role.STREET_OFFICER: {"node": scopes.street},
        Role.COMMUNITY_WORKER: {"node": scopes.community},
        Role.GRID_LEADER: {"grid": scopes.grid},
        Role.GRID_WORKER: {"grid": scopes.grid},
        Role.BUILDING_LEADER: {"node": scopes.building},
        Role.OWNERS_COMMITTEE_MEMBER: {"node": scopes.compound},
        Role.SUPERVISORY_COMMITTEE_MEMBER: {"node": scopes.compound},
        Role.PROPERTY_STAFF: {"node": scopes.compound},
        Role.RESIDENT: {"dwelling": scopes.dwelling},
        Role.COMMUNITY_PROPERTY_MANAGER: {"node": scopes.community},
        Role.OWNERS_REPRESENTATIVE: {"node": scopes.compound},
    }
    if scopes.resident_group is not None:
        where[Role.RESIDENT_GROUP_LEADER] = {"node": scopes.resident_group}
    people = {
        Role.RESIDENT: scopes.resident,
        Role.OWNERS_COMMITTEE_MEMBER: scopes.owners_committee_member,
        Role.SUPERVISORY_COMMITTEE_MEMBER: scopes.supervisory_committee_member,
        Role.PROPERTY_STAFF: scopes.property_staff,
    }
    users = []
    for role, scope in where.items():
        person = people.get(role)
        user = _user_create(
            actor=actor,
            username=DEMO_USERNAMES[role],
            hashed=hashed,
            person=person,
            is_staff=role != Role.RESIDENT,
        )
        accounts.role_assign(actor=actor, user=user, role=role.value, start=start, **scope)
        users.append(user)
    for user in [actor, *users]:  # the administrator (the acting user) too
        demo_second_factor(actor=actor, user=user)
    return users
