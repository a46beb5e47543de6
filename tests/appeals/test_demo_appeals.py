"""`gongzhi demo` leaves appeals in several states, made through the services (audited, routed by the pack)."""

from __future__ import annotations

import pytest

from gongzhi.appeals.models import Appeal, AppealEvent
from gongzhi.demo.services import demo_generate

pytestmark = pytest.mark.django_db


def test_demo_has_appeals_in_several_states():
    demo_generate(scale=60, bulk=False)
    states = set(Appeal.objects.values_list("state", flat=True))
    assert Appeal.objects.count() >= 20
    assert {"submitted", "in_progress", "resolved", "closed"} <= states
    assert AppealEvent.objects.filter(transition="escalate").exists()
