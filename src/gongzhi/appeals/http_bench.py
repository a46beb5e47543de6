"""`appeal_submit_per_s` and `appeal_submit_floor_ratio` (issue 4 §4): residents submitting appeals over HTTP.

One gunicorn with 2 sync worker processes (the issue's setting), production mode (DEBUG off), on the benchmark
database. Residents of random dwellings all over the tree (their own log-in and personal API token, a resident
role on their home) POST /api/v1/appeals from CLIENTS keep-alive connections: every request goes through the
real middleware, token authentication, the appeal intake (below) and the JSON answer. In the same run and under the same server,
the same number of POSTs go to the bare view /bench/floor (gongzhi.core.bench_floor: one INSERT), and
`appeal_submit_floor_ratio` is the appeals' throughput divided by the floor's (target ≥ 0.5). The two are timed in
ROUNDS alternating rounds (floor then appeals, appeals then floor, ...) and each throughput is its requests over
its summed time: on a shared 2-core machine the pace moves by ±15% over a few seconds, and timing the floor in one
stretch and the appeals in the next moved the ratio by as much between runs.

The server runs as a deployment taking submissions from programs in volume does: GONGZHI_APPEAL_INTAKE=queue
(appeals.intake), so a POST is checked (who may speak for the home, the city's ladder takes the category and
severity, anonymity allowed) and stored, and answered 202. Routing is then timed separately, as the worker does it
(`appeal_intake_route_per_s`, every queued submission in batches), and the run proves nothing was lost or left
waiting (`appeal_intake_lost`, `appeal_intake_unrouted`: both 0).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
from collections import Counter

from gongzhi.voting.http_bench import Job, post_all, start_server

CLIENTS = 16
WORKERS = "2"
ROUNDS = 4
SUBMISSIONS = int(os.environ.get("BENCH_APPEAL_SUBMISSIONS", "3000"))


def _residents(count: int, rng: random.Random) -> list[tuple[str, int, str]]:
    """(token, dwelling id, category) for one household representative of `count` random dwellings."""
    from django.contrib.auth import get_user_model

    from gongzhi.accounts.models import Account, ApiToken, RoleAssignment
    from gongzhi.accounts.tokens import token_digest
    from gongzhi.appeals.cases import context_of
    from gongzhi.people.models import Residency
    from gongzhi.tree.models import Dwelling

    top = Dwelling.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    wanted = rng.sample(range(1, top + 1), min(top, count * 2))
    reps = dict(
        Residency.objects.filter(
            dwelling_id__in=wanted, is_representative=True, end__isnull=True
        ).values_list("dwelling_id", "person_id")
    )
    homes = list(Dwelling.objects.filter(pk__in=list(reps)[:count]).select_related("stairwell"))
    categories: dict[str, tuple[str, ...]] = {}
    User = get_user_model()
    stamp = os.urandom(4).hex()
    users = User.objects.bulk_create(
        [User(username=f"bench-re-{stamp}-{n}", password="!") for n in range(len(homes))]
    )
    Account.objects.bulk_create(
        [Account(user=u, person_id=reps[h.pk]) for u, h in zip(users, homes, strict=True)]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role="resident", dwelling=h, scope_path=h.path, start=dt.date(2020, 1, 1))
            for u, h in zip(users, homes, strict=True)
        ]
    )
    tokens = [f"gz_bench_re_{stamp}_{n}_{os.urandom(12).hex()}" for n in range(len(homes))]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, name="bench", prefix=t[:8], token_hash=token_digest(t))
            for u, t in zip(users, tokens, strict=True)
        ]
    )
    out = []
    for token, home in zip(tokens, homes, strict=True):
        city_key = home.path[:4]
        if city_key not in categories:
            categories[city_key] = context_of(home.stairwell).ladders.categories
        out.append((token, home.pk, rng.choice(categories[city_key])))
    return out


def bench_appeal_submit() -> dict[str, float]:
    from django.db import connection, connections

    from gongzhi.core.bench_floor import FLOOR_TABLE_SQL

    residents = _residents(SUBMISSIONS, random.Random(17))
    with connection.cursor() as cur:
        cur.execute(FLOOR_TABLE_SQL)
    submit = [
        (
            "/api/v1/appeals",
            json.dumps({"dwelling_id": home, "category": category, "description": "楼道灯不亮，请尽快维修"}),
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        for token, home, category in residents
    ]
    floor = [("/bench/floor", body, {"Content-Type": "application/json"}) for _url, body, _headers in submit]
    connections.close_all()  # the server's workers get the database to themselves
    server = start_server(WORKERS, {"GONGZHI_BENCH_FLOOR": "1", "GONGZHI_APPEAL_INTAKE": "queue"})
    try:
        # Warm both paths in every worker (imports, caches, connections).
        _warm_s, warm_counts = post_all(floor[:200] + submit[:200], CLIENTS)
        (floor_s, floor_counts), (submit_s, submit_counts) = _alternating(floor[200:], submit[200:])
    finally:
        server.terminate()
        server.wait(timeout=30)
    floor_rate = floor_counts.get(201, 0) / floor_s
    submit_rate = submit_counts.get(202, 0) / submit_s
    print(
        f"bench: floor {sorted(floor_counts.items())} in {floor_s:.1f} s ({floor_rate:.0f}/s); "
        f"appeals {sorted(submit_counts.items())} in {submit_s:.1f} s ({submit_rate:.0f}/s)",
        file=sys.stderr,
    )
    return {
        "appeal_submit_per_s": round(submit_rate, 1),
        "appeal_submit_floor_ratio": round(submit_rate / floor_rate, 2) if floor_rate else 0.0,
        **_drain(submit_counts.get(202, 0) + warm_counts.get(202, 0)),
    }


def _alternating(floor: list[Job], submit: list[Job]) -> tuple[tuple[float, Counter[int]], ...]:
    """(seconds, responses by status) of the floor and of the appeals, posted in ROUNDS alternating rounds."""
    totals = {"floor": (0.0, Counter[int]()), "submit": (0.0, Counter[int]())}
    size = -(-len(submit) // ROUNDS)
    for n in range(ROUNDS):
        rounds = [("floor", floor[n * size : (n + 1) * size]), ("submit", submit[n * size : (n + 1) * size])]
        for name, jobs in rounds if n % 2 == 0 else reversed(rounds):
            seconds, counts = post_all(jobs, CLIENTS)
            total_s, total_counts = totals[name]
            totals[name] = (total_s + seconds, total_counts + Counter(counts))
    return totals["floor"], totals["submit"]


def _drain(accepted: int) -> dict[str, float]:
    """Route everything the server queued, as `gongzhi appeals-intake` does, and report its pace; then
    `appeal_intake_lost` (submissions answered 202 but not stored) and `appeal_intake_unrouted` (stored but
    still waiting) must both be 0."""
    import time

    from django.db.models import Count

    from gongzhi.appeals.intake import appeals_intake_route
    from gongzhi.appeals.models import AppealIntake

    started = time.perf_counter()
    done = 0
    while batch := appeals_intake_route().ids:
        done += len(batch)
    seconds = time.perf_counter() - started
    states = dict(AppealIntake.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    print(
        f"bench: routed {done} in {seconds:.1f} s; intakes by state {sorted(states.items())}", file=sys.stderr
    )
    return {
        "appeal_intake_route_per_s": round(done / seconds, 1) if seconds else 0.0,
        "appeal_intake_lost": accepted - sum(states.values()),
        "appeal_intake_unrouted": states.get("waiting", 0),
    }
