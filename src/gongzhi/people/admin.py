"""Back-office editing of people through people.services (audited); ownership and residency are read-only.

Ownerships and household memberships are periods opened and closed by services (ownership_open/close,
residency_move_in/out); the admin shows them but does not edit them, so no period is rewritten silently.
Lists show ID and phone numbers masked (people.masking).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongzhi.people import services
from gongzhi.people.masking import mask_id_number, mask_phone
from gongzhi.people.models import Ownership, Person, PersonTag, Residency
from gongzhi.web.admin_support import ReadOnlyAdmin, ServiceAdmin, changed


class PersonTagInline(admin.TabularInline):  # type: ignore[type-arg]
    """Edited as a set: PersonAdmin.save_formset hands the resulting tags to services.person_tags_set."""

    model = PersonTag
    fields = ["tag", "since"]
    readonly_fields = ["since"]
    extra = 0


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    list_display = [
        "name",
        "gender",
        "masked_id",
        "masked_phone",
        "is_party_member",
        "is_registered_resident",
    ]
    list_filter = ["is_party_member", "is_registered_resident", "gender"]
    search_fields = ["name"]
    fields = tuple(services.PERSON_FIELDS)
    inlines = [PersonTagInline]

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        # ID numbers and phones are encrypted: they match whole (through their keyed hashes), not in part.
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            found |= queryset.filter(Q(id_number=term.upper()) | Q(phone=term))
        return found, duplicates

    @admin.display(description=_("ID number"))
    def masked_id(self, obj: Person) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Person) -> str:
        return mask_phone(obj.phone)

    def service_save(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Model:
        if change:
            return services.person_update(
                actor=request.user, person=obj, **changed(form, set(services.PERSON_FIELDS))
            )
        data = form.cleaned_data
        return services.person_create(
            actor=request.user,
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            gender=data["gender"],
            birth_date=data["birth_date"],
            is_party_member=data["is_party_member"],
            is_registered_resident=data["is_registered_resident"],
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # The admin's change message reads these; the service, not formset.save(), writes the rows.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not formset.has_changed():
            return
        tags = [
            f.cleaned_data["tag"]
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        services.person_tags_set(actor=request.user, person=form.instance, tags=tags)


@admin.register(Ownership)
class OwnershipAdmin(ReadOnlyAdmin):
    list_display = ["dwelling", "person", "start", "end", "document"]
    list_filter = ["end"]
    search_fields = ["person__name", "dwelling__number"]
    list_select_related = ["dwelling", "person"]


@admin.register(Residency)
class ResidencyAdmin(ReadOnlyAdmin):
    list_display = ["dwelling", "person", "relation", "is_representative", "start", "end"]
    list_filter = ["relation", "is_representative"]
    search_fields = ["person__name", "dwelling__number"]
    list_select_related = ["dwelling", "person"]
