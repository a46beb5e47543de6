"""Chinese-first labels and messages for the appeal rules' codes (the pure modules carry codes only)."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.appeals.errors import AppealRuleError
from gongzhi.core.errors import Conflict, Forbidden, GongzhiError, InvalidInput

STATE_LABELS: dict[str, Promise] = {
    "submitted": _("waiting to be accepted"),
    "in_progress": _("being handled"),
    "awaiting_info": _("waiting for information from the submitter"),
    "resolved": _("resolved, waiting for the submitter's confirmation"),
    "closed": _("closed"),
    "closed_no_response": _("closed without a response"),
    "merged": _("merged into another appeal of the same household"),
}

TRANSITION_LABELS: dict[str, Promise] = {
    "accept": _("Accept"),
    "triage": _("Classify by difficulty"),
    "record_progress": _("Record progress"),
    "request_info": _("Ask the submitter for information"),
    "provide_info": _("Provide information"),
    "transfer": _("Transfer to another body at this level"),
    "convene_meeting": _("Convene a meeting"),
    "resolve": _("Resolve with a written resolution"),
    "escalate": _("Escalate to the next level"),
    "supervise": _("Supervise (督办) with a due date"),
    "confirm": _("Confirm and rate"),
    "reopen": _("Dissatisfied: reopen at this level"),
    "request_escalation": _("Dissatisfied: ask for escalation"),
    "close_no_response": _("Close as no response"),
    "merge": _("Merge into the household's other appeal"),
    "link": _("Link with another household's appeal"),
}

# Timeline lines that are not actions a user takes.
EVENT_LABELS: dict[str, Promise] = {
    "submit": _("Submitted"),
    "duplicate_merged": _("The same household spoke again: added to this appeal"),
    "deadline_recomputed": _("Deadline recomputed on the official holiday calendar"),
}

CATEGORY_LABELS: dict[str, Promise] = {
    "safety": _("safety"),
    "sanitation": _("sanitation"),
    "facilities": _("facilities"),
    "parking": _("parking"),
    "finances": _("finances"),
    "property_service": _("property service"),
    "neighbour_dispute": _("neighbour dispute"),
    "family_conflict": _("family conflict"),
    "resettlement": _("compensation and resettlement"),
    "other": _("other"),
}

TRACK_LABELS: dict[str, Promise] = {
    "general": _("general matters"),
    "property": _("property matters"),
    "dispute": _("family and neighbour disputes"),
}

# The handling body of each rung (policy packs, appeals.ladder.*).
BODY_LABELS: dict[str, Promise] = {
    "resident_group": _("resident group"),
    "residents_committee": _("community Party organisation and residents' committee"),
    "street_office": _("street Party working committee and office"),
    "district_government": _("district Party committee and government"),
    "community_property_manager": _("community property manager"),
    "tripartite_meeting": _("tripartite meeting (community PMC, owners' committee, property company)"),
    "street_pmc": _("street property management committee joint meeting"),
    "compound_self_governance_council": _("compound residents' self-governance council"),
    "building": _("grid leader and building leader"),
    "compound_deliberation_council": _("compound deliberation council"),
    "onsite_mediation": _("on-site mediation"),
    "community_mediation_station": _("community conflict-mediation station"),
    "street_mediation_centre": _("township/street conflict-mediation centre"),
}

SEVERITY_LABELS: dict[str, Promise] = {
    "normal": _("normal"),
    "major": _("major"),
    "emergency": _("emergency"),
}

DIFFICULTY_LABELS: dict[str, Promise] = {
    "simple": _("simple (handled in the compound)"),
    "general": _("general (led by the community)"),
    "complex": _("complex (handled jointly by the street)"),
}

UNOFFICIAL_CALENDAR = _("calendar not yet official")

_KINDS: dict[str, type[GongzhiError]] = {
    "invalid": InvalidInput,
    "forbidden": Forbidden,
    "conflict": Conflict,
}

RULE_MESSAGES: dict[str, Promise] = {
    "step_unknown": _("This level is not on the ladder."),
    "track_unknown": _("This kind of matter has no ladder here."),
    "category_unknown": _("Unknown appeal category."),
    "category_unrouted": _("No level here handles this category."),
    "severity_unknown": _("Unknown severity."),
    "no_level_here": _("No level of the ladder exists at this place."),
    "difficulty_unknown": _("Unknown difficulty."),
    "triage_not_used": _("Appeals here are not classified by difficulty."),
    "no_ladder": _("No appeal ladder applies here: the node has no city policy pack."),
    "reason_required": _("Give the reason it cannot be resolved at this level."),
    "ladder_top_final": _("This is the top of the ladder: its resolution is final."),
    "not_above": _("An appeal can only be escalated upward."),
    "skip_not_allowed": _("Only the next level up: only a major or emergency case may skip levels."),
    "reclassify_not_allowed": _("Only the community may reclassify the difficulty."),
    "triage_first": _("Classify the appeal as simple, general or complex first."),
    "not_attempted": _("Accept and try to resolve the appeal at this level before escalating it."),
    "meeting_required": _("Hold a meeting at this level (a vote forming an opinion) before escalating."),
    "reopen_used": _("The appeal was already reopened once at this level."),
    "confirmation_window_open": _("The submitter still has time to answer."),
    "transition_unknown": _("Unknown action."),
    "wrong_state": _("The appeal has already changed; reload it and try again."),
    "not_allowed": _("You may not take this action on this appeal."),
    "naive_datetime": _("A time without a time zone was given."),
    "field_unknown": _("An unexpected field was given."),
    "field_required": _("This action needs more information; fill in every required field."),
    "transfer_not_sideways": _("A transfer goes to another body at the same level."),
    "due_invalid": _("Give a due date."),
    "due_in_past": _("The due date must be in the future."),
    "rating_invalid": _("Rate from 1 to 5."),
    "rating_says_satisfied": _("A rating of 4 or 5 means satisfied: confirm instead."),
    "merge_self": _("An appeal cannot be merged into itself."),
    "merge_other_household": _("Only appeals of the same household are merged; link the others."),
    "link_self": _("An appeal cannot be linked with itself."),
    "link_same_household": _("Appeals of the same household are merged, not linked."),
    "schedule_unreadable": _("The schedule file cannot be read (line {line})."),
    "year_invalid": _("The year is not valid."),
    "schedule_empty": _("The schedule has no holidays."),
    "date_outside_year": _("The date {date} is not in {year}."),
    "date_both_kinds": _("The date {date} is listed both as a holiday and as a working day."),
    "workday_not_weekend": _("The make-up working day {date} is not a Saturday or Sunday."),
    "no_deadline_for_level": _("No deadline is set for this level."),
    "source_required": _("Name the source (the State Council notice)."),
    "source_too_long": _("The source is too long."),
    "year_already_official": _(
        "The official calendar already covers {year}; confirm that you are replacing it."
    ),
    "admin_only": _("Only an administrator may load a holiday schedule."),
    "schedule_year_mismatch": _("The schedule is for another year than {year}."),
}


def rule_message(exc: AppealRuleError) -> Any:
    template = RULE_MESSAGES.get(exc.code, _("The appeal rules refused this action."))
    return format_lazy(str(template), **exc.params) if "{" in str(template) else template


def user_error(exc: AppealRuleError) -> GongzhiError:
    """The 4xx error to show: translated message, the rule's stable code, the clause in params."""
    params = {**exc.params, "clause": exc.clause} if exc.clause else dict(exc.params)
    return _KINDS[exc.kind](rule_message(exc), code=exc.code, params=params)
