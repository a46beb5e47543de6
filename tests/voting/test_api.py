"""The votes API end to end: create → open → cast → close → publish → result, recount file, receipt lookup."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gongzhi.accounts import services as accounts
from gongzhi.accounts import tokens
from gongzhi.voting import recount
from gongzhi.voting.models import Ballot, Vote
from gongzhi.voting.thresholds import pack_thresholds

from .conftest import end_voting

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_a_vote_from_creation_to_published_result(compound):
    cw, zhang = client_for(compound["users"]["cw"]), client_for(compound["users"]["zhang"])
    created = post(
        cw,
        "/api/v1/votes",
        {
            "node_id": compound["compound"].pk,
            "rule": "owners_assembly",
            "item": 6,
            "title": "使用维修资金",
            "motion": "更换电梯",
            "opens_at": "2020-03-01T08:00:00+08:00",
            "closes_at": "2099-03-08T20:00:00+08:00",
            "roll_date": "2025-12-31",
        },
    )
    assert created.status_code == 201, created.content
    vote_id = created.json()["id"]
    assert post(cw, f"/api/v1/votes/{vote_id}/open").json()["roll"] == 3
    assert zhang.get(f"/api/v1/votes/{vote_id}").json()["my_dwellings"] == [compound["d1"].pk]
    cast = post(
        zhang, f"/api/v1/votes/{vote_id}/ballots", {"dwelling_id": compound["d1"].pk, "choice": "yes"}
    )
    assert cast.status_code == 201
    receipt = cast.json()["receipt"]
    again = post(
        zhang, f"/api/v1/votes/{vote_id}/ballots", {"dwelling_id": compound["d1"].pk, "choice": "no"}
    )
    assert again.status_code == 409 and again.json()["code"] == "already_voted"
    assert zhang.get(f"/api/v1/votes/{vote_id}/my-ballots").json()[0]["receipt"] == receipt
    assert cw.get(f"/api/v1/votes/{vote_id}/result").status_code == 409  # not published yet
    end_voting(Vote.objects.get(pk=vote_id))
    assert post(cw, f"/api/v1/votes/{vote_id}/close").json()["status"] == "closed"
    assert post(cw, f"/api/v1/votes/{vote_id}/publish").json()["status"] == "published"
    result = zhang.get(f"/api/v1/votes/{vote_id}/result").json()
    assert result["result"]["quorum_met"] is False  # one dwelling of three is short of 2/3
    document = zhang.get(f"/api/v1/votes/{vote_id}/recount").json()
    assert (
        recount.recount(json.dumps(document), pack_thresholds("huzhou"), explain=True)["area"]
        == result["result"]["area"]
    )
    found = zhang.get(f"/api/v1/votes/{vote_id}/receipt", {"code": receipt.lower().replace("-", "")}).json()
    assert found == {"found": True, "receipt": receipt, "choice": "yes", "dwelling": "1幢-1单元-101"}


def test_bad_input_answers_4xx_in_the_users_language_and_writes_nothing(compound, assembly):
    zhang = client_for(compound["users"]["zhang"])
    bad = post(
        zhang, f"/api/v1/votes/{assembly.pk}/ballots", {"dwelling_id": compound["d1"].pk, "choice": "maybe"}
    )
    assert bad.status_code == 422
    other = post(
        zhang, f"/api/v1/votes/{assembly.pk}/ballots", {"dwelling_id": compound["d2"].pk, "choice": "yes"}
    )
    assert other.status_code == 403 and "业主" in other.json()["message"]
    assert not Ballot.objects.exists()


def test_a_ballot_after_closing_is_refused_over_the_api(compound, assembly):
    end_voting(assembly)
    zhang = client_for(compound["users"]["zhang"])
    response = post(
        zhang, f"/api/v1/votes/{assembly.pk}/ballots", {"dwelling_id": compound["d1"].pk, "choice": "yes"}
    )
    assert response.status_code == 409 and response.json()["code"] == "vote_closed"
    assert not Ballot.objects.exists()


def test_a_ballot_in_a_vote_out_of_reach_answers_404_whatever_the_refusal(actor, compound, assembly):
    # The API checks the vote's visibility only once the service has refused: the refusal must not tell an
    # outsider that the vote exists or that it has closed.
    stranger = client_for(accounts.user_create(actor=actor, username="u-stranger", password="pw-vote-2026"))
    ballot = {"dwelling_id": compound["d1"].pk, "choice": "yes"}
    assert post(stranger, f"/api/v1/votes/{assembly.pk}/ballots", ballot).status_code == 404
    assert post(stranger, f"/api/v1/votes/{assembly.pk + 1000}/ballots", ballot).status_code == 404
    end_voting(assembly)
    assert post(stranger, f"/api/v1/votes/{assembly.pk}/ballots", ballot).status_code == 404
    assert not Ballot.objects.exists()


def test_a_ballot_over_the_api_takes_a_bounded_number_of_queries(compound, assembly):
    # 50 owners at once share one vote lock (issue 5 §5). On PostgreSQL: the token, then the vote locked with
    # the roll entry, the ballot with its log entry and the log's head, and the audit entry: 4 (it was 10). Else
    # the token and the roll entry, then under the lock the vote, the ballot (2), the log entry, the head and
    # the audit entry (3): 10.
    _, plaintext = tokens.api_token_create(actor=compound["users"]["zhang"], name="投票")
    client = Client(headers={"Authorization": f"Bearer {plaintext}"})
    # The token's "last used" is written every TOUCH_FLUSH_SECONDS by whichever request finds the time come
    # (tokens._touch); start the clock now so that write is not counted here.
    tokens.flush_token_touches()
    with CaptureQueriesContext(connection) as queries:
        response = post(
            client,
            f"/api/v1/votes/{assembly.pk}/ballots",
            {"dwelling_id": compound["d1"].pk, "choice": "yes"},
        )
    assert response.status_code == 201, response.content
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(sql) <= (4 if connection.vendor == "postgresql" else 10), "\n".join(sql)


def test_a_repeated_ballot_is_refused_without_the_visibility_queries(compound, assembly):
    # "Already voted" is said only to an owner on the roll, who sees the vote: the token, the vote's lock (with
    # the roll entry), the dwelling's ballot and the owner's choice in it, and no reach or visibility query.
    _, plaintext = tokens.api_token_create(actor=compound["users"]["zhang"], name="投票")
    client = Client(headers={"Authorization": f"Bearer {plaintext}"})
    tokens.flush_token_touches()
    ballot = {"dwelling_id": compound["d1"].pk, "choice": "yes"}
    assert post(client, f"/api/v1/votes/{assembly.pk}/ballots", ballot).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        again = post(client, f"/api/v1/votes/{assembly.pk}/ballots", ballot)
    assert again.status_code == 409 and again.json()["code"] == "already_voted"
    sql = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]
    assert len(sql) <= 6 and not any("accounts_roleassignment" in s for s in sql), "\n".join(sql)
