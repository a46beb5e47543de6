from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.exports import approval
from gongzhi.exports.models import ExportKind


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What to export"), choices=ExportKind.choices, initial=ExportKind.ROSTER, required=False
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        min_length=approval.PURPOSE_MIN_CHARS,
        max_length=approval.PURPOSE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the data is needed, for what task and for how long. It is printed on every sheet."),
    )
    clear_identifiers = forms.BooleanField(
        label=_("Include full ID numbers and phones (otherwise they are masked)"), required=False
    )

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or ExportKind.ROSTER


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=approval.NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
