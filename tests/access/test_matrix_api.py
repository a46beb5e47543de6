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
    # After the decision (issue 5 §4); its /topics/{topic_id}/… rows are swept here, not by "topics".
    "followup": (
        "/topics/{topic_id}/implementation",
        "/topics/{topic_id}/appraisals",
        "/topics/{topic_id}/filing",
        "/topics/success-rate",
        "/communities/{node_id}/filings",
    ),
    "appeals": ("/appeals", "/holidays"),
    "directives": ("/directives",),
    "oversight": ("/oversight",),
    "notices": ("/notices",),
}


def _path(row):
    return row.endpoint.split(" ", 1)[1].removeprefix("/api/v1")


def _group_of(row):
    """The group with the longest prefix of the row's path (so /topics/{topic_id}/implementation is swept once,
    by "followup", not again by "topics")."""
    path = _path(row)
    return max(((len(p), g) for g, ps in GROUPS.items() for p in ps if path.startswith(p)), default=(0, ""))[
        1
    ]


def test_every_api_row_is_swept_by_a_group():
    """A row no group picks up would be listed in the matrix but never checked."""
    assert [r.endpoint for r in API_ROWS if not _path(r).startswith(sum(GROUPS.values(), ()))] == []


@pytest.mark.parametrize("group", list(GROUPS))
def test_api_matrix(tokens, group):
    rows = [r for r in API_ROWS if _group_of(r) == group]
    assert rows
    problems = [p for row in rows for p in check_row(tokens, row)]
    assert not problems, "\n".join(problems)
