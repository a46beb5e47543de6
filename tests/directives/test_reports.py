"""BZ-7.2 reports: the monthly dispatch and the quarterly assessment, on the page and as xlsx."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from gongzhi.core import pdf
from gongzhi.directives import reports, services
from gongzhi.directives.models import Assignment

from .conftest import due, issue

pytestmark = pytest.mark.django_db


def test_bz_7_2_percent_text_rounds_half_up_exactly():
    assert reports.percent_text(Fraction(1, 3)) == "33.3%"
    assert reports.percent_text(Fraction(2, 3)) == "66.7%"
    assert reports.percent_text(Fraction(1, 1)) == "100.0%"
    assert reports.percent_text(None) == "—"


def test_bz_7_2_quarterly_assessment_counts_on_time_and_late(site):
    u = site["users"]
    d = issue(u["cw"], site["community"], [site["compound"]])
    row = services.assignment_acknowledge(actor=u["cw"], assignment=d.assignments.get())
    services.assignment_complete(actor=u["cw"], assignment=row)
    late = issue(u["so"], site["street"], [site["community"]], item=site["items"]["allowed"], title="迟")
    row2 = late.assignments.get()
    services.assignment_acknowledge(actor=u["cw"], assignment=row2)
    row2 = services.assignment_complete(actor=u["cw"], assignment=row2)
    # Its deadline moved into the past afterwards: as if it had been completed a day late.
    Assignment.objects.filter(pk=row2.pk).update(due_date=row2.completed_on - dt.timedelta(days=1))
    today = row2.completed_on
    start = row2.completed_on - dt.timedelta(days=1)
    q = (start.month - 1) // 3 + 1
    rows = {r.unit: r.result for r in reports.quarterly_assessment(u["do"], start.year, q, today)}
    assert rows[site["community"].name].late == 1 and rows[site["community"].name].rate == Fraction(0, 1)


def test_xlsx_downloads_have_the_rows_and_the_appeals_columns(site):
    u = site["users"]
    issue(u["so"], site["street"], [site["community"]], item=site["items"]["allowed"])
    client = Client()
    client.force_login(u["so"])
    today = due(0)
    response = client.get(f"/directives/reports/dispatch/?year={today.year}&month={today.month}&format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.cell(2, 1).value == site["community"].name and sheet.cell(1, 1).value == "承接单位"
    d = due(30)
    quarter = (d.month - 1) // 3 + 1
    response = client.get(f"/directives/reports/assessment/?year={d.year}&quarter={quarter}&format=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet.cell(2, 2).value == 1 and sheet.cell(2, 8).value == "无已解决诉求"  # no appeals there
    assert sheet.cell(2, 9).value == "无评价"


def test_dispatch_leaves_out_work_completed_before_the_month_ended(site):
    u = site["users"]
    d = issue(u["cw"], site["community"], [site["compound"]])
    row = services.assignment_acknowledge(actor=u["cw"], assignment=d.assignments.get())
    today = due(0)
    assert len(reports.monthly_dispatch(u["cw"], today.year, today.month, today)) == 1
    services.assignment_complete(actor=u["cw"], assignment=row)
    assert reports.monthly_dispatch(u["cw"], today.year, today.month, today) == []


@pytest.mark.skipif(
    not pdf.pdf_available(),
    reason="WeasyPrint cannot load pango on this machine (Debian: apt-get install libpango-1.0-0 fonts-noto-cjk)",
)
def test_reports_as_pdf(site):
    u = site["users"]
    issue(u["so"], site["street"], [site["community"]], item=site["items"]["allowed"])
    client = Client()
    client.force_login(u["so"])
    today = due(0)
    for url in (
        f"/directives/reports/dispatch/?year={today.year}&month={today.month}&format=pdf",
        f"/directives/reports/assessment/?year={today.year}&quarter=1&format=pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
