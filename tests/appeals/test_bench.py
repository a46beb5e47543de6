"""The appeals benchmarks (issue 4 §4) run end to end on a small tree; their figures come from `make bench`.

The history they seed must look like real cases (each routed on its own city's ladder, with the timeline its
state implies), or the timings would measure something else. PostgreSQL only: the history is written with
PostgreSQL SQL (arrays, generate_series), as the benchmark itself only runs there.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count

from gongzhi.appeals import bench, cases
from gongzhi.appeals.models import OPEN_STATE_VALUES, Appeal, AppealEvent, AppealReminder
from gongzhi.demo.services import demo_generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the benchmark history is written with PostgreSQL SQL (SQLite run)")
    demo_generate(scale=1200, bulk=True)
    before = Appeal.objects.count()
    states = bench.seed_history(3000)
    return before, states


def test_history_has_the_size_asked_and_every_case_a_timeline(history):
    before, states = history
    assert sum(states.values()) == 3000
    assert Appeal.objects.count() == before + 3000
    seeded = Appeal.objects.filter(description="历史诉求（基准数据）")
    assert not seeded.exclude(
        pk__in=AppealEvent.objects.filter(transition="submit").values("appeal")
    ).exists()
    # every closed case was resolved; every rated case has its confirmation line with the same rating
    closed = seeded.filter(state="closed")
    assert closed.count() == AppealEvent.objects.filter(appeal__in=closed, transition="confirm").count() > 0
    one = closed.first()
    assert AppealEvent.objects.get(appeal=one, transition="confirm").record["rating"] == one.rating


def test_history_follows_each_citys_ladder(history):
    seeded = Appeal.objects.filter(description="历史诉求（基准数据）")
    for appeal in seeded.order_by("?")[:50]:
        ctx = cases.context_of(appeal.place)
        assert appeal.category in ctx.ladders.categories and appeal.city == ctx.ladders.city
        ladder = ctx.ladders.ladder(appeal.track)
        escalations = list(appeal.events.filter(transition="escalate").order_by("at"))
        for event in escalations:  # one rung at a time (§5 #19: no skipping for normal cases)
            assert ladder.index(event.to_step) == ladder.index(event.from_step) + 1
        assert ladder.step(appeal.step).level == appeal.level


def test_open_cases_have_yesterdays_reminders_and_the_sweep_sends_each_once(history):
    open_overdue = Appeal.objects.filter(state__in=OPEN_STATE_VALUES, overdue=True)
    assert AppealReminder.objects.filter(appeal__in=open_overdue).exists()
    assert (
        AppealReminder.objects.values("appeal", "step", "kind", "number")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
        == 0
    )
    cases.appeals_sweep()  # today's reminders and closings
    second = cases.appeals_sweep()
    assert second.reminded == second.closed_no_response == 0
    later = cases.appeals_sweep(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=8))
    assert later.reminded > 0 and later.closed_no_response > 0


def test_work_queue_sweep_and_dashboard_benches_report_figures(history):
    queue = bench.bench_work_queue(runs=3)
    sweep = bench.bench_sweep()
    board = bench.bench_dashboard(runs=2)
    assert queue["work_queue_p95_ms"] > 0 and sweep["sweep_s"] >= 0 and board["dashboard_district_p95_ms"] > 0
