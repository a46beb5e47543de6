"""The dashboard and agenda pages and endpoints (issue 4 §3): who sees them, the figures in an accessible table
and as JSON, periods, bad input as a 400 in the user's language, the agenda as PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.core.pdf import pdf_available

from .world import escalate_to_street, resolve_in_group, submit

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cases(bz):
    resolve_in_group(bz["east"], submit(bz["east"]), rating=5)
    escalate_to_street(bz["west"], submit(bz["west"], category="parking"))
    return bz


def test_street_officer_sees_the_street_dashboard_with_its_figures(cases):
    response = client_for(cases["street_officer"]).get(f"/oversight/{cases['street'].pk}/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="fig-submitted">2<' in html
    assert 'id="fig-low-share">100.0%<' in html  # the one resolved case, in the resident group
    assert 'id="cell-mean">5.00<' in html
    assert 'id="table-flow"' in html and "gz-dashboard-data" in html
    assert "echarts.min.js" in html and "<script>" not in html  # no inline script (CSP)


def test_community_worker_sees_their_community_not_the_street(cases):
    worker = cases["east"]["users"]["worker"]
    assert client_for(worker).get(f"/oversight/{cases['east']['node'].pk}/dashboard/").status_code == 200
    assert client_for(worker).get(f"/oversight/{cases['street'].pk}/dashboard/").status_code == 404
    assert client_for(worker).get(f"/oversight/{cases['west']['node'].pk}/dashboard/").status_code == 404


@pytest.mark.parametrize("who", ["resident0", "leader"])
def test_residents_and_group_leaders_get_404(cases, who):
    user = cases["east"]["users"][who]
    assert client_for(user).get(f"/oversight/{cases['east']['node'].pk}/dashboard/").status_code == 404
    assert client_for(user).get(f"/api/v1/oversight/{cases['east']['node'].pk}/dashboard").status_code == 404


def test_a_bad_period_answers_400_with_a_message(cases):
    client = client_for(cases["street_officer"])
    url = f"/oversight/{cases['street'].pk}/dashboard/?from=2026-02-01&to=2026-01-01"
    response = client.get(url)
    assert response.status_code == 400 and "结束" in response.content.decode()
    api = client.get(f"/api/v1/oversight/{cases['street'].pk}/dashboard?from=2026-02-01&to=2026-01-01")
    assert api.status_code == 400 and api.json()["code"] == "period_order"


def test_api_dashboard_json(cases):
    client = client_for(cases["district_officer"])
    today = timezone.localdate()
    start = (today - dt.timedelta(days=3)).isoformat()
    response = client.get(
        f"/api/v1/oversight/{cases['district'].pk}/dashboard?from={start}&to={today.isoformat()}"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {"kind": "custom", "from": start, "to": today.isoformat()}
    appeals = body["appeals"]
    assert (appeals["submitted"], appeals["resolved"], appeals["open"]) == (2, 1, 1)
    assert appeals["resolved_at_or_below_community_percent"] == "100.0%"
    assert appeals["satisfaction"]["mean"] == "5.00"
    assert {"source": "community", "target": "street", "value": 1} in body["flow"]["links"]
    assert appeals["categories"][0]["label"] in ("安全", "停车")


def test_api_dashboard_default_is_this_quarter(cases):
    body = client_for(cases["street_officer"]).get(f"/api/v1/oversight/{cases['street'].pk}/dashboard").json()
    assert body["period"]["kind"] == "quarter"


def test_agenda_page_api_and_pdf(cases):
    client = client_for(cases["street_officer"])
    week = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    page = client.get(f"/oversight/{cases['street'].pk}/agenda/?week={week}")
    assert page.status_code == 200 and "西社区" in page.content.decode()
    api = client.get(f"/api/v1/oversight/{cases['street'].pk}/agenda?week={week}").json()
    (item,) = api["items"]
    assert (item["category"], item["count"], item["communities"]) == ("parking", 1, ["西社区"])
    assert dt.date.fromisoformat(api["meeting_date"]).weekday() == 0  # Monday: no weekday key in the pack
    pdf = client.get(f"/oversight/{cases['street'].pk}/agenda/?week={week}&format=pdf")
    if pdf_available():
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    else:
        assert pdf.status_code == 503


def test_agenda_only_for_a_street_and_a_readable_week(cases):
    client = client_for(cases["district_officer"])
    assert client.get(f"/oversight/{cases['east']['node'].pk}/agenda/").status_code == 404
    assert client.get(f"/oversight/{cases['street'].pk}/agenda/?week=2026-W99").status_code == 400
    api = client.get(f"/api/v1/oversight/{cases['street'].pk}/agenda?week=soon")
    assert api.status_code == 400 and api.json()["code"] == "week_invalid"


def test_home_lists_the_staff_members_nodes_and_the_nav_links_it(cases):
    client = client_for(cases["street_officer"])
    html = client.get("/oversight/").content.decode()
    assert (
        f"/oversight/{cases['street'].pk}/dashboard/" in html
        and f"/oversight/{cases['street'].pk}/agenda/" in html
    )
    assert 'href="/oversight/"' in client.get("/").content.decode()
    resident = client_for(cases["east"]["users"]["resident0"])
    assert 'href="/oversight/"' not in resident.get("/").content.decode()


def test_node_page_links_its_dashboard_for_staff(cases):
    client = client_for(cases["street_officer"])
    html = client.get(f"/tree/{cases['street'].pk}/").content.decode()
    assert f"/oversight/{cases['street'].pk}/dashboard/" in html


def test_agenda_by_default_is_the_coming_meeting_with_what_arrived_until_then(cases):
    """BZ-5.2.4.1(b): what the communities escalated is listed on the next weekly meeting's agenda."""
    client = client_for(cases["street_officer"])
    body = client.get(f"/api/v1/oversight/{cases['street'].pk}/agenda").json()
    meeting = dt.date.fromisoformat(body["meeting_date"])
    assert meeting >= timezone.localdate() and meeting.weekday() == 0
    assert [i["count"] for i in body["items"]] == [1]
