"""Every code the pure rule modules raise has a Chinese-first message; errors map to the right 4xx."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

import gongzhi.appeals as appeals_pkg
from gongzhi.appeals.errors import AppealRuleError
from gongzhi.appeals.labels import BODY_LABELS, RULE_MESSAGES, UNOFFICIAL_CALENDAR, user_error

APP = Path(appeals_pkg.__file__).parent


def raised_codes() -> set[str]:
    found: set[str] = set()
    for path in APP.glob("*.py"):
        found |= set(re.findall(r'AppealRuleError\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_raised_code_has_a_message():
    codes = raised_codes()
    assert len(codes) > 30
    assert codes <= set(RULE_MESSAGES), codes - set(RULE_MESSAGES)


@pytest.mark.parametrize(("kind", "status"), [("invalid", 400), ("forbidden", 403), ("conflict", 409)])
def test_rule_errors_become_4xx_with_code_and_clause(kind, status):
    err = user_error(AppealRuleError("ladder_top_final", kind=kind, clause="BZ-4.1(a)"))
    assert err.status == status and err.code == "ladder_top_final"
    assert err.params == {"clause": "BZ-4.1(a)"}


def test_messages_are_chinese_first_and_english_second():
    err = user_error(AppealRuleError("date_outside_year", date="2026-12-31", year=2027))
    assert "2026-12-31" in str(err) and "2027" in str(err)
    assert re.search(r"[\u4e00-\u9fff]", str(err))
    assert re.search(r"[\u4e00-\u9fff]", str(UNOFFICIAL_CALENDAR))
    assert re.search(r"[\u4e00-\u9fff]", str(BODY_LABELS["tripartite_meeting"]))
    with translation.override("en"):
        assert (
            str(user_error(AppealRuleError("reopen_used")))
            == "The appeal was already reopened once at this level."
        )
