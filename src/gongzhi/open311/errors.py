"""GeoReport v2 errors: a list of {code, description}, code being the HTTP status, the description translated."""

from __future__ import annotations

from typing import Any

from gongzhi.core.errors import GongzhiError


class Open311Error(Exception):
    """A 4xx answered in the GeoReport error format. `key` is our stable code (logs and tests), not sent."""

    def __init__(self, status: int, message: Any, key: str = "") -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message
        self.key = key

    @classmethod
    def from_gongzhi(cls, exc: GongzhiError) -> Open311Error:
        """A service's or access function's refusal, with its status and its message in the caller's language."""
        return cls(exc.status, exc.message, exc.code)

    def records(self) -> list[dict[str, Any]]:
        return [{"code": self.status, "description": str(self.message)}]
