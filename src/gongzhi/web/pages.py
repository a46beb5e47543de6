"""What each page shows, read through the domain selectors. Views only render these contexts.

Every function takes the requesting user and reads through gongzhi.access (the same scoped selectors the
API uses), so a page never holds more than the user may see.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from gongzhi.access import selectors as access
from gongzhi.access.capabilities import Kind
from gongzhi.access.reach import NodeAccess
from gongzhi.accounts.selectors import active_roles
from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.people import selectors as people
from gongzhi.people.models import Ownership
from gongzhi.people.privacy import may_reveal, person_view_for
from gongzhi.people.services import person_viewed
from gongzhi.policy import selectors as policy
from gongzhi.policy.models import PolicyOverride
from gongzhi.tree import selectors as tree
from gongzhi.tree.levels import Level
from gongzhi.tree.models import Dwelling, Node

User = AbstractBaseUser | AnonymousUser

# Long lists (a community's ungridded dwellings) are cut here; the page says how many there are in all.
LIST_LIMIT = 200


Child = tuple[Node, NodeAccess, tree.SubtreeCounts | None]


def visible_children(user: User, node: Node | None) -> list[Child]:
    """Children (roots when `node` is None) the user may see; counts only where they see them in full."""
    children = access.children_for(user, node)
    counts = tree.subtree_counts_many(c for c, a in children if a == NodeAccess.FULL)
    return [(c, a, counts.get(c.pk)) for c, a in children]


def home(user: User) -> dict[str, Any]:
    roles = list(active_roles(user).order_by("role", "scope_path"))
    roots = visible_children(user, None)
    return {"roles": roles, "roots": roots, "chart": _chart(roots)}


def roots(user: User) -> dict[str, Any]:
    children = visible_children(user, None)
    return {"children": children, "chart": _chart(children)}


def _chart(children: list[Child]) -> list[dict[str, Any]]:
    return [
        {"name": n.name, "dwellings": c.dwellings, "residents": c.residents}
        for n, _a, c in children
        if c is not None
    ]


def node(user: User, node_id: int) -> dict[str, Any]:
    node = access.node_get_for(user, node_id, name_only_ok=True)
    full = access.node_access_for(user, node) == NodeAccess.FULL
    ancestors = tree.ancestors_of(node)
    children = visible_children(user, node)
    context: dict[str, Any] = {
        "node": node,
        "full": full,
        "ancestors": ancestors,
        "children": children,
        "chart": _chart(children),
    }
    if node.level == Level.STAIRWELL:
        context["dwellings"] = access.dwellings_visible_to(user, _stairwell_dwellings(node))
    if not full:
        return context
    pack, pack_source = tree.policy_pack_in_force(node, ancestors)
    context.update(
        counts=tree.subtree_counts(node),
        pack=pack,
        pack_label=policy.SOURCE_LABELS.get(pack, pack),
        pack_source=pack_source,
        overrides=PolicyOverride.objects.filter(node=node, withdrawn_at__isnull=True).order_by("key"),
        bodies=Body.objects.filter(node=node).order_by("kind", "name"),
        can_dashboard=_can_dashboard(user, node),
    )
    if node.level == Level.COMMUNITY:
        ungridded = tree.dwellings_without_grid(node).select_related("stairwell", "building")
        context.update(
            grids=tree.grids_of(node), ungridded=ungridded[:LIST_LIMIT], ungridded_count=ungridded.count()
        )
    return context


def _can_dashboard(user: User, node: Node) -> bool:
    """The node's dashboards (gongzhi.oversight) are for staff whose scope covers it."""
    from gongzhi.oversight.selectors import may_see_dashboard

    return may_see_dashboard(user, node)


def _stairwell_dwellings(stairwell: Node) -> Any:
    current = Ownership.objects.filter(end__isnull=True).select_related("person").order_by("person__name")
    return (
        Dwelling.objects.filter(stairwell=stairwell)
        .annotate(occupants=Count("residencies", filter=Q(residencies__end__isnull=True)))
        .prefetch_related(Prefetch("ownerships", queryset=current, to_attr="current_ownerships"))
        .order_by("floor", "number")
    )


def node_policy(user: User, node_id: int) -> dict[str, Any]:
    """The effective policy of a node (pack values with overrides), each entry citing its clause."""
    node = access.node_get_for(user, node_id)
    rows = [
        {"entry": e, "force": policy.force_label(e), "source": policy.source_label(e)}
        for e in policy.effective_policy(node).entries()
    ]
    return {"node": node, "rows": rows}


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        raise access.not_found() from None


def dwellings(user: User, query: Any) -> dict[str, Any]:
    from django.core.paginator import Paginator

    node_id, grid_id = _int_or_none(query.get("node")), _int_or_none(query.get("grid"))
    qs = access.dwellings_for(user, node_id=node_id, grid_id=grid_id)
    return {
        "page": Paginator(qs, 50).get_page(query.get("page")),
        "node": access.node_get_for(user, node_id, name_only_ok=True) if node_id else None,
        "grid": access.grid_get_for(user, grid_id) if grid_id else None,
        "grids": access.grids_visible_to(user)
        .select_related("community")
        .order_by("community__path", "name"),
    }


def dwelling(user: User, dwelling_id: int) -> dict[str, Any]:
    d = access.dwelling_get_for(user, dwelling_id)
    ownerships = list(people.ownerships_of(d))
    return {
        "dwelling": d,
        "ancestors": [*tree.ancestors_of(d.stairwell), d.stairwell],
        "owners": [o for o in ownerships if o.end is None],
        "past_owners": [o for o in ownerships if o.end is not None],
        "household": people.household_of(d),
    }


def person(user: User, person_id: int, *, log_view: bool = True) -> dict[str, Any]:
    """`log_view` False for the answer to a reveal: the reveal is audited on its own, a refusal not at all."""
    p = access.person_get_for(user, person_id)
    if log_view:
        person_viewed(actor=user, person=p, channel="web")
    memberships = BodyMembership.objects.filter(person=p).select_related("body", "body__node")
    view = person_view_for(user)
    visible_tags = set(view.tags(p.tags.values_list("tag", flat=True)))
    return {
        "person": p,
        "tags": p.tags.filter(tag__in=visible_tags).order_by("tag"),
        "show_party": view.party(p.is_party_member),
        "may_reveal": may_reveal(user),
        "ownerships": access.ownerships_visible_to(user, people.person_ownerships(p)),
        "residencies": access.residencies_visible_to(user, people.person_residencies(p)),
        "memberships": access.memberships_visible_to(user, memberships.order_by("-term_start")),
    }


def body(user: User, body_id: int) -> dict[str, Any]:
    from gongzhi.bodies.selectors import body_compliance

    b = access.body_get_for(user, body_id)
    members = b.memberships.select_related("person").order_by("ended_on", "position", "person__name")
    return {
        "body": b,
        "ancestors": [*tree.ancestors_of(b.node), b.node],
        "members": members,
        "findings": body_compliance(b, today=timezone.localdate()),
    }


def compliance(user: User, community_id: int) -> dict[str, Any]:
    """Bodies with findings first (errors, then warnings), then a short list of the bodies without any."""
    from gongzhi.bodies.selectors import community_compliance

    community = access.community_get_for(user, community_id, Kind.COMPLIANCE)
    rows = community_compliance(community, today=timezone.localdate())

    def weight(row: tuple[Body, list[Any]]) -> tuple[int, int]:
        findings = row[1]
        return (-sum(f.severity == "error" for f in findings), -len(findings))

    flagged = sorted((r for r in rows if r[1]), key=weight)
    return {
        "community": community,
        "ancestors": tree.ancestors_of(community),
        "rows": rows,
        "flagged": flagged,
        "clean": [b for b, findings in rows if not findings],
        "errors": sum(1 for _b, fs in rows for f in fs if f.severity == "error"),
        "warnings": sum(1 for _b, fs in rows for f in fs if f.severity == "warning"),
    }
