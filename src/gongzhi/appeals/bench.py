"""Issue 4 §4 benchmarks over a history of appeals at the issue's scale (PostgreSQL; `make bench`).

`seed_history(n)` writes `n` historical appeals (default 2,000,000, env BENCH_APPEALS) over the benchmark's
dwellings in a few set-based statements: each case is routed on its own city's ladder (the pack's categories
and rungs, read from a sample stairwell of each district), escalated 0–3 rungs, resolved, rated and closed as
cases are, with the timeline events a case leaves (submit, each escalation, resolve, confirm or "no response";
the accept and progress lines are left out to keep the load to ~6 million events). Cases of the last 45 days
may still be open; their overdue reminders up to yesterday are recorded, as yesterday's sweep would have.

Then:
- `work_queue_p95_ms`: a community worker's open queue with its counts (GET /api/v1/appeals, first page), one
  sample per community worker of 50 random communities, in process through the whole middleware stack;
- `dashboard_district_p95_ms`: a district's dashboard for this quarter (gongzhi.oversight.selectors.dashboard,
  which first brings its roll-up up to date), p95 over 50 calls across the districts, after the roll-up was
  built once for the whole history (`oversight_refresh`, untimed, as a deployment runs it after a bulk load);
- `sweep_s`: one `appeals_sweep()` over all open cases (today's reminders and closings only);
- `appeal_submit_per_s` / `appeal_submit_floor_ratio`: see appeals.http_bench.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import sys
import time
from typing import Any

HISTORY = int(os.environ.get("BENCH_APPEALS", "2000000"))
OPEN_WINDOW_DAYS = 45
RUNS = 50


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def p95(samples: list[float]) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]


# --- the history -----------------------------------------------------------------------------------------------


def _profiles() -> tuple[list[tuple[str, str, int]], list[tuple[Any, ...]]]:
    """Per district: (path prefix, city, number of categories); per city and category: its route up the ladder
    (track, rung codes, rung levels, tree depth of each rung's level, each rung's deadline in days)."""
    from gongzhi.appeals.cases import _ancestors, context_of
    from gongzhi.appeals.deadlines import deadline_rule
    from gongzhi.appeals.errors import AppealRuleError
    from gongzhi.core.errors import GongzhiError
    from gongzhi.tree.models import Node

    districts: list[tuple[str, str, int]] = []
    profiles: dict[tuple[str, int], tuple[Any, ...]] = {}
    for district in Node.objects.filter(level="district").order_by("path"):
        stairwell = (
            Node.objects.filter(level="stairwell", path__startswith=district.path).order_by("path").first()
        )
        if stairwell is None:
            continue
        try:
            ctx = context_of(stairwell)
        except GongzhiError:  # a district without a city pack (the roster benchmark's): no appeals there
            continue
        depth = {level: len(node.path) // Node.steplen for level, node in _ancestors(stairwell).items()}
        categories = list(ctx.ladders.categories)
        districts.append((district.path, ctx.ladders.city, len(categories)))
        for number, category in enumerate(categories):
            if (ctx.ladders.city, number) in profiles:
                continue
            route = ctx.ladders.route(category, present_levels=set(depth))
            ladder = ctx.ladders.ladder(route.track)
            steps = ladder.steps[ladder.index(route.step.code) :]
            days = []
            for step in steps:
                try:
                    days.append(deadline_rule(ctx.policy, step.level).days)
                except AppealRuleError:
                    days.append(30)
            profiles[(ctx.ladders.city, number)] = (
                ctx.ladders.city,
                number,
                category,
                route.track,
                [s.code for s in steps],
                [s.level for s in steps],
                [depth.get(s.level, 0) for s in steps],
                days,
            )
    return districts, list(profiles.values())


GENERATE = """
CREATE UNLOGGED TABLE bench_appeal AS
WITH s AS (
    SELECT d.id AS did, d.path, d.grid_id, d.stairwell_id, bd.city, bd.ncat,
           random() AS r_cat, random() AS r_esc, random() AS r_age, random() AS r_state, random() AS r_rate,
           random() AS r_days, random() AS r_sub
    FROM tree_dwelling d
    JOIN bench_district bd ON bd.prefix = substr(d.path, 1, 4)
    CROSS JOIN generate_series(1, %(per)s) g
    LIMIT %(total)s
), t AS (
    SELECT s.*, p.category, p.track, p.steps, p.levels, p.depths, p.days,
           LEAST(CASE WHEN r_esc < 0.75 THEN 0 WHEN r_esc < 0.93 THEN 1 WHEN r_esc < 0.99 THEN 2 ELSE 3 END,
                 cardinality(p.steps) - 1) AS esc,
           %(now)s::timestamptz - r_age * interval '1095 days' AS created
    FROM s JOIN bench_profile p ON p.city = s.city AND p.cat_no = floor(s.r_cat * s.ncat)::int
), u AS (
    SELECT t.*,
           LEAST(created + esc * interval '5 days', %(now)s::timestamptz - interval '1 hour') AS arrived,
           created + esc * interval '5 days' + (0.5 + r_days * 14) * interval '1 day' AS resolved
    FROM t
)
SELECT nextval('appeals_appeal_id_seq') AS id, u.*,
       CASE WHEN resolved > %(now)s OR (created > %(now)s::timestamptz - %(window)s * interval '1 day' AND r_state < 0.2)
            THEN (CASE WHEN r_sub < 0.35 THEN 'submitted' WHEN r_sub < 0.85 THEN 'in_progress'
                       ELSE 'awaiting_info' END)
            WHEN resolved > %(now)s::timestamptz - interval '7 days' THEN 'resolved'
            WHEN r_rate < 0.85 THEN 'closed'
            ELSE 'closed_no_response' END AS state
FROM u
"""

INSERT_APPEALS = """
INSERT INTO appeals_appeal (
    id, submitter_id, recorded_by_id, channel, on_behalf_of, city, category, track, place_id, path, dwelling_id,
    grid_id, household, description, anonymous, severity, difficulty, state, step, level, handling_node_id,
    handling_unit, accepted_steps, meeting_steps, reopened, arrived_at, due_date, calendar_official, overdue,
    resolved_at, supervision_due, merged_into_id, link_group, meeting_ref, rating, rating_comment, resolution,
    version, created_at, updated_at)
SELECT b.id, NULL, %(admin)s, 'web', '', b.city, b.category, b.track, b.stairwell_id, b.path, b.did,
       b.grid_id, 'd' || b.did, '历史诉求（基准数据）', false, 'normal', '', b.state, b.steps[b.esc + 1],
       b.levels[b.esc + 1], n.id, '',
       to_jsonb(CASE WHEN b.state = 'submitted' THEN b.steps[1:b.esc] ELSE b.steps[1:b.esc + 1] END),
       '[]'::jsonb, '[]'::jsonb, b.arrived,
       (b.arrived AT TIME ZONE 'Asia/Shanghai')::date + b.days[b.esc + 1], true,
       b.state IN ('submitted', 'in_progress', 'awaiting_info')
           AND (b.arrived AT TIME ZONE 'Asia/Shanghai')::date + b.days[b.esc + 1] < %(today)s,
       CASE WHEN b.state IN ('submitted', 'in_progress', 'awaiting_info') THEN NULL ELSE b.resolved END,
       NULL, NULL, NULL, '',
       CASE WHEN b.state = 'closed' THEN LEAST(5, 1 + floor(power(b.r_rate / 0.85, 0.4) * 5))::int END, '',
       CASE WHEN b.state IN ('submitted', 'in_progress', 'awaiting_info') THEN '' ELSE '已处理' END,
       1 + 2 * b.esc, b.created, LEAST(%(now)s, GREATEST(b.created, COALESCE(b.resolved, b.created)))
FROM bench_appeal b
LEFT JOIN tree_node n ON n.path = substr(b.path, 1, 4 * b.depths[b.esc + 1]) AND n.level = b.levels[b.esc + 1]
"""

EVENT_COLUMNS = "appeal_id, at, actor_id, actor_role, transition, from_state, to_state, from_step, to_step, record, clause"
INSERT_EVENTS = [
    # submit
    f"""INSERT INTO appeals_appealevent ({EVENT_COLUMNS})
    SELECT id, created, NULL, 'submitter', 'submit', '', 'submitted', '', steps[1], '{{"channel": "web"}}', ''
    FROM bench_appeal""",
    # each escalation, one rung up
    f"""INSERT INTO appeals_appealevent ({EVENT_COLUMNS})
    SELECT id, created + i * interval '5 days' - interval '1 hour', NULL, 'handler', 'escalate', 'in_progress',
           'submitted', steps[i], steps[i + 1], '{{"reason": "本级无法解决"}}', ''
    FROM bench_appeal CROSS JOIN LATERAL generate_series(1, esc) i
    WHERE esc > 0 AND created + i * interval '5 days' - interval '1 hour' < %(now)s""",
    # resolve
    f"""INSERT INTO appeals_appealevent ({EVENT_COLUMNS})
    SELECT id, resolved, NULL, 'handler', 'resolve', 'in_progress', 'resolved', steps[esc + 1], steps[esc + 1],
           '{{"resolution": "已处理"}}', ''
    FROM bench_appeal WHERE state IN ('resolved', 'closed', 'closed_no_response')""",
    # the submitter's confirmation and rating, or "no response" after the window
    f"""INSERT INTO appeals_appealevent ({EVENT_COLUMNS})
    SELECT id, resolved + interval '1 day', NULL, 'submitter', 'confirm', 'resolved', 'closed',
           steps[esc + 1], steps[esc + 1],
           jsonb_build_object('rating', LEAST(5, 1 + floor(power(r_rate / 0.85, 0.4) * 5))::int), ''
    FROM bench_appeal WHERE state = 'closed'""",
    f"""INSERT INTO appeals_appealevent ({EVENT_COLUMNS})
    SELECT id, resolved + interval '7 days', NULL, 'system', 'close_no_response', 'resolved',
           'closed_no_response', steps[esc + 1], steps[esc + 1], '{{}}', '§5#27'
    FROM bench_appeal WHERE state = 'closed_no_response'""",
]


def _admin() -> Any:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.filter(is_superuser=True).order_by("pk").first() or User.objects.create_superuser(
        "bench-appeals-admin", password="bench-appeals-admin-pw"
    )


def seed_history(total: int = HISTORY, now: dt.datetime | None = None) -> dict[str, int]:
    """Write `total` historical appeals with their timelines (see the module docstring). PostgreSQL only."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gongzhi.tree.models import Dwelling

    now = now or timezone.now()
    started = time.perf_counter()
    districts, profiles = _profiles()
    dwellings = Dwelling.objects.count()
    params = {
        "now": now,
        "today": timezone.localdate(now),
        "per": max(1, math.ceil(total / max(1, dwellings))),
        "total": total,
        "window": OPEN_WINDOW_DAYS,
        "admin": _admin().pk,
    }
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT setseed(0.42)")
        cur.execute("CREATE TEMP TABLE bench_district (prefix text, city text, ncat int) ON COMMIT DROP")
        cur.executemany("INSERT INTO bench_district VALUES (%s, %s, %s)", districts)
        cur.execute(
            "CREATE TEMP TABLE bench_profile (city text, cat_no int, category text, track text, steps text[],"
            " levels text[], depths int[], days int[]) ON COMMIT DROP"
        )
        cur.executemany("INSERT INTO bench_profile VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", profiles)
        cur.execute("DROP TABLE IF EXISTS bench_appeal")
        cur.execute(GENERATE, params)
        log(f"bench: {total} appeals generated at {time.perf_counter() - started:.1f} s")
        cur.execute(INSERT_APPEALS, params)
        log(f"bench: appeals written at {time.perf_counter() - started:.1f} s")
        for sql in INSERT_EVENTS:
            cur.execute(sql, params)
        log(f"bench: timelines written at {time.perf_counter() - started:.1f} s")
        cur.execute("SELECT state, count(*) FROM bench_appeal GROUP BY state ORDER BY state")
        states = dict(cur.fetchall())
        cur.execute("DROP TABLE bench_appeal")
    reminded = _seed_reminders(now)
    with connection.cursor() as cur:
        cur.execute("ANALYZE appeals_appeal")
        cur.execute("ANALYZE appeals_appealevent")
        cur.execute("ANALYZE appeals_appealreminder")
    log(f"bench: history {states}, {reminded} reminders, in {time.perf_counter() - started:.1f} s")
    return states


def _seed_reminders(now: dt.datetime) -> int:
    """The overdue reminders yesterday's sweep sent (so today's sweep does one day's work, as cron's would)."""
    from gongzhi.appeals.cases import context_of
    from gongzhi.appeals.deadlines import Deadline, deadline_rule
    from gongzhi.appeals.models import OPEN_STATE_VALUES, Appeal, AppealReminder

    yesterday = now - dt.timedelta(days=1)
    rules: dict[tuple[str, str], Any] = {}
    rows = []
    overdue = Appeal.objects.filter(state__in=OPEN_STATE_VALUES, overdue=True).select_related("place")
    for appeal in overdue.iterator(chunk_size=5000):
        key = (appeal.city, appeal.level)
        if key not in rules:
            rules[key] = deadline_rule(context_of(appeal.place).policy, appeal.level)
        assert appeal.due_date is not None  # overdue implies a due date
        deadline = Deadline(appeal.arrived_at, appeal.due_date, rules[key])
        for number in range(1, deadline.reminders_due(yesterday) + 1):
            rows.append(
                AppealReminder(
                    appeal_id=appeal.pk,
                    step=appeal.step,
                    kind="overdue",
                    number=number,
                    sent_at=deadline.reminder_at(number),
                )
            )
    AppealReminder.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# --- the measurements ------------------------------------------------------------------------------------------


def _community_workers(count: int, rng: random.Random) -> list[str]:
    """API tokens of community workers of `count` random communities (a personal token: no second factor)."""
    from django.contrib.auth import get_user_model

    from gongzhi.accounts.models import ApiToken, RoleAssignment
    from gongzhi.accounts.tokens import token_digest
    from gongzhi.tree.models import Node

    User = get_user_model()
    ids = list(Node.objects.filter(level="community").values_list("pk", flat=True))
    picked = list(Node.objects.filter(pk__in=rng.sample(ids, min(count, len(ids)))))
    users = User.objects.bulk_create(
        [User(username=f"bench-cw-{n}-{os.urandom(4).hex()}", password="!") for n in range(len(picked))]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                user=u, role="community_worker", node=node, scope_path=node.path, start=dt.date(2020, 1, 1)
            )
            for u, node in zip(users, picked, strict=True)
        ]
    )
    tokens = [f"gz_bench_cw_{n}_{os.urandom(12).hex()}" for n in range(len(users))]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, name="bench", prefix=t[:8], token_hash=token_digest(t))
            for u, t in zip(users, tokens, strict=True)
        ]
    )
    return tokens


def bench_work_queue(runs: int = RUNS) -> dict[str, float]:
    """A community worker's open queue with its counts: GET /api/v1/appeals (first page), p95 over workers."""
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    tokens = _community_workers(runs, random.Random(13))
    client.get("/api/v1/appeals", HTTP_AUTHORIZATION=f"Bearer {tokens[0]}")  # a warm process, as a server's
    samples, open_cases = [], []
    for token in tokens:
        started = time.perf_counter()
        response = client.get("/api/v1/appeals", HTTP_AUTHORIZATION=f"Bearer {token}")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
        open_cases.append(response.json()["count"])
    log(
        f"bench: work queues of {len(tokens)} community workers, open cases {min(open_cases)}–{max(open_cases)}"
    )
    return {"work_queue_p95_ms": round(p95(samples), 1)}


def bench_sweep() -> dict[str, float]:
    from gongzhi.appeals.cases import appeals_sweep
    from gongzhi.appeals.models import OPEN_STATE_VALUES, Appeal

    waiting = Appeal.objects.filter(state__in=(*OPEN_STATE_VALUES, "resolved")).count()
    started = time.perf_counter()
    result = appeals_sweep()
    seconds = time.perf_counter() - started
    log(f"bench: sweep over {waiting} open or resolved cases: {json.dumps(result.__dict__)}")
    return {"sweep_s": round(seconds, 2)}


def bench_dashboard(runs: int = RUNS) -> dict[str, float]:
    from django.utils import timezone

    from gongzhi.oversight import metrics, rollup
    from gongzhi.oversight.selectors import dashboard
    from gongzhi.tree.models import Node

    started = time.perf_counter()
    rollup.refresh()
    log(f"bench: oversight roll-up built for the whole history in {time.perf_counter() - started:.1f} s")
    today = timezone.localdate()
    period = metrics.period_of("quarter", today)
    districts = list(Node.objects.filter(level="district").order_by("path"))
    dashboard(districts[0], period, today)  # a warm process, as a server's
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        found = dashboard(districts[n % len(districts)], period, today)
        samples.append((time.perf_counter() - started) * 1000)
    log(f"bench: district dashboards, last one: {found['appeals'].submitted} appeals this quarter")
    return {"dashboard_district_p95_ms": round(p95(samples), 1)}
