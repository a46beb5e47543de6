"""The centre's page and API: newest first, unread highlighted and filtered, read one or all (POST, CSRF), the
unread badge on every page, and another user's notice answering 404 exactly like a missing one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.notices.models import Notice

from .conftest import leave

pytestmark = pytest.mark.django_db


def client_for(user, **kw):
    client = Client(**kw)
    client.force_login(user)
    return client


def three(pair):
    """Three notices of mine, an hour apart (the newest last), and one of the other user."""
    rows = [leave(pair, params={"id": n, "category": "safety"})[0] for n in (1, 2, 3)]
    for hours, row in zip((3, 2, 1), rows, strict=True):
        Notice.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))
    leave(pair, who="other", params={"id": 99, "category": "safety"})
    return rows


def test_page_lists_newest_first_unread_highlighted(pair):
    rows = three(pair)
    Notice.objects.filter(pk=rows[0].pk).update(read_at=timezone.now())
    html = client_for(pair["me"]).get("/notices/").content.decode()
    assert html.index("#3") < html.index("#2") < html.index("#1")
    assert "#99" not in html  # someone else's
    assert html.count('data-unread="1"') == 2 and html.count('data-unread="0"') == 1
    assert f'href="/tree/{pair["node"].pk}/"' in html  # each row links to its object
    assert "紧急" in html  # Chinese first


def test_page_filters_unread(pair):
    rows = three(pair)
    Notice.objects.filter(pk=rows[2].pk).update(read_at=timezone.now())
    html = client_for(pair["me"]).get("/notices/?unread=1").content.decode()
    assert "#1" in html and "#2" in html and "#3" not in html


def test_unread_badge_on_every_page(pair):
    three(pair)
    client = client_for(pair["me"])
    for url in ("/", "/appeals/", "/directives/"):
        html = client.get(url).content.decode()
        assert 'id="unread-badge">3<' in html, url
    html = client_for(pair["other"]).get("/").content.decode()
    assert 'id="unread-badge">1<' in html


def test_the_badge_is_one_query(pair, django_assert_max_num_queries):
    from django.test import RequestFactory

    from gongzhi.notices.context import unread

    three(pair)
    request = RequestFactory().get("/")
    request.user = pair["me"]
    with django_assert_max_num_queries(1):
        assert int(str(unread(request)["unread_notices"])) == 3


def test_mark_one_read_and_open(pair):
    rows = three(pair)
    client = client_for(pair["me"])
    response = client.post(f"/notices/{rows[0].pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == f"/tree/{pair['node'].pk}/"
    assert Notice.objects.get(pk=rows[0].pk).read_at is not None
    assert Notice.objects.filter(recipient=pair["me"], read_at__isnull=True).count() == 2


def test_mark_all_read(pair):
    three(pair)
    response = client_for(pair["me"]).post("/notices/read-all/")
    assert response.status_code == 302
    assert not Notice.objects.filter(recipient=pair["me"], read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=pair["other"], read_at__isnull=True).count() == 1


def test_reading_needs_post_and_csrf(pair):
    rows = three(pair)
    assert client_for(pair["me"]).get(f"/notices/{rows[0].pk}/read/").status_code == 405
    strict = client_for(pair["me"], enforce_csrf_checks=True)
    assert strict.post(f"/notices/{rows[0].pk}/read/").status_code == 403
    assert strict.post("/notices/read-all/").status_code == 403
    assert Notice.objects.get(pk=rows[0].pk).read_at is None


def test_another_users_notice_is_404_like_a_missing_one(pair):
    mine = three(pair)[0]
    other = client_for(pair["other"])
    assert other.post(f"/notices/{mine.pk}/read/").status_code == 404
    assert other.post("/notices/987654/read/").status_code == 404
    api = other.post(f"/api/v1/notices/{mine.pk}/read")
    missing = other.post("/api/v1/notices/987654/read")
    assert (api.status_code, api.json()) == (missing.status_code, missing.json())
    assert api.status_code == 404
    assert Notice.objects.get(pk=mine.pk).read_at is None


def test_api_lists_paginated_with_unread_count(pair):
    rows = three(pair)
    Notice.objects.filter(pk=rows[2].pk).update(read_at=timezone.now())
    client = client_for(pair["me"], HTTP_ACCEPT_LANGUAGE="en")
    body = client.get("/api/v1/notices?limit=2").json()
    assert (body["count"], body["unread_count"], len(body["items"])) == (3, 2, 2)
    assert [i["params"]["id"] for i in body["items"]] == [3, 2]
    first = body["items"][0]
    assert first["unread"] is False and first["kind"] == "appeals.alert"
    assert first["text"].startswith("Urgent: appeal #3") and first["url"] == f"/tree/{pair['node'].pk}/"
    unread = client.get("/api/v1/notices?unread=true").json()
    assert [i["params"]["id"] for i in unread["items"]] == [2, 1]


def test_api_read_and_read_all(pair):
    rows = three(pair)
    client = client_for(pair["me"])
    body = client.post(f"/api/v1/notices/{rows[0].pk}/read").json()
    assert body["id"] == rows[0].pk and body["read_at"] is not None
    body = client.post("/api/v1/notices/read-all").json()
    assert body == {"marked": 2, "unread_count": 0}


def test_preferences_page(pair):
    client = client_for(pair["me"])
    html = client.get("/notices/settings/").content.decode()
    assert 'id="email-off"' in html  # no email configured in tests
    assert client.post("/notices/settings/", {"sms": "on"}).status_code == 302
    from gongzhi.notices.models import Preference

    pref = Preference.objects.get(user=pair["me"])
    assert (pref.email, pref.sms) == (False, True)


def test_anonymous_visitors_are_sent_to_log_in():
    assert Client().get("/notices/").status_code == 302
    assert Client().get("/api/v1/notices").status_code == 401
