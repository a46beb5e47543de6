"""How a case is shown: handlers by role (never by name), labels for codes, the form fields of each action."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import ROLE_LABELS
from gongzhi.accounts.roles import Role
from gongzhi.appeals.labels import (
    BODY_LABELS,
    CATEGORY_LABELS,
    EVENT_LABELS,
    STATE_LABELS,
    TRANSITION_LABELS,
)
from gongzhi.appeals.lifecycle import TRANSITIONS

SEAT_LABELS = {
    "submitter": _("the submitter"),
    "recorder": _("staff, recording it for a resident"),
    "system": _("the system"),
}
CHANNEL_NOTE = _("recorded on the resident's behalf")
FIELD_LABELS = {
    "note": _("Progress note"),
    "question": _("Question to the submitter"),
    "answer": _("Your answer"),
    "reason": _("Reason"),
    "resolution": _("Written resolution"),
    "to_unit": _("Body at this level to transfer to"),
    "to_step": _("Rung to escalate to (major or emergency cases only)"),
    "difficulty": _("Difficulty"),
    "deliberation": _("Meeting reference or link"),
    "due": _("Due date"),
    "rating": _("Rating (1–5)"),
    "comment": _("Comment"),
    "into_case": _("Number of the household's other appeal"),
    "with_case": _("Number of the other household's appeal"),
}
TEXTAREAS = frozenset({"note", "question", "answer", "reason", "resolution"})
HIDDEN = frozenset({"to_level", "into_household", "with_household"})


def actor_label(role: str) -> Any:
    if role in SEAT_LABELS:
        return SEAT_LABELS[role]
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def event_label(transition: str) -> Any:
    """A timeline line's heading: the action taken, or what the system recorded."""
    return EVENT_LABELS.get(transition) or TRANSITION_LABELS.get(transition, transition)


def category_label(code: str) -> Any:
    return CATEGORY_LABELS.get(code, code)


def state_label(code: str) -> Any:
    return STATE_LABELS.get(code, code)


def body_label(code: str) -> Any:
    return BODY_LABELS.get(code, code)


def action_forms(names: list[str]) -> list[dict[str, Any]]:
    """One small form per allowed action: its label and the fields lifecycle.TRANSITIONS records."""
    out = []
    for name in names:
        spec = TRANSITIONS[name]
        fields = [
            {"name": f, "label": FIELD_LABELS.get(f, f), "required": f in spec.records,
             "textarea": f in TEXTAREAS}
            for f in (*spec.records, *spec.optional)
            if f not in HIDDEN
        ]  # fmt: skip
        out.append({"name": name, "label": TRANSITION_LABELS.get(name, name), "fields": fields})
    return out
