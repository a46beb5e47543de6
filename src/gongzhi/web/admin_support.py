"""Shared pieces of the back-office admin: saves go through the service functions, which validate and audit.

A model admin either routes add/change through services (ServiceAdmin) or is read-only (ReadOnlyAdmin)
when no service covers the write. Nothing is deleted from the admin: periods are closed by services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import GongzhiError


class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Subclasses implement `service_save`, which must write through a service and return the saved object."""

    def service_save(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Model:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = self.service_save(request, obj, form, change)
        # The admin goes on with `obj` (log entry, redirect): make it the saved row.
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except GongzhiError as exc:  # the service refused: nothing was written (its transaction rolled back)
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """For models whose writes have no admin-shaped service (periods opened/closed, audit-relevant links)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def changed(form: Any, allowed: set[str]) -> dict[str, Any]:
    """The cleaned values of the allowed fields the user changed."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in allowed}


# Labels of the admin screens of apps whose catalogues other work owns (bodies, policy), kept in web's.
ADD_MEMBERS = _("add members")
WITHDRAW_OVERRIDES = _("Withdraw the selected overrides")
