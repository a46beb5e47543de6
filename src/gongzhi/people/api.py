"""REST endpoints for people, ownerships and household memberships. ID and phone numbers go out masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Action, Kind
from gongzhi.api import messages
from gongzhi.api.errors import with_errors
from gongzhi.api.paging import PageParams, page
from gongzhi.core.errors import InvalidInput
from gongzhi.people import idcard, services
from gongzhi.people.masking import mask_id_number, mask_phone
from gongzhi.people.models import CareTag, Gender, Ownership, Person, Relation, Residency
from gongzhi.people.privacy import PersonView, person_view_for

router = Router()


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class PersonOut(Schema):
    id: int
    name: str
    gender: str = Field(description='"M", "F" or empty.')
    id_number_masked: str = Field(examples=["110105********002X"])
    phone_masked: str = Field(examples=["138****5678"])
    is_party_member: bool | None = Field(description="null where your role has no need to know it (LAW-PIPL)")
    is_registered_resident: bool
    tags: list[CareTag]


class OwnershipOut(Schema):
    id: int
    dwelling_id: int
    person_id: int
    start: dt.date
    end: dt.date | None
    document: str


class ResidencyOut(Schema):
    id: int
    dwelling_id: int
    person_id: int
    relation: Relation
    is_representative: bool
    start: dt.date
    end: dt.date | None


class PersonDetail(PersonOut):
    ownerships: list[OwnershipOut] = Field(description="Ownerships (any period) in your scope.")
    residencies: list[ResidencyOut] = Field(description="Household memberships (any period) in your scope.")


class PersonPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PersonOut]


class PersonIn(Strict):
    name: str = Field(max_length=60)
    id_number: str = Field(
        "", max_length=18, description="18 characters; birth date and gender follow from it."
    )
    phone: str = Field("", max_length=20)
    gender: Gender | None = None
    birth_date: dt.date | None = None
    is_party_member: bool = False
    is_registered_resident: bool = True
    tags: list[CareTag] = Field(default_factory=list)


class PersonPatch(Strict):
    name: str | None = Field(None, max_length=60)
    id_number: str | None = Field(None, max_length=18)
    phone: str | None = Field(None, max_length=20)
    gender: Gender | None = None
    birth_date: dt.date | None = None
    is_party_member: bool | None = None
    is_registered_resident: bool | None = None
    tags: list[CareTag] | None = None


class OwnershipIn(Strict):
    dwelling_id: int
    start: dt.date
    document: str = Field("", max_length=100)


class OwnershipCloseIn(Strict):
    end: dt.date = Field(description="Exclusive: the first day the person no longer owns the dwelling.")


class MoveInIn(Strict):
    person_id: int
    dwelling_id: int
    relation: Relation
    start: dt.date
    is_representative: bool = False


class MoveOutIn(Strict):
    end: dt.date


class SearchParams(PageParams):
    search: str = Field("", max_length=60, description="Part of a name, or a full ID number.")


# --- rendering -------------------------------------------------------------------------------------------


def person_out(p: Person, view: PersonView) -> dict[str, Any]:
    """A person as the API shows them; `view` hides sensitive categories from roles without the need."""
    return {
        "id": p.pk,
        "name": p.name,
        "gender": p.gender,
        "id_number_masked": mask_id_number(p.id_number),
        "phone_masked": mask_phone(p.phone),
        "is_party_member": view.party(p.is_party_member),
        "is_registered_resident": p.is_registered_resident,
        "tags": view.tags(t.tag for t in p.tags.all()),
    }


def ownership_out(o: Ownership) -> dict[str, Any]:
    return {
        "id": o.pk,
        "dwelling_id": o.dwelling_id,
        "person_id": o.person_id,
        "start": o.start,
        "end": o.end,
        "document": o.document,
    }


def residency_out(r: Residency) -> dict[str, Any]:
    return {
        "id": r.pk,
        "dwelling_id": r.dwelling_id,
        "person_id": r.person_id,
        "relation": r.relation,
        "is_representative": r.is_representative,
        "start": r.start,
        "end": r.end,
    }


def person_detail(user: Any, p: Person) -> dict[str, Any]:
    # Only the person's links inside the user's scope: a worker should not learn of homes elsewhere.
    ownerships = access.ownerships_visible_to(user, p.ownerships.order_by("start", "pk"))
    residencies = access.residencies_visible_to(user, p.residencies.order_by("start", "pk"))
    return {
        **person_out(p, person_view_for(user)),
        "ownerships": [ownership_out(o) for o in ownerships],
        "residencies": [residency_out(r) for r in residencies],
    }


def _search(qs: QuerySet[Person], text: str) -> QuerySet[Person]:
    text = text.strip()
    if not text:
        return qs
    number = idcard.normalize(text)
    if len(number) == 18:
        return qs.filter(Q(id_number=number) | Q(name__icontains=text))
    return qs.filter(name__icontains=text)


# --- people ----------------------------------------------------------------------------------------------


@router.get("/people", response=with_errors({200: PersonPage}), summary="Search people")
def people_list(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    qs = _search(access.people_visible_to(request.user), params.search)
    view = person_view_for(request.user)
    return page(qs.prefetch_related("tags").order_by("name", "pk"), params, lambda p: person_out(p, view))


@router.get("/people/{person_id}", response=with_errors({200: PersonDetail}), summary="A person")
def person_get(request: HttpRequest, person_id: int) -> dict[str, Any]:
    person = access.person_get_for(request.user, person_id)
    services.person_viewed(actor=request.user, person=person, channel="api")
    return person_detail(request.user, person)


class RevealIn(Strict):
    purpose: str = Field(
        max_length=200, description="Why the full values are needed; recorded in the audit trail."
    )


class RevealOut(Schema):
    id_number: str
    phone: str


@router.post(
    "/people/{person_id}/reveal",
    response=with_errors({200: RevealOut}),
    summary="Reveal one person's full ID number and phone (audited, with a purpose)",
)
def person_reveal(request: HttpRequest, person_id: int, payload: RevealIn) -> dict[str, str]:
    person = access.person_get_for(request.user, person_id)
    return services.person_reveal(actor=request.user, person=person, purpose=payload.purpose)


@router.post("/people", response=with_errors({201: PersonDetail}), summary="Register a person")
def person_create(request: HttpRequest, payload: PersonIn) -> Status[dict[str, Any]]:
    access.require(request.user, Kind.PERSON, Action.CHANGE)
    values = payload.model_dump()
    values["gender"] = values["gender"] or ""
    values["tags"] = [str(t) for t in values["tags"]]
    person = services.person_create(actor=request.user, **values)
    return Status(201, person_detail(request.user, person))


@router.patch("/people/{person_id}", response=with_errors({200: PersonDetail}), summary="Change a person")
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> dict[str, Any]:
    person = access.person_get_for(request.user, person_id)
    access.require(request.user, Kind.PERSON, Action.CHANGE, person)
    changes = payload.model_dump(exclude_unset=True)
    tags = changes.pop("tags", None)
    for key in ("name", "id_number", "phone", "gender"):
        if key in changes and changes[key] is None:
            changes[key] = ""
    for key in ("is_party_member", "is_registered_resident"):
        if key in changes and changes[key] is None:
            raise InvalidInput(messages.VALUE_REQUIRED, code="value_required")
    if changes:
        person = services.person_update(actor=request.user, person=person, **changes)
    if tags is not None:
        services.person_tags_set(actor=request.user, person=person, tags=[str(t) for t in tags])
    return person_detail(request.user, person)


# --- ownership -------------------------------------------------------------------------------------------


@router.post(
    "/people/{person_id}/ownerships",
    response=with_errors({201: OwnershipOut}),
    summary="Record that a person (co-)owns a dwelling",
)
def ownership_open(request: HttpRequest, person_id: int, payload: OwnershipIn) -> Status[dict[str, Any]]:
    person = access.person_get_for(request.user, person_id)
    dwelling = access.dwelling_get_for(request.user, payload.dwelling_id)
    access.require(request.user, Kind.OWNERSHIP, Action.CHANGE, dwelling)
    ownership = services.ownership_open(
        actor=request.user, dwelling=dwelling, person=person, start=payload.start, document=payload.document
    )
    return Status(201, ownership_out(ownership))


@router.post(
    "/ownerships/{ownership_id}/close", response=with_errors({200: OwnershipOut}), summary="End an ownership"
)
def ownership_close(request: HttpRequest, ownership_id: int, payload: OwnershipCloseIn) -> dict[str, Any]:
    ownership = access.ownership_get_for(request.user, ownership_id)
    access.require(request.user, Kind.OWNERSHIP, Action.CHANGE, ownership)
    return ownership_out(services.ownership_close(actor=request.user, ownership=ownership, end=payload.end))


# --- household membership --------------------------------------------------------------------------------


@router.post(
    "/residencies", response=with_errors({201: ResidencyOut}), summary="Move a person into a dwelling"
)
def residency_move_in(request: HttpRequest, payload: MoveInIn) -> Status[dict[str, Any]]:
    person = access.person_get_for(request.user, payload.person_id)
    dwelling = access.dwelling_get_for(request.user, payload.dwelling_id)
    access.require(request.user, Kind.RESIDENCY, Action.CHANGE, dwelling)
    residency = services.residency_move_in(
        actor=request.user,
        dwelling=dwelling,
        person=person,
        relation=payload.relation.value,
        start=payload.start,
        is_representative=payload.is_representative,
    )
    return Status(201, residency_out(residency))


@router.post(
    "/residencies/{residency_id}/move-out",
    response=with_errors({200: ResidencyOut}),
    summary="Move a person out",
)
def residency_move_out(request: HttpRequest, residency_id: int, payload: MoveOutIn) -> dict[str, Any]:
    residency = access.residency_get_for(request.user, residency_id)
    access.require(request.user, Kind.RESIDENCY, Action.CHANGE, residency)
    return residency_out(
        services.residency_move_out(actor=request.user, residency=residency, end=payload.end)
    )


@router.post(
    "/residencies/{residency_id}/make-representative",
    response=with_errors({200: ResidencyOut}),
    summary="Make a household member the household representative",
)
def residency_make_representative(request: HttpRequest, residency_id: int) -> dict[str, Any]:
    residency = access.residency_get_for(request.user, residency_id)
    access.require(request.user, Kind.RESIDENCY, Action.CHANGE, residency)
    return residency_out(services.household_representative_set(actor=request.user, residency=residency))
