"""The one error type of the appeal rules (ladder, lifecycle, workdays, deadlines). Pure Python: no Django import.

`code` is stable (API clients, tests, the message table in appeals.labels.RULE_MESSAGES); `kind` says which
4xx it becomes (invalid → 400, forbidden → 403, conflict → 409); `clause` names the rule that refused, when one
did. appeals.labels.user_error turns it into a gongzhi.core.errors error with a translated message.
"""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal["invalid", "forbidden", "conflict"]


class AppealRuleError(Exception):
    def __init__(self, code: str, *, kind: Kind = "invalid", clause: str = "", **params: Any) -> None:
        super().__init__(f"{code}{f' ({clause})' if clause else ''}")
        self.code = code
        self.kind: Kind = kind
        self.clause = clause
        self.params = params
