"""Queued intake (GONGZHI_APPEAL_INTAKE=queue, appeals.intake): POST /api/v1/appeals checks and stores, answers
202; `gongzhi appeals-intake` routes through the one submission service. Bad input is answered at once, as
inline; routing gives the same case an inline submission gives; nothing is routed twice."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from gongzhi.appeals import cases, intake
from gongzhi.appeals.models import Appeal, AppealEvent, AppealIntake
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import GongzhiError
from gongzhi.notices.models import Notice
from gongzhi.tree.models import Node

from .cases_world import city_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings):
    settings.GONGZHI_APPEAL_INTAKE = "queue"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, data):
    return client.post("/api/v1/appeals", json.dumps(data), content_type="application/json")


def test_queued_submission_is_stored_then_routed_like_an_inline_one(actor, queued):
    w = city_world(actor, "binzhou")
    resident = w["users"]["resident0"]
    client = client_for(resident)
    answer = post(client, {"category": "safety", "description": "井盖松动", "dwelling_id": w["homes"][0].pk})
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["state"] == "waiting" and body["appeal_id"] is None
    assert body["url"] == f"/api/v1/appeals/intakes/{body['id']}"
    assert not Appeal.objects.exists()  # nothing but the intake is written in the request
    assert client.get(body["url"]).json()["state"] == "waiting"

    result = intake.appeals_intake_route()
    assert (result.routed, result.refused, result.ids) == (1, 0, [body["id"]])

    followed = client.get(body["url"]).json()
    assert followed["state"] == "routed" and followed["merged"] is False
    appeal = Appeal.objects.get(pk=followed["appeal_id"])
    received = AppealIntake.objects.get(pk=body["id"]).received_at
    assert (appeal.submitter, appeal.recorded_by, appeal.step, appeal.category) == (
        resident,
        resident,
        "resident_group",
        "safety",
    )
    assert appeal.arrived_at == received  # the deadline counts from receipt, not from routing
    submit = AppealEvent.objects.get(appeal=appeal, transition="submit")
    assert submit.at == received and submit.actor == resident
    entry = AuditEntry.objects.get(action="appeals.submitted", object_id=str(appeal.pk))
    assert entry.actor == resident and entry.source_ip == "127.0.0.1"
    assert Notice.objects.filter(
        kind="appeals.arrived", recipient=w["users"]["resident_group_leader"]
    ).exists()
    # The case reads as any other.
    assert client.get(f"/api/v1/appeals/{appeal.pk}").json()["step"] == "resident_group"


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"category": "no_such_category", "description": "x"}, 400, None),
        ({"category": "safety", "description": "   "}, 400, "description_invalid"),
        ({"category": "safety", "description": "x", "severity": "urgent"}, 422, "validation_error"),
        ({"category": "safety", "description": "x", "other_home": True}, 403, None),
        ({"category": "safety", "description": "x", "foreign_home": True}, 404, None),
        ({"category": "safety", "description": "x", "no_home": True}, 400, "place_required"),
    ],
)
def test_bad_input_is_answered_at_once_and_nothing_is_stored(actor, queued, settings, data, status, code):
    w = city_world(actor, "binzhou")
    other = city_world(actor, "huzhou")
    data = dict(data)
    home = w["homes"][0].pk
    if data.pop("other_home", False):
        home = w["homes"][
            1
        ].pk  # a neighbour's home: visible in the resident's stairwell? no: forbidden or absent
    if data.pop("foreign_home", False):
        home = other["homes"][0].pk
    if not data.pop("no_home", False):
        data["dwelling_id"] = home
    answer = post(client_for(w["users"]["resident0"]), data)
    expected = {status}
    if status == 403:
        expected = {403, 404}  # a resident may not even see a neighbour's home: 404 leaks nothing
    assert answer.status_code in expected, answer.content
    if code:
        assert answer.json()["code"] == code
    assert not AppealIntake.objects.exists()


def test_queued_and_inline_give_the_same_answer(actor, settings):
    """The intake's check is the inline service's: for each actor, home and category, the status agrees."""
    w = city_world(actor, "huzhou")
    users = ["resident0", "resident1", "grid_worker", "community_worker", "street_officer", "property_staff"]
    for who in users:
        for home in w["homes"]:
            for category in ("sanitation", "parking", "no_such_category"):
                data = {"category": category, "description": "问题", "dwelling_id": home.pk}
                if who != "resident0" and who != "resident1":
                    data["channel"] = "walk_in"
                settings.GONGZHI_APPEAL_INTAKE = "inline"
                inline = post(client_for(w["users"][who]), data).status_code
                settings.GONGZHI_APPEAL_INTAKE = "queue"
                queued = post(client_for(w["users"][who]), data).status_code
                assert (inline, queued) in {(201, 202)} or inline == queued, (who, home.pk, category)


def test_duplicate_of_the_household_merges_at_routing(actor, queued):
    w = city_world(actor, "huzhou")
    client = client_for(w["users"]["resident0"])
    for text in ("楼道堆物", "还是堆着"):
        assert (
            post(
                client, {"category": "sanitation", "description": text, "dwelling_id": w["homes"][0].pk}
            ).status_code
            == 202
        )
    result = intake.appeals_intake_route()
    assert (result.routed, result.merged) == (2, 1)
    assert Appeal.objects.count() == 1
    assert list(AppealIntake.objects.order_by("pk").values_list("merged", flat=True)) == [False, True]


def test_refused_at_routing_when_the_rules_changed_meanwhile(actor, queued):
    """A submission checked on receipt that the rules refuse when it is routed (here: a category the city's
    ladder no longer takes, as after a pack update) is refused with the reason, told and audited."""
    w = city_world(actor, "huzhou")
    resident = w["users"]["resident0"]
    answer = post(
        client_for(resident),
        {"category": "parking", "description": "乱停车", "dwelling_id": w["homes"][0].pk},
    )
    assert answer.status_code == 202
    AppealIntake.objects.filter(pk=answer.json()["id"]).update(category="no_longer_taken")
    result = intake.appeals_intake_route()
    assert (result.routed, result.refused) == (0, 1)
    row = AppealIntake.objects.get()
    assert row.state == "refused" and row.refusal and row.refusal_code
    assert not Appeal.objects.exists()
    assert Notice.objects.filter(kind="appeals.intake_refused", recipient=resident).exists()
    assert AuditEntry.objects.filter(action="appeals.intake_refused", object_id=str(row.pk)).exists()
    followed = client_for(resident).get(answer.json()["url"]).json()
    assert followed["state"] == "refused" and followed["refusal"] == row.refusal


def test_an_intake_is_seen_by_its_submitter_only(actor, queued):
    w = city_world(actor, "huzhou")
    answer = post(
        client_for(w["users"]["resident0"]),
        {"category": "sanitation", "description": "楼道堆物", "dwelling_id": w["homes"][0].pk},
    )
    url = answer.json()["url"]
    for who in ("resident1", "community_worker"):
        assert client_for(w["users"][who]).get(url).status_code == 404
    assert Client().get(url).status_code == 401


def test_worker_command_routes_what_waits(actor, queued):
    w = city_world(actor, "huzhou")
    post(
        client_for(w["users"]["resident0"]),
        {"category": "sanitation", "description": "楼道堆物", "dwelling_id": w["homes"][0].pk},
    )
    out = io.StringIO()
    call_command("appeals-intake", "--once", stdout=out)
    assert out.getvalue().strip() == "routed 1 submission(s)"
    assert AppealIntake.objects.get().state == "routed"
    assert Appeal.objects.count() == 1


def test_inline_is_the_default(actor):
    w = city_world(actor, "huzhou")
    answer = post(
        client_for(w["users"]["resident0"]),
        {"category": "sanitation", "description": "楼道堆物", "dwelling_id": w["homes"][0].pk},
    )
    assert answer.status_code == 201 and not AppealIntake.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_route_each_submission_once(postgres, run_at_once, actor, settings):
    settings.GONGZHI_APPEAL_INTAKE = "queue"
    w = city_world(actor, "huzhou")
    for n in range(12):
        intake.appeal_intake_receive(
            actor=w["users"][f"resident{n % 2}"],
            dwelling_id=w["homes"][n % 2].pk,
            category=("sanitation", "parking", "safety")[n % 3],
            description=f"问题{n}",
        )
    outcomes = run_at_once(
        [lambda: intake.appeals_intake_route(limit=5), lambda: intake.appeals_intake_route(limit=5)]
    )
    routed = [i for o in outcomes for i in o.ids]
    assert len(routed) == len(set(routed))
    while intake.appeals_intake_route().ids:
        pass
    assert AppealIntake.objects.filter(state="waiting").count() == 0
    assert AppealEvent.objects.filter(transition__in=["submit", "duplicate_merged"]).count() == 12
    assert Appeal.objects.count() == 6  # two households × three categories


def test_inline_submission_unchanged(actor):
    w = city_world(actor, "huzhou")
    done = cases.appeal_submit(
        actor=w["users"]["resident0"], dwelling=w["homes"][0], category="sanitation", description="楼道堆物"
    )
    assert done.appeal.arrived_at is not None and not done.merged


@pytest.mark.parametrize("when", ["ended", "not_started"])
def test_a_role_not_in_force_is_refused_alike(actor, settings, when):
    """The intake's own-home check counts a role in force as accounts.selectors.active_roles does."""
    import datetime as dt

    from django.utils import timezone

    from gongzhi.accounts.models import RoleAssignment

    w = city_world(actor, "huzhou")
    resident = w["users"]["resident0"]
    today = timezone.localdate()
    change = (
        {"end": today - dt.timedelta(days=1)} if when == "ended" else {"start": today + dt.timedelta(days=1)}
    )
    RoleAssignment.objects.filter(user=resident).update(**change)
    data = {"category": "sanitation", "description": "楼道堆物", "dwelling_id": w["homes"][0].pk}
    settings.GONGZHI_APPEAL_INTAKE = "inline"
    inline = post(client_for(resident), data).status_code
    settings.GONGZHI_APPEAL_INTAKE = "queue"
    queued = post(client_for(resident), data).status_code
    assert inline == queued and inline in (403, 404)
    assert not AppealIntake.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_one_household_submitting_twice_at_once_gets_one_case(postgres, run_at_once, actor):
    """BZ-5.2.1 under concurrency: the household's row is locked, so the second submission finds the first's
    case and merges into it instead of opening another."""
    import time

    from django.db import transaction

    w = city_world(actor, "huzhou")
    resident, home = w["users"]["resident0"], w["homes"][0]

    def submit(text):
        # Inside a longer transaction (as the intake worker's batch is), so the first case stays uncommitted
        # while the other submission looks for the household's open case.
        with transaction.atomic():
            done = cases.appeal_submit(actor=resident, dwelling=home, category="parking", description=text)
            time.sleep(0.3)
        return done

    outcomes = run_at_once([lambda: submit("车位被占"), lambda: submit("车位又被占")])
    assert sorted(o.merged for o in outcomes) == [False, True]
    assert Appeal.objects.count() == 1


def test_a_place_without_a_city_pack_is_refused_alike(actor, settings):
    """No city pack above the home: no ladder to route on. A clear 4xx inline and queued, nothing stored."""
    w = city_world(actor, "huzhou")
    Node.objects.filter(pk=w["district"].pk).update(policy_pack="")
    data = {"category": "sanitation", "description": "问题", "dwelling_id": w["homes"][0].pk}
    answers = []
    for mode in ("inline", "queue"):
        settings.GONGZHI_APPEAL_INTAKE = mode
        answers.append(post(client_for(w["users"]["resident0"]), data))
    inline, queued = answers
    assert 400 <= inline.status_code < 500 and queued.status_code == inline.status_code, queued.content
    assert queued.json()["code"] == inline.json()["code"]
    assert not AppealIntake.objects.exists() and not Appeal.objects.exists()


# --- checked and stored in one statement (PostgreSQL; appeals.intake._judged_store) -------------------------------


@pytest.fixture
def judging(postgres):
    """Each test starts with nothing judged in this process."""
    intake._JUDGED.clear()
    yield
    intake._JUDGED.clear()


def _receive(user, home, **changes):
    data = {"category": "sanitation", "description": "楼道堆物", "dwelling_id": home.pk, **changes}
    return intake.appeal_intake_receive(actor=user, **data)


def _statements(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


STORED = ("recorded_by", "channel", "on_behalf_of", "dwelling", "place", "category", "description", "anonymous",
          "severity", "source_ip", "language", "state", "appeal", "merged", "refusal", "refusal_code", "routed_at")  # fmt: skip


def test_a_judged_context_is_checked_and_stored_in_one_statement(actor, judging):
    """The first submission about a home is checked in full (the home, then the insert); the next about a home of
    the same context (same levels, packs and overrides above it) in one statement, storing the same row."""
    w = city_world(actor, "huzhou")
    (r0, r1), (h0, h1) = (w["users"]["resident0"], w["users"]["resident1"]), w["homes"]
    assert _statements(lambda: _receive(r0, h0, source_ip="10.0.0.1")) == 2
    got = []
    assert _statements(lambda: got.append(_receive(r1, h1, source_ip="10.0.0.2", anonymous=False))) == 1
    stored = AppealIntake.objects.get(pk=got[0].pk)
    assert [getattr(stored, f) for f in STORED] == [getattr(got[0], f) for f in STORED]
    assert (stored.recorded_by, stored.dwelling, stored.state, stored.source_ip) == (
        r1,
        h1,
        "waiting",
        "10.0.0.2",
    )
    assert stored.received_at == got[0].received_at
    # Routed like any other intake.
    assert intake.appeals_intake_route().routed == 2


def test_a_full_check_judges_what_else_its_context_takes(actor, judging):
    """One full check at a home judges its context for every category, severity and anonymity the ladder there
    takes; what it refuses is still checked in full (and refused); staff go through their reach, in full."""
    w = city_world(actor, "huzhou")
    (r0, r1), (h0, h1) = (w["users"]["resident0"], w["users"]["resident1"]), w["homes"]
    _receive(r0, h0)
    assert _statements(lambda: _receive(r1, h1, category="parking")) == 1  # another category
    assert _statements(lambda: _receive(r1, h1, anonymous=True)) == 1  # with anonymity
    assert _statements(lambda: _receive(r1, h1, severity="major")) == 1  # another severity
    refused = []
    # A category huzhou's ladder does not take: no context is judged for it, so the full check answers.
    statements = _statements(
        lambda: refused.append(pytest.raises(GongzhiError, _receive, r1, h1, category="x"))
    )
    assert statements == 1 and refused[0].value.code  # the home read; refused with the rule's code
    # Staff act through their reach, which the statement does not read: the full check, and stored.
    assert _statements(lambda: _receive(w["users"]["community_worker"], h0, channel="walk_in")) > 2
    assert AppealIntake.objects.count() == 5


def test_someone_without_a_role_in_force_on_the_home_is_refused_though_its_context_is_judged(actor, judging):
    import datetime as dt

    from django.utils import timezone

    from gongzhi.accounts.models import RoleAssignment

    w = city_world(actor, "huzhou")
    (r0, r1), (h0, h1) = (w["users"]["resident0"], w["users"]["resident1"]), w["homes"]
    _receive(r0, h0)
    _receive(r1, h1)
    assert AppealIntake.objects.count() == 2
    data = {"category": "sanitation", "description": "楼道堆物"}
    # Another household's home (a neighbour's, of the same context): answered as inline, nothing stored.
    answer = post(client_for(r1), {**data, "dwelling_id": h0.pk})
    assert answer.status_code in (403, 404), answer.content
    # A role that has ended.
    RoleAssignment.objects.filter(user=r1).update(end=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(GongzhiError) as refused:
        _receive(r1, h1)
    assert getattr(refused.value, "code", None) in ("forbidden", "not_found"), refused.value
    assert AppealIntake.objects.count() == 2


def test_a_changed_pack_or_override_is_checked_afresh(actor, judging):
    """The context is read from the database's rows: a pack or override changed above the home gives a new one,
    checked in full (and refused when the rules now refuse), never the verdict judged before."""
    from gongzhi.policy.services import policy_override_set

    w = city_world(actor, "huzhou")
    (r0, r1), (h0, h1) = (w["users"]["resident0"], w["users"]["resident1"]), w["homes"]
    _receive(r0, h0)
    assert _statements(lambda: _receive(r1, h1)) == 1
    policy_override_set(
        actor=actor, node=w["community"], key="disclosure.major.sla_working_days", value=2, reason="社区决定"
    )
    # The statement finds a context it was not given and stores nothing; the full check then passes and learns it.
    assert _statements(lambda: _receive(r1, h1)) == 3
    assert _statements(lambda: _receive(r0, h0)) == 1
    Node.objects.filter(pk=w["district"].pk).update(policy_pack="")  # no city pack: no ladder to route on
    with pytest.raises(GongzhiError):
        _receive(r0, h0)
    assert AppealIntake.objects.count() == 4
