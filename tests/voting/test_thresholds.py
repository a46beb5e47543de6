"""voting.thresholds: the fractions of LAW-CC-278 and HZ-5.1.3.2.2.5 read from the policy packs without Django."""

from __future__ import annotations

from fractions import Fraction

import pytest

from gongzhi.policy.packs import CITY_PACKS, pack_policy
from gongzhi.voting.thresholds import (
    KEYS,
    ThresholdError,
    Thresholds,
    city_codes,
    pack_thresholds,
    thresholds_from_values,
)


def test_national_pack_gives_law_cc_278_and_hz_building_fractions():
    assert pack_thresholds() == Thresholds(
        quorum_area=Fraction(2, 3),
        quorum_headcount=Fraction(2, 3),
        major_pass=Fraction(3, 4),
        ordinary_pass=Fraction(1, 2),
        ordinary_strict=True,
        building_quorum=Fraction(2, 3),
        building_pass=Fraction(1, 2),
        tie_passes=True,
    )


def test_binzhou_reads_a_tie_strictly_section_5_1_1():
    assert pack_thresholds("binzhou").tie_passes is False
    assert pack_thresholds("huzhou").tie_passes is True


@pytest.mark.parametrize("city", CITY_PACKS)
def test_same_values_as_the_validated_policy_layer(city):
    """The recount reads YAML directly; it must agree with policy.packs (validated at start-up) for every city."""
    policy = pack_policy(city)
    expected = pack_thresholds(city)
    for field, key in KEYS.items():
        value = policy.value(key)
        if value is not None:
            assert getattr(expected, field) == value, key
    if city == "huzhou":
        assert thresholds_from_values(policy.value) == expected


def test_city_codes_are_the_shipped_city_packs():
    assert city_codes() == sorted(CITY_PACKS)


def test_missing_key_is_named():
    values = {key: "1/2" for key in KEYS.values()} | {"assembly.ordinary.strict_majority": True}
    values["vote.tie_passes"] = True
    del values["vote.building.quorum"]
    with pytest.raises(ThresholdError, match="vote.building.quorum: missing"):
        thresholds_from_values(values.get)


@pytest.mark.parametrize("bad", [True, 0.5, "two thirds", "3/0", "0", "5/4", [1, 2]])
def test_bad_fraction_is_named(bad):
    values = {key: "2/3" for key in KEYS.values()} | {"assembly.ordinary.strict_majority": True}
    values["vote.tie_passes"] = True
    values["assembly.major.pass"] = bad
    with pytest.raises(ThresholdError, match="assembly.major.pass"):
        thresholds_from_values(values.get)


def test_switch_must_be_boolean():
    values = {key: "2/3" for key in KEYS.values()} | {"assembly.ordinary.strict_majority": "yes"}
    values["vote.tie_passes"] = True
    with pytest.raises(ThresholdError, match="strict_majority: expected true or false"):
        thresholds_from_values(values.get)


def test_pack_file_can_be_another_directory(tmp_path):
    from gongzhi.voting.thresholds import PACKS_DIR

    for name in ("national", "huzhou"):
        (tmp_path / f"{name}.yaml").write_text((PACKS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    text = (tmp_path / "national.yaml").read_text(encoding="utf-8")
    (tmp_path / "national.yaml").write_text(
        text.replace('{value: "3/4", clause: LAW-CC-278', '{value: "4/5", clause: LAW-CC-278')
    )
    assert pack_thresholds(packs_dir=tmp_path).major_pass == Fraction(4, 5)
