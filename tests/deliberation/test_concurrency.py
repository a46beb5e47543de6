"""Two building leaders taking the same step at the same moment: exactly one step, one audit entry (the service
locks the topic row and reads the history under the lock). PostgreSQL only: SQLite serialises every writer."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from gongzhi.accounts import services as accounts
from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import GongzhiError
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Step, Topic

from .conftest import START


@pytest.mark.django_db(transaction=True)
def test_the_same_step_taken_twice_at_once_is_recorded_once(actor, delib):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: row locks under concurrency (SQLite run)")
    second = accounts.user_create(actor=actor, username="d-bl2", password="pw-delib-2026", is_staff=True)
    accounts.role_assign(
        actor=actor, user=second, role="building_leader", node=delib["building"], start=START
    )
    leaders = [delib["users"]["bl"], second]
    topic = services.topic_create(
        actor=leaders[0], node=delib["stairwell"], title="楼道灯", source="mailbox", procedure="building"
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(user):
        try:
            record = {"document": user.username, "source": "mailbox"}
            capacities = selectors.capacities_for(user, topic)
            barrier.wait()
            services.topic_advance(
                actor=user, topic=topic, target="collected", capacities=capacities, record=record
            )
            outcomes.append("taken")
        except GongzhiError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in leaders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["out_of_order", "taken"]
    assert Step.objects.filter(topic=topic).count() == 1
    assert Topic.objects.get(pk=topic.pk).version == 1
    assert AuditEntry.objects.filter(action="deliberation.step_taken").count() == 1
