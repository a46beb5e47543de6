"""Export benchmark: the watermarked roster of the largest street, made in memory as a download would be.

Runs the operator's path (exports.services.export_by_operator): the same row readers, masking and workbook
writer as an approved download, without setting up users. Reports rows per second and the file size.

    from gongzhi.exports.bench import bench_export
    bench_export()  # {"export_street_rows_per_s": "…", "export_street_rows": "…", "export_street_mb": "…"}
"""

from __future__ import annotations

import time

from django.db.models import Count
from django.db.models.functions import Substr

from gongzhi.tree.levels import Level
from gongzhi.tree.models import Dwelling, Node

MB = 1024 * 1024


def largest(level: str) -> Node | None:
    """The node of `level` with the most dwellings under it (one grouped query over dwellings' paths)."""
    step = Node.steplen
    depth = {Level.DISTRICT: 1, Level.STREET: 2}[Level(level)]
    counts = (
        Dwelling.objects.annotate(prefix=Substr("path", 1, depth * step))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    top = counts.first()
    return Node.objects.filter(path=top["prefix"]).first() if top else None


def bench_export() -> dict[str, str]:
    from gongzhi.exports.services import export_by_operator

    street = largest(Level.STREET)
    if street is None:
        return {}
    started = time.perf_counter()
    made = export_by_operator(node=street, purpose="基准测试：街道花名册导出耗时")
    seconds = time.perf_counter() - started
    rows = made.counts["dwellings"] + made.counts["people"]
    return {
        "export_street_rows": str(rows),
        "export_street_rows_per_s": str(round(rows / seconds)),
        "export_street_mb": f"{len(made.content) / MB:.1f}",
    }
