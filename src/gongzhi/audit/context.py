"""The request's source IP, made available to services without passing the request down."""

from __future__ import annotations

import contextvars

current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("gongzhi_audit_ip", default=None)
