"""Back office for policy overrides: read-only.

An override changes which rule applies on a node, so it is made and withdrawn only through the policy
services (with a reason, audited); the admin lists them for inspection.
"""

from __future__ import annotations

from django.contrib import admin

from gongzhi.policy.models import PolicyOverride
from gongzhi.web.admin_support import ReadOnlyAdmin


@admin.register(PolicyOverride)
class PolicyOverrideAdmin(ReadOnlyAdmin):
    list_display = ["node", "key", "value", "reason", "created_by", "created_at", "withdrawn_at"]
    list_filter = ["withdrawn_at"]
    search_fields = ["key", "node__name", "reason"]
    list_select_related = ["node", "created_by"]
