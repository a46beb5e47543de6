"""Back office for bodies: created and changed through bodies.services (audited).

Existing memberships are shown read-only (the history of terms is never rewritten); new members are added
in a second inline whose rows go to services.member_add. Ending a membership (member_end) is not offered
here yet.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from gongzhi.bodies import services
from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.web.admin_support import ADD_MEMBERS, ReadOnlyInline, ServiceAdmin, changed

BODY_CHANGEABLE = {
    "name",
    "term_start",
    "term_end",
    "contract_start",
    "contract_end",
    "rules_size",
    "dissolved_on",
}

MEMBER_COLUMNS = ("person", "position", "elected_how", "category", "term_start", "term_end", "ended_on")


class BodyMembershipInline(ReadOnlyInline):
    model = BodyMembership
    fields = MEMBER_COLUMNS
    readonly_fields = MEMBER_COLUMNS


class NewMembershipFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    @classmethod
    def get_default_prefix(cls) -> str:
        return "new_memberships"  # the read-only inline above uses the default prefix


class NewMembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    """Blank rows only: each filled row becomes services.member_add in BodyAdmin.save_formset."""

    model = BodyMembership
    formset = NewMembershipFormSet
    fields = ("person", "position", "elected_how", "category", "term_start", "term_end")
    raw_id_fields = ("person",)
    extra = 1
    can_delete = False
    verbose_name_plural = ADD_MEMBERS

    def get_queryset(self, request: HttpRequest) -> QuerySet[BodyMembership]:
        return super().get_queryset(request).none()


@admin.register(Body)
class BodyAdmin(ServiceAdmin):
    list_display = ["name", "kind", "node", "term_start", "term_end", "dissolved_on"]
    list_filter = ["kind"]
    search_fields = ["name", "node__name"]
    fields = tuple(services.BODY_FIELDS)
    raw_id_fields = ["node", "grid"]
    list_select_related = ["node"]
    inlines = [BodyMembershipInline, NewMembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["kind", "node", "grid"] if obj else ["dissolved_on"]

    def service_save(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Model:
        if change:
            changes = changed(form, BODY_CHANGEABLE)
            return services.body_update(actor=request.user, body=obj, **changes) if changes else obj
        data = form.cleaned_data
        return services.body_create(
            actor=request.user,
            kind=data["kind"],
            node=data["node"],
            name=data["name"],
            grid=data["grid"],
            term_start=data["term_start"],
            term_end=data["term_end"],
            contract_start=data["contract_start"],
            contract_end=data["contract_end"],
            rules_size=data["rules_size"],
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not isinstance(formset, NewMembershipFormSet):
            return
        for row in formset.forms:
            if row.has_changed() and row.cleaned_data:
                data = row.cleaned_data
                services.member_add(
                    actor=request.user,
                    body=form.instance,
                    person=data["person"],
                    term_start=data["term_start"],
                    position=data["position"],
                    elected_how=data["elected_how"],
                    category=data["category"],
                    term_end=data["term_end"],
                )
