"""The back office is for platform administrators only.

Staff flags are set for every officer and worker (they use the web pages), but Django's admin lists whole
tables without the scope rules of gongzhi.access, so only superusers, whose reach is everything, may enter.
"""

from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class GongzhiAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)


class GongzhiAdminConfig(AdminConfig):
    default_site = "gongzhi.core.admin_site.GongzhiAdminSite"
