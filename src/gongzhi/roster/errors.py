"""Error report entries of a roster import: where (sheet, row, column) and why (a stable code + parameters).

Entries keep the code, not the text, so a stored report (ImportJob.errors) is shown in the reader's language.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    # the file as a whole
    "not_xlsx": _("The file is not a valid .xlsx workbook (it is not a zip archive)."),
    "xlsx_unreadable": _("The workbook could not be read; save it again as .xlsx and retry."),
    "encoding": _("The CSV file is neither UTF-8 nor GB18030 text."),
    "no_sheets": _("The workbook has neither a 房屋 (dwellings) nor a 人员 (people) sheet."),
    "unknown_table": _("The header row matches neither the 房屋 (dwellings) nor the 人员 (people) template."),
    "empty_sheet": _("The sheet is empty: it has no header row."),
    "no_rows": _("The file has no data rows."),
    "missing_column": _("The required column %(column)s is missing."),
    # one cell
    "required": _("This value is required."),
    "area_invalid": _(
        "The floor area must be a non-negative number of square metres with at most two decimals."
    ),
    "floor_invalid": _("The floor must be a whole number."),
    "choice_invalid": _("Unknown value “%(value)s”; allowed: %(allowed)s."),
    "bool_invalid": _("Write 是 (yes) or 否 (no)."),
    "date_invalid": _("Write the date as YYYY-MM-DD."),
    "code_invalid": _("A community code has 12 digits."),
    "id_length": _("An ID number has 18 characters."),
    "id_characters": _("An ID number is 17 digits followed by a digit or X (format the column as text)."),
    "id_birth_date": _("The birth date inside the ID number is not a valid date."),
    "id_checksum": _("The ID number's check digit is wrong."),
    "phone_invalid": _("The phone number is not valid."),
    "too_long": _("The value is longer than %(max)s characters."),
    # across rows
    "id_or_phone_required": _(
        "Give an ID number or a phone number, so the person is recognised on the next import."
    ),
    "no_role": _("The person must be an owner (产权人 = 是) or live in the dwelling (与户关系)."),
    "representative_not_resident": _("A household representative must live in the dwelling (fill 与户关系)."),
    "duplicate_dwelling": _("This dwelling is listed twice (also on row %(row)s)."),
    "duplicate_person_row": _("This person is listed twice for this dwelling (also on row %(row)s)."),
    "duplicate_id": _("This ID number is also on row %(row)s with another name."),
    "two_homes": _(
        "This person also lives in another dwelling (row %(row)s); a person lives in one dwelling at a time."
    ),
    "two_representatives": _("The dwelling already has a household representative (row %(row)s)."),
    "community_mixed": _("All rows must belong to one community (the first row has %(code)s)."),
    # against the database
    "unknown_community": _("No community has the code %(code)s."),
    "unknown_compound": _(
        "The compound or resident group “%(name)s” does not exist, and this import may not create it."
    ),
    "unknown_building": _("The building “%(name)s” does not exist, and this import may not create it."),
    "unknown_stairwell": _("The stairwell “%(name)s” does not exist, and this import may not create it."),
    "ambiguous_node": _("Several nodes here are named “%(name)s”; rename them first."),
    "wrong_level": _("“%(name)s” is not a compound, building or stairwell at the place this column expects."),
    "unknown_grid": _("The community has no grid named “%(name)s”."),
    "unknown_dwelling": _("The dwelling is neither in the 房屋 sheet nor already registered."),
}


@dataclass
class RowError:
    """One entry of the error report. row 0 and column "" mean the whole sheet or file."""

    sheet: str
    row: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The reason in the active language."""
        text = str(MESSAGES[self.code])
        return text % self.params if self.params else text

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowError:
        return cls(**data)
