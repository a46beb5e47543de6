"""How a vote's result reads on a page: the arithmetic of each comparison in words and numbers (translated)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

RECEIPT_INVALID = _("A receipt code has 16 letters and digits, such as 7KQ2-M9XD-4FWB-TN3C.")

COMPARISON_LABELS = {
    "quorum.area": _("Participating floor area"),
    "quorum.headcount": _("Participating owners"),
    "pass.area": _("Approving floor area"),
    "pass.headcount": _("Approving owners"),
    "quorum.households": _("Participating households"),
    "pass.votes": _("Votes in favour"),
}
BASE_LABELS = {
    "quorum.area": _("of the total floor area"),
    "quorum.headcount": _("of all owners"),
    "pass.area": _("of the participating floor area"),
    "pass.headcount": _("of the participating owners"),
    "quorum.households": _("of the stairwell's households"),
    "pass.votes": _("of the votes cast"),
}
CHOICE_LABELS = {"yes": _("yes"), "no": _("no"), "abstain": _("abstain")}


def not_published() -> str:
    return str(_("The result is not published yet."))


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    value: str
    op: str
    share: str
    base: str
    base_label: str
    threshold: str  # share × base, exact, as a decimal with the fraction when it is not whole
    met: bool
    clause: str


def comparison_rows(result: dict[str, Any]) -> list[ComparisonRow]:
    rows = []
    for c in result.get("comparisons", []):
        share = Fraction(c["share"])
        exact = share * Fraction(str(c["base"]))
        shown = (
            str(exact.numerator)
            if exact.denominator == 1
            else f"{exact.numerator}/{exact.denominator} ≈ {float(exact):.4f}"
        )
        rows.append(
            ComparisonRow(
                label=str(COMPARISON_LABELS.get(c["name"], c["name"])),
                value=str(c["value"]),
                op="≥" if c["op"] == ">=" else ">",
                share=c["share"],
                base=str(c["base"]),
                base_label=str(BASE_LABELS.get(c["name"], "")),
                threshold=shown,
                met=bool(c["met"]),
                clause=c["clause"],
            )
        )
    return rows


def result_in(vote_result: dict[str, Any] | None, language: str) -> dict[str, Any]:
    """The stored result in `language` (its rejection messages were written by the recount in each language)."""
    if not vote_result:
        return {}
    return vote_result.get(language) or vote_result["en"]


def rejected_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for r in result.get("rejected", []):
        code, _sep, message = r["reason"].partition(": ")
        out.append({"index": str(r["index"]), "code": code, "message": message})
    return out


def outcome_text(result: dict[str, Any]) -> str:
    if not result.get("quorum_met"):
        return str(_("Not decided: the quorum was not reached."))
    return str(_("The motion passed.") if result.get("passed") else _("The motion did not pass."))


def result_context(vote: Any) -> dict[str, Any]:
    """What the result, notice (page and PDF) and screen templates show, in the active language."""
    result = result_in(vote.result, get_language())
    return {
        "vote": vote,
        "result": result,
        "outcome": outcome_text(result),
        "comparisons": comparison_rows(result),
        "rejected": rejected_rows(result),
        "publication": vote.publication,
        "choice_labels": CHOICE_LABELS,
    }
