"""Policy packs: loading and lookup. (Schema validation and effective policy: policy.schema, policy.selectors.)"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import InvalidInput

PACK_CODES = ("national", "huzhou", "cangzhou", "ningbo", "binzhou")
CITY_PACKS = PACK_CODES[1:]


def require_pack(code: str) -> None:
    if code not in CITY_PACKS:
        raise InvalidInput(_("Unknown policy pack."), code="pack_invalid")
