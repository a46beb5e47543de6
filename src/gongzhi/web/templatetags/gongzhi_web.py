"""Display helpers for the web templates (masking happens here, never in the database)."""

from __future__ import annotations

from django import template

from gongzhi.people.masking import mask_id_number, mask_phone
from gongzhi.policy.selectors import FORCE_LABELS

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    return mask_id_number(value)


@register.filter
def mask_tel(value: str) -> str:
    return mask_phone(value)


@register.filter
def severity_class(severity: str) -> str:
    """Bootstrap colour of a compliance finding: errors red, warnings amber."""
    return "danger" if severity == "error" else "warning"


@register.filter
def force_label(force: str) -> str:
    """The force of a rule (shall, should, may…) in the reader's language."""
    return str(FORCE_LABELS.get(force, force))
