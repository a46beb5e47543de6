"""Fuzz the whole API from its own OpenAPI document (schemathesis), as two different roles.

Every operation, safe and unsafe, is called with generated data (valid and invalid) as a community worker
(personal token) and as a resident (browser session with its CSRF token). Each example runs in a savepoint
that is rolled back, so examples do not depend on each other and the test database is left as it was. The
checks: no 5xx, the status code and content type are declared for the operation, and the body matches the
declared schema. The number of examples is bounded (FUZZ_EXAMPLES, derandomized) so the suite stays fast;
`GONGZHI_FUZZ_EXAMPLES=200 pytest tests/api/test_fuzz.py` fuzzes harder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gongzhi.accounts import services as accounts
from gongzhi.accounts.tokens import api_token_create
from gongzhi.bodies import services as bodies
from gongzhi.people import services as people
from gongzhi.tree import services as tree
from gongzhi.tree.models import Node

FUZZ_EXAMPLES = int(os.environ.get("GONGZHI_FUZZ_EXAMPLES", "5"))
# schemathesis's coverage phase (boundary values, malformed content types, unexpected methods) multiplies the
# calls by about ten; `GONGZHI_FUZZ_COVERAGE=1` adds it for a deep run.
FUZZ_PHASES = (
    [Phase.explicit, Phase.generate] if os.environ.get("GONGZHI_FUZZ_COVERAGE") == "1" else [Phase.generate]
)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
START = dt.date(2025, 1, 1)


def _load_schema() -> Any:
    """The document /api/v1/openapi.json serves (test_fuzzed_document_is_the_served_one checks it), loaded at
    collection time: schemathesis makes one test per operation from it. Calls go to Django's real WSGI
    handler, served in this thread so that it shares the test's transaction."""
    from django.core.wsgi import get_wsgi_application

    from gongzhi.api.api import api

    loaded = schemathesis.openapi.from_dict(_served_document(api))
    loaded.app = get_wsgi_application()
    return loaded


def _served_document(api: Any) -> dict[str, Any]:
    from ninja.responses import NinjaJSONEncoder

    document: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))
    return document


schema = _load_schema()


@pytest.fixture(autouse=True)
def _same_connection() -> Iterator[None]:
    """Django closes "old" connections at each request's start and end; inside the test's transaction that
    would close it, so (as django.test.Client does) those two signal handlers are off meanwhile."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Generated ids are almost never ones that exist; these hooks also draw path, query and body ids from the
# objects the fixture made, so the fuzzer reaches real objects (in and out of scope), not only 404s.
KNOWN: dict[str, list[int]] = {}
ID_KINDS = {
    "node_id": "node",
    "parent_id": "node",
    "parent": "node",
    "node": "node",
    "community_id": "node",
    "stairwell_id": "node",
    "dwelling_id": "dwelling",
    "person_id": "person",
    "grid_id": "grid",
    "body_id": "body",
    "ownership_id": "ownership",
    "residency_id": "residency",
    "membership_id": "membership",
    "token_id": "token",
}
ID_LISTS = {"dwelling_ids": "dwelling", "building_ids": "node"}


def _with_known_ids(values: Any) -> Any:
    if not isinstance(values, dict):
        return st.just(values)
    drawn: dict[str, Any] = {}
    for key, value in values.items():
        if key in ID_KINDS and KNOWN.get(ID_KINDS[key]):
            drawn[key] = st.sampled_from([value, *KNOWN[ID_KINDS[key]]])
        elif key in ID_LISTS and KNOWN.get(ID_LISTS[key]):
            drawn[key] = st.one_of(
                st.just(value), st.lists(st.sampled_from(KNOWN[ID_LISTS[key]]), max_size=3)
            )
        else:
            drawn[key] = st.just(value)
    return st.fixed_dictionaries(drawn)


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> Any:
    return _with_known_ids(path_parameters)


@schema.hook
def flatmap_query(context: Any, query: Any) -> Any:
    return _with_known_ids(query)


@schema.hook
def flatmap_body(context: Any, body: Any) -> Any:
    return _with_known_ids(body)


@pytest.fixture
def fuzz_site(actor, small_tree, other_community):
    """Objects of every kind the API serves, in the worker's community and in another one."""
    home = small_tree["dwellings"][0]
    owner = people.person_create(
        actor=actor, name="张三", id_number="11010519491231002X", phone="13812345678"
    )
    ownership = people.ownership_open(actor=actor, dwelling=home, person=owner, start=START)
    residency = people.residency_move_in(
        actor=actor, dwelling=home, person=owner, relation="owner", start=START, is_representative=True
    )
    stranger = people.person_create(actor=actor, name="王五", phone="13900001111")
    people.residency_move_in(
        actor=actor, dwelling=other_community["dwelling"], person=stranger, relation="owner", start=START
    )
    grid = tree.grid_create(actor=actor, community=small_tree["community"], name="第一网格")
    tree.grid_assign(actor=actor, grid=grid, dwellings=[home])
    body = bodies.body_create(
        actor=actor, kind="residents_committee", node=small_tree["community"], name="月河社区居委会"
    )
    membership = bodies.member_add(actor=actor, body=body, person=owner, term_start=START)
    KNOWN.clear()
    KNOWN.update(
        node=list(Node.objects.values_list("pk", flat=True)),
        dwelling=[d.pk for d in small_tree["dwellings"]] + [other_community["dwelling"].pk],
        person=[owner.pk, stranger.pk],
        grid=[grid.pk],
        body=[body.pk],
        ownership=[ownership.pk],
        residency=[residency.pk],
        membership=[membership.pk],
    )
    return {**small_tree, "home": home}


def _session(user: Any) -> tuple[dict[str, str], dict[str, str]]:
    """A logged-in browser session for `user`: the X-CSRFToken header, and the session and CSRF cookies."""
    from django.middleware.csrf import _get_new_csrf_string

    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    return {"X-CSRFToken": csrf}, {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}


def _identity(role: str, actor: Any, site: dict[str, Any], user_model: Any) -> dict[str, Any]:
    """case.call() arguments for a new user holding `role`: a personal token, and a browser session (with
    its CSRF token) for the operations that take only the session (/tokens)."""
    user = user_model.objects.create_user(username=f"fuzz_{role}", password=None)
    scope = {"dwelling": site["home"]} if role == "resident" else {"node": site["community"]}
    accounts.role_assign(actor=actor, user=user, role=role, start=START, **scope)
    token, plaintext = api_token_create(actor=user, name="fuzz")
    KNOWN.setdefault("token", []).append(token.pk)
    headers, cookies = _session(user)
    return {"headers": {"Authorization": f"Bearer {plaintext}", **headers}, "cookies": cookies}


@pytest.fixture
def as_worker(actor, fuzz_site, django_user_model):
    return _identity("community_worker", actor, fuzz_site, django_user_model)


@pytest.fixture
def as_resident(actor, fuzz_site, django_user_model):
    return _identity("resident", actor, fuzz_site, django_user_model)


FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=FUZZ_PHASES,
    suppress_health_check=list(HealthCheck),
)


def _call_and_check(case: Any, identity: dict[str, Any]) -> None:
    with transaction.atomic():
        response = case.call(**identity)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_api(case, as_worker, as_resident):
    """Each generated request is sent as the community worker and as the resident."""
    for identity in (as_worker, as_resident):
        _call_and_check(case, identity)


@pytest.mark.django_db
def test_fuzzed_document_is_the_served_one(client):
    from gongzhi.api.api import api

    assert client.get("/api/v1/openapi.json").json() == _served_document(api)
