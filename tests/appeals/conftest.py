"""Helpers for the appeal-rule tests: ladders from the shipped packs, case snapshots, policy with overrides."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from gongzhi.appeals.deadlines import SHANGHAI
from gongzhi.appeals.ladder import CityLadders, city_ladders
from gongzhi.appeals.lifecycle import Case, State, case_rules
from gongzhi.policy.packs import pack_policy

CITIES = ("binzhou", "cangzhou", "ningbo", "huzhou")
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def ladders(city: str) -> CityLadders:
    return city_ladders(pack_policy(city), city)


def case(city: str, track: str = "general", step: str | None = None, **kw: Any) -> Case:
    lad = ladders(city).ladder(track)
    kw.setdefault("state", State.SUBMITTED)
    kw.setdefault("household", "h1")
    kw.setdefault("id", 1)
    return Case(ladder=lad, step=step or lad.bottom.code, rules=case_rules(pack_policy(city)), **kw)


def policy_with(city: str, **values: Any):
    """The city's pack policy with some values replaced (keys with dots given as __)."""
    base = pack_policy(city)
    changed = {k.replace("__", "."): v for k, v in values.items()}

    def lookup(key: str):
        found = base(key)
        if key in changed:
            return replace(found, value=changed[key]) if found else _Plain(changed[key])
        return found

    return lookup


class _Plain:
    def __init__(self, value: Any) -> None:
        self.value = value
        self.clause = "§5#22"


@pytest.fixture
def now() -> dt.datetime:
    return NOW


# The machine running CI is shared: time limits per example would make property tests flaky, not stricter.
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
