"""`{% appeals_of_topic topic %}`: on a deliberation topic's page, the appeals it was convened on (those the
reader may see), each linking back to its case."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("appeals/_topic_appeals.html", takes_context=True)
def appeals_of_topic(context: dict[str, Any], topic: Any) -> dict[str, Any]:
    from gongzhi.appeals.presentation import category_label, state_label
    from gongzhi.appeals.topics import appeals_of

    request = context.get("request")
    user = getattr(request, "user", None)
    rows = [
        {"appeal": a, "category": category_label(a.category), "state": state_label(a.state)}
        for a in (appeals_of(user, topic)[:20] if user is not None else [])
    ]
    return {"rows": rows}
