"""Who sees sensitive person categories (LAW-PIPL art. 28, catalogue §5 #33): a need-to-know filter.

The lists live in the policy pack (`privacy.*`), so a city can say which of its roles need them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gongzhi.accounts.selectors import active_roles
from gongzhi.policy.packs import pack_policy


@dataclass(frozen=True)
class PersonView:
    """What a viewer may see of people's sensitive categories."""

    sensitive_tags: bool
    party_membership: bool
    hidden: frozenset[str]

    def tags(self, tags: Iterable[str]) -> list[str]:
        return sorted(t for t in tags if self.sensitive_tags or t not in self.hidden)

    def party(self, is_party_member: bool) -> bool | None:
        """The flag, or None where this viewer has no need to know it."""
        return is_party_member if self.party_membership else None


def person_view_for(user: Any) -> PersonView:
    policy = pack_policy("")
    hidden = frozenset(policy.value("privacy.sensitive_tags", []))
    if getattr(user, "is_superuser", False):
        return PersonView(True, True, hidden)
    roles = {r.role for r in active_roles(user)}
    return PersonView(
        sensitive_tags=bool(roles & set(policy.value("privacy.sensitive_tags.roles", []))),
        party_membership=bool(roles & set(policy.value("privacy.party_membership.roles", []))),
        hidden=hidden,
    )


def may_reveal(user: Any) -> bool:
    """Whether `user` may reveal clear ID numbers and phones (one record at a time, with a purpose)."""
    if getattr(user, "is_superuser", False):
        return True
    allowed = set(pack_policy("").value("privacy.reveal.roles", []))
    return any(r.role in allowed for r in active_roles(user))
