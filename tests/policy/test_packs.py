"""Policy packs: loading and validation, effective-policy order, local overrides (catalogue §5 #39)."""

from __future__ import annotations

import re
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import InvalidInput
from gongzhi.policy.apps import check_policy_packs
from gongzhi.policy.effective import UnknownPolicyKey
from gongzhi.policy.models import PolicyOverride
from gongzhi.policy.packs import (
    CITY_PACKS,
    PACK_CODES,
    PACKS_DIR,
    PackError,
    get_packs,
    load_packs,
    pack_meta,
    pack_policy,
)
from gongzhi.policy.selectors import effective_policy, policy_overrides_on
from gongzhi.policy.services import policy_override_set, policy_override_withdraw
from gongzhi.tree import services as tree

CATALOGUE = Path("/work/shared/spec/rules_catalogue.md")


# --- Loading and validation ----------------------------------------------------------------------------


def test_every_pack_loads_with_meta():
    packs = load_packs()
    assert set(packs) == set(PACK_CODES)
    assert all(p.meta.status and p.meta.document and p.values for p in packs.values())


def test_draft_status_recorded_for_draft_documents_5_40():
    """§5 #40: HZ is a 报批稿 and BZ a 征求意见稿; the packs say so."""
    packs = get_packs()
    assert "报批稿" in packs["huzhou"].meta.status and "征求意见稿" in packs["binzhou"].meta.status


def test_section_4_1_owners_committee_rows_present_in_city_packs():
    packs = get_packs()
    assert packs["huzhou"].values["owners_committee.size.max"][0].clause == "HZ-A.2.1.1"
    assert packs["cangzhou"].values["owners_committee.size.max"][0].clause == "CZ-II.3#1"
    assert packs["ningbo"].values["owners_committee.size.equals_rules_size"][0].clause == "NB-2.8.1"
    assert packs["huzhou"].values["owners_committee.party_share.min"][1] == Fraction(13, 20)


@pytest.mark.skipif(not CATALOGUE.exists(), reason="catalogue not available on this machine")
def test_every_cited_city_clause_is_a_catalogue_entry():
    headings = set(re.findall(r"^#### (\S+) — ", CATALOGUE.read_text(encoding="utf-8"), re.M))
    for pack in get_packs().values():
        for key, (entry, _value) in pack.values.items():
            for clause in (entry.clause, *entry.also):
                if clause[:3] in ("HZ-", "CZ-", "NB-", "BZ-"):
                    assert clause in headings, f"{pack.code}: {key}: {clause}"


@pytest.fixture
def pack_dir(tmp_path):
    for code in PACK_CODES:
        shutil.copy(PACKS_DIR / f"{code}.yaml", tmp_path / f"{code}.yaml")
    return tmp_path


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_unknown_key_names_file_key_and_problem(pack_dir):
    _append(
        pack_dir / "huzhou.yaml",
        "  owners_comittee.size.max: {value: 11, clause: HZ-A.2.1.1, force: shall}\n",
    )
    with pytest.raises(PackError) as err:
        load_packs(pack_dir)
    assert (Path(err.value.file).name, err.value.key) == ("huzhou.yaml", "owners_comittee.size.max")
    assert "unknown policy key" in str(err.value)


def test_wrong_value_type_names_file_key_and_problem(pack_dir):
    _append(pack_dir / "ningbo.yaml", "  vote.online_allowed: {value: maybe, clause: NB-2.3.3, force: may}\n")
    with pytest.raises(PackError) as err:
        load_packs(pack_dir)
    assert "ningbo.yaml" in err.value.file and err.value.key == "vote.online_allowed"
    assert "wrong value type" in err.value.problem


def test_float_ratio_is_refused(pack_dir):
    _append(pack_dir / "binzhou.yaml", '  vote.meeting.pass: {value: 0.5, clause: "§5#9", force: default}\n')
    with pytest.raises(PackError, match="exact fraction"):
        load_packs(pack_dir)


def test_bad_force_names_the_field(pack_dir):
    _append(
        pack_dir / "cangzhou.yaml", '  vote.online_allowed: {value: true, clause: "§5#15", force: must}\n'
    )
    with pytest.raises(PackError) as err:
        load_packs(pack_dir)
    assert err.value.key == "vote.online_allowed" and "force" in err.value.problem


def test_bad_clause_id_is_refused(pack_dir):
    _append(
        pack_dir / "cangzhou.yaml", "  vote.online_allowed: {value: true, clause: Article 5, force: may}\n"
    )
    with pytest.raises(PackError, match="not a clause ID"):
        load_packs(pack_dir)


def test_duplicate_key_is_refused(pack_dir):
    _append(
        pack_dir / "huzhou.yaml",
        "  owners_committee.size.max: {value: 9, clause: HZ-A.2.1.1, force: shall}\n",
    )
    with pytest.raises(PackError) as err:
        load_packs(pack_dir)
    assert err.value.key == "owners_committee.size.max" and "duplicate key" in err.value.problem


def test_broken_yaml_names_the_file(pack_dir):
    _append(pack_dir / "huzhou.yaml", "  broken: {value: [1, 2\n")
    with pytest.raises(PackError) as err:
        load_packs(pack_dir)
    assert "huzhou.yaml" in str(err.value) and "YAML" in err.value.problem


def test_missing_meta_field(pack_dir):
    path = pack_dir / "binzhou.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  version:", "  versoin:"), encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_packs(pack_dir)
    assert err.value.key.startswith("meta.")


def test_city_may_not_loosen_national_shall_bound_law_pmr(pack_dir):
    """national_law.md: a city pack may tighten national law, nothing may loosen it (OC ≤ 11, LAW-PMR)."""
    _append(
        pack_dir / "ningbo.yaml",
        "  owners_committee.size.max: {value: 13, clause: NB-2.8.1, force: descriptive}\n",
    )
    with pytest.raises(PackError, match="loosens the national bound 11"):
        load_packs(pack_dir)


def test_start_up_fails_with_improperly_configured(monkeypatch, pack_dir):
    from django.apps import apps

    _append(pack_dir / "huzhou.yaml", "  nonsense.key: {value: 1, clause: HZ-1, force: shall}\n")
    monkeypatch.setattr("gongzhi.policy.packs.PACKS_DIR", pack_dir)
    get_packs.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="nonsense.key"):
            apps.get_app_config("policy").ready()
        assert check_policy_packs()[0].id == "policy.E001"
    finally:
        monkeypatch.undo()
        get_packs.cache_clear()


def test_system_check_passes_on_shipped_packs():
    assert check_policy_packs() == []


# --- Effective policy ------------------------------------------------------------------------------------


def test_national_then_city_restating_keeps_shall_and_both_clauses():
    value = pack_policy("huzhou").get("owners_committee.size.max")
    assert (value.value, value.force, value.source, value.clauses) == (
        11,
        "shall",
        "huzhou",
        ("HZ-A.2.1.1", "LAW-PMR"),
    )


def test_city_value_replaces_national_default_5_1():
    assert pack_policy("binzhou").value("vote.tie_passes") is False
    assert pack_policy("huzhou").get("vote.tie_passes").source == "national"


def test_unknown_key_raises():
    with pytest.raises(UnknownPolicyKey):
        pack_policy("huzhou").get("owners_committee.sizee")


@pytest.mark.django_db
def test_effective_policy_uses_nearest_ancestor_pack(small_tree, actor, django_assert_num_queries):
    compound = small_tree["compound"]
    with django_assert_num_queries(2):
        policy = effective_policy(compound)
    assert policy.pack == "huzhou" and policy.get("owners_committee.party_share.min").source == "huzhou"
    tree.node_update(actor=actor, node=small_tree["community"], policy_pack="ningbo")
    assert effective_policy(compound).pack == "ningbo"
    assert effective_policy(small_tree["street"]).pack == "huzhou"


@pytest.mark.django_db
def test_effective_policy_without_any_pack_is_national(actor):
    root = tree.node_create(actor=actor, parent=None, name="某区", level="district")
    assert (
        effective_policy(root).pack == ""
        and effective_policy(root).get("owners_committee.size.max").source == "national"
    )


# --- Overrides ---------------------------------------------------------------------------------------------


KEY = "owners_committee.term_years.max"  # HZ-A.3.1.3: 具体由业主大会决定 → delegable


@pytest.mark.django_db
def test_override_on_delegable_key_applies_below_and_is_audited_hz_a_3_1_3(small_tree, actor):
    override = policy_override_set(
        actor=actor, node=small_tree["compound"], key=KEY, value=4, reason="业主大会议事规则第8条"
    )
    value = effective_policy(small_tree["building"]).get(KEY)
    assert (value.value, value.source, value.clause, value.override_id) == (
        4,
        "override",
        "HZ-A.3.1.3",
        override.pk,
    )
    assert effective_policy(small_tree["community"]).get(KEY).value == 5
    entry = AuditEntry.objects.get(action="policy.override_set")
    assert (entry.object_id, entry.before["value"], entry.after["value"]) == (str(override.pk), 5, 4)


@pytest.mark.django_db
def test_override_on_non_delegable_key_refused(small_tree, actor):
    with pytest.raises(InvalidInput) as err:
        policy_override_set(
            actor=actor, node=small_tree["compound"], key="owners_committee.size.max", value=9, reason="local"
        )
    assert err.value.code == "not_delegable"
    assert (
        not PolicyOverride.objects.exists()
        and not AuditEntry.objects.filter(action__startswith="policy.").exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        (KEY, "four", "value_invalid"),
        (KEY, 6, "loosens_law"),
        ("no.such.key", 1, "key_invalid"),
        ("vote.tie_passes", 1, "value_invalid"),
    ],
)
def test_override_value_validated(small_tree, actor, key, value, code):
    with pytest.raises(InvalidInput) as err:
        policy_override_set(actor=actor, node=small_tree["compound"], key=key, value=value, reason="r")
    assert err.value.code == code and not PolicyOverride.objects.exists()


@pytest.mark.django_db
def test_override_needs_a_reason(small_tree, actor):
    with pytest.raises(InvalidInput):
        policy_override_set(actor=actor, node=small_tree["compound"], key=KEY, value=4, reason="  ")


@pytest.mark.django_db
def test_deepest_override_wins(small_tree, actor):
    policy_override_set(actor=actor, node=small_tree["community"], key=KEY, value=4, reason="社区决定")
    policy_override_set(actor=actor, node=small_tree["compound"], key=KEY, value=3, reason="小区议事规则")
    assert effective_policy(small_tree["stairwell"]).value(KEY) == 3
    assert effective_policy(small_tree["community"]).value(KEY) == 4


@pytest.mark.django_db
def test_setting_again_replaces_the_active_override(small_tree, actor):
    first = policy_override_set(actor=actor, node=small_tree["compound"], key=KEY, value=4, reason="a")
    second = policy_override_set(actor=actor, node=small_tree["compound"], key=KEY, value=3, reason="b")
    first.refresh_from_db()
    assert first.withdrawn_at is not None and list(policy_overrides_on(small_tree["compound"])) == [second]


@pytest.mark.django_db
def test_fraction_override_stored_exactly(small_tree, actor):
    override = policy_override_set(
        actor=actor, node=small_tree["compound"], key="vote.meeting.pass", value="2/3", reason="议事规则"
    )
    assert override.value == "2/3" and effective_policy(small_tree["compound"]).value(
        "vote.meeting.pass"
    ) == Fraction(2, 3)


@pytest.mark.django_db
def test_withdrawal_restores_pack_value_and_is_audited(small_tree, actor):
    override = policy_override_set(actor=actor, node=small_tree["compound"], key=KEY, value=4, reason="r")
    policy_override_withdraw(actor=actor, override=override)
    value = effective_policy(small_tree["compound"]).get(KEY)
    assert (value.value, value.source) == (5, "huzhou")
    assert (
        AuditEntry.objects.filter(action="policy.override_withdrawn", object_id=str(override.pk)).count() == 1
    )


@pytest.mark.django_db
def test_withdrawing_twice_refused(small_tree, actor):
    override = policy_override_set(actor=actor, node=small_tree["compound"], key=KEY, value=4, reason="r")
    policy_override_withdraw(actor=actor, override=override)
    with pytest.raises(InvalidInput):
        policy_override_withdraw(actor=actor, override=override)
    assert AuditEntry.objects.filter(action="policy.override_withdrawn").count() == 1


@pytest.mark.django_db
def test_overrides_shown_in_entries(small_tree, actor):
    policy_override_set(actor=actor, node=small_tree["compound"], key=KEY, value=4, reason="r")
    policy = effective_policy(small_tree["compound"])
    assert [v.key for v in policy.overrides()] == [KEY] and KEY in {v.key for v in policy.entries()}


def test_city_packs_constant_unchanged():
    assert CITY_PACKS == ("huzhou", "cangzhou", "ningbo", "binzhou")


def test_value_text_for_display():
    policy = pack_policy("huzhou")
    assert policy.get("owners_committee.party_share.min").value_text == "13/20 (65%)"
    assert policy.get("owners_supervisory_committee.sizes").value_text == "3, 5"
    assert policy.get("owners_committee.size.odd").value_text == "✓"


def test_pack_meta_and_unknown_city_code():
    assert pack_meta("ningbo").name_zh == "宁波市" and pack_meta("nowhere") is None
    assert pack_policy("nowhere").get("owners_committee.size.max").source == "national"


@pytest.mark.django_db
def test_ningbo_term_set_by_assembly_rules_may_be_tightened_not_loosened_nb_2_8_1(small_tree, actor):
    tree.node_update(actor=actor, node=small_tree["community"], policy_pack="ningbo")
    policy_override_set(
        actor=actor, node=small_tree["compound"], key=KEY, value=3, reason="议事规则: 任期3年"
    )
    assert effective_policy(small_tree["compound"]).get(KEY).clauses[0] == "NB-2.8.1"
    with pytest.raises(InvalidInput):
        policy_override_set(actor=actor, node=small_tree["compound"], key=KEY, value=6, reason="x")
