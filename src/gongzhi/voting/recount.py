"""`gongzhi tally FILE.json` (or `-`): the offline recount anyone can run (issue 5 §3).

Reads a vote as JSON, counts it with voting.tally (the web app's code) and prints the result as JSON. No Django,
no settings, no database: gongzhi.cli sends `tally` here before Django is imported. Exit 0 whether or not the
motion passed; 2 for input that cannot be counted, with what is wrong and where on standard error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any, Protocol

from gongzhi.voting.i18n import LANGUAGES, Translate, _, language_from_environment, translator, untranslated
from gongzhi.voting.tally import (
    CHOICES,
    ITEMS,
    AssemblyResult,
    Ballot,
    BuildingResult,
    Comparison,
    Dwelling,
    HouseholdBallot,
    Rejection,
    area_text,
    tally_assembly,
    tally_building,
)
from gongzhi.voting.thresholds import Thresholds, city_codes, pack_thresholds

DESCRIPTION = (
    "Recount a vote from JSON alone, without a database: owners_assembly per LAW-CC-278 counted per "
    "LAW-SPC-8/9, building_meeting per HZ-5.1.3.2.2.5. Exit status 0 whether or not the motion passed, "
    "2 for input that cannot be counted."
)
RULES = ("owners_assembly", "building_meeting")
AREA_RE = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
FIELDS = {
    "owners_assembly": ({"rule", "item", "dwellings", "ballots"}, set()),
    "building_meeting": ({"rule", "households", "ballots"}, {"tie_passes"}),
    "dwelling": ({"id", "area", "owners"}, {"unsold"}),
    "ballot": ({"dwelling", "voter", "choice"}, set()),
    "household_ballot": ({"household", "choice"}, set()),
}
DWELLING_KEYS = (FIELDS["dwelling"][0], FIELDS["dwelling"][0] | FIELDS["dwelling"][1])
BALLOT_KEYS = FIELDS["ballot"][0]
CHOICE_SET = frozenset(CHOICES)


class Writer(Protocol):
    def write(self, text: str, /) -> Any: ...


class Verbatim(str):
    """Text shown as it is in a message (not quoted as a JSON string would be)."""


class JsonNumber(Verbatim):
    """A JSON number with a fraction or exponent, kept as written: an area is read exactly, never as a float."""


class InputError(Exception):
    """Input that cannot be counted: `where` is a path into the document (dwellings[3].area), `problem` a
    message with {params}, translated when printed."""

    def __init__(self, where: str, problem: str, **params: Any) -> None:
        super().__init__(where, problem)
        self.where, self.problem, self.params = where, problem, params

    def message(self, translate: Translate) -> str:
        text = translate(self.problem).format(**{k: _shown(v) for k, v in self.params.items()})
        return f"{self.where}: {text}" if self.where else text


@dataclass(frozen=True)
class Request:
    rule: str
    item: int = 0
    dwellings: tuple[Dwelling, ...] = ()
    ballots: tuple[Ballot, ...] = ()
    households: tuple[str, ...] = ()
    household_ballots: tuple[HouseholdBallot, ...] = ()
    tie_passes: bool | None = None


# --- Reading -----------------------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    """A value as the document wrote it, shortened: numbers bare, strings quoted."""
    if isinstance(value, Verbatim):
        return str(value)
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."  # a whole sub-document would drown the message


def _object(value: Any, where: str, kind: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(where, _("must be an object, got {value}"), value=value)
    required, optional = FIELDS[kind]
    missing, unknown = sorted(required - value.keys()), sorted(value.keys() - required - optional)
    if missing:
        raise InputError(f"{where}.{missing[0]}" if where else missing[0], _("is missing"))
    if unknown:  # a misspelt field (e.g. "unsld") must not be read as absent
        raise InputError(f"{where}.{unknown[0]}" if where else unknown[0], _("is not a known field"))
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or isinstance(value, JsonNumber) or not value:
        raise InputError(where, _("must be a non-empty string, got {value}"), value=value)
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(where, _("must be a list, got {value}"), value=value)
    return value


def _choice(value: Any, where: str) -> str:
    if value not in CHOICES or isinstance(value, JsonNumber):
        raise InputError(where, _("must be yes, no or abstain, got {value}"), value=value)
    return str(value)


def _hundredths(value: Any) -> int | None:
    """An area in hundredths of m², or None unless a non-negative number with at most two decimals (a string,
    or a JSON number as written)."""
    if type(value) is int:  # (not bool)
        return value * 100 if value >= 0 else None
    if not isinstance(value, str) or not AREA_RE.fullmatch(value):
        return None
    whole, _dot, cents = value.partition(".")
    return int(whole) * 100 + int(cents.ljust(2, "0"))


def _area(value: Any, where: str) -> int:
    hundredths = _hundredths(value)
    if hundredths is None:
        raise InputError(
            where, _("must be a non-negative number with at most two decimals, got {value}"), value=value
        )
    return hundredths


def _checked_dwelling(value: Any, where: str) -> Dwelling:
    raw = _object(value, where, "dwelling")
    owners = _list(raw["owners"], f"{where}.owners")
    unsold = raw.get("unsold", False)
    if not isinstance(unsold, bool):
        raise InputError(f"{where}.unsold", _("must be true or false, got {value}"), value=unsold)
    return Dwelling(
        id=_text(raw["id"], f"{where}.id"),
        area=_area(raw["area"], f"{where}.area"),
        owners=frozenset(_text(o, f"{where}.owners[{i}]") for i, o in enumerate(owners)),
        unsold=unsold,
    )


def _dwelling(value: Any, index: int) -> Dwelling:
    """The common case checked inline (thousands of rows, bench tally_5000_ms); anything unusual goes through
    _checked_dwelling, which names what is wrong and where."""
    if type(value) is dict and DWELLING_KEYS[0] <= value.keys() <= DWELLING_KEYS[1]:
        id_, owners, unsold = value["id"], value["owners"], value.get("unsold", False)
        area = _hundredths(value["area"])
        if (
            type(id_) is str
            and id_
            and area is not None
            and type(unsold) is bool
            and type(owners) is list
            and all(type(o) is str and o for o in owners)
        ):
            return Dwelling(id_, area, frozenset(owners), unsold)
    return _checked_dwelling(value, f"dwellings[{index}]")


def _unique(ids: Sequence[str], where: Callable[[int], str], problem: str) -> None:
    if len(set(ids)) == len(ids):
        return
    seen: set[str] = set()
    for index, value in enumerate(ids):
        if value in seen:
            raise InputError(where(index), problem, value=value)
        seen.add(value)


def _checked_ballot(value: Any, where: str) -> Ballot:
    raw = _object(value, where, "ballot")
    return Ballot(
        dwelling=_text(raw["dwelling"], f"{where}.dwelling"),
        voter=_text(raw["voter"], f"{where}.voter"),
        choice=_choice(raw["choice"], f"{where}.choice"),
    )


def _ballot(value: Any, index: int) -> Ballot:
    if type(value) is dict and value.keys() == BALLOT_KEYS:
        dwelling, voter, choice = value["dwelling"], value["voter"], value["choice"]
        if (
            type(dwelling) is str
            and dwelling
            and type(voter) is str
            and voter
            and type(choice) is str
            and choice in CHOICE_SET
        ):
            return Ballot(dwelling, voter, choice)
    return _checked_ballot(value, f"ballots[{index}]")


def _household_ballot(value: Any, where: str) -> HouseholdBallot:
    raw = _object(value, where, "household_ballot")
    return HouseholdBallot(
        household=_text(raw["household"], f"{where}.household"),
        choice=_choice(raw["choice"], f"{where}.choice"),
    )


def _item(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in ITEMS:
        raise InputError("item", _("must be a matter of LAW-CC-278, 1 to 9, got {value}"), value=value)
    return value


def _assembly(raw: dict[str, Any]) -> Request:
    dwellings = tuple(_dwelling(d, i) for i, d in enumerate(_list(raw["dwellings"], "dwellings")))
    _unique([d.id for d in dwellings], lambda i: f"dwellings[{i}].id", _("duplicate dwelling id {value}"))
    ballots = tuple(_ballot(b, i) for i, b in enumerate(_list(raw["ballots"], "ballots")))
    return Request(rule="owners_assembly", item=_item(raw["item"]), dwellings=dwellings, ballots=ballots)


def _building(raw: dict[str, Any]) -> Request:
    households = tuple(
        _text(h, f"households[{i}]") for i, h in enumerate(_list(raw["households"], "households"))
    )
    _unique(households, lambda i: f"households[{i}]", _("duplicate household id {value}"))
    ballots = _list(raw["ballots"], "ballots")
    tie_passes = raw.get("tie_passes")
    if tie_passes is not None and not isinstance(tie_passes, bool):
        raise InputError("tie_passes", _("must be true or false, got {value}"), value=tie_passes)
    return Request(
        rule="building_meeting",
        households=households,
        household_ballots=tuple(_household_ballot(b, f"ballots[{i}]") for i, b in enumerate(ballots)),
        tie_passes=tie_passes,
    )


def parse(text: str | bytes) -> Request:
    """The vote described by a JSON document, or InputError naming what is wrong and where."""
    try:
        raw = json.loads(text, parse_float=JsonNumber, parse_constant=JsonNumber)
    except (ValueError, RecursionError) as exc:
        raise InputError("", _("not valid JSON: {value}"), value=Verbatim(exc)) from exc
    if not isinstance(raw, dict):
        raise InputError("", _("the document must be a JSON object, got {value}"), value=raw)
    rule = raw.get("rule")
    if rule not in RULES or isinstance(rule, JsonNumber):
        if "rule" not in raw:
            raise InputError("rule", _("is missing"))
        raise InputError("rule", _("must be owners_assembly or building_meeting, got {value}"), value=rule)
    fields = _object(raw, "", rule)
    return _assembly(fields) if rule == "owners_assembly" else _building(fields)


# --- Writing a document (what the web app offers for download, so anyone can recount) ---------------------


def assembly_document(item: int, dwellings: Sequence[Dwelling], ballots: Sequence[Ballot]) -> dict[str, Any]:
    """The owners' assembly as `gongzhi tally` reads it (parse(json.dumps(...)) gives the same roll back)."""
    return {
        "rule": "owners_assembly",
        "item": item,
        "dwellings": [
            {"id": d.id, "area": area_text(d.area), "owners": sorted(d.owners), "unsold": d.unsold}
            for d in dwellings
        ],
        "ballots": [{"dwelling": b.dwelling, "voter": b.voter, "choice": b.choice} for b in ballots],
    }


def building_document(
    households: Sequence[str], ballots: Sequence[HouseholdBallot], tie_passes: bool | None = None
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "rule": "building_meeting",
        "households": list(households),
        "ballots": [{"household": b.household, "choice": b.choice} for b in ballots],
    }
    return document if tie_passes is None else document | {"tie_passes": tie_passes}


# --- Counting and writing -----------------------------------------------------------------------------------


def _rejected(rejections: Sequence[Rejection], translate: Translate) -> list[dict[str, Any]]:
    return [{"index": r.index, "reason": f"{r.code}: {r.message(translate)}"} for r in rejections]


def assembly_json(result: AssemblyResult, translate: Translate) -> dict[str, Any]:
    """The result in the shape and key order of issue 5 §3."""
    head, area = result.headcount, result.area
    return {
        "quorum_met": result.quorum_met,
        "passed": result.passed,
        "headcount": {"total": head.total, "participating": head.participating, "approving": head.approving},
        "area": {
            "total": area_text(area.total),
            "participating": area_text(area.participating),
            "approving": area_text(area.approving),
        },
        "rejected": _rejected(result.rejected, translate),
        "basis": list(result.basis),
    }


def building_json(result: BuildingResult, translate: Translate) -> dict[str, Any]:
    return {
        "quorum_met": result.quorum_met,
        "passed": result.passed,
        "households": result.households,
        "voters": result.voters,
        "yes": result.yes,
        "no": result.no,
        "abstain": result.abstain,
        "rejected": _rejected(result.rejected, translate),
        "basis": list(result.basis),
    }


def comparisons_json(comparisons: Sequence[Comparison]) -> list[dict[str, Any]]:
    """The arithmetic behind the outcome (`--explain`): each test as `value op share × base`, areas in m²."""
    out = []
    for c in comparisons:
        shown: Callable[[int], Any] = area_text if ".area" in c.name else int
        out.append(
            {
                "name": c.name,
                "value": shown(c.value),
                "op": c.op,
                "share": str(c.share),
                "base": shown(c.base),
                "met": c.met,
                "clause": c.clause,
            }
        )
    return out


def count(
    request: Request, thresholds: Thresholds, translate: Translate = untranslated, *, explain: bool = False
) -> dict[str, Any]:
    """The result in the issue's shape; with `explain`, followed by the comparisons that decided it."""
    result: AssemblyResult | BuildingResult
    if request.rule == "owners_assembly":
        result = tally_assembly(
            item=request.item, dwellings=request.dwellings, ballots=request.ballots, thresholds=thresholds
        )
        out = assembly_json(result, translate)
    else:
        result = tally_building(
            households=request.households,
            ballots=request.household_ballots,
            thresholds=thresholds,
            tie_passes=request.tie_passes,
        )
        out = building_json(result, translate)
    return out | {"comparisons": comparisons_json(result.comparisons)} if explain else out


def recount(
    text: str | bytes, thresholds: Thresholds, translate: Translate = untranslated, *, explain: bool = False
) -> dict[str, Any]:
    """parse + count: the whole recount of one document, in process."""
    return count(parse(text), thresholds, translate, explain=explain)


# --- Command line -------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's arguments (shared with the `tally` management command, so `gongzhi help tally` agrees)."""
    parser.add_argument("file", help="the vote as JSON (issue 5 §3), or - for standard input")
    parser.add_argument(
        "--city", default="", help="count under this city's policy pack as well as national law (e.g. huzhou)"
    )
    parser.add_argument("--lang", choices=LANGUAGES, help="language of messages (default: from the locale)")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="add the comparisons that decided the outcome (exact arithmetic)",
    )


def _read(name: str, stdin: IO[bytes]) -> bytes:
    if name == "-":
        return stdin.read()
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise InputError(name, _("cannot be read: {value}"), value=Verbatim(exc.strerror or exc)) from exc


def run(
    file: str,
    *,
    city: str = "",
    lang: str | None = None,
    explain: bool = False,
    stdin: IO[bytes],
    stdout: Writer,
    stderr: Writer,
) -> int:
    translate = translator(lang or language_from_environment())
    try:
        if city and city not in city_codes():
            raise InputError("--city", _("must be one of {value}"), value=Verbatim(", ".join(city_codes())))
        result = recount(_read(file, stdin), pack_thresholds(city), translate, explain=explain)
    except InputError as exc:
        stderr.write(f"gongzhi tally: {exc.message(translate)}\n")
        return 2
    stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongzhi tally", description=DESCRIPTION)
    add_arguments(parser)
    args = parser.parse_args(argv)
    for stream in (sys.stdout, sys.stderr):  # UTF-8 whatever the locale
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    return run(
        args.file,
        city=args.city,
        lang=args.lang,
        explain=args.explain,
        stdin=sys.stdin.buffer,
        stdout=sys.stdout,
        stderr=sys.stderr,
    )
