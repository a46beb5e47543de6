"""Write path for people, ownership and household membership. Nothing is deleted: periods are closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.services import audit_record, snapshot
from gongzhi.core.errors import Forbidden, InvalidInput
from gongzhi.people import idcard
from gongzhi.people.models import CareTag, Ownership, Person, PersonTag, Relation, Residency
from gongzhi.tree.models import Dwelling

PERSON_FIELDS = [
    "name",
    "gender",
    "id_number",
    "birth_date",
    "phone",
    "is_party_member",
    "is_registered_resident",
]

ID_ERRORS = {
    "length": _("An ID number has 18 characters."),
    "characters": _("An ID number is 17 digits followed by a digit or X."),
    "birth_date": _("The birth date inside the ID number is not a valid date."),
    "checksum": _("The ID number's check digit is wrong."),
}


def today() -> dt.date:
    return timezone.localdate()


def validate_id_number(raw: str) -> idcard.IdInfo:
    try:
        return idcard.parse(raw)
    except idcard.IdNumberError as exc:
        raise InvalidInput(ID_ERRORS[exc.reason], code=f"id_{exc.reason}") from exc


def validate_phone(raw: str) -> str:
    phone = raw.strip().replace(" ", "").replace("-", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise InvalidInput(_("The phone number is not valid."), code="phone_invalid")
    if len(phone) == 11 and not phone.startswith("1"):
        raise InvalidInput(_("A mobile number starts with 1."), code="phone_invalid")
    return phone


def _person_values(
    name: str, id_number: str, phone: str, gender: str, birth_date: dt.date | None
) -> dict[str, Any]:
    name = name.strip()
    if not name:
        raise InvalidInput(_("A name is required."), code="name_required")
    values: dict[str, Any] = {
        "name": name,
        "phone": validate_phone(phone),
        "gender": gender,
        "birth_date": birth_date,
    }
    if id_number.strip():
        info = validate_id_number(id_number)
        values.update(id_number=info.number, birth_date=info.birth_date, gender=info.gender)
    else:
        values["id_number"] = ""
    if values["gender"] not in ("", "M", "F"):
        raise InvalidInput(_("Unknown gender."), code="gender_invalid")
    return values


@transaction.atomic
def person_create(
    *,
    actor: Any,
    name: str,
    id_number: str = "",
    phone: str = "",
    gender: str = "",
    birth_date: dt.date | None = None,
    is_party_member: bool = False,
    is_registered_resident: bool = True,
    tags: list[str] | None = None,
) -> Person:
    """Register a person. With an ID number, birth date and gender are derived from it."""
    values = _person_values(name, id_number, phone, gender, birth_date)
    if values["id_number"] and Person.objects.filter(id_number=values["id_number"]).exists():
        raise InvalidInput(_("A person with this ID number is already registered."), code="id_taken")
    person = Person.objects.create(
        **values, is_party_member=is_party_member, is_registered_resident=is_registered_resident
    )
    for tag in tags or []:
        _tag_add(person, tag)
    audit_record(
        actor=actor,
        action="people.person_created",
        obj=person,
        after={**snapshot(person, PERSON_FIELDS), "tags": sorted(tags or [])},
    )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **changes: Any) -> Person:
    """Change a person's details; ID number, birth date and gender stay consistent."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person, PERSON_FIELDS)
    allowed = set(PERSON_FIELDS)
    if set(changes) - allowed:
        raise InvalidInput(_("These fields cannot be changed here."), code="field_not_allowed")
    merged = {**before, **changes}
    values = _person_values(
        merged["name"],
        merged["id_number"] or "",
        merged["phone"] or "",
        merged["gender"] or "",
        changes.get("birth_date", person.birth_date),
    )
    if (
        values["id_number"]
        and Person.objects.filter(id_number=values["id_number"]).exclude(pk=person.pk).exists()
    ):
        raise InvalidInput(_("A person with this ID number is already registered."), code="id_taken")
    for key in ("is_party_member", "is_registered_resident"):
        if key in changes:
            values[key] = bool(changes[key])
    for key, value in values.items():
        setattr(person, key, value)
    person.save(update_fields=list(values))
    audit_record(
        actor=actor,
        action="people.person_updated",
        obj=person,
        before=before,
        after=snapshot(person, PERSON_FIELDS),
    )
    return person


def _tag_add(person: Person, tag: str) -> PersonTag:
    if tag not in CareTag.values:
        raise InvalidInput(_("Unknown care tag."), code="tag_invalid")
    obj, _created = PersonTag.objects.get_or_create(person=person, tag=tag, defaults={"since": today()})
    return obj


@transaction.atomic
def person_tags_set(*, actor: Any, person: Person, tags: list[str]) -> None:
    """Replace a person's care tags (catalogue §2.11)."""
    before = sorted(person.tags.values_list("tag", flat=True))
    for tag in tags:
        _tag_add(person, tag)
    person.tags.exclude(tag__in=tags).delete()
    audit_record(
        actor=actor,
        action="people.tags_changed",
        obj=person,
        before={"tags": before},
        after={"tags": sorted(tags)},
    )


@transaction.atomic
def ownership_open(
    *, actor: Any, dwelling: Dwelling, person: Person, start: dt.date, document: str = ""
) -> Ownership:
    """Record that `person` (co-)owns `dwelling` from `start`. Co-owners are several open ownerships."""
    if Ownership.objects.filter(dwelling=dwelling, person=person, end__isnull=True).exists():
        raise InvalidInput(_("This person already owns this dwelling."), code="already_owner")
    ownership = Ownership.objects.create(dwelling=dwelling, person=person, start=start, document=document)
    audit_record(
        actor=actor,
        action="people.ownership_opened",
        obj=ownership,
        after={"dwelling": dwelling.pk, "person": person.pk, "start": start},
        node_path=dwelling.path,
    )
    return ownership


@transaction.atomic
def ownership_close(*, actor: Any, ownership: Ownership, end: dt.date) -> Ownership:
    """End an ownership (sale, inheritance…) on `end` (exclusive)."""
    ownership = Ownership.objects.select_for_update().get(pk=ownership.pk)
    if ownership.end is not None:
        raise InvalidInput(_("This ownership has already ended."), code="already_closed")
    if end <= ownership.start:
        raise InvalidInput(_("An ownership must end after it started."), code="end_before_start")
    ownership.end = end
    ownership.save(update_fields=["end"])
    audit_record(
        actor=actor,
        action="people.ownership_closed",
        obj=ownership,
        before={"end": None},
        after={"end": end},
        node_path=ownership.dwelling.path,
    )
    return ownership


@transaction.atomic
def residency_move_in(
    *,
    actor: Any,
    dwelling: Dwelling,
    person: Person,
    relation: str,
    start: dt.date,
    is_representative: bool = False,
) -> Residency:
    """Open a household membership. A person lives in one dwelling at a time: moving closes the old one."""
    if relation not in Relation.values:
        raise InvalidInput(_("Unknown relation to the household."), code="relation_invalid")
    current = Residency.objects.select_for_update().filter(person=person, end__isnull=True).first()
    if current is not None:
        if current.dwelling_id == dwelling.pk:
            raise InvalidInput(_("This person already lives in this dwelling."), code="already_resident")
        residency_move_out(actor=actor, residency=current, end=start)
    if is_representative:
        _clear_representative(actor, dwelling)
    residency = Residency.objects.create(
        dwelling=dwelling,
        person=person,
        relation=relation,
        start=start,
        is_representative=is_representative,
        path=dwelling.path,
    )
    audit_record(
        actor=actor,
        action="people.moved_in",
        obj=residency,
        after={
            "dwelling": dwelling.pk,
            "person": person.pk,
            "relation": relation,
            "representative": is_representative,
            "start": start,
        },
        node_path=dwelling.path,
    )
    return residency


@transaction.atomic
def residency_move_out(*, actor: Any, residency: Residency, end: dt.date) -> Residency:
    """Close a household membership on `end`; a representative who leaves leaves the post empty."""
    residency = Residency.objects.select_for_update().get(pk=residency.pk)
    if residency.end is not None:
        raise InvalidInput(_("This person has already moved out."), code="already_closed")
    if end < residency.start:
        raise InvalidInput(_("Moving out cannot precede moving in."), code="end_before_start")
    residency.end = end
    residency.is_representative = False
    residency.save(update_fields=["end", "is_representative"])
    audit_record(
        actor=actor,
        action="people.moved_out",
        obj=residency,
        before={"end": None},
        after={"end": end},
        node_path=residency.path,
    )
    return residency


def _clear_representative(actor: Any, dwelling: Dwelling) -> None:
    for old in Residency.objects.select_for_update().filter(
        dwelling=dwelling, end__isnull=True, is_representative=True
    ):
        old.is_representative = False
        old.save(update_fields=["is_representative"])
        audit_record(
            actor=actor,
            action="people.representative_cleared",
            obj=old,
            before={"representative": True},
            after={"representative": False},
            node_path=old.path,
        )


@transaction.atomic
def household_representative_set(*, actor: Any, residency: Residency) -> Residency:
    """Make this member the dwelling's one household representative 户代表."""
    residency = Residency.objects.select_for_update().get(pk=residency.pk)
    if residency.end is not None:
        raise InvalidInput(_("Only a current household member can represent it."), code="not_current")
    if residency.is_representative:
        return residency
    _clear_representative(actor, residency.dwelling)
    residency.is_representative = True
    residency.save(update_fields=["is_representative"])
    audit_record(
        actor=actor,
        action="people.representative_set",
        obj=residency,
        before={"representative": False},
        after={"representative": True},
        node_path=residency.path,
    )
    return residency


@transaction.atomic
@transaction.atomic
def person_viewed(*, actor: Any, person: Person, channel: str) -> None:
    """Records that `actor` opened `person`'s full record (web page or API detail), so the person can see who
    looked at their data (LAW-PIPL access right, issue 3 §2). Lists are not logged: they show names only.

    Precondition: the caller has already checked that `actor` may see `person`. A person viewing their own
    record is not logged.
    """
    from gongzhi.accounts.models import Account

    if Account.objects.filter(user=actor, person=person).exists():
        return
    audit_record(actor=actor, action="people.viewed", obj=person, after={"channel": channel})


def person_reveal(*, actor: Any, person: Person, purpose: str) -> dict[str, str]:
    """The clear ID number and phone of one person, for a stated purpose; the reveal itself is audited.

    Precondition: the caller has checked that `actor` may see `person` at all (scoped access).
    The audit entry records who, when, why and from where, never the clear values (LAW-PIPL, CZ-VI.3).
    """
    from gongzhi.accounts.two_factor import is_verified
    from gongzhi.people.privacy import may_reveal

    if not may_reveal(actor):
        raise Forbidden(_("Your role may not reveal personal data."))
    purpose = purpose.strip()
    if len(purpose) < 4:
        raise InvalidInput(_("State why you need the full ID number and phone."), code="purpose_required")
    if not is_verified(actor):
        raise Forbidden(
            _(
                "Confirm your second factor (authenticator code) on the security page before revealing personal data."
            ),
            code="second_factor_required",
        )
    audit_record(actor=actor, action="people.revealed", obj=person, after={"purpose": purpose[:200]})
    return {"id_number": person.id_number, "phone": person.phone}
