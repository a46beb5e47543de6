"""Appeal categories as GeoReport services: one service per category of a city pack (issue 4 §3).

service_code is the category code (appeals.categories in the pack), service_name its label, group the kind
of matter (the ladder the category enters), description the body that handles it first and the clause that
says so. A node's services come from the policy in force there (city pack plus local overrides); without a
jurisdiction, the services of every city pack a node uses, each category once (description and keywords
name where it goes in each city).

Service definitions carry two optional attributes appeals.cases.appeal_submit understands: `severity`
(major and emergency cases go where the pack sends them and alert at once, §5 #19) and, where the pack
accepts anonymous appeals (§5 #37), `anonymous`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.labels import SEVERITY_LABELS, TRACK_LABELS
from gongzhi.appeals.ladder import SEVERITIES, city_ladders
from gongzhi.appeals.presentation import body_label, category_label
from gongzhi.policy.packs import CITY_PACKS, pack_meta, pack_policy

SEVERITY_HELP = _("How serious it is: major and emergency cases go higher at once and raise an alert.")
ANONYMOUS_HELP = _("Hide the submitter's name from the people the appeal concerns.")
YES_NO = (("true", _("yes")), ("false", _("no")))


@dataclass(frozen=True)
class Offer:
    """Where one city sends a category: the ladder (track) and its lowest rung's handling body."""

    city: str
    track: str
    body: str
    level: str
    clause: str


@dataclass(frozen=True)
class Service:
    code: str
    offers: tuple[Offer, ...]
    anonymous_allowed: bool


def city_services(policy: Any, city: str) -> list[Service]:
    """The services of one policy (a node's effective policy or a pack's); [] where no ladder applies."""
    try:
        ladders = city_ladders(policy, city)
    except AppealRuleError:
        return []
    anonymous = bool(policy.value("appeals.anonymous.allowed", True))
    services = []
    for category in ladders.categories:
        try:
            ladder, step = ladders.entry(category)
        except AppealRuleError:  # listed but on no rung: not offered (appeal_submit would refuse it)
            continue
        offer = Offer(city, ladder.track, step.body, step.level, step.clause)
        services.append(Service(category, (offer,), anonymous))
    return services


def merged(lists: list[list[Service]]) -> list[Service]:
    """Each category once, in first-seen order, with every city's offer."""
    by_code: dict[str, Service] = {}
    for services in lists:
        for s in services:
            old = by_code.get(s.code)
            by_code[s.code] = (
                s
                if old is None
                else Service(s.code, old.offers + s.offers, old.anonymous_allowed or s.anonymous_allowed)
            )
    return list(by_code.values())


def packs_services(cities: list[str]) -> list[Service]:
    return merged([city_services(pack_policy(city), city) for city in CITY_PACKS if city in cities])


def _city_name(code: str) -> str:
    meta = pack_meta(code)
    if meta is None:
        return code
    return meta.name_zh if (get_language() or "zh-hans").startswith("zh") else meta.name_en


def _where(offer: Offer) -> str:
    return f"{body_label(offer.body)} ({offer.clause})"


def service_record(service: Service) -> dict[str, Any]:
    """One entry of GET services, fields in the spec's order."""
    groups = list(dict.fromkeys(str(TRACK_LABELS.get(o.track, o.track)) for o in service.offers))
    if len(service.offers) == 1:
        description = str(_("Handled first by: {where}")).format(where=_where(service.offers[0]))
    else:
        description = "; ".join(f"{_city_name(o.city)}: {_where(o)}" for o in service.offers)
    keywords = list(dict.fromkeys([o.track for o in service.offers] + [o.city for o in service.offers]))
    return {
        "service_code": service.code,
        "service_name": str(category_label(service.code)),
        "description": description,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": " / ".join(groups),
    }


def _attribute(order: int, code: str, help_text: Any, values: list[tuple[str, Any]]) -> dict[str, Any]:
    return {
        "variable": True,
        "code": code,
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "",
        "order": order,
        "description": str(help_text),
        "values": [{"key": key, "name": str(name)} for key, name in values],
    }


def definition_record(service: Service) -> dict[str, Any]:
    """GET services/{code}: the optional attributes a POST may carry as attribute[code]=key."""
    attributes = [_attribute(1, "severity", SEVERITY_HELP, [(s, SEVERITY_LABELS[s]) for s in SEVERITIES])]
    if service.anonymous_allowed:
        attributes.append(_attribute(2, "anonymous", ANONYMOUS_HELP, list(YES_NO)))
    return {"service_code": service.code, "attributes": attributes}
