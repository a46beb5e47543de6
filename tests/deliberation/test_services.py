"""deliberation.services and selectors: a building deliberation end to end, refusals that write nothing, the
must-deliberate catalogue (NB-3.2.1), meetings, scope."""

from __future__ import annotations

import pytest

from gongzhi.accounts import services as accounts
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Step, Topic

from .conftest import START


def make_topic(delib, **kw):
    values = {"title": "楼道堆物清理", "source": "building_leader_visit", "procedure": "building", **kw}
    return services.topic_create(actor=delib["users"]["bl"], node=delib["stairwell"], **values)


def step(delib, topic, target, record, who="bl", **kw):
    user = delib["users"][who]
    topic.refresh_from_db()
    return services.topic_advance(
        actor=user,
        topic=topic,
        target=target,
        capacities=selectors.capacities_for(user, topic),
        record=record,
        **kw,
    )


def run_to_vote(delib, topic):
    step(delib, topic, "collected", {"document": "走访收集", "source": "building_leader_visit"})
    step(delib, topic, "screened", {"document": "筛选确认"})
    step(
        delib,
        topic,
        "meeting_held",
        {"document": "楼道会", "format": "on_site", "attendance": ["building_leader"], "minutes": "讨论"},
    )


def test_a_building_deliberation_runs_to_its_evaluation(delib):
    """HZ-5.1.3.2.2.1–.7: collect, screen, meet, vote (a show of hands), notice, evaluation."""
    topic = make_topic(delib)
    run_to_vote(delib, topic)
    step(
        delib,
        topic,
        "voted",
        {"document": "举手表决", "vote": {"yes": 2, "no": 0, "abstain": 0, "households": 3}},
    )
    step(delib, topic, "notice_posted", {"document": "张贴", "photo": "notice.jpg"})
    step(delib, topic, "evaluated", {"document": "评价", "appraisal": "满意"})
    topic.refresh_from_db()
    assert topic.state == "evaluated" and topic.version == 6
    vote = Step.objects.get(topic=topic, target="voted").record["vote"]
    assert vote["passed"] is True and vote["how"] == "show_of_hands"
    assert AuditEntry.objects.filter(action="deliberation.step_taken", object_id=str(topic.pk)).count() == 6


def test_a_show_of_hands_below_quorum_does_not_pass(delib):
    """HZ-5.1.3.2.2.5: fewer than 2/3 of the households voting fails the quorum, so 'voted' is refused."""
    topic = make_topic(delib)
    run_to_vote(delib, topic)
    with pytest.raises(InvalidInput) as exc:
        step(
            delib,
            topic,
            "voted",
            {"document": "d", "vote": {"yes": 1, "no": 0, "abstain": 0, "households": 3}},
        )
    assert exc.value.code == "vote_not_passed"
    topic.refresh_from_db()
    assert topic.state == "meeting_held" and not Step.objects.filter(topic=topic, target="voted").exists()


def test_skipping_a_step_is_refused_and_writes_nothing(delib):
    topic = make_topic(delib)
    with pytest.raises(InvalidInput) as exc:
        step(delib, topic, "screened", {"document": "d"})
    assert exc.value.code == "out_of_order"
    assert not Step.objects.filter(topic=topic).exists()


def test_a_step_outside_ones_capacity_is_forbidden(delib):
    topic = make_topic(delib)
    with pytest.raises(Forbidden):
        step(delib, topic, "collected", {"document": "d", "source": "mailbox"}, who="cw")


def test_a_stale_form_is_refused(delib):
    topic = make_topic(delib)
    step(delib, topic, "collected", {"document": "d", "source": "mailbox"})
    with pytest.raises(Conflict):
        step(delib, topic, "screened", {"document": "d"}, version=0)


def test_a_listed_matter_is_decided_only_after_deliberation(delib):
    """NB-3.2.1: a must-deliberate matter cannot be marked decided without a deliberation record."""
    entry = services.catalogue_add(
        actor=delib["users"]["cw"], community=delib["community"], title="公共收益使用"
    )
    topic = make_topic(delib, matter=entry)
    with pytest.raises(Conflict) as exc:
        services.topic_decide(actor=delib["users"]["bl"], topic=topic, decision="同意")
    assert exc.value.code == "must_deliberate"
    run_to_vote(delib, topic)
    assert (
        services.topic_decide(actor=delib["users"]["bl"], topic=topic, decision="同意").decided_at is not None
    )


def test_an_unlisted_matter_may_be_decided_directly(delib):
    topic = make_topic(delib)
    assert (
        services.topic_decide(actor=delib["users"]["bl"], topic=topic, decision="已处理").decision == "已处理"
    )


def test_the_procedure_must_fit_the_level(delib):
    with pytest.raises(InvalidInput):
        services.topic_create(
            actor=delib["users"]["bl"],
            node=delib["stairwell"],
            title="t",
            source="mailbox",
            procedure="community",
        )


def test_an_appeal_number_only_for_an_appeal(delib):
    with pytest.raises(InvalidInput):
        make_topic(delib, appeal_id=7)
    assert make_topic(delib, source="appeal", appeal_id=7).appeal_id == 7


def test_a_meeting_feeds_its_step(delib):
    """HZ-5.1.3.2.2.3: the meeting's sign-in list and minutes become the step's record."""
    import datetime as dt

    from django.utils import timezone

    topic = make_topic(delib)
    step(delib, topic, "collected", {"document": "d", "source": "mailbox"})
    step(delib, topic, "screened", {"document": "d"})
    bl = delib["users"]["bl"]
    meeting = services.meeting_schedule(
        actor=bl,
        topic=topic,
        title="楼道议事会",
        format="on_site",
        starts_at=timezone.now() + dt.timedelta(days=1),
    )
    services.meeting_sign_in(actor=bl, meeting=meeting, name="张一", capacity="household_representative")
    services.meeting_sign_in(actor=bl, meeting=meeting, name="李楼", capacity="building_leader")
    with pytest.raises(Conflict):
        services.meeting_sign_in(actor=bl, meeting=meeting, name="张一", capacity="household_representative")
    services.meeting_record(actor=bl, meeting=meeting, minutes="同意清理")
    done = step(delib, topic, "meeting_held", {"document": "d"}, meeting=meeting)
    assert done.record["attendance"] == ["building_leader", "household_representative"]
    assert done.record["minutes"] == "同意清理" and done.record["absent"] == ["grid_leader"]


def test_online_meeting_thread(delib):
    import datetime as dt

    from django.utils import timezone

    topic = make_topic(delib)
    meeting = services.meeting_schedule(
        actor=delib["users"]["bl"],
        topic=topic,
        title="线上议事",
        format="online",
        starts_at=timezone.now() + dt.timedelta(days=1),
    )
    services.meeting_join(actor=delib["users"]["re"], meeting=meeting, name="张一", capacity="resident")
    services.meeting_post(actor=delib["users"]["re"], meeting=meeting, body="支持")
    assert [p.body for p in meeting.posts.all()] == ["支持"]


def test_residents_see_their_stairwells_topics_and_outsiders_nothing(delib):
    topic = make_topic(delib)
    assert selectors.topic_get_for(delib["users"]["re"], topic.pk) == topic
    assert not selectors.may_change(delib["users"]["re"], topic)
    with pytest.raises(NotFound):
        selectors.topic_get_for(delib["users"]["out"], topic.pk)
    assert Topic.objects.count() == 1


def test_a_compound_resolution_needs_the_assemblys_counted_vote(delib):
    """HZ-5.1.3.2.1.3 with LAW-CC-278: the assembly's resolution links a published vote, not a show of hands."""
    oc = delib["users"]["oc"]
    topic = services.topic_create(
        actor=oc, node=delib["compound"], title="停车位调整", source="owners_group", procedure="compound"
    )
    caps = selectors.capacities_for(oc, topic)
    services.topic_advance(
        actor=oc,
        topic=topic,
        target="proposed",
        capacities=caps,
        record={"document": "d", "proposer": "owners_committee"},
    )
    topic.refresh_from_db()
    services.topic_advance(
        actor=oc,
        topic=topic,
        target="consulted",
        capacities=caps,
        record={"document": "d", "attendance": ["owners_committee"], "minutes": "m"},
    )
    sc = accounts.user_create(actor=oc, username="d-sc", password="pw-delib-2026", is_staff=True)
    accounts.role_assign(
        actor=oc, user=sc, role="supervisory_committee_member", node=delib["compound"], start=START
    )
    topic.refresh_from_db()
    services.topic_advance(
        actor=sc,
        topic=topic,
        target="reviewed",
        capacities=selectors.capacities_for(sc, topic),
        record={"document": "d", "opinion": "无异议"},
    )
    topic.refresh_from_db()
    with pytest.raises(InvalidInput) as exc:
        services.topic_advance(
            actor=oc,
            topic=topic,
            target="resolved",
            capacities=caps,
            record={"document": "d", "vote": {"yes": 3, "no": 0, "abstain": 0, "households": 3}},
        )
    assert exc.value.code == "assembly_vote_required"
