"""Masking of identity and phone numbers for display (catalogue §5 #33 data security). Pure Python.

Pages show masked values by default; revealing the full value is a separate, audited action (next issue).
"""

from __future__ import annotations

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
