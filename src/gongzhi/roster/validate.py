"""Parse roster tables into typed rows and collect every error. No database access, no writes.

Checks here are those the file alone can decide: required cells, formats (area per tree.services.parse_area,
ID numbers per people.idcard, GB 11643), vocabularies, and consistency across rows (a dwelling listed twice, one
ID number under two names, a person living in two dwellings, two household representatives). Checks against the
database (the community exists, the building exists, the grid exists) are in roster.importer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from gongzhi.core.errors import InvalidInput
from gongzhi.people import idcard
from gongzhi.roster.columns import (
    AREA_SOURCE_WORDS,
    CARE_TAG_WORDS,
    DWELLINGS_SHEET,
    NO_WORDS,
    RELATION_WORDS,
    SHEET_COLUMNS,
    TAG_SEPARATORS,
    USE_WORDS,
    YES_WORDS,
    column_letter,
)
from gongzhi.roster.errors import RowError
from gongzhi.roster.reading import FileProblem, Table, column_index, open_tables
from gongzhi.tree.levels import STAT_CODE_LEN
from gongzhi.tree.services import parse_area

Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 1000
# Field lengths of the models the rows end up in (tree.models, people.models).
MAX_LEN = {"compound": 100, "building": 100, "stairwell": 100, "number": 20, "name": 60, "grid": 100}
DwellingKey = tuple[str, str, str, str]  # compound, building, stairwell, number


@dataclass(slots=True)
class DwellingRow:
    sheet: str
    row: int
    key: DwellingKey
    floor: int | None
    use: str
    area: Decimal
    area_source: str
    is_sold: bool
    is_delivered: bool
    grid: str


@dataclass(slots=True)
class PersonRow:
    sheet: str
    row: int
    key: DwellingKey
    name: str
    id_number: str
    birth_date: dt.date | None
    gender: str
    phone: str
    relation: str
    is_representative: bool
    is_owner: bool
    owner_since: dt.date | None
    moved_in: dt.date | None
    is_party_member: bool | None  # None: the cell was blank (a known person keeps what is registered)
    tags: tuple[str, ...]

    @property
    def person_key(self) -> tuple[str, str]:
        """How a person is recognised: the ID number, else name + phone."""
        return ("id", self.id_number) if self.id_number else (self.name, self.phone)


@dataclass
class Parsed:
    community_code: str = ""
    dwellings: list[DwellingRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0


def text(value: Any) -> str:
    """A cell as trimmed text; whole floats (Excel numbers) lose their '.0'."""
    if type(value) is str:  # most cells: checked first, this runs for every cell of a 100k-row roster
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


class Cells:
    """One data row: typed access to its cells by column key, recording errors with sheet/row/column."""

    def __init__(
        self, table: Table, index: dict[str, int], row: int, cells: Sequence[Any], errors: list[RowError]
    ):
        self.table, self.index, self.row, self.cells, self.errors = table, index, row, cells, errors

    def raw(self, key: str) -> Any:
        pos = self.index.get(key)
        return self.cells[pos] if pos is not None and pos < len(self.cells) else None

    def fail(self, key: str, reason: str, **params: Any) -> None:
        pos = self.index.get(key)
        where = f"{column_letter(pos)} {self.table.headers[pos]}" if pos is not None else key
        self.errors.append(RowError(self.table.name, self.row, where, reason, params))

    def get(self, key: str, *, required: bool = False) -> str:
        value = text(self.raw(key))
        if required and not value:
            self.fail(key, "required")
        if key in MAX_LEN and len(value) > MAX_LEN[key]:
            self.fail(key, "too_long", max=MAX_LEN[key])
        return value

    def yes_no(self, key: str, default: Any) -> Any:
        value = text(self.raw(key)).lower()
        if not value:
            return default
        if value in YES_WORDS or value in NO_WORDS:
            return value in YES_WORDS
        self.fail(key, "bool_invalid")
        return default

    def choice(self, key: str, words: dict[str, str], default: str) -> str:
        value = text(self.raw(key))
        if not value:
            return default
        if value in words:
            return words[value]
        if value.lower() in words.values():
            return value.lower()
        self.fail(key, "choice_invalid", value=value, allowed=" / ".join(dict.fromkeys(words)))
        return default

    def date(self, key: str) -> dt.date | None:
        raw = self.raw(key)
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        value = text(raw).replace("/", "-").replace(".", "-")
        if not value:
            return None
        try:
            return (
                dt.date.fromisoformat(value) if "-" in value else dt.datetime.strptime(value, "%Y%m%d").date()
            )
        except ValueError:
            try:
                return dt.datetime.strptime(value, "%Y-%m-%d").date()  # 2020-1-5
            except ValueError:
                self.fail(key, "date_invalid")
                return None


def _key(c: Cells) -> DwellingKey:
    return (
        c.get("compound", required=True),
        c.get("building", required=True),
        c.get("stairwell", required=True),
        c.get("number", required=True),
    )


def _community(c: Cells, parsed: Parsed) -> None:
    code = c.get("community_code", required=True)
    if not code:
        return
    if not (code.isdigit() and len(code) == STAT_CODE_LEN):
        c.fail("community_code", "code_invalid")
    elif not parsed.community_code:
        parsed.community_code = code
    elif code != parsed.community_code:
        c.fail("community_code", "community_mixed", code=parsed.community_code)


def parse_dwelling(c: Cells) -> DwellingRow:
    floor_text = c.get("floor")
    floor = None
    if floor_text:
        try:
            floor = int(floor_text)
        except ValueError:
            c.fail("floor", "floor_invalid")
    area = Decimal(0)
    try:
        area = parse_area(c.get("area", required=True) or "0")
    except InvalidInput:
        c.fail("area", "area_invalid")
    return DwellingRow(
        sheet=c.table.name,
        row=c.row,
        key=_key(c),
        floor=floor,
        use=c.choice("use", USE_WORDS, "residential"),
        area=area,
        area_source=c.choice("area_source", AREA_SOURCE_WORDS, "register"),
        is_sold=c.yes_no("is_sold", True),
        is_delivered=c.yes_no("is_delivered", True),
        grid=c.get("grid"),
    )


def _id_number(c: Cells, today: dt.date) -> idcard.IdInfo | None:
    raw = c.raw("id_number")
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        c.fail("id_number", "id_characters")  # a number cell has lost the last digits already
        return None
    value = text(raw)
    if not value:
        return None
    try:
        return idcard.parse(value, today=today)
    except idcard.IdNumberError as exc:
        c.fail("id_number", f"id_{exc.reason}")
        return None


def _phone(c: Cells) -> str:
    phone = c.get("phone").replace(" ", "").replace("-", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        c.fail("phone", "phone_invalid")
    return phone


def _tags(c: Cells) -> tuple[str, ...]:
    value = c.get("tags")
    for sep in TAG_SEPARATORS:
        value = value.replace(sep, "、")
    tags = []
    for word in filter(None, value.split("、")):
        tag = CARE_TAG_WORDS.get(word) or (word if word in CARE_TAG_WORDS.values() else None)
        if tag is None:
            c.fail("tags", "choice_invalid", value=word, allowed="、".join(CARE_TAG_WORDS))
        elif tag not in tags:
            tags.append(tag)
    return tuple(sorted(tags))


def parse_person(c: Cells, today: dt.date) -> PersonRow:
    info = _id_number(c, today)
    phone = _phone(c)
    relation = c.choice("relation", RELATION_WORDS, "")
    row = PersonRow(
        sheet=c.table.name,
        row=c.row,
        key=_key(c),
        name=c.get("name", required=True),
        id_number=info.number if info else "",
        birth_date=info.birth_date if info else None,
        gender=info.gender if info else "",
        phone=phone,
        relation=relation,
        is_representative=c.yes_no("is_representative", False),
        is_owner=c.yes_no("is_owner", False),
        owner_since=c.date("owner_since"),
        moved_in=c.date("moved_in"),
        is_party_member=c.yes_no("is_party_member", None),
        tags=_tags(c),
    )
    if not text(c.raw("id_number")) and not phone:
        c.fail("id_number", "id_or_phone_required")
    if not row.is_owner and not relation:
        c.fail("relation", "no_role")
    if row.is_representative and not relation:
        c.fail("is_representative", "representative_not_resident")
    return row


def _check_columns(table: Table, index: dict[str, int], errors: list[RowError]) -> bool:
    missing = [col.header for col in SHEET_COLUMNS[table.kind] if col.required and col.key not in index]
    for header in missing:
        errors.append(RowError(table.name, 1, header, "missing_column", {"column": header}))
    return not missing


def _parse_table(table: Table, parsed: Parsed, today: dt.date, progress: Progress | None, total: int) -> None:
    if not table.headers:
        parsed.errors.append(RowError(table.name, 0, "", "empty_sheet"))
        return
    index = column_index(table.headers, table.kind)
    if not _check_columns(table, index, parsed.errors):
        return
    for row, cells in table.rows:
        c = Cells(table, index, row, cells, parsed.errors)
        _community(c, parsed)
        if table.kind == DWELLINGS_SHEET:
            parsed.dwellings.append(parse_dwelling(c))
        else:
            parsed.people.append(parse_person(c, today))
        parsed.rows += 1
        if progress and parsed.rows % PROGRESS_EVERY == 0:
            progress("read", parsed.rows, total)


def _first_seen(
    errors: list[RowError],
    seen: dict[Any, int],
    key: Any,
    row: DwellingRow | PersonRow,
    column: str,
    code: str,
) -> None:
    if key in seen:
        errors.append(RowError(row.sheet, row.row, column, code, {"row": seen[key]}))
    else:
        seen[key] = row.row


def check_across_rows(parsed: Parsed) -> None:
    """Duplicates and one-per-X rules between rows (LAW-free: data integrity of the roster itself)."""
    errors = parsed.errors
    dwellings: dict[Any, int] = {}
    for d in parsed.dwellings:
        _first_seen(errors, dwellings, d.key, d, "房号", "duplicate_dwelling")
    pairs: dict[Any, int] = {}
    homes: dict[Any, int] = {}
    reps: dict[Any, int] = {}
    names: dict[str, tuple[str, int]] = {}
    for p in parsed.people:
        _first_seen(errors, pairs, (p.key, p.person_key), p, "姓名", "duplicate_person_row")
        if p.relation:
            _first_seen(errors, homes, p.person_key, p, "与户关系", "two_homes")
        if p.is_representative:
            _first_seen(errors, reps, p.key, p, "户代表", "two_representatives")
        if p.id_number:
            name, first = names.setdefault(p.id_number, (p.name, p.row))
            if name != p.name:
                errors.append(RowError(p.sheet, p.row, "身份证号", "duplicate_id", {"row": first}))


def parse_files(files: list[tuple[Path, str]], *, today: dt.date, progress: Progress | None = None) -> Parsed:
    """Read and check every file ((path, display name) pairs); `errors` lists everything found."""
    parsed = Parsed()
    for path, name in files:
        try:
            tables = open_tables(path, name)
        except FileProblem as problem:
            parsed.errors.append(RowError(problem.sheet or name, 0, "", problem.code, problem.params))
            continue
        total = parsed.rows + sum(t.total for t in tables)
        try:
            for table in tables:
                _parse_table(table, parsed, today, progress, total)
        except FileProblem as problem:
            parsed.errors.append(RowError(problem.sheet or name, 0, "", problem.code, problem.params))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(files[0][1] if files else "", 0, "", "no_rows"))
    check_across_rows(parsed)
    return parsed
