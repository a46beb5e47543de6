"""What a notice says: one translatable sentence per message code, drawn at display time in the reader's
language from the parameters the notice stored (codes, numbers, titles — never a rendered sentence).

Parameters that are codes (an appeal's category, a transition, a role, a deliberation step) are turned into
labels of their own app here, when the notice is shown, so a notice written while one language was active
reads right in any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

Params = dict[str, Any]


def _appeal(params: Params) -> Params:
    from gongzhi.appeals.labels import TRANSITION_LABELS
    from gongzhi.appeals.presentation import category_label

    out = dict(params)
    if "category" in out:
        out["category"] = str(category_label(out["category"]))
    if "action" in out:
        out["action"] = str(TRANSITION_LABELS.get(out["action"], out["action"]))
    return out


def _topic(params: Params) -> Params:
    from gongzhi.deliberation.rules import step_labels

    out = dict(params)
    if "procedure" in out and "state" in out:
        try:
            out["step"] = gettext(step_labels(out["procedure"]).get(out["state"], out["state"]))
        except KeyError:  # a procedure no longer declared: show the code
            out["step"] = out["state"]
    if "when" in out:
        try:
            when = timezone.localtime(dt.datetime.fromisoformat(out["when"]))
            out["when"] = when.strftime("%Y-%m-%d %H:%M")
        except (TypeError, ValueError):
            pass
    return out


def _followup(params: Params) -> Params:
    from gongzhi.followup.rules import ACTIONS

    out = dict(params)
    if "action" in out:
        found = ACTIONS.get(out["action"])
        out["action"] = str(found.label) if found else out["action"]
    return out


@dataclass(frozen=True)
class Message:
    text: Any  # a lazy translatable string with %(name)s placeholders
    prepare: Callable[[Params], Params] | None = None


MESSAGES: Mapping[str, Message] = {
    # appeals (issue 4 §1)
    "appeals.arrived": Message(
        _("Appeal #%(id)s (%(category)s) has come to your level: accept it or act on it."), _appeal
    ),
    "appeals.alert": Message(
        _("Urgent: appeal #%(id)s (%(category)s) is major or an emergency and needs handling now."),
        _appeal,
    ),
    "appeals.step": Message(_("Appeal #%(id)s (%(category)s): %(action)s."), _appeal),
    "appeals.reminder": Message(
        _("Appeal #%(id)s (%(category)s) is past its deadline: a reminder."), _appeal
    ),
    "appeals.supervision_overdue": Message(
        _("The supervision of appeal #%(id)s (%(category)s) is past its due date."), _appeal
    ),
    "appeals.intake_refused": Message(
        _("Your appeal (received as number %(id)s) could not be accepted: %(reason)s")
    ),
    "appeals.topic_decided": Message(
        _("The deliberation topic “%(title)s” on appeal #%(id)s has a decision: %(decision)s"), _appeal
    ),
    # directives (issue 4 §2)
    "directives.assigned": Message(_("New work for %(unit)s: “%(title)s”, due %(due)s.")),
    "directives.acknowledged": Message(_("%(unit)s acknowledged “%(title)s”.")),
    "directives.progress": Message(_("%(unit)s reported %(percent)s%% done on “%(title)s”.")),
    "directives.completed": Message(_("%(unit)s completed its part of “%(title)s”.")),
    "directives.overdue": Message(_("%(unit)s is past its deadline (%(due)s) on “%(title)s”.")),
    # deliberation topics (issue 5 §1)
    "deliberation.step": Message(_("Topic “%(title)s” moved on: %(step)s."), _topic),
    "deliberation.meeting": Message(
        _("You are invited to the meeting “%(meeting)s” on topic “%(title)s”, %(when)s."), _topic
    ),
    "deliberation.decided": Message(_("Topic “%(title)s” was decided: %(decision)s"), _topic),
    # the decision's implementation (issue 5 §4, HZ-5.1.3.2.1.5)
    "followup.changed": Message(_("Implementation of topic “%(title)s”: %(action)s."), _followup),
}
FALLBACK = _("You have a new notice.")


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def render(code: str, params: Mapping[str, Any]) -> str:
    """The sentence of `code` in the active language; a code or parameter that went missing still renders."""
    message = MESSAGES.get(code)
    if message is None:
        return str(FALLBACK)
    values = message.prepare(dict(params)) if message.prepare else dict(params)
    try:
        return str(message.text) % _Defaulting(values)
    except (TypeError, ValueError):
        return str(FALLBACK)
