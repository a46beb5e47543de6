"""The watermark of an exported file: who exported, when (Asia/Shanghai), why, the request number and who
approved it (CZ-VI.3 accountability tracing). Pure Python: facts in, roster.workbook.Watermark out.

The text is fixed Chinese whatever the user's language, like the roster template itself: a file that leaks is
read by whoever finds it, and the platform's users and auditors read Chinese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from gongzhi.roster.workbook import Watermark

LOCAL = ZoneInfo("Asia/Shanghai")  # catalogue §5 #16
OPERATOR = "服务器命令行（运维操作）"
PURPOSE_SHOWN = 120  # in the band and printed footer; the document properties carry it in full


@dataclass(frozen=True)
class Facts:
    number: str  # the request number, or OPERATOR for the command line
    exported_by: str  # "name (user name) · role"
    exported_at: dt.datetime  # aware
    purpose: str
    approved_by: str  # "name (user name) · role", or OPERATOR
    unit: str  # the exported subtree, e.g. "吴兴区 / 月河街道 / 月河社区"
    clear_identifiers: bool


def local_time(at: dt.datetime) -> str:
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S") + "（北京时间）"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def watermark(facts: Facts) -> Watermark:
    when = local_time(facts.exported_at)
    identifiers = "含完整身份证号和电话" if facts.clear_identifiers else "身份证号和电话已脱敏"
    band = (
        f"申请号：{facts.number}｜导出人：{facts.exported_by}｜导出时间：{when}｜"
        f"用途：{_short(facts.purpose, PURPOSE_SHOWN)}｜审批人：{facts.approved_by}｜范围：{facts.unit}｜"
        f"{identifiers}｜仅限上述用途使用，不得转发、复制或超期留存（CZ-VI.3，个人信息保护法）"
    )
    return Watermark(
        band=band,
        header=f"共治导出 {facts.number} · {facts.exported_by} · {when}",
        footer=f"用途：{_short(facts.purpose, 60)} · 审批人：{facts.approved_by}",
        title=f"共治导出 {facts.number} {facts.unit}",
        subject=facts.purpose,
        creator=facts.exported_by,
        keywords=f"{facts.number} 个人信息 经审批导出",
        custom={
            "申请号": facts.number,
            "导出人": facts.exported_by,
            "导出时间": when,
            "用途": facts.purpose,
            "审批人": facts.approved_by,
            "范围": facts.unit,
        },
    )
