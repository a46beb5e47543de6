"""The topic page's summary of what happened after the decision, as one tag so the deliberation template only
gains a line: `{% load followup %}{% followup_summary topic %}`."""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.deliberation.services import history_of
from gongzhi.followup import rules, selectors

register = template.Library()


@register.inclusion_tag("followup/_summary.html", takes_context=True)
def followup_summary(context: Any, topic: Any) -> dict[str, Any]:
    impl = selectors.implementation_of(topic)
    summary = selectors.appraisal_summary_for(topic)
    decided = rules.decided(topic.procedure, history_of(topic), topic.decided_at is not None)
    return {
        "show": decided or impl is not None or summary.responses > 0,
        "topic": topic,
        "impl": impl,
        "state_label": rules.STATES.get(impl.state, "") if impl else "",
        "summary": summary,
        "satisfaction": rules.percent(summary.satisfaction),
    }


@register.inclusion_tag("followup/_links.html")
def followup_links(node: Any) -> dict[str, Any]:
    """Links from a node on the topic list: its success rate, and a community's filings."""
    return {"node": node}
