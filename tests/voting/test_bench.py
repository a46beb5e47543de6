"""The benchmark's vote (bench/run.py: tally_5000_ms, tally_cli_ms) is a valid document that exercises every
path of the count; the timing itself is only in the benchmark."""

from __future__ import annotations

import json
from collections import Counter

from gongzhi.voting.bench import bench_document
from gongzhi.voting.recount import parse, recount
from gongzhi.voting.thresholds import pack_thresholds


def test_bench_document_is_valid_and_has_every_kind_of_rejection():
    doc = bench_document(1000)
    request = parse(json.dumps(doc))
    assert len(request.dwellings) == len(request.ballots) == 1000
    out = recount(json.dumps(doc), pack_thresholds())
    codes = Counter(r["reason"].split(":")[0] for r in out["rejected"])
    assert {"voter_not_owner", "unknown_dwelling", "person_conflict"} <= set(codes)
    assert out["headcount"]["total"] < 1000  # unsold dwellings and second homes merge persons (LAW-SPC-9)
    assert out["quorum_met"]
