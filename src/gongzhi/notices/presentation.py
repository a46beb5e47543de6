"""A notice as shown: its sentence in the active language and its link."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gongzhi.notices.delivery import notice_url
from gongzhi.notices.messages import render
from gongzhi.notices.models import Notice


@dataclass(frozen=True)
class Shown:
    notice: Notice
    text: str
    url: str

    @property
    def unread(self) -> bool:
        return self.notice.read_at is None


def shown(notices: Iterable[Notice]) -> list[Shown]:
    return [Shown(n, render(n.message, n.params), notice_url(n)) for n in notices]
