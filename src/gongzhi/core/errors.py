"""Errors raised by services and access functions, shown to users as 4xx in their language."""

from __future__ import annotations

from typing import Any


class GongzhiError(Exception):
    """Base class. `code` is stable (for API clients); `message` is already translated (lazy)."""

    code = "error"
    status = 400

    def __init__(self, message: Any, *, code: str | None = None, params: dict[str, Any] | None = None):
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.params = params or {}

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(GongzhiError):
    code = "invalid"
    status = 400


class Forbidden(GongzhiError):
    """The object is visible to the user, but this action is not theirs to take."""

    code = "forbidden"
    status = 403


class NotFound(GongzhiError):
    """Raised alike for missing and for out-of-scope objects, so a denial leaks nothing."""

    code = "not_found"
    status = 404


class Conflict(GongzhiError):
    code = "conflict"
    status = 409


class Unavailable(GongzhiError):
    """A capability of this server is missing (e.g. the PDF renderer's system libraries): not the user's fault."""

    code = "unavailable"
    status = 503
