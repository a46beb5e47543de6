"""Issue 5 §5 on PostgreSQL: many owners voting at once, and one owner submitting twice at once, leave exactly
one ballot per dwelling, an unbroken chain, and a published tally equal to the offline recount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.accounts import services as accounts
from gongzhi.core.errors import Conflict
from gongzhi.people import services as people
from gongzhi.tree import services as tree
from gongzhi.voting import ballot_chain, counting, recount, services
from gongzhi.voting.models import Ballot, Choice

from .conftest import end_voting, make_vote

OWNERS = 24


def _owners(actor, stairwell):
    users = []
    for n in range(OWNERS):
        dwelling = tree.dwelling_create(
            actor=actor, stairwell=stairwell, number=f"9{n:02d}", area=Decimal("70.25")
        )
        person = people.person_create(actor=actor, name=f"业主{n}")
        people.ownership_open(actor=actor, dwelling=dwelling, person=person, start=dt.date(2020, 1, 1))
        user = accounts.user_create(actor=actor, username=f"owner{n}", password="pw-vote-2026", person=person)
        users.append((user, dwelling))
    return users


@pytest.mark.django_db(transaction=True)
def test_many_owners_at_once_and_one_owner_twice_at_once(postgres, run_at_once, actor, small_tree):
    owners = _owners(actor, small_tree["stairwell"])
    vote = make_vote(actor, small_tree["compound"])
    choices = ["yes", "no", "abstain"]
    jobs = [
        (
            lambda u=u, d=d, c=choices[i % 3]: services.ballot_cast_online(
                actor=u, vote=vote, dwelling_id=d.pk, choice=c
            )
        )
        for i, (u, d) in enumerate(owners)
    ]
    twice_user, twice_dwelling = owners[0]
    jobs += [
        lambda: services.ballot_cast_online(
            actor=twice_user, vote=vote, dwelling_id=twice_dwelling.pk, choice="no"
        )
    ] * 3
    outcomes = run_at_once(jobs)
    accepted = [o for o in outcomes if isinstance(o, services.Cast)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(accepted) == OWNERS and len(refused) == 3, outcomes
    assert Ballot.objects.filter(vote=vote).count() == OWNERS
    assert Choice.objects.filter(vote=vote).count() == OWNERS
    assert ballot_chain.chain_verify(counting.chain_entries(vote), vote=str(vote.pk)) is None
    services.vote_close(actor=actor, vote=end_voting(vote))
    published = services.vote_publish(actor=actor, vote=vote)
    offline = recount.recount(
        counting.recount_file(published), counting.thresholds_for(published), explain=True
    )
    assert published.result["en"] == offline
    assert offline["headcount"]["participating"] == OWNERS


@pytest.mark.django_db(transaction=True)
def test_co_owners_at_once_share_one_ballot_and_one_unbroken_log(postgres, run_at_once, actor, small_tree):
    """Two co-owners of each dwelling vote at the same moment: one inserts the dwelling's ballot (its first
    ballot, one statement on PostgreSQL), the other finds it and adds its own choice to the log. Every choice is
    chained once, the vote row's head is the log's, and the count equals the recount."""
    from gongzhi.voting.models import Vote

    jobs = []
    for n in range(10):
        dwelling = tree.dwelling_create(
            actor=actor, stairwell=small_tree["stairwell"], number=f"8{n:02d}", area=Decimal("60.50")
        )
        for k in range(2):
            person = people.person_create(actor=actor, name=f"共有人{n}-{k}")
            people.ownership_open(actor=actor, dwelling=dwelling, person=person, start=dt.date(2020, 1, 1))
            user = accounts.user_create(
                actor=actor, username=f"co{n}-{k}", password="pw-vote-2026", person=person
            )
            choice = "yes" if n % 2 or k == 0 else "no"  # odd dwellings agree, even ones conflict
            jobs.append((user, dwelling, choice))
    vote = make_vote(actor, small_tree["compound"])
    outcomes = run_at_once(
        [
            lambda u=u, d=d, c=c: services.ballot_cast_online(actor=u, vote=vote, dwelling_id=d.pk, choice=c)
            for u, d, c in jobs
        ]
    )
    assert all(isinstance(o, services.Cast) for o in outcomes), outcomes
    assert Ballot.objects.filter(vote=vote).count() == 10
    log = counting.chain_entries(vote)
    assert len(log) == 20 and ballot_chain.chain_verify(log, vote=str(vote.pk)) is None
    vote = Vote.objects.get(pk=vote.pk)
    assert (vote.log_seq, vote.log_head) == (20, ballot_chain.chain_head(log))
    services.vote_close(actor=actor, vote=end_voting(vote))
    published = services.vote_publish(actor=actor, vote=vote)
    offline = recount.recount(
        counting.recount_file(published), counting.thresholds_for(published), explain=True
    )
    assert published.result["en"] == offline
    assert offline["headcount"]["participating"] == 5  # the five dwellings whose co-owners agree
