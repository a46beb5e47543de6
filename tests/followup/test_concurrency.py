"""At the same moment: one household's two ratings leave one (a unique constraint), two appointments one, and
two changes drawn from the same version one (the implementation row is locked and its version checked).
PostgreSQL only: SQLite serialises every writer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import GongzhiError
from gongzhi.deliberation import selectors as deliberation
from gongzhi.followup import services
from gongzhi.followup.models import Appraisal, Event, Implementation

from .conftest import building_topic

pytestmark = pytest.mark.django_db(transaction=True)


def codes(outcomes):
    return sorted(o.code if isinstance(o, GongzhiError) else "ok" for o in outcomes)


def test_a_household_rating_twice_at_once_is_counted_once(postgres, run_at_once, world):
    topic = building_topic(world, until="notice_posted")
    user, home = world["users"]["re1"], world["dwellings"][0]

    def rate(score):
        return lambda: services.appraisal_submit(actor=user, topic=topic, dwelling=home, rating=score)

    assert codes(run_at_once([rate(5), rate(1)])) == ["already_rated", "ok"]
    assert Appraisal.objects.filter(topic=topic).count() == 1


def test_two_appointments_and_two_changes_at_once(postgres, run_at_once, world):
    topic = building_topic(world)
    bl, oc = world["users"]["bl"], world["users"]["oc"]
    due = timezone.localdate() + dt.timedelta(days=30)

    def appoint(user, name):
        caps = deliberation.capacities_for(user, topic)
        return lambda: services.implementation_appoint(
            actor=user, topic=topic, capacities=caps, implementer=name, due_on=due, standard="灯亮"
        )

    assert codes(run_at_once([appoint(bl, "甲"), appoint(oc, "乙")])) == ["ok", "wrong_state"]
    impl = Implementation.objects.get(topic=topic)

    def change(user, days):
        caps = deliberation.capacities_for(user, topic)
        return lambda: services.implementation_change(
            actor=user,
            implementation=impl,
            capacities=caps,
            due_on=due + dt.timedelta(days=days),
            reason="缺货",
            version=0,
        )

    assert codes(run_at_once([change(bl, 5), change(oc, 9)])) == ["ok", "stale"]
    assert Event.objects.filter(implementation=impl, action="change").count() == 1
