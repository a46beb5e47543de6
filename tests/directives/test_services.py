"""directives.services: issuing with the access list (CZ-IV.6#2–#3, NB-4.5.2), the cascade, roll-up, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Conflict, InvalidInput
from gongzhi.directives import selectors, services
from gongzhi.directives.models import Assignment, Directive

from .conftest import SIX, due, issue

pytestmark = pytest.mark.django_db


def test_cz_iv_6_2_street_to_community_without_an_item_is_refused_and_nothing_written(site):
    so = site["users"]["so"]
    with pytest.raises(InvalidInput) as exc:
        issue(so, site["street"], [site["community"]])
    assert exc.value.code == "access_item_required" and "CZ-IV.6#2" in str(exc.value)
    assert not Directive.objects.exists() and not Assignment.objects.exists()


@pytest.mark.parametrize(
    "kind",
    ["enforcement", "demolition", "environmental_rectification", "urban_management", "investment_attraction"],
)
def test_cz_iv_6_3_forbidden_kinds_refused_with_the_clause(site, kind):
    with pytest.raises(InvalidInput) as exc:
        issue(
            site["users"]["so"],
            site["street"],
            [site["community"]],
            item=site["items"][kind],
            staff="2人",
            fen=1,
        )
    assert exc.value.code == "forbidden_kind" and "CZ-IV.6#3" in str(exc.value)
    assert not Directive.objects.exists()


def test_cz_iv_6_2_statutory_duty_refused(site):
    with pytest.raises(InvalidInput) as exc:
        issue(site["users"]["so"], site["street"], [site["community"]], item=site["items"]["statutory_duty"])
    assert exc.value.code == "statutory_duty" and "CZ-IV.6#2" in str(exc.value)


def test_nb_4_5_2_assisted_item_needs_staff_and_funding(site):
    so, item = site["users"]["so"], site["items"]["assisted"]
    with pytest.raises(InvalidInput) as exc:
        issue(so, site["street"], [site["community"]], item=item, staff="街道派驻2人")
    assert exc.value.code == "assisted_needs_support" and "NB-4.5.2" in str(exc.value)
    d = issue(so, site["street"], [site["community"]], item=item, staff="街道派驻2人", fen=500000)
    assert d.support_funding_fen == 500000


def test_community_to_its_compound_needs_no_item(site):
    d = issue(site["users"]["cw"], site["community"], [site["compound"]])
    assert list(d.assignments.values_list("node", flat=True)) == [site["compound"].pk]


def test_bz_5_1_1_3_six_ones_required(site):
    with pytest.raises(InvalidInput) as exc:
        services.directive_issue(
            actor=site["users"]["do"],
            node=site["district"],
            title="t",
            content="c",
            basis="b",
            due_date=due(),
            targets=[services.Target(site["street"], due())],
            **{**SIX, "working_group": ""},
        )
    assert exc.value.code == "six_ones_incomplete"


def test_targets_must_be_direct_children_with_deadlines_not_later(site):
    do = site["users"]["do"]
    with pytest.raises(InvalidInput) as exc:
        issue(do, site["district"], [site["community"]], item=site["items"]["allowed"])
    assert exc.value.code == "not_a_child"
    with pytest.raises(InvalidInput) as exc:
        services.directive_issue(
            actor=do,
            node=site["district"],
            title="t",
            content="c",
            basis="b",
            due_date=due(10),
            targets=[services.Target(site["street"], due(11))],
            **SIX,
        )
    assert exc.value.code == "deadline_after_parent"


def test_cascade_three_levels_rolls_up_and_audits(site):
    u, item = site["users"], site["items"]["allowed"]
    d = issue(u["do"], site["district"], [site["street"]], item=item)
    street = d.assignments.get()
    services.assignment_acknowledge(actor=u["so"], assignment=street)
    with pytest.raises(InvalidInput) as exc:  # later than the street's own deadline
        services.assignment_split(
            actor=u["so"], assignment=street, targets=[services.Target(site["community"], due(31))]
        )
    assert exc.value.code == "deadline_after_parent"
    services.assignment_split(
        actor=u["so"],
        assignment=street,
        targets=[services.Target(site["community"], due(20)), services.Target(site["community2"], due(20))],
    )
    c1 = Assignment.objects.get(directive=d, node=site["community"])
    c2 = Assignment.objects.get(directive=d, node=site["community2"])
    services.assignment_acknowledge(actor=u["cw"], assignment=c1)
    services.assignment_split(
        actor=u["cw"], assignment=c1, targets=[services.Target(site["compound"], due(10))]
    )
    k = Assignment.objects.get(directive=d, node=site["compound"])
    services.assignment_acknowledge(actor=u["cw"], assignment=k)
    services.assignment_report(actor=u["cw"], assignment=k, percent=60, text="已摸排60%")
    branches, summary = selectors.cascade(u["do"], d)
    assert summary.percent == 30 and not summary.completed  # street = mean(community 60 via its compound, 0)
    with pytest.raises(Conflict) as exc:
        services.assignment_complete(actor=u["so"], assignment=street)
    assert exc.value.code == "children_open"
    services.assignment_complete(actor=u["cw"], assignment=k)
    services.assignment_complete(actor=u["cw"], assignment=c1)
    services.assignment_acknowledge(actor=u["cw2"], assignment=c2)
    services.assignment_complete(actor=u["cw2"], assignment=c2)
    services.assignment_complete(actor=u["so"], assignment=street)
    _, summary = selectors.cascade(u["do"], d)
    assert summary.completed and summary.percent == 100
    actions = set(
        AuditEntry.objects.filter(action__startswith="directives.").values_list("action", flat=True)
    )
    assert {
        "directives.issued",
        "directives.acknowledged",
        "directives.split",
        "directives.progress_reported",
        "directives.completed",
    } <= actions


def test_street_splitting_onto_a_community_passes_the_access_list(site):
    u = site["users"]
    d = issue(u["do"], site["district"], [site["street"]])  # district → street: no residents' committee
    street = services.assignment_acknowledge(actor=u["so"], assignment=d.assignments.get())
    with pytest.raises(InvalidInput) as exc:
        services.assignment_split(
            actor=u["so"], assignment=street, targets=[services.Target(site["community"], due(5))]
        )
    assert exc.value.code == "access_item_required"
    assert Assignment.objects.filter(directive=d).count() == 1


def test_a_step_twice_is_already_changed(site):
    u = site["users"]
    d = issue(u["cw"], site["community"], [site["compound"]])
    row = d.assignments.get()
    services.assignment_acknowledge(actor=u["cw"], assignment=row)
    with pytest.raises(Conflict) as exc:
        services.assignment_acknowledge(actor=u["cw"], assignment=row)
    assert exc.value.code == "already_changed"


def test_compound_cannot_split_and_percent_is_bounded(site):
    u = site["users"]
    d = issue(u["cw"], site["community"], [site["compound"]])
    row = services.assignment_acknowledge(actor=u["cw"], assignment=d.assignments.get())
    with pytest.raises(InvalidInput):
        services.assignment_split(
            actor=u["cw"], assignment=row, targets=[services.Target(site["building"], due(5))]
        )
    with pytest.raises(InvalidInput):
        services.assignment_report(actor=u["cw"], assignment=row, percent=101, text="x")
    assert not row.reports.exists()


def test_visibility_issuer_sees_all_receivers_their_branch(site):
    u, item = site["users"], site["items"]["allowed"]
    d = issue(u["so"], site["street"], [site["community"], site["community2"]], item=item)
    assert set(selectors.directives_visible_to(u["cw"])) == {d}
    assert [b.assignment.node for b in selectors.cascade(u["cw"], d)[0]] == [site["community"]]
    assert len(selectors.cascade(u["so"], d)[0]) == 2
    assert len(selectors.cascade(u["do"], d)[0]) == 2  # the district reads everything under it
    assert not selectors.directives_visible_to(u["oc"]).exists()


def test_who_acts_on_which_assignment(site):
    u, item = site["users"], site["items"]["allowed"]
    d = issue(u["so"], site["street"], [site["community"]], item=item)
    row = d.assignments.get()
    assert selectors.may_act(u["cw"], row)
    assert not selectors.may_act(u["so"], row) and not selectors.may_act(u["do"], row)
    assert not selectors.may_act(u["cw2"], row)
    assert selectors.may_issue_at(u["so"], site["street"]) and not selectors.may_issue_at(
        u["do"], site["street"]
    )


def test_overdue_flag_from_the_clock(site):
    u = site["users"]
    d = issue(u["cw"], site["community"], [site["compound"]], days=1)
    _, summary = selectors.cascade(u["cw"], d, today=due(2))
    assert summary.overdue == 1
    assert selectors.cascade(u["cw"], d, today=due(0))[1].overdue == 0
    assert isinstance(dt.date.today(), dt.date)


def test_report_files_are_kept_and_served_to_those_who_see_the_assignment(site):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    u, item = site["users"], site["items"]["allowed"]
    d = issue(u["so"], site["street"], [site["community"], site["community2"]], item=item)
    row = services.assignment_acknowledge(actor=u["cw"], assignment=d.assignments.get(node=site["community"]))
    photo = SimpleUploadedFile("现场.jpg", b"\xff\xd8 photo", content_type="image/jpeg")
    report = services.assignment_report(actor=u["cw"], assignment=row, percent=20, text="开工", files=[photo])
    (kept,) = report.attachments.all()
    url = f"/directives/{d.pk}/files/{kept.pk}/"
    for key, status in (("so", 200), ("cw", 200), ("cw2", 404), ("oc", 404)):
        client = Client()
        client.force_login(u[key])
        response = client.get(url)
        assert response.status_code == status, key
        if status == 200:
            assert b"".join(response.streaming_content) == b"\xff\xd8 photo"
