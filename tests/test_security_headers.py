"""Every response carries a CSP without 'unsafe-inline' scripts, nosniff and a referrer policy."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_headers_on_the_login_page(client):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_our_pages_have_no_inline_script(client, actor, small_tree):
    """Inline <script> blocks would be refused by the CSP; only src= and JSON data blocks are allowed."""
    client.force_login(actor)
    for url in [
        "/",
        "/tree/",
        f"/tree/{small_tree['community'].pk}/",
        f"/dwellings/{small_tree['dwellings'][0].pk}/",
    ]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert " style=" not in html, url
