"""Roster import benchmark: a `rows`-row workbook imported into a fresh community (target: issue §8).

Half the rows are dwellings (房屋), half people (人员: one owner who lives there and represents the household).
A new community is made for every run (via tree.services, under a benchmark street), so the import always
creates everything; its compounds, buildings and stairwells are created by the import itself (create_structure).
The import runs in a child interpreter (python -m gongzhi.roster.bench FILE): wall time covers `roster_import` only (reading, checking, writing,
auditing), and peak memory is that process's ru_maxrss, which includes the interpreter and Django.

    from gongzhi.roster.bench import bench_import
    bench_import(100_000)  # {"import_rows_per_s": "…", "import_peak_mb": "…", ...}
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from gongzhi.people import idcard
from gongzhi.roster.columns import DWELLING_COLUMNS, PEOPLE_COLUMNS

DISTRICT = ("基准测试区", "339901")  # fictitious codes: not in the national division list
STREET = ("基准测试街道", "339901001000")
FLOORS, PER_FLOOR, STAIRWELLS, BUILDINGS = 30, 4, 2, 20  # a high-rise compound: 4,800 dwellings
KB = 1024


def _bench_community() -> str:
    """A new community under the benchmark street (created through tree.services); returns its code.

    Its three last digits also make the people's ID numbers of this run unique (see write_bench_workbook)."""
    from gongzhi.tree import services as tree
    from gongzhi.tree.levels import Level
    from gongzhi.tree.models import Node

    district = Node.objects.filter(code=DISTRICT[1]).first() or tree.node_create(
        actor=None, parent=None, name=DISTRICT[0], level=Level.DISTRICT, code=DISTRICT[1]
    )
    street = Node.objects.filter(code=STREET[1]).first() or tree.node_create(
        actor=None, parent=district, name=STREET[0], level=Level.STREET, code=STREET[1]
    )
    taken = set(Node.objects.filter(code__startswith=STREET[1][:9]).values_list("code", flat=True))
    number = next(n for n in range(1, 1000) if f"{STREET[1][:9]}{n:03d}" not in taken)
    code = f"{STREET[1][:9]}{number:03d}"
    tree.node_create(
        actor=None, parent=street, name=f"基准测试社区{number}", level=Level.COMMUNITY, code=code
    )
    return code


def _place(i: int) -> tuple[str, str, str, str]:
    per_stairwell = FLOORS * PER_FLOOR
    stairwell, within = divmod(i, per_stairwell)
    building, stairwell = divmod(stairwell, STAIRWELLS)
    compound, building = divmod(building, BUILDINGS)
    floor, door = divmod(within, PER_FLOOR)
    return f"第{compound + 1}小区", f"{building + 1}幢", f"{stairwell + 1}单元", f"{floor + 1}{door + 1:02d}"


def write_bench_workbook(path: Path, code: str, rows: int) -> None:
    """`rows` data rows in the roster template (openpyxl write-only, streamed)."""
    from openpyxl import Workbook

    dwellings, people = rows - rows // 2, rows // 2
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("房屋")
    ws.append([c.header for c in DWELLING_COLUMNS])
    for i in range(dwellings):
        compound, building, stairwell, number = _place(i)
        area = Decimal(60 + i % 90) + Decimal(i % 100) / 100
        ws.append([code, compound, building, stairwell, number, int(number[:-2]), "住宅", area, "不动产登记",
                   "是", "是", ""])  # fmt: skip
    ws = wb.create_sheet("人员")
    ws.append([c.header for c in PEOPLE_COLUMNS])
    first_birth = dt.date(1940, 1, 1)
    for i in range(people):
        compound, building, stairwell, number = _place(i)
        id_number = idcard.make(f"33{code[-4:]}", first_birth + dt.timedelta(days=i // 1000), i % 1000)
        ws.append([code, compound, building, stairwell, number, f"住户{i}", id_number, f"139{i:08d}", "业主", "是",
                   "是", "2015-06-01", "2015-07-01", "否", ""])  # fmt: skip
    wb.save(path)


def _child(path: str) -> None:
    """Runs in a fresh interpreter (`python -m gongzhi.roster.bench FILE`): import, print one JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()
    from gongzhi.roster.services import roster_import

    start = time.perf_counter()
    result = roster_import(actor=None, source=Path(path))
    seconds = time.perf_counter() - start
    errors = [f"{e.sheet} {e.row} {e.column} {e.code}" for e in result.errors[:5]]
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": seconds, "peak_kb": peak_kb, "counts": result.counts, "errors": errors}))


def bench_import(rows: int = 100_000) -> dict[str, str]:
    """Import a `rows`-row workbook into a new community; rows/s over the whole import and peak RSS in MB."""
    code = _bench_community()
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as tmp:
        path = Path(tmp) / "roster.xlsx"
        write_bench_workbook(path, code, rows)
        # A child interpreter, so its peak RSS is the import's alone (plus Python and Django), not the parent's.
        child = subprocess.run(
            [sys.executable, "-m", "gongzhi.roster.bench", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
    if child.returncode != 0:
        raise RuntimeError(f"benchmark import failed: {child.stderr[-2000:]}")
    report = json.loads(child.stdout.strip().splitlines()[-1])
    seconds, max_rss_kb, counts, errors = (
        report["seconds"],
        report["peak_kb"],
        report["counts"],
        report["errors"],
    )
    if errors:
        raise RuntimeError(f"benchmark import rejected: {errors}")
    return {
        "import_rows_per_s": f"{rows / seconds:.0f}",
        "import_peak_mb": f"{max_rss_kb / KB:.0f}",
        "import_rows": str(rows),
        "import_seconds": f"{seconds:.1f}",
        "import_dwellings_created": str(counts.get("dwellings_created", 0)),
    }


if __name__ == "__main__":
    _child(sys.argv[1])
