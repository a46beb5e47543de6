"""followup.rules: the implementation's actions (HZ-5.1.3.2.1.5) for every procedure, state and capacity; the
reason a change needs; the residents' appraisal summary (HZ-5.1.3.2.2.7, §5 #27); the success rate (§5 #29)."""

from __future__ import annotations

import datetime as dt
import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.followup import rules
from gongzhi.voting import procedures as p

STATES = ("", rules.OPEN, rules.DONE, rules.FAILED)
ALL_CAPACITIES = sorted(
    {c for m in (rules.APPOINTERS, rules.FOLLOWERS) for cs in m.values() for c in cs}
    | set(rules.IMPLEMENTERS)
)


def test_every_procedure_names_who_appoints_and_who_follows_up():
    for table in (rules.APPOINTERS, rules.FOLLOWERS, rules.DECISION_STATES, rules.ACCEPTED_STATES):
        assert set(table) == set(p.PROCEDURES)


def test_declared_states_are_states_of_their_procedure():
    for table in (
        rules.DECISION_STATES,
        rules.ACCEPTED_STATES,
        rules.IMPLEMENTED_STATES,
        rules.FILING_STATES,
    ):
        for kind, state in table.items():
            assert state in p.PROCEDURES[kind].all_states, (kind, state)
    assert rules.APPRAISAL_OPENS["building"] in p.BUILDING.states


def test_compound_implementer_is_appointed_by_the_owners_committee_and_followed_by_the_osc():
    """HZ-5.1.3.2.1.5: 由业主委员会确定实施组织 … 业主监督管理委员会应跟踪督查."""
    assert rules.APPOINTERS["compound"] == (p.OC,)
    assert rules.FOLLOWERS["compound"] == (p.OSC,)


@pytest.mark.parametrize("kind", sorted(p.PROCEDURES))
@pytest.mark.parametrize("action", sorted(rules.ACTIONS))
@pytest.mark.parametrize("state", STATES)
def test_check_allows_exactly_the_declared_state_and_capacity(kind, action, state):
    move = rules.ACTIONS[action]
    actors = rules.actors_for(kind, action)
    for capacity in ALL_CAPACITIES:
        allowed = state in move.sources and capacity in actors
        try:
            rules.check(kind, action, state=state, capacities={capacity})
        except rules.Refused as exc:
            assert not allowed
            assert exc.code == ("wrong_state" if state not in move.sources else "not_allowed")
        else:
            assert allowed


def test_nothing_is_done_to_a_closed_implementation():
    for state, action in itertools.product(rules.CLOSED, rules.ACTIONS):
        with pytest.raises(rules.Refused) as exc:
            rules.check("compound", action, state=state, capacities=ALL_CAPACITIES)
        assert exc.value.code == "wrong_state"


def test_closing_leads_to_done_or_failed_and_other_actions_keep_the_state():
    assert rules.ACTIONS["accept"].target == rules.DONE
    assert rules.ACTIONS["fail"].target == rules.FAILED
    assert rules.ACTIONS["appoint"].target == rules.OPEN
    assert all(
        rules.ACTIONS[a].target == ""
        for a in ("progress", "change", "milestone", "milestone_reached", "follow_up")
    )


def test_the_property_company_reports_progress_but_neither_appoints_nor_closes():
    caps = {p.PROPERTY_COMPANY}
    assert rules.allowed_actions("compound", rules.OPEN, caps) == ["progress", "milestone_reached"]
    assert rules.allowed_actions("compound", "", caps) == []
    assert rules.allowed_actions("compound", rules.OPEN, {p.OSC}) == ["follow_up", "accept", "fail"]
    assert rules.allowed_actions("compound", "", {p.OC}) == ["appoint"]


def test_decided_by_the_procedures_decision_state_or_a_recorded_decision():
    assert rules.decided("building", [p.NEW, "collected", "screened", "meeting_held", "voted"], False)
    assert not rules.decided("building", [p.NEW, "collected", "screened", "meeting_held"], False)
    assert not rules.decided(
        "building", [p.NEW, "collected", "screened", "meeting_held", "not_adopted"], False
    )
    assert rules.decided("building", [p.NEW], True)
    assert rules.decided("compound", [p.NEW, "proposed", "consulted", "reviewed", "resolved"], False)


D = dt.date(2026, 5, 1)


@pytest.mark.parametrize(
    ("new_due", "new_standard", "needs"),
    [
        (D + dt.timedelta(days=1), None, True),  # 延期: a day later
        (D - dt.timedelta(days=1), None, False),  # earlier is no delay
        (D, None, False),
        (None, "更换全部灯具", True),  # any other standard: lowering it cannot be told apart
        (None, "  更换灯具 ", False),  # the same standard, spaces aside
        (D - dt.timedelta(days=3), "更换全部灯具", True),
        (None, None, False),
    ],
)
def test_a_later_due_date_or_another_standard_needs_a_reason(new_due, new_standard, needs):
    """HZ-5.1.3.2.1.5 无正当理由,不应延期或降低落实标准."""
    assert (
        rules.change_needs_reason(
            due_on=D, new_due_on=new_due, standard="更换灯具", new_standard=new_standard
        )
        is needs
    )


def test_overdue_only_while_open_and_after_the_due_day():
    assert not rules.overdue(state=rules.OPEN, due_on=D, today=D)
    assert rules.overdue(state=rules.OPEN, due_on=D, today=D + dt.timedelta(days=1))
    assert not rules.overdue(state=rules.DONE, due_on=D, today=D + dt.timedelta(days=9))


# --- appraisal -------------------------------------------------------------------------------------------------


def test_appraisal_summary_per_section_5_27():
    """Satisfied = 4 or 5; rate = satisfied / valid responses; the response rate beside it."""
    s = rules.appraisal_summary([5, 4, 3, 1, 4], households=8, scale_max=5, satisfied_min=4)
    assert (s.responses, s.satisfied, s.households) == (5, 3, 8)
    assert s.counts == {1: 1, 2: 0, 3: 1, 4: 2, 5: 1}
    assert s.satisfaction == Fraction(3, 5) and s.response_rate == Fraction(5, 8)


def test_appraisal_summary_without_answers_or_households_is_undefined_not_zero():
    s = rules.appraisal_summary([], households=0, scale_max=5, satisfied_min=4)
    assert s.satisfaction is None and s.response_rate is None and s.counts == dict.fromkeys(range(1, 6), 0)


def test_ratings_outside_the_scale_are_not_counted():
    s = rules.appraisal_summary([0, 6, 5], households=3, scale_max=5, satisfied_min=4)
    assert (s.responses, s.satisfied) == (1, 1)


@given(st.lists(st.integers(1, 5), max_size=40), st.integers(0, 60))
def test_satisfied_never_exceeds_responses(ratings, extra):
    s = rules.appraisal_summary(ratings, households=len(ratings) + extra, scale_max=5, satisfied_min=4)
    assert 0 <= s.satisfied <= s.responses == sum(s.counts.values())
    assert s.satisfaction is None or 0 <= s.satisfaction <= 1


@pytest.mark.parametrize(
    ("kind", "history", "impl", "open_"),
    [
        ("building", [p.NEW, "collected", "screened", "meeting_held", "voted"], "", False),
        ("building", [p.NEW, "collected", "screened", "meeting_held", "voted", "notice_posted"], "", True),
        ("compound", [p.NEW, "proposed", "consulted", "reviewed", "resolved", "published"], "", False),
        ("compound", [p.NEW, "proposed"], rules.OPEN, False),
        ("compound", [p.NEW, "proposed"], rules.DONE, True),
        ("compound", [p.NEW, "proposed"], rules.FAILED, True),
    ],
)
def test_appraisal_opens_after_implementation_or_the_building_notice(kind, history, impl, open_):
    """HZ-5.1.3.2.2.6 → .7: the notice is posted, then residents appraise; elsewhere once implemented."""
    assert rules.appraisal_open(kind, history, impl) is open_


# --- success rate ----------------------------------------------------------------------------------------------


def facts(accepted=True, withdrawn=False, resolved=True, implemented=True):
    return rules.TopicFacts(accepted, withdrawn, resolved, implemented)


def test_success_rate_is_resolved_and_implemented_over_accepted():
    """§5 #29: topics resolved and implemented / topics accepted for deliberation (withdrawn excluded)."""
    topics = [
        facts(),
        facts(implemented=False),  # resolved, not implemented: not a success
        facts(resolved=False, implemented=False),  # not resolved (passed up, not adopted)
        facts(resolved=False, implemented=True),  # implemented without a resolution: not a success
        facts(withdrawn=True),  # withdrawn: out of both
        facts(accepted=False, resolved=False, implemented=False),  # never accepted: out of both
    ]
    assert rules.success_rate(topics) == rules.SuccessRate(1, 4, Fraction(1, 4))


def test_success_rate_of_nothing_accepted_is_undefined():
    assert rules.success_rate([]) == rules.SuccessRate(0, 0, None)
    assert rules.success_rate([facts(withdrawn=True)]).rate is None


@pytest.mark.parametrize("bits", list(itertools.product([False, True], repeat=4)))
def test_success_rate_of_one_topic_for_every_combination(bits):
    accepted, withdrawn, resolved, implemented = bits
    rate = rules.success_rate([rules.TopicFacts(*bits)])
    counted = accepted and not withdrawn
    assert rate.accepted == int(counted)
    assert rate.succeeded == int(counted and resolved and implemented)


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()), max_size=30))
def test_success_rate_is_order_free_and_withdrawing_never_raises_the_count(rows):
    topics = [rules.TopicFacts(*r) for r in rows]
    rate = rules.success_rate(topics)
    assert rate == rules.success_rate(list(reversed(topics)))
    assert 0 <= rate.succeeded <= rate.accepted
    withdrawn = [rules.TopicFacts(t.accepted, True, t.resolved, t.implemented) for t in topics]
    assert rules.success_rate(withdrawn).accepted == 0


def test_topic_facts_from_a_procedures_history():
    building = [p.NEW, "collected", "screened", "meeting_held", "voted", "notice_posted"]
    f = rules.topic_facts("building", building, decided_at_set=False, implementation_state=rules.DONE)
    assert f == rules.TopicFacts(True, False, True, True)
    dropped = rules.topic_facts(
        "building", [p.NEW, "collected", "dropped"], decided_at_set=False, implementation_state=""
    )
    assert (dropped.accepted, dropped.withdrawn) == (False, True)
    group = [p.NEW, "topic_proposed", "opinions_collected", "opinion_formed", "implementing", "closed"]
    assert rules.topic_facts(
        "resident_group", group, decided_at_set=False, implementation_state=""
    ).implemented
    failed = rules.topic_facts(
        "compound", [p.NEW, "proposed"], decided_at_set=True, implementation_state=rules.FAILED
    )
    assert (failed.resolved, failed.implemented) == (True, False)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        (Fraction(1, 3), "33.3%"),
        (Fraction(2, 3), "66.7%"),
        (Fraction(1), "100.0%"),
        (Fraction(1, 2000), "0.1%"),
        (Fraction(0), "0.0%"),
    ],
)
def test_percent_rounds_half_up_to_one_decimal(value, shown):
    assert rules.percent(value) == shown
