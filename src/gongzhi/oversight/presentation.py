"""The dashboard's figures as plain data: labelled, with shares as text, for the page, its charts and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.appeals.labels import CATEGORY_LABELS
from gongzhi.oversight import metrics
from gongzhi.tree.models import LEVEL_LABELS


def level_label(level: str) -> str:
    found = LEVEL_LABELS.get(level)  # type: ignore[call-overload]
    return str(found) if found is not None else level


def category_label(category: str) -> str:
    found = CATEGORY_LABELS.get(category)
    return str(found) if found is not None else category


def flow_label(name: str) -> str:
    if name == "open":
        return _("still being handled")
    if name.startswith("resolved:"):
        return _("resolved at %(level)s") % {"level": level_label(name.split(":", 1)[1])}
    return level_label(name)


def period_kind_label(kind: str) -> str:
    labels = {
        "month": _("this month"),
        "quarter": _("this quarter"),
        "year": _("this year"),
        "custom": _("from–to"),
    }
    return labels.get(kind, kind)


def period_out(period: metrics.Period) -> dict[str, Any]:
    return {"kind": period.kind, "from": period.start, "to": period.end}


def _satisfaction(s: metrics.Satisfaction) -> dict[str, Any]:
    return {
        "rated": s.rated,
        "mean": metrics.decimal_text(s.mean, 2) if s.mean is not None else None,
        "distribution": [{"rating": k, "count": v} for k, v in s.distribution.items()],
        "no_response": s.no_response,
        "awaiting_confirmation": s.awaiting,
        "satisfied": s.satisfied,
        "satisfied_percent": metrics.percent_text(s.satisfied_share),
    }


def appeals_out(summary: metrics.AppealSummary, median: Any, official: bool) -> dict[str, Any]:
    return {
        "submitted": summary.submitted,
        "open": summary.open,
        "open_overdue": summary.open_overdue,
        "resolved": summary.resolved,
        "resolved_by_level": [
            {"level": lv, "label": level_label(lv), "count": n} for lv, n in summary.resolved_by_level.items()
        ],
        "resolved_at_or_below_community": summary.resolved_low,
        "resolved_at_or_below_community_percent": metrics.percent_text(summary.resolved_low_share),
        "on_time": summary.on_time,
        "late": summary.late,
        "no_deadline": summary.no_deadline,
        "on_time_percent": metrics.percent_text(summary.on_time_share),
        "median_working_days": metrics.decimal_text(median, 1) if median is not None else None,
        "calendar_official": official,
        "satisfaction": _satisfaction(summary.satisfaction),
        "categories": [
            {"category": c, "label": category_label(c), "count": n} for c, n in summary.categories
        ],
    }


def flow_out(flow: metrics.Flow) -> dict[str, Any]:
    return {
        "nodes": [{"name": n, "label": flow_label(n)} for n in flow.nodes],
        "links": [{"source": s, "target": t, "value": n} for s, t, n in flow.links],
        "ignored": flow.ignored,
    }


def units_out(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in units:
        unit: metrics.UnitCompletion = row["unit"]
        out.append(
            {
                "unit_id": unit.unit_id,
                "unit": row["name"],
                "level": row["level"],
                "due": unit.due,
                "on_time": unit.on_time,
                "late": unit.late,
                "overdue_open": unit.overdue_open,
                "pending": unit.pending,
                "on_time_percent": metrics.percent_text(unit.on_time_share),
            }
        )
    return out


def dashboard_out(data: dict[str, Any]) -> dict[str, Any]:
    """oversight.selectors.dashboard's result as plain data (the API's response, the page's context)."""
    node = data["node"]
    return {
        "node_id": node.pk,
        "node_name": node.name,
        "level": node.level,
        "period": period_out(data["period"]),
        "appeals": appeals_out(data["appeals"], data["median_days"], data["calendar_official"]),
        "flow": flow_out(data["flow"]),
        "directives": units_out(data["units"]),
    }


def charts(out: dict[str, Any]) -> dict[str, Any]:
    """What dashboard.js draws (read from a json_script tag: no inline script, for CSP)."""
    appeals = out["appeals"]
    return {
        "flow": {
            "nodes": [{"name": n["label"]} for n in out["flow"]["nodes"]],
            "links": [
                {
                    "source": flow_label(link["source"]),
                    "target": flow_label(link["target"]),
                    "value": link["value"],
                }
                for link in out["flow"]["links"]
            ],
        },
        "categories": [[c["label"], c["count"]] for c in appeals["categories"][:10]],
        "ratings": [[str(d["rating"]), d["count"]] for d in appeals["satisfaction"]["distribution"]],
        "units": [
            [u["unit"], u["on_time"], u["late"], u["overdue_open"], u["pending"]] for u in out["directives"]
        ],
        "labels": {
            "cases": _("appeals"),
            "on_time": _("completed on time"),
            "late": _("completed late"),
            "overdue": _("open past due"),
            "pending": _("not yet due"),
        },
    }


def agenda_out(items: list[metrics.AgendaItem]) -> list[dict[str, Any]]:
    return [
        {
            "problem": item.problem,
            "category": item.category,
            "category_label": category_label(item.category),
            "linked": item.problem.startswith("link:"),
            "count": item.count,
            "appeal_ids": item.cases,
            "communities": item.communities,
            "oldest_waiting_days": item.oldest_waiting_days,
            "overdue": item.overdue,
        }
        for item in items
    ]


# --- the BZ-7.2 quarterly assessment's appeals columns (directives.reports) ----------------------------------


@dataclass(frozen=True)
class UnitAppeals:
    """A unit's appeals of the quarter: resolved, resolved at or below the unit's level, satisfaction."""

    resolved: int
    resolved_here: int
    satisfaction: metrics.Satisfaction

    @property
    def resolved_here_share(self) -> Any:
        return metrics.rate(self.resolved_here, self.resolved)

    @property
    def resolved_text(self) -> str:
        if not self.resolved:
            return _("no appeals resolved")
        return _("%(low)s of %(resolved)s (%(percent)s)") % {
            "low": self.resolved_here,
            "resolved": self.resolved,
            "percent": metrics.percent_text(self.resolved_here_share),
        }

    @property
    def satisfaction_text(self) -> str:
        s = self.satisfaction
        if not s.rated:
            return _("no ratings")
        return _("%(mean)s of 5 (%(rated)s rated, %(nr)s no response)") % {
            "mean": metrics.decimal_text(s.mean, 2),
            "rated": s.rated,
            "nr": s.no_response,
        }
