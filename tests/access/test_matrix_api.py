"""The permission matrix (matrix.py) swept over every API endpoint: see sweep.py for what each check asserts."""

from __future__ import annotations

import pytest

from .matrix import API_ROWS
from .sweep import check_row

pytestmark = pytest.mark.django_db


GROUPS = {
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
    "topics": ("/topics", "/meetings", "/communities/{node_id}/must-deliberate"),
    "appeals": ("/appeals", "/holidays"),
    "directives": ("/directives",),
    "oversight": ("/oversight",),
}


def _path(row):
    return row.endpoint.split(" ", 1)[1].removeprefix("/api/v1")


def test_every_api_row_is_swept_by_a_group():
    """A row no group picks up would be listed in the matrix but never checked."""
    assert [r.endpoint for r in API_ROWS if not _path(r).startswith(sum(GROUPS.values(), ()))] == []


@pytest.mark.parametrize("group", list(GROUPS))
def test_api_matrix(tokens, group):
    prefixes = GROUPS[group]
    rows = [r for r in API_ROWS if _path(r).startswith(prefixes)]
    assert rows
    problems = [p for row in rows for p in check_row(tokens, row)]
    assert not problems, "\n".join(problems)
