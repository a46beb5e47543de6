"""`scoped_list_p95_ms` (issue 3 §5): a grid worker's dwelling list, through the whole stack, at benchmark scale.

Each sample is `GET /api/v1/dwellings` (first page and count) by a grid worker of a different grid, logged in
with a session, so scope resolution, the query and the JSON all count.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from typing import Any

RUNS = 50


def _grid_workers(count: int, rng: random.Random) -> list[Any]:
    from django.contrib.auth import get_user_model

    from gongzhi.accounts import services as accounts
    from gongzhi.tree.models import Grid

    ids = list(Grid.objects.filter(kind=Grid.Kind.GRID).values_list("pk", flat=True))
    grids = Grid.objects.filter(pk__in=rng.sample(ids, min(count, len(ids))))
    admin = get_user_model().objects.create_superuser("bench-admin", password="bench-admin-pw")
    workers = []
    for n, grid in enumerate(grids):
        user = accounts.user_create(actor=admin, username=f"bench-gw-{n}", password="bench-gw-pw-1")
        accounts.role_assign(actor=admin, user=user, role="grid_worker", start=dt.date(2024, 1, 1), grid=grid)
        workers.append(user)
    return workers


def bench_scoped_list(runs: int = RUNS) -> dict[str, float]:
    from django.test import Client

    rng = random.Random(11)
    clients = []
    for user in _grid_workers(runs, rng):
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        client.get("/api/v1/dwellings")  # warm this session once, as a logged-in user's browser would be
        clients.append(client)
    samples = []
    for client in clients:
        started = time.perf_counter()
        response = client.get("/api/v1/dwellings")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and response.json()["count"] > 0, response.content[:200]
    samples.sort()
    return {
        "scoped_list_p95_ms": round(samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)], 1)
    }
