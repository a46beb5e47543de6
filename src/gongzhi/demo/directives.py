"""Demo directives (issue 4 §2): the county's access list, and work cascading street → community → compound
and district → street, in several states, so every directive page has something to show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gongzhi.tree.models import Node

ACCESS_LIST = [
    ("A01", "居民信息采集与更新", "allowed", "民政部门"),
    ("A02", "老年人高龄津贴初审", "assisted", "民政部门，人随事转、费随事转"),
    ("A03", "违法建设查处", "statutory_duty", "城市管理综合执法部门法定职责"),
    ("A04", "拆迁拆违", "demolition", "CZ-IV.6#3"),
    ("A05", "招商引资", "investment_attraction", "CZ-IV.6#3"),
]
PLAN = "摸排—公示—实施—验收"
LEADER = "街道分管副主任"
GROUP = "街道城建办、社区两委、小区业委会"
TIMETABLE = "第一周摸排，第二周公示，第三、四周实施"


def demo_directives(*, admin: Any, street: Node, community: Node, compound: Node) -> None:
    from gongzhi.directives import services

    district = Node.objects.get_parent(street)
    assert district is not None
    items = {
        code: services.access_item_create(actor=admin, county=district, code=code, title=t, kind=k, basis=b)
        for code, t, k, b in ACCESS_LIST
    }
    today = timezone.localdate()

    def due(days: int) -> dt.date:
        return today + dt.timedelta(days=days)

    survey = services.directive_issue(
        actor=admin,
        node=street,
        title="老旧小区加装电梯意愿摸排",
        content="请各社区逐户摸排老旧小区加装电梯意愿，形成台账。",
        basis="街道2026年民生实事项目",
        due_date=due(30),
        project="老旧小区加装电梯",
        targets=[services.Target(community, due(30))],
        access_item=items["A01"],
        plan=PLAN,
        responsible_leader=LEADER,
        working_group=GROUP,
        timetable=TIMETABLE,
    )
    row = services.assignment_acknowledge(actor=admin, assignment=survey.assignments.get())
    services.assignment_split(actor=admin, assignment=row, targets=[services.Target(compound, due(20))])
    below = survey.assignments.get(node=compound)
    services.assignment_acknowledge(actor=admin, assignment=below)
    services.assignment_report(actor=admin, assignment=below, percent=40, text="已摸排1至4幢，共86户。")
    services.directive_issue(
        actor=admin,
        node=district,
        title="平安建设宣传月",
        content="各街道组织平安建设宣传进社区、进小区。",
        basis="区委政法委通知",
        due_date=due(45),
        project="平安建设宣传月",
        targets=[services.Target(street, due(40))],
        plan=PLAN,
        responsible_leader=LEADER,
        working_group=GROUP,
        timetable=TIMETABLE,
    )
