"""Masking of identity and phone numbers for display (catalogue §5 #33 data security). Pure Python.

Pages show masked values by default; revealing the full value is a separate, audited action (next issue).
"""

from __future__ import annotations

import re

ID_STARS = "********"
PHONE_STARS = "****"


def mask_id_number(value: str) -> str:
    """First 6 (the area code) + 8 stars + last 4: 110105********002X. Short values are fully masked."""
    value = (value or "").strip()
    if len(value) < 11:
        return "*" * len(value)
    return value[:6] + ID_STARS + value[-4:]


def mask_phone(value: str) -> str:
    """First 3 + 4 stars + last 4: 138****5678. Short values (landline extensions) are fully masked."""
    value = (value or "").strip()
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + PHONE_STARS + value[-4:]


# An 18-character ID number (17 digits and a digit or X) or an 11-digit mobile number standing on its own.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    """Masks every ID number and mobile number found in free text (log lines, database error details)."""
    text = _ID_IN_TEXT.sub(lambda m: m.group(1) + ID_STARS + m.group(2), text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + PHONE_STARS + m.group(2), text)
