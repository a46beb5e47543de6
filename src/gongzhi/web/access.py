"""Scoped reads the web pages need that have no home app of their own (see tree.selectors.scopes_of).

Bodies' selectors belong to the compliance work, so the body read lives here until the rules-based
permissions of the next issue replace all of these.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.core.errors import NotFound
from gongzhi.tree.levels import Level
from gongzhi.tree.models import Node
from gongzhi.tree.selectors import Access, Scope, node_get_for, path_access, scopes_of


def body_get_for(user: AbstractBaseUser | AnonymousUser, body_id: int) -> Body:
    """A body attached inside one of the user's node scopes; NotFound alike for missing and forbidden."""
    body = Body.objects.select_related("node", "grid").filter(pk=body_id).first()
    if body is None or path_access(scopes_of(user), body.node.path) != Access.FULL:
        raise NotFound(_("No such body."), code="body_not_found")
    return body


def community_get_for(user: AbstractBaseUser | AnonymousUser, node_id: int) -> Node:
    """A community the user sees in full (its compliance list is not shown to name-only visitors)."""
    node, access = node_get_for(user, node_id)
    if access != Access.FULL or node.level != Level.COMMUNITY:
        raise NotFound(_("No such community."), code="community_not_found")
    return node


def visible_memberships(
    scopes: list[Scope] | None, memberships: list[BodyMembership]
) -> list[BodyMembership]:
    return [m for m in memberships if path_access(scopes, m.body.node.path) == Access.FULL]
