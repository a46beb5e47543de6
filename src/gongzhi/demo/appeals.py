"""Demo appeals (issue 4 §1): a few dozen cases in the first community, in every state, through the services.

Each step is taken by whichever demo log-in the ladder lets take it (appeals.cases.allowed_actions), so the
data follows the city pack of the demo's first community.
"""

from __future__ import annotations

import random
from typing import Any

from gongzhi.appeals import cases
from gongzhi.demo.logins import LoginScopes
from gongzhi.tree.models import Dwelling

CATEGORIES = (
    "sanitation",
    "safety",
    "facilities",
    "parking",
    "property_service",
    "neighbour_dispute",
    "other",
)
TEXTS = {
    "sanitation": "楼道堆放杂物，影响通行",
    "safety": "单元门禁损坏，夜间无法关闭",
    "facilities": "电梯经常停运",
    "parking": "小区内车辆乱停，消防通道被占",
    "property_service": "物业保洁不及时",
    "neighbour_dispute": "楼上漏水，与邻居协商未果",
    "other": "小区路灯不亮",
}
# What happens to the case after it is submitted, by its index modulo the length.
PATHS: tuple[tuple[tuple[str, dict[str, Any]], ...], ...] = (
    (),
    (("accept", {}),),
    (("accept", {}), ("record_progress", {"note": "已联系物业上门查看"})),
    (("accept", {}), ("resolve", {"resolution": "已处理完毕，请确认"})),
    (("accept", {}), ("escalate", {"reason": "涉及多方，本级无法协调"})),
    (("accept", {}), ("resolve", {"resolution": "已处理完毕"}), ("confirm", {"rating": 5})),
    (("accept", {}), ("request_info", {"question": "请补充具体位置"})),
)


def _act(users: list[Any], appeal: Any, name: str, data: dict[str, Any]) -> Any:
    for user in users:
        if name in cases.allowed_actions(user, appeal):
            return cases.appeal_transition(actor=user, appeal_id=appeal.pk, transition=name, data=data)
    return None


def demo_appeals(
    *, admin: Any, users: list[Any], scopes: LoginScopes, rng: random.Random, count: int = 30
) -> int:
    """About `count` cases: recorded at walk-ins for homes of the first community, and the resident's own."""
    homes = list(
        Dwelling.objects.filter(path__startswith=scopes.community.path).order_by("path", "number")[:count]
    )
    resident = next((u for u in users if u.get_username() == "resident"), None)
    made = 0
    for i in range(count if homes else 0):
        home = homes[i % len(homes)]  # a home speaks once per matter: cycling homes and categories apart
        category = CATEGORIES[i % len(CATEGORIES)]
        own = resident is not None and i < len(CATEGORIES) and home.pk == scopes.dwelling.pk
        done = cases.appeal_submit(
            actor=resident if own else admin,
            dwelling=home,
            category=category,
            description=TEXTS[category],
            channel="web" if own else rng.choice(("walk_in", "phone")),
            anonymous=i % 4 == 0,
        )
        appeal = done.appeal
        for name, data in PATHS[i % len(PATHS)]:
            appeal = _act([*users, admin], appeal, name, data) or appeal
        made += 1
    made += _residents_own(admin, users, resident, scopes)
    made += _up_to_the_street(admin, users, homes, rng)
    return made


STREET_MATTERS = ("parking", "parking", "facilities")  # common problems for the street's weekly agenda
UP_ONE_RUNG: tuple[tuple[str, dict[str, Any]], ...] = (
    ("accept", {}),
    ("convene_meeting", {"deliberation": "议事协商会"}),
    ("escalate", {"reason": "涉及多个小区，需上级协调"}),
)


def _up_to_the_street(admin: Any, users: list[Any], homes: list[Any], rng: random.Random) -> int:
    """A few cases the community could not resolve, escalated rung by rung (a real attempt and a meeting at
    each) until they wait at the street: the street's weekly meeting agenda (BZ-5.2.4.1(b)) lists them."""
    made = 0
    for n, category in enumerate(STREET_MATTERS):
        if len(homes) <= n + 1:
            break
        appeal = cases.appeal_submit(
            actor=admin, dwelling=homes[-(n + 1)], category=category, description=TEXTS[category],
            channel=rng.choice(("walk_in", "phone")),
        ).appeal  # fmt: skip
        made += 1
        for _ in range(4):  # at most the rungs below the street in any city's ladder
            if appeal.level == "street":
                break
            for name, data in UP_ONE_RUNG:
                appeal = _act([*users, admin], appeal, name, data) or appeal
    return made


def _residents_own(admin: Any, users: list[Any], resident: Any, scopes: LoginScopes) -> int:
    """The resident log-in's own cases: one waiting for its rating, one closed and rated."""
    if resident is None:
        return 0
    for n, category in enumerate(("other", "parking")):
        appeal = cases.appeal_submit(
            actor=resident, dwelling=scopes.dwelling, category=category, description=TEXTS[category]
        ).appeal
        for name, data in (("accept", {}), ("resolve", {"resolution": "已处理，请评价"})):
            appeal = _act(users, appeal, name, data) or appeal
        if n == 1:
            _act([resident], appeal, "confirm", {"rating": 4})
    return 2
