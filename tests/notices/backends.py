"""SMS backends named by dotted path in the tests (GONGZHI_SMS_BACKEND); read SENT through the same path."""

from __future__ import annotations

from typing import Any

SENT: list[dict[str, Any]] = []


class RecordingBackend:
    """A stand-in gateway."""

    def send(self, *, phone: str, text: str, recipient: Any = None, notice: Any = None) -> None:
        SENT.append({"phone": phone, "text": text, "notice": notice.pk if notice else None})


class BrokenBackend:
    def send(self, **kwargs: Any) -> None:
        raise ConnectionError("gateway down")
