"""Issue 4 §3 for directives: the receiving unit's staff hear of new work (issued or split to them), the issuer
(and the unit that split the work) of each step taken on it, and — once, from `gongzhi sweep` — of a missed
deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.directives import services
from gongzhi.directives.models import Assignment
from gongzhi.notices.models import Notice

from .conftest import due, issue

pytestmark = pytest.mark.django_db


def told(kind, user=None):
    qs = Notice.objects.filter(kind=kind, subject_type="directives.directive")
    return qs.filter(recipient=user) if user is not None else qs


def test_issuing_tells_the_receiving_units_staff(site):
    u = site["users"]
    d = issue(u["do"], site["district"], [site["street"]], item=site["items"]["allowed"])
    notice = told("directives.assigned").get()
    assert notice.recipient == u["so"] and notice.subject_id == d.pk
    assert notice.params["unit"] == site["street"].name and notice.url_name == "directives:detail"
    assert not told("directives.assigned", u["cw"]).exists()  # not theirs yet


def test_splitting_tells_the_units_below_and_steps_tell_the_issuers(site):
    u = site["users"]
    d = issue(u["do"], site["district"], [site["street"]], item=site["items"]["allowed"])
    street = d.assignments.get()
    services.assignment_acknowledge(actor=u["so"], assignment=street)
    assert told("directives.acknowledged", u["do"]).count() == 1
    services.assignment_split(
        actor=u["so"],
        assignment=street,
        targets=[services.Target(site["community"], due(20)), services.Target(site["community2"], due(20))],
    )
    assert told("directives.assigned", u["cw"]).count() == 1
    assert told("directives.assigned", u["cw2"]).count() == 1
    c1 = Assignment.objects.get(directive=d, node=site["community"])
    services.assignment_acknowledge(actor=u["cw"], assignment=c1)
    services.assignment_report(actor=u["cw"], assignment=c1, percent=40, text="已摸排")
    progress = told("directives.progress")
    assert set(progress.values_list("recipient", flat=True)) == {
        u["do"].pk,
        u["so"].pk,
    }  # issuer and splitter
    assert progress.first().params["percent"] == 40
    services.assignment_complete(actor=u["cw"], assignment=c1)
    assert told("directives.completed", u["do"]).exists() and told("directives.completed", u["so"]).exists()
    assert not told("directives.completed", u["cw"]).exists()  # not the actor


def test_a_missed_deadline_is_told_once(site):
    u = site["users"]
    d = issue(u["do"], site["district"], [site["street"]], item=site["items"]["allowed"], days=5)
    late = timezone.localdate() + dt.timedelta(days=6)
    assert services.directives_overdue_sweep(today=late) == 1
    assert services.directives_overdue_sweep(today=late) == 0
    notice = told("directives.overdue").get()
    assert (notice.recipient, notice.subject_id) == (u["do"], d.pk)
    assert services.directives_overdue_sweep(today=timezone.localdate()) == 0  # not late yet: nothing


def test_a_completed_assignment_is_never_overdue(site):
    u = site["users"]
    d = issue(u["do"], site["district"], [site["street"]], item=site["items"]["allowed"], days=5)
    street = d.assignments.get()
    services.assignment_acknowledge(actor=u["so"], assignment=street)
    services.assignment_complete(actor=u["so"], assignment=street)
    assert services.directives_overdue_sweep(today=timezone.localdate() + dt.timedelta(days=30)) == 0


def test_sweep_command_tells_directives_too(site):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("sweep", stdout=out)
    assert "directives overdue told 0" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_tell_each_missed_deadline_once(postgres, run_at_once, actor, site):
    u = site["users"]
    for title in ("一", "二", "三"):
        issue(u["do"], site["district"], [site["street"]], item=site["items"]["allowed"], days=5, title=title)
    late = timezone.localdate() + dt.timedelta(days=6)
    outcomes = run_at_once([lambda: services.directives_overdue_sweep(today=late)] * 2)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(outcomes) == 3  # type: ignore[arg-type]
    assert told("directives.overdue").count() == 3
