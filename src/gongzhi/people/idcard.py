"""Chinese resident identity numbers (GB 11643-1999): checksum, birth date and gender. Pure Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    gender: str  # "M" or "F"


class IdNumberError(ValueError):
    """`.reason` is one of: length, characters, birth_date, checksum."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize(raw: str) -> str:
    return raw.strip().replace(" ", "").upper()


def parse(raw: str, *, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-digit ID number and derive birth date and gender; raises IdNumberError."""
    number = normalize(raw)
    if len(number) != 18:
        raise IdNumberError("length")
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise IdNumberError("characters")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdNumberError("birth_date") from exc
    if birth.year < 1880 or birth > (today or dt.date.today()):
        raise IdNumberError("birth_date")
    if check_digit(number[:17]) != number[17]:
        raise IdNumberError("checksum")
    return IdInfo(number=number, birth_date=birth, gender="M" if int(number[16]) % 2 else "F")


def make(area6: str, birth: dt.date, seq3: int) -> str:
    """Build a valid number (for demo data and tests)."""
    first17 = f"{area6}{birth:%Y%m%d}{seq3:03d}"
    return first17 + check_digit(first17)
