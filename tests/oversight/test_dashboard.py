"""oversight.selectors on real cases (issue 4 §3): the dashboard of a street and of a community, the flow
between levels from the timeline (BZ-3.1), satisfaction (§5 #27), directives by unit (BZ-7.2) and the
street's weekly agenda (BZ-5.2.4.1(b)); a handful of grouped queries whatever the number of cases."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from django.utils import timezone

from gongzhi.appeals.models import Appeal
from gongzhi.oversight import metrics, selectors

from .world import act, escalate_to_street, resolve_in_group, submit

pytestmark = pytest.mark.django_db


def this_quarter():
    return metrics.period_of("quarter", timezone.localdate())


def test_resolved_in_the_resident_group_counts_low_and_rated(bz):
    resolve_in_group(bz["east"], submit(bz["east"]), rating=5)
    resolve_in_group(bz["west"], submit(bz["west"], category="parking"), rating=2)
    data = selectors.dashboard(bz["street"], this_quarter())
    s = data["appeals"]
    assert (s.submitted, s.resolved, s.resolved_low) == (2, 2, 2)
    assert s.resolved_by_level == {"resident_group": 2}
    assert s.satisfaction.distribution[5] == 1 and s.satisfaction.distribution[2] == 1
    assert s.satisfaction.mean == Fraction(7, 2)
    assert s.on_time == 2 and data["median_days"] == 0
    assert ("resident_group", "resolved:resident_group", 2) in data["flow"].links


def test_a_community_sees_only_its_own_cases(bz):
    resolve_in_group(bz["east"], submit(bz["east"]), rating=5)
    submit(bz["west"])
    east = selectors.dashboard(bz["east"]["node"], this_quarter())["appeals"]
    assert (east.submitted, east.resolved, east.open) == (1, 1, 0)
    street = selectors.dashboard(bz["street"], this_quarter())["appeals"]
    assert (street.submitted, street.open) == (2, 1)


def test_escalations_make_the_flow_and_open_cases_stay_open(bz):
    """BZ-3.1: resident group → community → street, from the cases' timelines."""
    escalate_to_street(bz["east"], submit(bz["east"]))
    flow = selectors.dashboard(bz["street"], this_quarter())["flow"]
    assert ("resident_group", "community", 1) in flow.links
    assert ("community", "street", 1) in flow.links
    assert ("street", "open", 1) in flow.links
    assert flow.nodes[:3] == ["resident_group", "community", "street"]


def test_cases_outside_the_period_and_merged_ones_are_left_out(bz):
    old = submit(bz["east"])
    Appeal.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400), updated_at=timezone.now()
    )
    first = submit(bz["west"], category="parking")
    merged = submit(bz["west"], n=1, category="parking")
    Appeal.objects.filter(pk=merged.pk).update(state="merged", merged_into=first)
    s = selectors.dashboard(bz["street"], this_quarter())["appeals"]
    assert s.submitted == 1
    year_ago = metrics.custom_period(timezone.localdate() - dt.timedelta(days=420), timezone.localdate())
    assert selectors.dashboard(bz["street"], year_ago)["appeals"].submitted == 2


def test_resolved_exactly_on_its_due_date_is_on_time_and_a_day_later_is_late(bz):
    on_due = resolve_in_group(bz["east"], submit(bz["east"]))
    late = resolve_in_group(bz["west"], submit(bz["west"]))
    resolved_on = timezone.localdate(on_due.resolved_at)
    Appeal.objects.filter(pk=on_due.pk).update(due_date=resolved_on)
    Appeal.objects.filter(pk=late.pk).update(due_date=resolved_on - dt.timedelta(days=1))
    s = selectors.dashboard(bz["street"], this_quarter())["appeals"]
    assert (s.on_time, s.late, s.no_deadline) == (1, 1, 0)


def test_a_case_closed_without_a_response_is_not_a_rating(bz):
    appeal = resolve_in_group(bz["east"], submit(bz["east"]))
    Appeal.objects.filter(pk=appeal.pk).update(state="closed_no_response")
    sat = selectors.dashboard(bz["street"], this_quarter())["appeals"].satisfaction
    assert (sat.rated, sat.no_response, sat.mean) == (0, 1, None)


def test_median_working_days_from_the_official_calendar(bz):
    appeal = resolve_in_group(bz["east"], submit(bz["east"]))
    friday = timezone.make_aware(dt.datetime(2026, 1, 9, 10, 0))
    tuesday = timezone.make_aware(dt.datetime(2026, 1, 13, 16, 0))
    Appeal.objects.filter(pk=appeal.pk).update(created_at=friday, resolved_at=tuesday)
    period = metrics.custom_period(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    data = selectors.dashboard(bz["street"], period)
    assert data["median_days"] == 2 and data["calendar_official"]


def test_directives_completion_by_receiving_unit(bz, actor):
    from gongzhi.directives import services as directives

    item = directives.access_item_create(
        actor=actor, county=bz["district"], code="A01", title="宣传", kind="allowed"
    )
    due = timezone.localdate() + dt.timedelta(days=1)
    six = {k: "宣传" for k in ("project", "plan", "responsible_leader", "working_group", "timetable")}
    directive = directives.directive_issue(
        actor=actor, node=bz["street"], title="垃圾分类", content="入户宣传", basis="区文件", due_date=due,
        targets=[directives.Target(bz["east"]["node"], due), directives.Target(bz["west"]["node"], due)],
        access_item=item, **six,
    )  # fmt: skip
    east = directive.assignments.get(node=bz["east"]["node"])
    east = directives.assignment_acknowledge(actor=actor, assignment=east)
    directives.assignment_complete(actor=actor, assignment=east)
    rows = selectors.dashboard(bz["street"], metrics.custom_period(due, due))["units"]
    by_name = {r["name"]: r["unit"] for r in rows}
    assert by_name["东社区"].on_time == 1 and by_name["东社区"].on_time_share == 1
    assert by_name["西社区"].pending == 1 and by_name["西社区"].on_time_share is None


def test_the_dashboard_is_a_handful_of_queries_whatever_the_cases(bz, django_assert_max_num_queries):
    for community in (bz["east"], bz["west"]):
        resolve_in_group(community, submit(community), rating=4)
        escalate_to_street(community, submit(community, n=1, category="parking"))
    node = type(bz["district"]).objects.get(pk=bz["district"].pk)
    selectors.dashboard(node, this_quarter())  # the first look brings the roll-up up to date
    with django_assert_max_num_queries(10):
        data = selectors.dashboard(node, this_quarter())
    assert data["appeals"].submitted == 4


def test_the_roll_up_agrees_with_counting_the_cases_and_follows_every_change(bz):
    """The district's, street's and community's figures come from the roll-up; a compound's from the cases."""
    from gongzhi.oversight import rollup

    appeal = resolve_in_group(bz["east"], submit(bz["east"]))
    escalate_to_street(bz["west"], submit(bz["west"], category="parking"))
    assert rollup.refresh() is None  # the first time: every day
    assert rollup.refresh() == 0  # nothing changed since
    act(appeal.submitter, appeal, "confirm", rating=3)  # a change: one day is rebuilt, nothing else
    assert rollup.refresh() == 1
    period = this_quarter()
    for node in (bz["district"], bz["street"], bz["east"]["node"], bz["west"]["node"]):
        rolled = selectors.dashboard(node, period)
        qs = selectors.cohort(node, period)
        live = metrics.summarise(selectors.case_groups(qs))
        assert rolled["appeals"] == live, node.name
        assert sorted(rolled["flow"].links) == sorted(
            metrics.flow(selectors.moves(node, period), live.resolved_by_level, live.open_by_level).links
        )
    assert selectors.dashboard(bz["east"]["group"], period)["appeals"].satisfaction.mean == 3


def test_weekly_agenda_lists_what_the_communities_escalated(bz):
    """BZ-5.2.4.1(b): unresolved appeals the communities escalated, grouped by common problem."""
    for community in (bz["east"], bz["west"]):
        escalate_to_street(community, submit(community, category="parking"))
    resolve_in_group(bz["east"], submit(bz["east"], n=1))  # resolved below: not on the agenda
    meeting = metrics.meeting_day(timezone.localdate() + dt.timedelta(days=7))
    (item,) = selectors.weekly_agenda(bz["street"], meeting)
    assert (item.problem, item.count, item.communities) == ("category:parking", 2, ["东社区", "西社区"])
    assert item.oldest_waiting_days >= 1


def test_weekly_agenda_skips_cases_resolved_at_the_street_or_arriving_after_the_meeting(bz):
    appeal = escalate_to_street(bz["east"], submit(bz["east"]))
    last_week = metrics.meeting_day(timezone.localdate() - dt.timedelta(days=7))
    assert selectors.weekly_agenda(bz["street"], last_week) == []
    officer = bz["street_officer"]
    act(officer, appeal, "accept")
    act(officer, appeal, "convene_meeting", deliberation="街道周例会")
    act(officer, appeal, "resolve", resolution="街道协调解决")
    assert selectors.weekly_agenda(bz["street"], metrics.meeting_day(timezone.localdate())) == []


def test_linked_cases_are_one_problem_on_the_agenda(bz):
    a = escalate_to_street(bz["east"], submit(bz["east"], category="parking"))
    b = escalate_to_street(bz["west"], submit(bz["west"], category="sanitation"))
    act(bz["street_officer"], a, "link", with_case=b.pk)
    meeting = metrics.meeting_day(timezone.localdate() + dt.timedelta(days=7))
    (item,) = selectors.weekly_agenda(bz["street"], meeting)
    assert item.problem.startswith("link:") and sorted(item.cases) == sorted([a.pk, b.pk])


def test_the_refresh_command_rebuilds_the_roll_up(bz):
    from io import StringIO

    from django.core.management import call_command

    from gongzhi.oversight.models import AppealRollup

    resolve_in_group(bz["east"], submit(bz["east"]), rating=5)
    out = StringIO()
    call_command("oversight_refresh", stdout=out)
    assert "every day" in out.getvalue()
    assert AppealRollup.objects.filter(path=bz["district"].path, kind="case").exists()
    call_command("oversight_refresh", stdout=out)
    assert "rebuilt 0 day(s)" in out.getvalue()
    AppealRollup.objects.all().delete()
    call_command("oversight_refresh", "--all", stdout=out)
    assert AppealRollup.objects.filter(path=bz["east"]["node"].path, kind="case").exists()
