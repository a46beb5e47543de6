"""BZ-7.2 quarterly assessment per unit (directives.reports): its appeals columns, "resolved at or below this
level" and satisfaction (§5 #27), counted from the unit's appeals of the quarter, on the page, xlsx and API."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.directives import reports
from gongzhi.directives import services as directives

from .world import escalate_to_street, resolve_in_group, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(bz, actor):
    """Each community has a directive due this quarter; the east resolved one case in its resident group
    (rated 4) and sent one up to the street; the west has none."""
    item = directives.access_item_create(
        actor=actor, county=bz["district"], code="A01", title="宣传", kind="allowed"
    )
    today = timezone.localdate()
    due = today  # inside this quarter
    six = {k: "宣传" for k in ("project", "plan", "responsible_leader", "working_group", "timetable")}
    directives.directive_issue(
        actor=actor, node=bz["street"], title="垃圾分类", content="入户宣传", basis="区文件", due_date=due,
        targets=[directives.Target(bz["east"]["node"], due), directives.Target(bz["west"]["node"], due)],
        access_item=item, **six,
    )  # fmt: skip
    resolve_in_group(bz["east"], submit(bz["east"]), rating=4)
    escalate_to_street(bz["east"], submit(bz["east"], n=1, category="parking"))
    bz["quarter"] = ((today.month - 1) // 3 + 1, today.year)
    return bz


def test_assessment_rows_count_appeals_resolved_at_or_below_the_unit(assessed):
    quarter, year = assessed["quarter"]
    rows = reports.quarterly_assessment(assessed["district_officer"], year, quarter, timezone.localdate())
    by_unit = {r.unit: r.appeals for r in rows}
    east, west = by_unit["东社区"], by_unit["西社区"]
    assert (east.resolved, east.resolved_here, east.satisfaction.rated) == (1, 1, 1)
    assert east.resolved_text == "1 件中 1 件（100.0%）"
    assert "4.00" in east.satisfaction_text
    assert (west.resolved, west.satisfaction.rated) == (0, 0)


def test_assessment_page_xlsx_and_api_show_the_appeals_columns(assessed):
    quarter, year = assessed["quarter"]
    client = Client()
    client.force_login(assessed["street_officer"])
    url = f"/directives/reports/assessment/?year={year}&quarter={quarter}"
    html = client.get(url).content.decode()
    assert "4.00" in html and "暂无数据" not in html
    sheet = load_workbook(BytesIO(client.get(url + "&format=xlsx").content)).active
    values = {sheet.cell(r, 1).value: (sheet.cell(r, 8).value, sheet.cell(r, 9).value) for r in (2, 3)}
    assert "100.0%" in values["东社区"][0] and "4.00" in values["东社区"][1]
    api = client.get(f"/api/v1/directives-reports/assessment?year={year}&quarter={quarter}").json()
    east = next(r for r in api if r["unit"] == "东社区")
    assert east["appeals_available"] is True
    assert (east["appeals_resolved"], east["appeals_resolved_at_or_below"]) == (1, 1)
    assert (east["satisfaction_mean"], east["satisfaction_rated"]) == ("4.00", 1)


def test_a_street_unit_counts_cases_resolved_at_the_street_and_below(assessed):
    """A street's row: resolved at the street, its communities or their resident groups all count."""
    from gongzhi.oversight.metrics import period_of
    from gongzhi.oversight.selectors import unit_appeals

    street = unit_appeals(assessed["street"], period_of("quarter", timezone.localdate()))
    district = unit_appeals(assessed["district"], period_of("quarter", timezone.localdate()))
    assert (street.resolved, street.resolved_here) == (1, 1)
    assert (district.resolved, district.resolved_here) == (1, 1)
