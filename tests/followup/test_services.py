"""followup.services and selectors: implementation (HZ-5.1.3.2.1.5), residents' appraisal (HZ-5.1.3.2.2.7),
filing with the community (HZ-5.1.3.2.1.3 备案) and the success rate (§5 #29). Refusals write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Conflict, Forbidden, InvalidInput
from gongzhi.deliberation import services as topics
from gongzhi.followup import rules, selectors, services
from gongzhi.followup.models import Appraisal, Event, FilingReceipt, Implementation

from .conftest import building_topic, compound_topic

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
LATER = 30


def appoint(world, topic, caps, who="oc", **kw):
    values = {
        "implementer": "锦绣物业",
        "due_on": TODAY() + dt.timedelta(days=LATER),
        "standard": "全部路灯亮",
    }
    return services.implementation_appoint(
        actor=world["users"][who], topic=topic, capacities=caps(world, who, topic), **{**values, **kw}
    )


def counts():
    return (Implementation.objects.count(), Event.objects.count(), AuditEntry.objects.count())


@pytest.fixture
def resolved(world):
    return compound_topic(world, until="resolved")


def test_the_owners_committee_appoints_the_implementer_of_a_resolved_compound_topic(world, caps, resolved):
    """HZ-5.1.3.2.1.5: 由业主委员会确定实施组织 (with a due date and an acceptance standard)."""
    impl = appoint(world, resolved, caps)
    assert (impl.state, impl.implementer, impl.standard) == (rules.OPEN, "锦绣物业", "全部路灯亮")
    event = impl.events.get()
    assert (event.action, event.actor, event.capacities) == (
        "appoint",
        world["users"]["oc"],
        ["owners_committee"],
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "followup.implementation_appoint" and entry.after["implementer"] == "锦绣物业"


def test_no_implementer_before_the_decision(world, caps):
    topic = compound_topic(world, until="reviewed")
    before = counts()
    with pytest.raises(Conflict) as exc:
        appoint(world, topic, caps)
    assert exc.value.code == "not_decided" and counts() == before


def test_a_recorded_decision_is_enough_to_appoint(world, caps):
    topic = building_topic(world, until="screened")
    topics.topic_decide(actor=world["users"]["bl"], topic=topic, decision="更换")
    assert appoint(world, topic, caps, who="bl").state == rules.OPEN


@pytest.mark.parametrize("who", ["sc", "ps", "cw", "re1"])
def test_only_the_procedures_appointing_body_appoints(world, caps, resolved, who):
    before = counts()
    with pytest.raises(Forbidden) as exc:
        appoint(world, resolved, caps, who=who)
    assert exc.value.code == "not_allowed" and counts() == before


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("implementer", " ", "implementer_required"),
        ("standard", "", "standard_required"),
        ("due_on", None, "due_in_past"),
    ],
)
def test_appointing_needs_who_a_standard_and_a_future_date(world, caps, resolved, field, value, code):
    if field == "due_on":
        value = TODAY() - dt.timedelta(days=1)
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        appoint(world, resolved, caps, **{field: value})
    assert exc.value.code == code and counts() == before


def test_one_implementation_per_topic(world, caps, resolved):
    appoint(world, resolved, caps)
    with pytest.raises(Conflict) as exc:
        appoint(world, resolved, caps)
    assert exc.value.code == "wrong_state" and Implementation.objects.count() == 1


@pytest.fixture
def impl(world, caps, resolved):
    return appoint(world, resolved, caps)


def act(world, caps, impl, who, fn, **kw):
    user = world["users"][who]
    return fn(actor=user, implementation=impl, capacities=caps(world, who, impl.topic), **kw)


def test_the_property_company_reports_progress(world, caps, impl):
    event = act(world, caps, impl, "ps", services.implementation_report, text="已更换一半", percent=50)
    impl.refresh_from_db()
    assert (event.action, event.percent, event.capacities) == (
        "progress",
        50,
        ["property_company", "property_staff"],
    )
    assert impl.version == 1


def test_the_supervisory_committee_does_not_report_progress(world, caps, impl):
    before = counts()
    with pytest.raises(Forbidden):
        act(world, caps, impl, "sc", services.implementation_report, text="x")
    assert counts() == before


def test_a_later_due_date_needs_a_reason_and_is_audited(world, caps, impl):
    """HZ-5.1.3.2.1.5 无正当理由,不应延期."""
    later = impl.due_on + dt.timedelta(days=10)
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        act(world, caps, impl, "oc", services.implementation_change, due_on=later)
    assert exc.value.code == "reason_required" and counts() == before
    event = act(world, caps, impl, "oc", services.implementation_change, due_on=later, reason="灯具缺货")
    impl.refresh_from_db()
    assert impl.due_on == later and event.text == "灯具缺货"
    assert (event.before["due_on"], event.after["due_on"]) == (
        (later - dt.timedelta(days=10)).isoformat(),
        later.isoformat(),
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "followup.implementation_change" and entry.after["text"] == "灯具缺货"
    assert entry.before["due_on"] != entry.after["due_on"]


def test_another_standard_needs_a_reason(world, caps, impl):
    """HZ-5.1.3.2.1.5 不应降低落实标准: every change of the standard is justified."""
    with pytest.raises(InvalidInput):
        act(world, caps, impl, "oc", services.implementation_change, standard="更换主干道路灯")
    act(world, caps, impl, "oc", services.implementation_change, standard="更换主干道路灯", reason="预算调整")
    impl.refresh_from_db()
    assert impl.standard == "更换主干道路灯"


def test_an_earlier_due_date_needs_no_reason(world, caps, impl):
    earlier = impl.due_on - dt.timedelta(days=5)
    act(world, caps, impl, "oc", services.implementation_change, due_on=earlier)
    impl.refresh_from_db()
    assert impl.due_on == earlier


def test_a_change_that_changes_nothing_is_refused(world, caps, impl):
    with pytest.raises(InvalidInput) as exc:
        act(
            world,
            caps,
            impl,
            "oc",
            services.implementation_change,
            due_on=impl.due_on,
            standard=impl.standard,
        )
    assert exc.value.code == "nothing_changed"


def test_a_stale_form_is_refused(world, caps, impl):
    act(world, caps, impl, "ps", services.implementation_report, text="开工", version=0)
    before = counts()
    with pytest.raises(Conflict) as exc:
        act(world, caps, impl, "ps", services.implementation_report, text="再报", version=0)
    assert exc.value.code == "stale" and counts() == before


def test_the_supervisory_committee_follows_up_until_it_accepts(world, caps, impl):
    """HZ-5.1.3.2.1.5 业主监督管理委员会应跟踪督查: follow-up checks, then accepted against the standard."""
    act(world, caps, impl, "sc", services.implementation_follow_up, text="现场查看：已换6盏")
    act(world, caps, impl, "sc", services.implementation_close, outcome="accept", text="全部路灯亮，验收合格")
    impl.refresh_from_db()
    assert impl.state == rules.DONE and impl.closed_at is not None
    assert list(impl.events.values_list("action", flat=True)) == ["appoint", "follow_up", "accept"]
    with pytest.raises(Conflict) as exc:
        act(world, caps, impl, "ps", services.implementation_report, text="补报")
    assert exc.value.code == "wrong_state"


def test_failing_needs_a_reason(world, caps, impl):
    with pytest.raises(InvalidInput):
        act(world, caps, impl, "sc", services.implementation_close, outcome="fail", text=" ")
    act(world, caps, impl, "sc", services.implementation_close, outcome="fail", text="物业拒不落实")
    impl.refresh_from_db()
    assert impl.state == rules.FAILED


def test_the_owners_committee_does_not_close_its_own_appointment(world, caps, impl):
    with pytest.raises(Forbidden):
        act(world, caps, impl, "oc", services.implementation_close, outcome="accept", text="好")
    impl.refresh_from_db()
    assert impl.state == rules.OPEN


def test_the_participants_of_the_consultation_are_told_of_the_appointment(world, caps, resolved):
    """HZ-5.1.3.2.1.5 适时将落实情况告知会商人员: who took part in the consultation gets a notice; the owners'
    committee member who appointed is not told of their own act."""
    from gongzhi.notices.models import Notice

    appoint(world, resolved, caps)
    people = selectors.participants_of(resolved)
    assert {world["users"]["oc"].pk, world["users"]["sc"].pk} <= people
    assert world["users"]["ps"].pk not in people
    told = set(Notice.objects.filter(kind="followup.changed").values_list("recipient_id", flat=True))
    assert world["users"]["sc"].pk in told and told == people - {world["users"]["oc"].pk}


# --- residents' appraisal ----------------------------------------------------------------------------------------


def rate(world, topic, n, rating, dwelling=None):
    return services.appraisal_submit(
        actor=world["users"][f"re{n}"],
        topic=topic,
        dwelling=dwelling or world["dwellings"][n - 1],
        rating=rating,
    )


def test_residents_appraise_a_building_result_once_its_notice_is_posted(world):
    """HZ-5.1.3.2.2.6 → .7: the notice, then each household rates (§5 #27: 5-point, satisfied = 4 or 5)."""
    voted = building_topic(world, until="voted")
    with pytest.raises(Conflict) as exc:
        rate(world, voted, 1, 5)
    assert exc.value.code == "appraisal_not_open" and not Appraisal.objects.exists()
    topic = building_topic(world, until="notice_posted", title="楼道扶手")
    rate(world, topic, 1, 5)
    rate(world, topic, 2, 2)
    summary = selectors.appraisal_summary_for(topic)
    assert (summary.responses, summary.satisfied, summary.households) == (2, 1, 3)
    assert rules.percent(summary.satisfaction) == "50.0%" and rules.percent(summary.response_rate) == "66.7%"


def test_one_appraisal_per_household(world):
    topic = building_topic(world, until="notice_posted")
    rate(world, topic, 1, 4)
    with pytest.raises(Conflict) as exc:
        rate(world, topic, 1, 1)
    assert exc.value.code == "already_rated"
    assert list(Appraisal.objects.values_list("rating", flat=True)) == [4]


@pytest.mark.parametrize("rating", [0, 6, True])
def test_a_rating_outside_the_scale_is_refused(world, rating):
    topic = building_topic(world, until="notice_posted")
    with pytest.raises(InvalidInput):
        rate(world, topic, 1, rating)
    assert not Appraisal.objects.exists()


def test_a_compound_result_is_appraised_once_its_implementation_is_closed(world, caps, impl):
    with pytest.raises(Conflict):
        rate(world, impl.topic, 3, 5)
    act(world, caps, impl, "sc", services.implementation_close, outcome="accept", text="验收合格")
    assert rate(world, impl.topic, 3, 5).rating == 5


def test_a_household_outside_the_topics_node_is_refused(world, actor):
    from decimal import Decimal

    from gongzhi.tree import services as tree

    topic = building_topic(world, until="notice_posted")
    other = tree.node_create(actor=actor, parent=world["building"], name="2单元", level="stairwell")
    elsewhere = tree.dwelling_create(
        actor=actor, stairwell=other, number="101", area=Decimal("80.00"), floor=1
    )
    with pytest.raises(InvalidInput) as exc:
        rate(world, topic, 1, 5, dwelling=elsewhere)
    assert exc.value.code == "dwelling_invalid"


def test_appraisal_dwellings_are_the_residents_own_under_the_topic(world):
    topic = building_topic(world, until="notice_posted")
    assert list(selectors.appraisal_dwellings(world["users"]["re2"], topic)) == [world["dwellings"][1]]
    assert not selectors.appraisal_dwellings(world["users"]["bl"], topic).exists()


# --- filing with the community -------------------------------------------------------------------------------------


def test_a_filed_result_is_listed_for_the_community_and_acknowledged_by_its_worker(world, caps):
    """HZ-5.1.3.2.1.3 备案: the filing step (who, when, the document), then the community's receipt."""
    topic = compound_topic(world)
    (filing,) = selectors.filings_of(world["community"])
    assert (filing.topic, filing.actor, filing.record["filing_reference"]) == (
        topic,
        world["users"]["oc"],
        "月河备2026-01",
    )
    receipt = services.filing_acknowledge(
        actor=world["users"]["cw"], step=filing, capacities=caps(world, "cw", topic), note="已收"
    )
    assert (receipt.by, receipt.note) == (world["users"]["cw"], "已收")
    assert AuditEntry.objects.order_by("-seq").first().action == "followup.filing_acknowledged"
    with pytest.raises(Conflict):
        services.filing_acknowledge(
            actor=world["users"]["cw"], step=filing, capacities=caps(world, "cw", topic)
        )
    assert FilingReceipt.objects.count() == 1


def test_only_the_community_acknowledges_a_filing(world, caps):
    topic = compound_topic(world)
    filing = selectors.filing_get_for(world["users"]["oc"], topic.pk)
    with pytest.raises(Forbidden):
        services.filing_acknowledge(
            actor=world["users"]["oc"], step=filing, capacities=caps(world, "oc", topic)
        )
    assert not FilingReceipt.objects.exists()


def test_a_step_that_is_not_a_filing_is_refused(world, caps):
    topic = compound_topic(world, until="published")
    step = topic.steps.get(target="published")
    with pytest.raises(InvalidInput):
        services.filing_acknowledge(
            actor=world["users"]["cw"], step=step, capacities=caps(world, "cw", topic)
        )


# --- success rate ------------------------------------------------------------------------------------------------


def test_success_rate_per_node_and_period(world, caps, impl):
    """§5 #29: accepted 3 (the compound topic, two building topics), one resolved and implemented; a topic
    never accepted is not counted."""
    act(world, caps, impl, "sc", services.implementation_close, outcome="accept", text="验收合格")
    building_topic(world, until="voted", title="已表决未落实")
    building_topic(world, until="screened", title="已受理")
    building_topic(world, until="collected", title="刚收集")
    today = TODAY()
    total, children = selectors.success_rates(world["community"], today.replace(month=1, day=1), today)
    assert (total.rate.succeeded, total.rate.accepted, total.percent) == (1, 3, "33.3%")
    assert [(r.node, r.rate.accepted) for r in children] == [(world["compound"], 3)]
    total, _ = selectors.success_rates(world["building"], today, today)
    assert (total.rate.succeeded, total.rate.accepted) == (0, 2)
    tomorrow = today + dt.timedelta(days=1)
    total, _ = selectors.success_rates(world["community"], tomorrow, tomorrow)
    assert total.rate.accepted == 0 and total.percent == "—"


# --- milestones --------------------------------------------------------------------------------------------------


def test_the_appointing_body_sets_milestones_the_implementer_reaches(world, caps, impl):
    """Issue 5 §4: milestones with due dates, within the implementation's own due date."""
    day = TODAY() + dt.timedelta(days=10)
    milestone = act(
        world, caps, impl, "oc", services.implementation_milestone_add, title="采购灯具", due_on=day
    )
    with pytest.raises(Forbidden):
        act(world, caps, impl, "ps", services.implementation_milestone_add, title="安装", due_on=day)
    with pytest.raises(Conflict):
        act(world, caps, impl, "oc", services.implementation_milestone_add, title="采购灯具", due_on=day)
    with pytest.raises(InvalidInput) as exc:
        act(
            world,
            caps,
            impl,
            "oc",
            services.implementation_milestone_add,
            title="验收",
            due_on=impl.due_on + dt.timedelta(days=1),
        )
    assert exc.value.code == "milestone_date"
    act(
        world,
        caps,
        impl,
        "ps",
        services.implementation_milestone_reach,
        milestone_id=milestone.pk,
        text="到货",
    )
    milestone.refresh_from_db()
    assert milestone.reached_by == world["users"]["ps"] and not selectors.milestone_late(milestone)
    with pytest.raises(Conflict):
        act(world, caps, impl, "ps", services.implementation_milestone_reach, milestone_id=milestone.pk)
    assert impl.milestones.count() == 1
    assert list(impl.events.values_list("action", flat=True)) == ["appoint", "milestone", "milestone_reached"]


def test_a_milestone_past_its_day_is_late(world, caps, impl):
    from gongzhi.followup.models import Milestone

    milestone = Milestone(implementation=impl, title="x", due_on=TODAY() - dt.timedelta(days=1))
    assert selectors.milestone_late(milestone)


def test_participants_are_told_in_the_notification_centre(world, caps, impl):
    """HZ-5.1.3.2.1.5 适时将落实情况告知会商人员: each change leaves the consultation's participants a notice
    (not the one who acted), rendered from its code in the reader's language."""
    from django.utils import translation

    from gongzhi.notices.messages import render
    from gongzhi.notices.models import Notice

    act(world, caps, impl, "ps", services.implementation_report, text="已更换一半", percent=50)
    told = Notice.objects.filter(kind="followup.changed", subject_id=impl.topic_id)
    recipients = set(told.values_list("recipient_id", flat=True))
    assert recipients and recipients <= selectors.participants_of(impl.topic)
    assert world["users"]["ps"].pk not in recipients
    notice = told.filter(params__action="progress").first()
    with translation.override("en"):
        assert (
            render(notice.message, notice.params)
            == f"Implementation of topic “{impl.topic.title}”: " + str(rules.ACTIONS["progress"].label) + "."
        )
