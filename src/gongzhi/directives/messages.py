"""What a refusal says to the person, in their language, with the clause it rests on."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.directives.models import ITEM_KIND_LABELS
from gongzhi.directives.rules import ItemKind, Refusal

REFUSALS = {
    "access_item_required": _(
        "Work given to the residents' committee of %(unit)s must cite an item of the county's access list "
        "(%(clause)s)."
    ),
    "access_item_other_county": _(
        "The item cited is on another county's access list, not on the list of %(unit)s's county (%(clause)s)."
    ),
    "forbidden_kind": _(
        "A residents' committee may not be made responsible for %(kind)s: not given to %(unit)s (%(clause)s)."
    ),
    "statutory_duty": _(
        "A statutory duty of grassroots government may not be pushed onto the residents' committee of "
        "%(unit)s (%(clause)s)."
    ),
    "assisted_needs_support": _(
        "An assisted item comes with its staff and funding: state both before giving it to %(unit)s "
        "(%(clause)s)."
    ),
}


def refusal_message(refusal: Refusal, unit: str) -> Any:
    kind = str(ITEM_KIND_LABELS[ItemKind(refusal.kind)]) if refusal.kind else ""
    return REFUSALS[refusal.code] % {"unit": unit, "clause": refusal.clause, "kind": kind}


def step_refused(state: Any) -> Any:
    return _("This assignment has already changed (it is now %(state)s); reload the page.") % {"state": state}
