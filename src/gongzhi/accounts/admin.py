"""Back office for accounts and role assignments.

Accounts (log-in ↔ person links) are read-only here: they are made by accounts.services.user_create. Role
assignments are added through services.role_assign and ended through services.role_end (both audited);
nothing else about an assignment changes once made.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from gongzhi.accounts import services
from gongzhi.accounts.models import Account, RoleAssignment
from gongzhi.web.admin_support import ReadOnlyAdmin, ServiceAdmin


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["user", "person"]
    search_fields = ["user__username", "person__name"]
    list_select_related = ["user", "person"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ServiceAdmin):
    list_display = ["user", "role", "node", "grid", "dwelling", "start", "end"]
    list_filter = ["role"]
    search_fields = ["user__username", "node__name", "grid__name"]
    fields = ["user", "role", "node", "grid", "dwelling", "start", "end"]
    raw_id_fields = ["user", "node", "grid", "dwelling"]
    list_select_related = ["user", "node", "grid", "dwelling"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["user", "role", "node", "grid", "dwelling", "start"] if obj else []

    def service_save(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Model:
        data = form.cleaned_data
        if change:
            if "end" not in form.changed_data or data["end"] is None:
                return obj
            return services.role_end(actor=request.user, assignment=obj, end=data["end"])
        return services.role_assign(
            actor=request.user,
            user=data["user"],
            role=data["role"],
            start=data["start"],
            node=data["node"],
            grid=data["grid"],
            dwelling=data["dwelling"],
            end=data["end"],
        )
