"""Issue 4 §4 on PostgreSQL: two handlers acting on one case at once → one succeeds, the other gets 409
"already changed"; two sweeps at once send each reminder once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from gongzhi.appeals import cases
from gongzhi.appeals.models import Appeal, AppealEvent, AppealReminder, Notification
from gongzhi.core.errors import Conflict

from .cases_world import city_world


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL only: SQLite serialises every write, so there is no race to test (SQLite run)"
        )


def _run(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes: list[object] = [None] * len(jobs)

    def work(index, job):
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as exc:  # noqa: BLE001 (collected and asserted below)
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_handlers_at_once_one_gets_already_changed(postgres, actor):
    w = city_world(actor, "huzhou")
    appeal = cases.appeal_submit(
        actor=w["users"]["resident0"], dwelling=w["homes"][0], category="sanitation", description="楼道堆物"
    ).appeal
    jobs = [
        lambda who=who: cases.appeal_transition(
            actor=w["users"][who], appeal_id=appeal.pk, transition="accept"
        )
        for who in ("building_leader", "grid_leader")
    ]
    outcomes = _run(jobs)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict) and errors[0].code == "already_changed"
    assert Appeal.objects.get(pk=appeal.pk).version == 2
    assert AppealEvent.objects.filter(appeal=appeal, transition="accept").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_nothing_twice(postgres, actor):
    w = city_world(actor, "huzhou")
    for n in (0, 1):
        for category in ("sanitation", "parking", "safety"):
            cases.appeal_submit(
                actor=w["users"][f"resident{n}"],
                dwelling=w["homes"][n],
                category=category,
                description="问题",
            )
    later = timezone.now() + dt.timedelta(days=40)
    outcomes = _run([lambda: cases.appeals_sweep(now=later), lambda: cases.appeals_sweep(now=later)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.reminded for o in outcomes) == 6  # type: ignore[union-attr]
    assert AppealReminder.objects.count() == 6
    sent = Notification.objects.filter(kind="reminder")
    assert sent.count() == len(set(sent.values_list("appeal_id", "recipient_id")))
