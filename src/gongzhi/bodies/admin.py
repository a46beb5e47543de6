"""Back office for bodies: created and changed through bodies.services (audited).

Memberships are shown read-only: members join and leave through services.member_add / member_end, which
keep the history of terms; the admin does not rewrite them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from gongzhi.bodies import services
from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.web.admin_support import ReadOnlyInline, ServiceAdmin, changed

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


@admin.register(Body)
class BodyAdmin(ServiceAdmin):
    list_display = ["name", "kind", "node", "term_start", "term_end", "dissolved_on"]
    list_filter = ["kind"]
    search_fields = ["name", "node__name"]
    fields = [
        "kind",
        "node",
        "grid",
        "name",
        "term_start",
        "term_end",
        "contract_start",
        "contract_end",
        "rules_size",
        "dissolved_on",
    ]
    raw_id_fields = ["node", "grid"]
    list_select_related = ["node"]
    inlines = [BodyMembershipInline]

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
