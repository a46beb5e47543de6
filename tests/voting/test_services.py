"""Vote services: each rule of issue 5 §2, and refusals that change nothing (LAW-CC-278, LAW-SPC-8/9,
HZ-5.1.3.2.2.5)."""

from __future__ import annotations

import json

import pytest

from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Conflict, Forbidden, InvalidInput
from gongzhi.voting import ballot_chain, counting, recount, services
from gongzhi.voting.models import Ballot, Choice, PaperBallotEntry, RollEntry, RollVoter, Status
from gongzhi.voting.thresholds import pack_thresholds

from .conftest import end_voting, make_vote, scan

pytestmark = pytest.mark.django_db


def cast(compound, vote, who, dwelling, choice):
    return services.ballot_cast_online(
        actor=compound["users"][who], vote=vote, dwelling_id=compound[dwelling].pk, choice=choice
    )


def state():
    return (
        Ballot.objects.count(),
        Choice.objects.count(),
        PaperBallotEntry.objects.count(),
        AuditEntry.objects.count(),
    )


def finish(actor, vote):
    services.vote_close(actor=actor, vote=end_voting(vote))
    return services.vote_publish(actor=actor, vote=vote)


def test_open_freezes_the_roll_with_areas_and_owners(compound, assembly):
    entries = {e.dwelling_id: e for e in RollEntry.objects.filter(vote=assembly)}
    assert set(entries) == {compound["d1"].pk, compound["d2"].pk, compound["d3"].pk}
    assert str(entries[compound["d1"].pk].area) == "89.47"
    co_owners = set(
        RollVoter.objects.filter(entry=entries[compound["d2"].pk]).values_list("person__name", flat=True)
    )
    assert co_owners == {"王二", "王三"}


def test_a_later_owner_is_not_on_the_frozen_roll(actor, compound, assembly):
    from gongzhi.people import services as people

    newcomer = people.person_create(actor=actor, name="新业主")
    people.ownership_open(
        actor=actor, dwelling=compound["d3"], person=newcomer, start=assembly.roll_date.replace(year=2100)
    )
    assert not RollVoter.objects.filter(person=newcomer).exists()


def test_building_meeting_roll_is_the_household_representatives(actor, compound):
    vote = make_vote(actor, compound["stairwell"], rule="building_meeting")
    voters = set(RollVoter.objects.filter(vote=vote).values_list("person__name", flat=True))
    assert voters == {
        "张一",
        "赵四",
    }  # 201 has no representative: it stays on the roll, unable to vote online


def test_create_refuses_a_wrong_level_and_writes_nothing(actor, compound):
    before = state()
    with pytest.raises(InvalidInput):
        make_vote(actor, compound["building"], open_=False)
    with pytest.raises(InvalidInput):
        make_vote(actor, compound["compound"], item=10, open_=False)
    with pytest.raises(InvalidInput):
        make_vote(actor, compound["compound"], hours=(2, 1), open_=False)
    assert state() == before


def test_an_owner_casts_and_gets_a_chained_receipt(compound, assembly):
    result = cast(compound, assembly, "zhang", "d1", "yes")
    row = Choice.objects.get(vote=assembly)
    assert row.receipt == result.receipt and ballot_chain.receipt_normalise(result.receipt) == result.receipt
    assert row.hash == ballot_chain.entry_hash(
        vote=str(assembly.pk),
        seq=1,
        receipt=row.receipt,
        choice="yes",
        dwelling=row.dwelling_label,
        prev=ballot_chain.GENESIS,
    )
    assert AuditEntry.objects.filter(action="voting.ballot_cast").count() == 1


def test_a_non_owner_is_refused_and_nothing_changes(compound, assembly):
    before = state()
    with pytest.raises(Forbidden):
        cast(compound, assembly, "zhang", "d3", "yes")
    with pytest.raises(Forbidden):
        cast(compound, assembly, "cw", "d1", "yes")
    assert state() == before


def test_a_second_ballot_from_the_same_owner_is_refused(compound, assembly):
    cast(compound, assembly, "zhang", "d1", "yes")
    before = state()
    with pytest.raises(Conflict):
        cast(compound, assembly, "zhang", "d1", "no")
    assert state() == before


def test_co_owners_identical_ballots_count_once(actor, compound, assembly):
    cast(compound, assembly, "wang2", "d2", "yes")
    second = cast(compound, assembly, "wang3", "d2", "yes")
    assert second.counted_once and Ballot.objects.filter(vote=assembly).count() == 1
    result = finish(actor, assembly).result["en"]
    assert result["area"]["participating"] == "89.47" and result["headcount"]["participating"] == 1


def test_co_owners_conflicting_ballots_void_the_dwelling_with_a_reason(actor, compound, assembly):
    cast(compound, assembly, "wang2", "d2", "yes")
    cast(compound, assembly, "wang3", "d2", "no")
    result = finish(actor, assembly).result["en"]
    assert result["area"]["participating"] == "0.00"
    assert [r["reason"].split(":")[0] for r in result["rejected"]] == ["dwelling_conflict"] * 2


def test_the_vote_row_keeps_the_ballot_logs_head_whichever_way_ballots_come(compound, assembly):
    """A dwelling's first ballot (one statement on PostgreSQL), a co-owner's second one and a paper ballot all
    chain after the head the vote row keeps, and move it; each audit entry names its ballot."""
    cast(compound, assembly, "wang2", "d2", "yes")
    cast(compound, assembly, "wang3", "d2", "yes")
    enter(compound, assembly, "cw", "zhao", "no", dwelling="d3")
    enter(compound, assembly, "cw2", "zhao", "no", dwelling="d3")
    cast(compound, assembly, "zhang", "d1", "abstain")
    assembly.refresh_from_db()
    log = counting.chain_entries(assembly)
    assert ballot_chain.chain_verify(log, vote=str(assembly.pk)) is None
    assert (assembly.log_seq, assembly.log_head) == (4, ballot_chain.chain_head(log))
    audited = AuditEntry.objects.filter(action="voting.ballot_cast").values_list("object_id", "object_repr")
    ballots = Ballot.objects.filter(vote=assembly)
    assert sorted(audited) == sorted([(str(b.pk), str(b)) for b in ballots for _ in range(b.choices.count())])


def test_a_secret_log_entry_carries_the_weight_the_count_needs(actor, compound):
    vote = make_vote(actor, compound["compound"], secret=True)
    cast(compound, vote, "wang2", "d2", "yes")
    row = Choice.objects.get(vote=vote)
    entry = RollEntry.objects.get(vote=vote, dwelling=compound["d2"])
    assert (row.area, row.owners_key) == (entry.area, services.owners_key(vote, entry))
    assert (row.ballot_id, row.voter_id, row.dwelling_label) == (None, None, "")


def test_a_ballot_after_closing_is_refused(compound, assembly):
    end_voting(assembly)
    before = state()
    with pytest.raises(Conflict) as exc:
        cast(compound, assembly, "zhang", "d1", "yes")
    assert exc.value.code == "vote_closed" and state() == before


def test_a_ballot_before_opening_is_refused(actor, compound):
    vote = make_vote(actor, compound["compound"], hours=(1, 2))
    with pytest.raises(Conflict):
        cast(compound, vote, "zhang", "d1", "yes")


def test_close_refuses_before_the_closing_time(actor, assembly):
    with pytest.raises(Conflict):
        services.vote_close(actor=actor, vote=assembly)
    assembly.refresh_from_db()
    assert assembly.status == Status.OPEN


def test_published_result_equals_the_offline_recount(actor, compound, assembly):
    """LAW-CC-278 item 5: 2 of 3 dwellings (2/3 of area and owners) take part, both approve: passed."""
    cast(compound, assembly, "zhang", "d1", "yes")
    cast(compound, assembly, "zhao", "d3", "yes")
    vote = finish(actor, assembly)
    document = counting.recount_file(vote)
    offline = recount.recount(document, pack_thresholds(vote.city), explain=True)
    assert vote.result["en"] == offline
    assert offline["quorum_met"] and offline["passed"]
    assert offline["area"] == {"total": "268.41", "participating": "178.94", "approving": "178.94"}
    assert ballot_chain.publication_verify(vote.publication)
    assert {r["dwelling"] for r in vote.publication["receipts"]} == {"1幢-1单元-101", "1幢-1单元-301"}
    assert vote.publication["head"] == vote.chain_head


def test_one_dwelling_of_three_is_short_of_the_two_thirds_quorum(actor, compound, assembly):
    cast(compound, assembly, "zhang", "d1", "yes")
    result = finish(actor, assembly).result["en"]
    assert not result["quorum_met"] and not result["passed"]


def test_secret_vote_stores_the_choice_unlinked_and_refuses_a_second_ballot(actor, compound):
    vote = make_vote(actor, compound["compound"], secret=True)
    cast(compound, vote, "wang2", "d2", "no")
    row = Choice.objects.get(vote=vote)
    assert row.ballot_id is None and row.voter_id is None and row.dwelling_label == ""
    assert "choice" not in AuditEntry.objects.filter(action="voting.ballot_cast").get().after
    with pytest.raises(Conflict):
        cast(compound, vote, "wang3", "d2", "no")
    cast(compound, vote, "zhang", "d1", "yes")
    published = finish(actor, vote)
    assert all("dwelling" not in r for r in published.publication["receipts"])
    document = json.loads(counting.recount_file(published))
    assert not any(d["id"] == "1幢-1单元-201" for d in document["dwellings"])  # listed under its receipt
    assert published.result["en"]["headcount"] == {"total": 3, "participating": 2, "approving": 1}


def test_building_meeting_counts_households(actor, compound):
    vote = make_vote(actor, compound["stairwell"], rule="building_meeting")
    cast(compound, vote, "zhang", "d1", "yes")
    cast(compound, vote, "zhao", "d3", "no")
    result = finish(actor, vote).result["en"]
    # 2 of 3 households ≥ 2/3; 1 yes of 2 ≥ 1/2 (a tie passes, HZ-5.1.3.2.2.5)
    assert (result["households"], result["voters"], result["quorum_met"], result["passed"]) == (
        3,
        2,
        True,
        True,
    )


# --- paper ballots: four eyes ----------------------------------------------------------------------------


def enter(compound, vote, who, voter, choice, dwelling="d1"):
    return services.ballot_enter_paper(
        actor=compound["users"][who],
        vote=vote,
        dwelling_id=compound[dwelling].pk,
        voter_id=compound["owners"][voter].pk,
        choice=choice,
        scan=scan(),
    )


def test_two_matching_readings_count_the_paper_ballot(compound, assembly):
    assert enter(compound, assembly, "cw", "zhang", "yes").state == "pending"
    assert not Ballot.objects.exists()
    outcome = enter(compound, assembly, "cw2", "zhang", "yes")
    assert outcome.state == "matched" and outcome.cast is not None
    assert Ballot.objects.get().channel == "paper"


def test_the_same_staff_member_cannot_read_twice(compound, assembly):
    enter(compound, assembly, "cw", "zhang", "yes")
    before = state()
    with pytest.raises(Conflict) as exc:
        enter(compound, assembly, "cw", "zhang", "yes")
    assert exc.value.code == "four_eyes" and state() == before


def test_a_mismatch_blocks_until_set_aside(actor, compound, assembly):
    enter(compound, assembly, "cw", "zhang", "yes")
    outcome = enter(compound, assembly, "cw2", "zhang", "no")
    assert outcome.state == "conflict" and not Ballot.objects.exists()
    with pytest.raises(Conflict):
        enter(compound, assembly, "cw", "zhang", "yes")
    services.paper_conflict_set_aside(
        actor=compound["users"]["cw"], vote=assembly, dwelling_id=compound["d1"].pk
    )
    enter(compound, assembly, "cw", "zhang", "yes")
    assert enter(compound, assembly, "cw2", "zhang", "yes").state == "matched"


def test_paper_needs_a_scan_and_a_signatory_on_the_roll(compound, assembly):
    before = state()
    with pytest.raises(InvalidInput):
        services.ballot_enter_paper(
            actor=compound["users"]["cw"],
            vote=assembly,
            dwelling_id=compound["d1"].pk,
            voter_id=compound["owners"]["zhang"].pk,
            choice="yes",
            scan=None,
        )
    with pytest.raises(InvalidInput):
        enter(compound, assembly, "cw", "zhao", "yes", dwelling="d1")
    assert state() == before


def test_a_proxy_ballot_is_counted_as_proxy(compound, assembly):
    services.proxy_record(
        actor=compound["users"]["cw"],
        vote=assembly,
        dwelling_id=compound["d3"].pk,
        owner_id=compound["owners"]["zhao"].pk,
        holder_name="赵四之子",
        document=scan("proxy.pdf"),
    )
    enter(compound, assembly, "cw", "zhao", "yes", dwelling="d3")
    enter(compound, assembly, "cw2", "zhao", "yes", dwelling="d3")
    assert Ballot.objects.get().channel == "proxy"
    with pytest.raises(Conflict):
        services.proxy_record(
            actor=compound["users"]["cw"],
            vote=assembly,
            dwelling_id=compound["d3"].pk,
            owner_id=compound["owners"]["zhao"].pk,
            holder_name="又一人",
            document=scan("proxy.pdf"),
        )


def test_status_moves_only_forward(actor, assembly):
    with pytest.raises(Conflict):
        services.vote_open(actor=actor, vote=assembly)
    with pytest.raises(Conflict):
        services.vote_publish(actor=actor, vote=assembly)


def test_secret_paper_readings_forget_the_choice_once_counted(actor, compound):
    vote = make_vote(actor, compound["compound"], secret=True)
    enter(compound, vote, "cw", "zhang", "no")
    enter(compound, vote, "cw2", "zhang", "no")
    assert set(PaperBallotEntry.objects.filter(vote=vote).values_list("choice", flat=True)) == {""}
    assert Choice.objects.get(vote=vote).choice == "no"
