"""Benchmarks of the count (issue 5 §5): `tally_5000_ms` in process, `tally_cli_ms` as a whole `gongzhi tally`
process. Neither needs a database; bench/run.py prints them with the others."""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gongzhi.voting.recount import parse, recount
from gongzhi.voting.tally import tally_assembly
from gongzhi.voting.thresholds import pack_thresholds


def bench_document(dwellings: int = 5000, seed: int = 5) -> dict[str, Any]:
    """An owners' assembly with `dwellings` dwellings and as many ballots: co-owners (some voting twice alike,
    some disagreeing), owners of several dwellings, unsold dwellings and a few ballots to reject."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    ballots: list[dict[str, str]] = []
    for n in range(dwellings):
        owners = [f"p{n}"] if n % 10 else [f"p{n}", f"q{n}"]  # every tenth is co-owned
        if n % 50 == 1:
            owners = [f"p{n - 1}"] if (n - 1) % 10 else [f"p{n - 1}", f"q{n - 1}"]  # a second home
        unsold = n % 97 == 0
        area = f"{rng.randint(4000, 16000) // 100}.{rng.randint(0, 99):02d}"
        rows.append(
            {
                "id": f"{n // 400 + 1}-{n // 20 % 20 + 1}-{n % 20 + 101}",
                "area": area,
                "owners": ["developer"] if unsold else owners,
                "unsold": unsold,
            }
        )
    for row in rows:
        if len(ballots) >= dwellings:
            break
        choice = "abstain" if row["unsold"] else rng.choices(("yes", "no", "abstain"), weights=(6, 3, 1))[0]
        ballots.append({"dwelling": row["id"], "voter": row["owners"][0], "choice": choice})
    for index in range(0, dwellings, 250):  # duplicates, conflicts and strangers replace a few ballots
        ballots[index] = {**ballots[index], "voter": "stranger"}
        ballots[index + 1] = {**ballots[index + 1], "dwelling": "9-9-999"}
    return {"rule": "owners_assembly", "item": 5, "dwellings": rows, "ballots": ballots}


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    """The median rather than p95: on a shared machine the tail measures the neighbours, not the count."""
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_tally_ms(runs: int = 30) -> float:
    """The count itself, as the web app runs it on a roll and ballots loaded from the database."""
    request = parse(json.dumps(bench_document()))
    thresholds = pack_thresholds()
    return _median_ms(
        lambda: tally_assembly(
            item=request.item, dwellings=request.dwellings, ballots=request.ballots, thresholds=thresholds
        ),
        runs,
    )


def bench_recount_ms(runs: int = 30) -> float:
    """The whole in-process recount of the document: read and check the JSON, count, write the result."""
    text = json.dumps(bench_document())
    thresholds = pack_thresholds()
    return _median_ms(lambda: recount(text, thresholds), runs)


def gongzhi_script() -> str:
    """The installed console script next to this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("gongzhi")
    return str(beside) if beside.exists() else (shutil.which("gongzhi") or "gongzhi")


def bench_cli_ms(runs: int = 10) -> float:
    """Median wall time of `gongzhi tally FILE` as a whole process over `runs` (after one warm-up run)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vote.json"
        path.write_text(json.dumps(bench_document()), encoding="utf-8")
        command = [gongzhi_script(), "tally", str(path)]
        subprocess.run(command, check=True, capture_output=True)
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_voting() -> dict[str, float]:
    return {
        "tally_5000_ms": round(bench_tally_ms(), 1),
        "tally_recount_5000_ms": round(bench_recount_ms(), 1),
        "tally_cli_ms": round(bench_cli_ms(), 1),
    }


if __name__ == "__main__":
    for name, value in bench_voting().items():
        print(f"{name}={value}")
