"""Benchmarks at the issue's scale on PostgreSQL (`make bench`). Prints only `name=value` lines on stdout.

Recreates the database named in DATABASE_URL (default gongzhi_bench), migrates, times
`gongzhi demo --scale $BENCH_SCALE`, then measures subtree counts (p95 over random streets and districts)
and, when present, the roster import benchmark (gongzhi.roster.bench.bench_import), then the watermarked
export of the largest street (gongzhi.exports.bench.bench_export), the audit chain, ballots over HTTP, and the
appeals over a history of 2,000,000 cases (gongzhi.appeals.bench, gongzhi.appeals.http_bench).
"""

from __future__ import annotations

import importlib
import math
import os
import random
import sys
import time
from collections.abc import Callable
from urllib.parse import urlparse

import psycopg

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/gongzhi_bench"
RUNS = 50


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def emit(name: str, value: object) -> None:
    print(f"{name}={value}", flush=True)


def recreate_database(url: str) -> None:
    """DROP and CREATE the benchmark database, connected to the server's 'postgres' database."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name or name == "postgres":
        raise SystemExit("bench: DATABASE_URL must name a dedicated database such as gongzhi_bench")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    log(f"bench: recreated database {name}")


def p95_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return samples[min(len(samples) - 1, math.ceil(0.95 * len(samples)) - 1)]


def bench_demo(scale: int) -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("demo", scale=scale, stdout=sys.stderr)
    seconds = time.perf_counter() - started
    log(f"bench: demo --scale {scale} took {seconds:.1f} s")
    emit("demo_dwellings_per_s", round(scale / seconds))


def bench_subtree_counts() -> None:
    from django.db import connection

    from gongzhi.tree.models import Node
    from gongzhi.tree.selectors import dwellings_under, residents_under, subtree_counts

    rng = random.Random(7)
    for level in ("street", "district"):
        nodes = list(Node.objects.filter(level=level))
        for node in nodes:  # warm the cache once per node, as a running server would be
            subtree_counts(node)
        picks = iter([rng.choice(nodes) for _ in range(RUNS)])
        emit(f"subtree_count_{level}_ms", round(p95_ms(lambda picks=picks: subtree_counts(next(picks))), 1))
        node = nodes[0]
        with connection.cursor() as cur:
            for qs in (dwellings_under(node), residents_under(node)):
                sql, params = qs.order_by().values("path").query.sql_with_params()
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT COUNT(*) FROM ({sql}) q", params)
                log("\n".join(row[0] for row in cur.fetchall()))


def bench_scoped_list() -> None:
    from gongzhi.access.bench import bench_scoped_list as run

    for name, value in run().items():
        emit(name, value)


def bench_roster() -> None:
    try:
        module = importlib.import_module("gongzhi.roster.bench")
        bench_import = module.bench_import
    except (ImportError, AttributeError):
        log("bench: gongzhi.roster.bench.bench_import not available; skipped")
        return
    result = bench_import()
    if isinstance(result, dict):
        for name, value in result.items():
            emit(name, value)
    elif result is not None:
        for line in result:
            print(line, flush=True)


def bench_tally() -> None:
    """Issue 5 §5: the count in process and `gongzhi tally` as a whole process (no database needed)."""
    from gongzhi.voting.bench import bench_voting

    for name, value in bench_voting().items():
        emit(name, value)


def bench_audit() -> None:
    from gongzhi.audit.bench import bench_verify

    for name, value in bench_verify(int(os.environ.get("BENCH_AUDIT_ENTRIES", "200000"))).items():
        emit(name, value)


def bench_ballots() -> None:
    """Issue 5 §5: ballots cast over HTTP by 50 clients against gunicorn, and none lost."""
    from gongzhi.voting.http_bench import bench_ballot_cast

    for name, value in bench_ballot_cast().items():
        emit(name, value)


def bench_appeals() -> None:
    """Issue 4 §4: 2,000,000 historical appeals, then the work queue, the sweep and submission over HTTP."""
    from gongzhi.appeals.bench import bench_dashboard, bench_sweep, bench_work_queue, seed_history
    from gongzhi.appeals.http_bench import bench_appeal_submit

    seed_history()
    for run in (bench_dashboard, bench_work_queue, bench_sweep, bench_appeal_submit):
        for name, value in run().items():
            emit(name, value)


def main() -> None:
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("GONGZHI_DEBUG", "1")  # local benchmark: no SECRET_KEY needed
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    scale = int(os.environ.get("BENCH_SCALE", "1000000"))
    bench_tally()
    recreate_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, stdout=sys.stderr)
    bench_demo(scale)
    bench_subtree_counts()
    bench_scoped_list()
    bench_roster()
    from gongzhi.exports.bench import bench_export

    for name, value in bench_export().items():
        emit(name, value)
    bench_audit()
    bench_ballots()
    bench_appeals()


if __name__ == "__main__":
    main()
