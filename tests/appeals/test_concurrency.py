"""Issue 4 §4 on PostgreSQL: two handlers acting on one case at once → one succeeds, the other gets 409
"already changed"; two sweeps at once send each reminder once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.appeals import cases
from gongzhi.appeals.models import Appeal, AppealEvent, AppealReminder
from gongzhi.core.errors import Conflict
from gongzhi.notices.models import Notice

from .cases_world import city_world


@pytest.mark.django_db(transaction=True)
def test_two_handlers_at_once_one_gets_already_changed(postgres, run_at_once, actor):
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
    outcomes = run_at_once(jobs)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict) and errors[0].code == "already_changed"
    assert Appeal.objects.get(pk=appeal.pk).version == 2
    assert AppealEvent.objects.filter(appeal=appeal, transition="accept").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_nothing_twice(postgres, run_at_once, actor):
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
    outcomes = run_at_once([lambda: cases.appeals_sweep(now=later), lambda: cases.appeals_sweep(now=later)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.reminded for o in outcomes) == 6  # type: ignore[union-attr]
    assert AppealReminder.objects.count() == 6
    sent = Notice.objects.filter(kind="appeals.reminder")
    assert sent.exists()
    assert sent.count() == len(set(sent.values_list("subject_id", "recipient_id")))
