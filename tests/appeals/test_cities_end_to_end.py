"""Issue 4 "done when": an appeal walks its city's whole ladder through the API, for each of the four packs.

Per city (BZ-3.1, HZ-5.1.3.2.2.5#2 / HZ-A.3.2.1, NB-4.6.2, CZ-III.6#2 / CZ-IV.1#2) the resident submits a
facilities appeal; at each rung the user the ladder names accepts it (a Ningbo compound first classifies it),
holds the meeting the rung requires, and escalates it with a reason, one rung at a time, until the top; there it
is resolved and the resident confirms and rates it. Every step is taken by whoever the API's allowed_actions
lets take it, so the test follows the pack, not a script of roles.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from gongzhi.appeals import cases

from .cases_world import city_world

pytestmark = pytest.mark.django_db

DATA = {
    "triage": {"difficulty": "simple"},
    "convene_meeting": {"deliberation": "居民议事会 2026-12"},
    "escalate": {"reason": "本级无法协调，需上级统筹"},
    "resolve": {"resolution": "已协调相关单位修复"},
    "confirm": {"rating": 4, "comment": "满意"},
}


def _post(client: Client, url: str, data: dict) -> dict:
    response = client.post(url, json.dumps(data), content_type="application/json")
    assert response.status_code in (200, 201), response.content[:400]
    return response.json()


def _take(clients: dict[str, Client], appeal_id: int, wanted: tuple[str, ...]) -> tuple[str, dict]:
    """The first of `wanted` any user may take now (the API's allowed_actions), taken by that user."""
    for name in wanted:
        for client in clients.values():
            detail = client.get(f"/api/v1/appeals/{appeal_id}").json()
            if name in detail.get("allowed_actions", []):
                body = DATA.get(name, {}) | {"version": detail["version"]}
                return name, _post(client, f"/api/v1/appeals/{appeal_id}/{name}", body)
    raise AssertionError(f"nobody may take any of {wanted} on appeal {appeal_id}")


@pytest.mark.parametrize("city", ["binzhou", "huzhou", "ningbo", "cangzhou"])
def test_an_appeal_climbs_the_whole_ladder_and_is_rated(actor, city):
    w = city_world(actor, city)
    clients = {}
    for key, user in w["users"].items():
        clients[key] = Client()
        clients[key].force_login(user)
    created = _post(
        clients["resident0"],
        "/api/v1/appeals",
        {"category": "facilities", "description": "小区路灯损坏", "dwelling_id": w["homes"][0].pk},
    )["appeal"]
    appeal_id = created["id"]
    ladder = cases.context_of(w["stairwell"]).ladders.ladder(created["track"])
    climbed = [created["step"]]
    for _rung in range(len(ladder.steps) + 2):
        _take(clients, appeal_id, ("accept", "triage"))
        detail = clients["resident0"].get(f"/api/v1/appeals/{appeal_id}").json()
        if ladder.is_top(detail["step"]):
            break
        name, detail = _take(clients, appeal_id, ("escalate", "convene_meeting"))
        if name == "convene_meeting":
            name, detail = _take(clients, appeal_id, ("escalate",))
        assert ladder.index(detail["step"]) == ladder.index(climbed[-1]) + 1  # one rung at a time
        climbed.append(detail["step"])
    assert climbed == [s.code for s in ladder.steps[ladder.index(created["step"]) :]]
    _take(clients, appeal_id, ("resolve",))
    done = _post(clients["resident0"], f"/api/v1/appeals/{appeal_id}/confirm", DATA["confirm"])
    assert (done["state"], done["rating"]) == ("closed", 4)
    seen = [e["transition"] for e in done["timeline"]]
    assert seen.count("escalate") == len(climbed) - 1 and seen[-2:] == ["resolve", "confirm"]
    assert all(e["by"] for e in done["timeline"])  # every line names a role, never a person
