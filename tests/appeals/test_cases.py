"""Issue 4 §1 appeal services per city pack: routing, the ladder walked one rung at a time, closing and rating,
one household speaking once, scope, concurrency guards and the sweep. Each test names its clause."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.appeals import cases
from gongzhi.appeals.models import Appeal, AppealEvent, AppealReminder
from gongzhi.appeals.selectors import appeal_get_for
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongzhi.notices.models import Notice

from .cases_world import city_world

pytestmark = pytest.mark.django_db


def submit(w, category="safety", n=0, **kw):
    kw.setdefault("description", "楼道灯坏了")
    return cases.appeal_submit(
        actor=w["users"][f"resident{n}"], dwelling=w["homes"][n], category=category, **kw
    )


def notices(appeal, kind):
    return Notice.objects.filter(subject_type="appeals.appeal", subject_id=appeal.pk, kind=kind)


def act(w, who, appeal, name, **data):
    return cases.appeal_transition(actor=w["users"][who], appeal_id=appeal.pk, transition=name, data=data)


def test_bz_resident_group_first_then_community_with_a_meeting(actor):
    """BZ-3.1, BZ-5.2.1, BZ-5.2.3(d): resident group → community; the community holds a meeting first."""
    w = city_world(actor, "binzhou")
    appeal = submit(w).appeal
    assert (appeal.step, appeal.handling_node) == ("resident_group", w["compound"])
    assert notices(appeal, "appeals.arrived").filter(recipient=w["users"]["resident_group_leader"]).exists()
    act(w, "resident_group_leader", appeal, "accept")
    appeal = act(w, "resident_group_leader", appeal, "escalate", reason="涉及多户，本组无法解决")
    assert (appeal.state, appeal.step, appeal.handling_node) == ("submitted", "community", w["community"])
    act(w, "community_worker", appeal, "accept")
    with pytest.raises(Conflict) as exc:
        act(w, "community_worker", appeal, "escalate", reason="需街道协调")
    assert exc.value.code == "meeting_required"
    act(w, "community_worker", appeal, "convene_meeting", deliberation="2026-03 居民议事会")
    appeal = act(w, "community_worker", appeal, "escalate", reason="需街道协调")
    assert appeal.step == "street" and appeal.level == "street"


def test_bz_resident_resolves_confirms_and_rates(actor):
    """§5 #27: the submitter confirms with a rating from 1 to 5; the timeline names roles."""
    w = city_world(actor, "binzhou")
    appeal = submit(w).appeal
    act(w, "resident_group_leader", appeal, "accept")
    act(w, "resident_group_leader", appeal, "resolve", resolution="已更换灯泡")
    with pytest.raises(InvalidInput):
        act(w, "resident0", appeal, "confirm", rating=6)
    resolved = notices(appeal, "appeals.resolve")
    assert list(resolved.values_list("recipient", flat=True)) == [w["users"]["resident0"].pk]  # not the actor
    appeal = act(w, "resident0", appeal, "confirm", rating=5, comment="满意")
    assert notices(appeal, "appeals.confirm").filter(recipient=w["users"]["resident_group_leader"]).exists()
    assert (appeal.state, appeal.rating) == ("closed", 5)
    roles = list(AppealEvent.objects.filter(appeal=appeal).values_list("actor_role", flat=True))
    assert roles == ["submitter", "resident_group_leader", "resident_group_leader", "submitter"]
    assert AuditEntry.objects.filter(action="appeals.confirm", object_id=str(appeal.pk)).exists()


def test_nb_compound_triages_by_difficulty(actor):
    """NB-4.6.2, §5 #23: the first handler in the compound classifies; complex goes to the street."""
    w = city_world(actor, "ningbo")
    appeal = submit(w, "parking").appeal
    assert appeal.step == "compound"
    with pytest.raises(Conflict):
        act(w, "grid_worker", appeal, "accept")
    appeal = act(w, "grid_worker", appeal, "triage", difficulty="complex")
    assert (appeal.step, appeal.state, appeal.handling_node) == ("street", "submitted", w["street"])


def test_cz_property_manager_then_tripartite_meeting(actor):
    """CZ-III.6#2: property matters start with the community property manager."""
    w = city_world(actor, "cangzhou")
    appeal = submit(w, "property_service").appeal
    assert appeal.step == "property_manager"
    act(w, "community_property_manager", appeal, "accept")
    appeal = act(w, "community_property_manager", appeal, "escalate", reason="需三方协调")
    assert appeal.step == "tripartite"


def test_cz_emergency_goes_to_street_pmc_with_an_alert(actor):
    """CZ-III.6#2, §5 #19: a major property problem goes straight to the street PMC and alerts at once."""
    w = city_world(actor, "cangzhou")
    appeal = submit(w, "facilities", severity="emergency").appeal
    assert appeal.step == "street_pmc"
    assert notices(appeal, "appeals.alert").filter(recipient=w["users"]["street_officer"]).exists()


def test_hz_building_matter_then_compound(actor):
    """HZ-5.1.3.2.2.5#2: building matters start with the building and grid leaders, then the compound council."""
    w = city_world(actor, "huzhou")
    appeal = submit(w, "sanitation").appeal
    assert (appeal.step, appeal.handling_node) == ("building", w["building"])
    with pytest.raises(Conflict) as exc:
        act(w, "building_leader", appeal, "escalate", reason="无法解决")
    assert exc.value.code == "not_attempted"  # §5 #22: a real attempt at each level
    act(w, "grid_leader", appeal, "accept")
    appeal = act(w, "building_leader", appeal, "escalate", reason="需业委会协调")
    assert (appeal.step, appeal.handling_node) == ("compound", w["compound"])


def test_only_the_handler_of_the_rung_acts(actor):
    """§5 #22: only the rung the case is at; a refusal changes nothing."""
    w = city_world(actor, "huzhou")
    appeal = submit(w, "sanitation").appeal
    with pytest.raises(Forbidden):
        act(w, "community_worker", appeal, "accept")
    with pytest.raises(NotFound):
        act(w, "resident1", appeal, "accept")  # another household: not visible
    assert Appeal.objects.get(pk=appeal.pk).state == "submitted"


def test_supervision_by_the_level_above(actor):
    """BZ-7.2: the level above supervises with its own due date."""
    w = city_world(actor, "huzhou")
    appeal = submit(w, "sanitation").appeal
    due = timezone.localdate() + dt.timedelta(days=5)
    appeal = act(w, "community_worker", appeal, "supervise", due=due)
    assert appeal.supervision_due == due


def test_one_household_speaks_once(actor):
    """BZ-5.2.1: a second submission of the household on the same matter joins the open case."""
    w = city_world(actor, "huzhou")
    first = submit(w, "sanitation").appeal
    again = submit(w, "sanitation", description="还是没修")
    assert again.merged and again.appeal.pk == first.pk
    other = submit(w, "sanitation", n=1)
    assert not other.merged


def test_dissatisfied_reopens_once_then_asks_escalation(actor):
    """§5 #27, §5 #22: dissatisfied → reopen once at the same rung; then ask for escalation."""
    w = city_world(actor, "huzhou")
    appeal = submit(w, "sanitation").appeal
    act(w, "grid_leader", appeal, "accept")
    act(w, "grid_leader", appeal, "resolve", resolution="已清理")
    appeal = act(w, "resident0", appeal, "reopen", reason="又脏了", rating=2)
    assert appeal.state == "in_progress"
    act(w, "grid_leader", appeal, "resolve", resolution="再次清理")
    with pytest.raises(Conflict):
        act(w, "resident0", appeal, "reopen", reason="还是脏")
    appeal = act(w, "resident0", appeal, "request_escalation", reason="需要上级处理")
    assert (appeal.step, appeal.state) == ("compound", "submitted")


def test_stale_version_is_already_changed(actor):
    w = city_world(actor, "huzhou")
    appeal = submit(w, "sanitation").appeal
    cases.appeal_transition(
        actor=w["users"]["grid_leader"], appeal_id=appeal.pk, transition="accept", version=1
    )
    with pytest.raises(Conflict) as exc:
        cases.appeal_transition(
            actor=w["users"]["building_leader"], appeal_id=appeal.pk, transition="accept", version=1
        )
    assert exc.value.code == "already_changed"


def test_scope_submitter_grid_and_subtree(actor):
    w = city_world(actor, "huzhou")
    appeal = submit(w, "sanitation").appeal
    for who in (
        "resident0",
        "grid_worker",
        "community_worker",
        "district_officer",
        "supervisory_committee_member",
    ):
        assert appeal_get_for(w["users"][who], appeal.pk).pk == appeal.pk
    with pytest.raises(NotFound):
        appeal_get_for(w["users"]["resident1"], appeal.pk)


def test_sweep_reminds_once_and_closes_without_response(actor):
    """§5 #22 reminders when overdue, sent once; §5 #27 no answer in 7 days → closed_no_response."""
    w = city_world(actor, "huzhou")
    late = submit(w, "sanitation").appeal
    resolved = submit(w, "parking", n=1).appeal
    act(w, "owners_committee_member", resolved, "accept")
    act(w, "owners_committee_member", resolved, "resolve", resolution="已划线")
    later = timezone.now() + dt.timedelta(days=40)
    first = cases.appeals_sweep(now=later)
    second = cases.appeals_sweep(now=later)
    assert (first.reminded, first.closed_no_response) == (1, 1)
    assert (second.reminded, second.closed_no_response) == (0, 0)
    assert AppealReminder.objects.filter(appeal=late).count() == 1
    reminders = notices(late, "appeals.reminder")
    got = list(reminders.values_list("recipient", flat=True))
    rung = {w["users"][r].pk for r in ("building_leader", "grid_leader", "grid_worker")}
    assert sorted(got) == sorted(rung)  # each handler of the building rung once, after two sweeps
    assert notices(resolved, "appeals.close_no_response").filter(recipient=w["users"]["resident1"]).exists()
    assert Appeal.objects.get(pk=late.pk).overdue
    assert Appeal.objects.get(pk=resolved.pk).state == "closed_no_response"
    assert Appeal.objects.get(pk=late.pk).state == "submitted"  # nothing escalates by itself (§5 #22)


def test_sweep_command_runs(actor):
    import io

    from django.core.management import call_command

    w = city_world(actor, "huzhou")
    submit(w, "sanitation")
    out = io.StringIO()
    call_command("sweep", stdout=out)
    assert "reminded 0" in out.getvalue()  # nothing is overdue on the day it arrived
