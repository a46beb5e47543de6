from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.tree.models import Node


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.CharField(label=_("Action (prefix, e.g. bodies.)"), required=False, max_length=80)
    node = forms.IntegerField(label=_("Node number"), required=False, min_value=1)
    since = forms.DateField(label=_("From"), required=False)
    until = forms.DateField(label=_("Until"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data

    def search_args(self) -> dict[str, Any]:
        data = self.cleaned_data
        node = (
            Node.objects.filter(pk=data["node"]).values_list("path", flat=True).first()
            if data["node"]
            else None
        )
        return {
            "actor": data["actor"].strip(),
            "action": data["action"].strip(),
            # An unknown node number matches nothing rather than everything.
            "node_path": node if node is not None else ("~" if data["node"] else ""),
            "since": data["since"],
            "until": data["until"],
        }
