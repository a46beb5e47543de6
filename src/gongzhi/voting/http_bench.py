"""`ballot_cast_per_s` and `ballot_lost` (issue 5 §5): owners casting ballots over HTTP against a real server.

The bench starts gunicorn on the benchmark database as production runs it (DEBUG off; 4 sync workers as in the
README, so every worker takes its share of connections: with threaded workers one process accepted nearly all 50
keep-alive connections and the others idled), opens a vote on the compound with the most dwellings, gives
one owner per dwelling a log-in with a personal API token, and lets 50 client threads (keep-alive connections)
POST /api/v1/votes/{id}/ballots for every dwelling, plus a repeated ballot for one dwelling in ten (refused with
409). `ballot_cast_per_s` is accepted ballots per second of wall time; `ballot_lost` is the ballots the server
accepted (201) minus the ballots in the database afterwards, and must be 0.

BENCH_HTTP_WORKERS 2, 3 and 4 were compared on a shared 2-core machine (load average 3 to 5 from other work):
45–50 ballots/s each within the noise, 2 workers spending the least CPU per ballot but 3 and 4 overlapping
more work with the vote's lock, so the default stays the README's 4.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

CLIENTS = 50
PORT = int(os.environ.get("BENCH_HTTP_PORT", "8765"))
MAX_BALLOTS = int(os.environ.get("BENCH_BALLOTS", "3000"))


def _largest_compound() -> Any:
    from django.db.models import Count
    from django.db.models.functions import Substr

    from gongzhi.tree.levels import Level
    from gongzhi.tree.models import Dwelling, Node

    depth_chars = 4 * Node.steplen  # district, street, community, compound
    top = (
        Dwelling.objects.annotate(prefix=Substr("path", 1, depth_chars))
        .values("prefix")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if top is None:
        raise RuntimeError("no dwellings: run the demo first")
    return Node.objects.get(path=top["prefix"], level__in=[Level.COMPOUND, Level.RESIDENT_GROUP])


def _voters(vote: Any, admin: Any) -> list[tuple[str, int]]:
    """(token, dwelling id) for one owner per roll entry, up to MAX_BALLOTS (users created in bulk)."""
    from django.contrib.auth import get_user_model

    from gongzhi.accounts.models import Account, ApiToken
    from gongzhi.accounts.tokens import token_digest
    from gongzhi.voting.models import RollVoter

    picked: dict[int, tuple[int, int]] = {}
    for entry_id, dwelling_id, person_id in RollVoter.objects.filter(vote=vote).values_list(
        "entry_id", "entry__dwelling_id", "person_id"
    ):
        picked.setdefault(entry_id, (dwelling_id, person_id))
    pairs = list(picked.values())[:MAX_BALLOTS]
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bench-voter-{vote.pk}-{n}", password="!") for n in range(len(pairs))]
    )
    Account.objects.bulk_create(
        [Account(user=u, person_id=p) for u, (_, p) in zip(users, pairs, strict=True)]
    )
    tokens = [f"gz_bench_{vote.pk}_{n}_{os.urandom(12).hex()}" for n in range(len(pairs))]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, name="bench", prefix=t[:8], token_hash=token_digest(t))
            for u, t in zip(users, tokens, strict=True)
        ]
    )
    return [(t, d) for t, (d, _) in zip(tokens, pairs, strict=True)]


def _open_vote() -> Any:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from gongzhi.voting import services

    admin = get_user_model().objects.filter(
        is_superuser=True
    ).first() or get_user_model().objects.create_superuser("bench-vote-admin", password="bench-vote-admin-pw")
    now = timezone.now()
    vote = services.vote_create(
        actor=admin,
        node=_largest_compound(),
        rule="owners_assembly",
        item=5,
        title="bench",
        motion="bench",
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(hours=2),
        roll_date=timezone.localdate(),
    )
    return services.vote_open(actor=admin, vote=vote), admin


def _production_env() -> dict[str, str]:
    """Serve as production does (DEBUG off), with the keys the benchmark data was written with."""
    from django.conf import settings

    def keys(values: list[bytes]) -> str:
        return ",".join(base64.urlsafe_b64encode(k).decode() for k in values)

    return {
        "GONGZHI_DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "GONGZHI_DATA_KEYS": keys(settings.GONGZHI_DATA_KEYS),
        "GONGZHI_LOOKUP_KEYS": keys(settings.GONGZHI_LOOKUP_KEYS),
    }


def start_server(workers: str = "", extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """gunicorn on the benchmark database as production runs it; `workers` defaults to BENCH_HTTP_WORKERS or 4."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = (
        os.environ
        | _production_env()
        | {"ALLOWED_HOSTS": "127.0.0.1,localhost", "GONGZHI_LOG_LEVEL": "WARNING"}
        | (extra_env or {})
    )
    command = [str(gunicorn), "gongzhi.wsgi:application", "--bind", f"127.0.0.1:{PORT}"]
    workers = workers or os.environ.get("BENCH_HTTP_WORKERS", "4")
    threads = os.environ.get("BENCH_HTTP_THREADS", "1")
    worker_class = os.environ.get("BENCH_HTTP_WORKER_CLASS", "sync")
    command += [
        # The application is imported once, before the port is bound, and the workers are forked from it: without
        # this the port accepted while every worker was still importing Django (~2 CPU-seconds each), and on a
        # 2-core machine those first seconds were charged to the ballots.
        "--preload",
        "--workers",
        workers,
        "--worker-class",
        worker_class,
        "--threads",
        threads,
        "--keep-alive",
        "30",
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


Job = tuple[str, str, dict[str, str]]  # (path, JSON body, headers) of one POST


def _client(jobs: queue.Queue[Job], counts: dict[int, int], lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    mine: dict[int, int] = {}
    while True:
        try:
            url, body, headers = jobs.get_nowait()
        except queue.Empty:
            break
        try:
            conn.request("POST", url, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            status = 0
        mine[status] = mine.get(status, 0) + 1
    conn.close()
    with lock:
        for status, n in mine.items():
            counts[status] = counts.get(status, 0) + n


def post_all(jobs: list[Job], clients: int = CLIENTS) -> tuple[float, dict[int, int]]:
    """POST every job, in order, from `clients` keep-alive connections; (seconds of wall time, responses by
    status, 0 for a failed connection)."""
    waiting: queue.Queue[Job] = queue.Queue()
    for job in jobs:
        waiting.put(job)
    counts: dict[int, int] = {}
    lock = threading.Lock()
    threads = [threading.Thread(target=_client, args=(waiting, counts, lock)) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started, counts


def _ballot(vote_id: int, token: str, dwelling_id: int) -> Job:
    body = json.dumps({"dwelling_id": dwelling_id, "choice": "yes" if dwelling_id % 3 else "no"})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return f"/api/v1/votes/{vote_id}/ballots", body, headers


def bench_ballot_cast() -> dict[str, float]:
    from django.db import connections

    from gongzhi.voting.models import Ballot

    vote, _admin = _open_vote()
    voters = _voters(vote, _admin)
    jobs: list[Job] = []
    for n, (token, dwelling_id) in enumerate(voters):
        jobs.append(_ballot(vote.pk, token, dwelling_id))
        if n % 10 == 0:
            jobs.append(_ballot(vote.pk, token, dwelling_id))  # the same owner again: refused, never counted
    connections.close_all()  # the server's workers get the database to themselves
    server = start_server()
    try:
        seconds, counts = post_all(jobs)
    finally:
        server.terminate()
        server.wait(timeout=30)
    accepted = counts.get(201, 0)
    stored = Ballot.objects.filter(vote=vote).count()
    print(
        f"bench: {len(voters)} owners, responses {sorted(counts.items())} in {seconds:.1f} s", file=sys.stderr
    )
    return {"ballot_cast_per_s": round(accepted / seconds, 1), "ballot_lost": accepted - stored}
