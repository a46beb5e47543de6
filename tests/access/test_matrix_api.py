"""The permission matrix (matrix.py) swept over every API endpoint: see sweep.py for what each check asserts."""

from __future__ import annotations

import pytest

from .matrix import API_ROWS
from .sweep import check_row

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("group", ["tokens", "tree", "people", "bodies", "exports", "votes", "appeals"])
def test_api_matrix(tokens, group):
    prefixes = {
        "tokens": ("/tokens",),
        "tree": (
            "/nodes",
            "/communities/{node_id}/grids",
            "/communities/{node_id}/ungridded",
            "/grids",
            "/dwell",
        ),
        "people": ("/people", "/ownerships", "/residencies"),
        "bodies": ("/bodies", "/memberships", "/communities/{node_id}/compliance"),
        "exports": ("/exports",),
        "votes": ("/votes",),
        "appeals": ("/appeals",),
    }[group]
    rows = [r for r in API_ROWS if r.endpoint.split(" ", 1)[1].removeprefix("/api/v1").startswith(prefixes)]
    assert rows
    problems = [p for row in rows for p in check_row(tokens, row)]
    assert not problems, "\n".join(problems)
