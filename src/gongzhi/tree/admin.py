"""Back-office editing of the tree, grids and dwellings. Every save goes through tree.services (audited).

Moving a node is not offered: dwellings and household memberships copy their stairwell's path, and no
service re-paths them yet, so both the move form fields and the drag-and-drop endpoint refuse.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import MoveNodeForm, movenodeform_factory

from gongzhi.core.errors import InvalidInput
from gongzhi.tree import services
from gongzhi.tree.models import Dwelling, Grid, Node
from gongzhi.web.admin_support import ServiceAdmin, changed

NODE_CHANGEABLE = {"name", "code", "community_kind", "policy_pack"}
DWELLING_CHANGEABLE = {"number", "floor", "use", "area", "area_source", "is_sold", "is_delivered"}


class NodeForm(MoveNodeForm):
    """Treebeard's form, used for placing a new node only; saving is left to tree.services.node_create."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        moving = {"treebeard_ref_node", "treebeard_position"} & set(self.changed_data)
        if self.instance.pk and moving:
            raise forms.ValidationError(_("Nodes cannot be moved here."))
        return data

    def save(self, commit: bool = True) -> Any:
        self.save_m2m = lambda: None  # Node has no many-to-many fields
        return self.instance  # NodeAdmin.service_save writes through the service


def _parent_for(form: Any) -> Node | None:
    ref: Node | None = form.cleaned_data.get("treebeard_ref_node")
    if ref is None or form.cleaned_data.get("treebeard_position") == "first-child":
        return ref
    return Node.objects.get_parent(ref)  # "before"/"after" a sibling: the sibling's parent


@admin.register(Node)
class NodeAdmin(ServiceAdmin, TreeAdmin):
    form = movenodeform_factory(
        Node, form=NodeForm, fields=["name", "level", "code", "community_kind", "policy_pack"]
    )
    list_display = ["name", "level", "code", "policy_pack"]
    search_fields = ["name", "code"]
    list_filter = ["level"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["level"] if obj else []

    def service_save(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Model:
        if change:
            return services.node_update(actor=request.user, node=obj, **changed(form, NODE_CHANGEABLE))
        data = form.cleaned_data
        return services.node_create(
            actor=request.user,
            parent=_parent_for(form),
            name=data["name"],
            level=data["level"],
            code=data["code"],
            community_kind=data["community_kind"],
            policy_pack=data["policy_pack"],
        )

    def move_node(self, request: HttpRequest) -> HttpResponse:
        raise PermissionDenied


@admin.register(Grid)
class GridAdmin(ServiceAdmin):
    """Grids are created through tree.services.grid_create; no service renames them yet, so change is off."""

    list_display = ["name", "kind", "community", "parent", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    fields = ["community", "parent", "name", "code"]
    raw_id_fields = ["community", "parent"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def service_save(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Model:
        data = form.cleaned_data
        return services.grid_create(
            actor=request.user,
            community=data["community"],
            name=data["name"],
            parent=data["parent"],
            code=data["code"],
        )


@admin.register(Dwelling)
class DwellingAdmin(ServiceAdmin):
    list_display = ["number", "stairwell", "building", "community", "floor", "area", "use", "grid"]
    list_filter = ["use", "area_source"]
    search_fields = ["number", "stairwell__name", "building__name"]
    fields = ["stairwell", "number", "floor", "use", "area", "area_source", "is_sold", "is_delivered", "grid"]
    raw_id_fields = ["stairwell", "grid"]
    list_select_related = ["stairwell", "building", "community", "grid"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["stairwell"] if obj else []

    def service_save(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> Model:
        data = form.cleaned_data
        if not change:
            return services.dwelling_create(
                actor=request.user,
                stairwell=data["stairwell"],
                number=data["number"],
                area=data["area"],
                use=data["use"],
                area_source=data["area_source"],
                floor=data["floor"],
                is_sold=data["is_sold"],
                is_delivered=data["is_delivered"],
                grid=data["grid"],
            )
        changes = changed(form, DWELLING_CHANGEABLE)
        dwelling = services.dwelling_update(actor=request.user, dwelling=obj, **changes) if changes else obj
        if "grid" in form.changed_data:
            if data["grid"] is None:
                raise InvalidInput(_("A dwelling is moved to another grid, not out of every grid."))
            services.grid_assign(actor=request.user, grid=data["grid"], dwellings=[dwelling])
        return dwelling
