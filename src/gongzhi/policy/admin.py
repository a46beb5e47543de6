"""Back office for policy overrides, written only through policy.services (validated against the pack, audited).

An override is added with policy_override_set (which checks the key is delegated and the value allowed)
and withdrawn with the "withdraw" action (policy_override_withdraw); a row is never edited or deleted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from gongzhi.core.errors import GongzhiError
from gongzhi.policy import services
from gongzhi.policy.models import PolicyOverride
from gongzhi.web.admin_support import WITHDRAW_OVERRIDES, ServiceAdmin


@admin.register(PolicyOverride)
class PolicyOverrideAdmin(ServiceAdmin):
    list_display = ["node", "key", "value", "reason", "created_by", "created_at", "withdrawn_at"]
    list_filter = ["withdrawn_at"]
    search_fields = ["key", "node__name", "reason"]
    list_select_related = ["node", "created_by"]
    fields = ["node", "key", "value", "reason"]
    raw_id_fields = ["node"]
    actions = ["withdraw"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def service_save(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Model:
        data = form.cleaned_data
        return services.policy_override_set(
            actor=request.user, node=data["node"], key=data["key"], value=data["value"], reason=data["reason"]
        )

    @admin.action(description=WITHDRAW_OVERRIDES)
    def withdraw(self, request: HttpRequest, queryset: QuerySet[PolicyOverride]) -> None:
        for override in queryset.filter(withdrawn_at__isnull=True):
            try:
                services.policy_override_withdraw(actor=request.user, override=override)
            except GongzhiError as exc:
                self.message_user(request, str(exc), messages.ERROR)
