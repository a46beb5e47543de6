"""The permission matrix (matrix.py) swept over every web page, its completeness, and anonymous visitors."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from .matrix import API_ROWS, OPEN311_ROWS, WEB_EXEMPT, WEB_ROWS
from .sweep import check_row

pytestmark = pytest.mark.django_db


GROUPS = {
    "pages": ("web:home", "web:tree", "web:node", "web:dwelling", "web:person", "web:body", "web:compl"),
    "account": ("web:api_tokens", "web:my_data", "web:security", "web:audit_search", "web:history"),
    "roster": ("roster:",),
    "exports": ("exports:",),
    "votes": ("voting:",),
    "topics": ("deliberation:",),
    "followup": ("followup:",),
    "appeals": ("appeals:",),
    "directives": ("directives:",),
    "oversight": ("oversight:",),
    "notices": ("notices:",),
}


def test_every_web_row_is_swept_by_a_group():
    """A row no group picks up would be listed in the matrix but never checked."""
    assert [r.endpoint for r in WEB_ROWS if not r.endpoint.startswith(sum(GROUPS.values(), ()))] == []


@pytest.mark.parametrize("group", list(GROUPS))
def test_web_matrix(tokens, group):
    names = GROUPS[group]
    rows = [r for r in WEB_ROWS if r.endpoint.startswith(names)]
    assert rows
    problems = [p for row in rows for p in check_row(tokens, row)]
    assert not problems, "\n".join(problems)


def test_matrix_is_complete():
    """A new endpoint or page that is not in the matrix fails here."""
    from gongzhi.api.api import api

    schema = api.get_openapi_schema()
    endpoints = {f"{m.upper()} {p}" for p, ops in schema["paths"].items() for m in ops}
    assert endpoints - {r.endpoint for r in API_ROWS} == set()
    assert {r.endpoint for r in API_ROWS} - endpoints == set()
    pages = set(_url_names(get_resolver()))
    covered = {r.endpoint for r in WEB_ROWS + OPEN311_ROWS} | {
        name for name in pages if name in WEB_EXEMPT or name.split(":")[0] in WEB_EXEMPT
    }
    assert pages - covered == set()


def _url_names(resolver: URLResolver, namespace: str = "") -> list[str]:
    names = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "api":  # the API is covered endpoint by endpoint above
                continue
            names += _url_names(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.append(f"{namespace}{p.name}")
    return names


def test_anonymous_gets_nothing(world):
    """Without a log-in the API answers 401 and pages send to the log-in form, for every row."""
    from django.test import Client

    anonymous = Client()
    for row in API_ROWS + WEB_ROWS:
        ids = {**world.ids("in"), "token": 1, "notice": 1}
        url = row.url.format(**ids)
        response = anonymous.generic(row.method, url, content_type="application/json")
        expected = 401 if row.is_api else 302
        assert response.status_code == expected, (row.method, url, response.status_code)
