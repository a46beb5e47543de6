"""voting.recount in process: the JSON of issue 5 §3 in and out, and every kind of input that cannot be counted
(exit 2, with what and where). The whole-process behaviour is in test_cli.py."""

from __future__ import annotations

import io
import json

import pytest

from gongzhi.voting.recount import InputError, parse, recount, run
from gongzhi.voting.thresholds import pack_thresholds

T = pack_thresholds()


def assembly(**changes):
    doc = {
        "rule": "owners_assembly",
        "item": 5,
        "dwellings": [
            {"id": "1-2-301", "area": "89.47", "owners": ["p1"], "unsold": False},
            {"id": "1-2-302", "area": "110.53", "owners": ["p2", "p3"]},
            {"id": "1-2-401", "area": "100.00", "owners": ["dev"], "unsold": True},
        ],
        "ballots": [
            {"dwelling": "1-2-301", "voter": "p1", "choice": "yes"},
            {"dwelling": "1-2-302", "voter": "p3", "choice": "yes"},
            {"dwelling": "1-2-401", "voter": "dev", "choice": "no"},
        ],
    }
    return doc | changes


def building(**changes):
    doc = {
        "rule": "building_meeting",
        "households": ["1-2-301", "1-2-302", "1-2-401"],
        "ballots": [{"household": "1-2-301", "choice": "yes"}, {"household": "1-2-302", "choice": "no"}],
    }
    return doc | changes


def call(doc, *, lang="en", city=""):
    out, err = io.StringIO(), io.StringIO()
    text = doc if isinstance(doc, str | bytes) else json.dumps(doc)
    data = text.encode() if isinstance(text, str) else text
    code = run("-", city=city, lang=lang, stdin=io.BytesIO(data), stdout=out, stderr=err)
    return code, (json.loads(out.getvalue()) if out.getvalue() else None), err.getvalue()


def error(doc) -> str:
    code, out, err = call(doc)
    assert code == 2 and out is None, err
    assert err.startswith("gongzhi tally: ") and err.endswith("\n")
    return err.removeprefix("gongzhi tally: ").strip()


def test_assembly_result_in_the_issue_shape():
    code, out, err = call(assembly())
    assert code == 0 and err == ""
    assert list(out) == ["quorum_met", "passed", "headcount", "area", "rejected", "basis"]
    assert out == {
        "quorum_met": True,
        "passed": True,
        "headcount": {"total": 3, "participating": 3, "approving": 2},
        "area": {"total": "300.00", "participating": "300.00", "approving": "200.00"},
        "rejected": [],
        "basis": ["LAW-CC-278", "LAW-SPC-9"],
    }
    assert list(out["headcount"]) == ["total", "participating", "approving"] == list(out["area"])


def test_failed_motion_still_exits_0():
    code, out, _err = call(assembly(item=6))  # 2 of 3 is below 3/4
    assert code == 0 and out["quorum_met"] and not out["passed"]


def test_rejected_ballots_carry_index_and_a_reason_with_a_stable_code():
    ballots = assembly()["ballots"] + [
        {"dwelling": "9-9-999", "voter": "p1", "choice": "yes"},
        {"dwelling": "1-2-301", "voter": "p2", "choice": "no"},
        {"dwelling": "1-2-302", "voter": "p2", "choice": "no"},
    ]
    _code, out, _err = call(assembly(ballots=ballots))
    assert out["rejected"] == [
        {
            "index": 1,
            "reason": "dwelling_conflict: The owners of dwelling 1-2-302 chose differently, so the "
            "dwelling's ballot is void.",
        },
        {"index": 3, "reason": "unknown_dwelling: Dwelling 9-9-999 is not on the roll of this vote."},
        {"index": 4, "reason": "voter_not_owner: Voter p2 is not among the owners of dwelling 1-2-301."},
        {
            "index": 5,
            "reason": "dwelling_conflict: The owners of dwelling 1-2-302 chose differently, so the "
            "dwelling's ballot is void.",
        },
    ]
    assert [list(r) for r in out["rejected"]] == [["index", "reason"]] * 4


def test_building_result_in_the_issue_shape():
    code, out, _err = call(building())
    assert code == 0
    assert list(out) == [
        "quorum_met",
        "passed",
        "households",
        "voters",
        "yes",
        "no",
        "abstain",
        "rejected",
        "basis",
    ]
    assert out == {
        "quorum_met": True,
        "passed": True,
        "households": 3,
        "voters": 2,
        "yes": 1,
        "no": 1,
        "abstain": 0,
        "rejected": [],
        "basis": ["HZ-5.1.3.2.2.5", "LAW-CC-1259"],
    }


def test_building_tie_passes_from_the_input_or_the_city_pack():
    assert call(building(tie_passes=False))[1]["passed"] is False
    assert call(building(), city="binzhou")[1]["passed"] is False
    assert call(building(tie_passes=True), city="binzhou")[1]["passed"] is True


def test_areas_as_json_numbers_are_read_exactly():
    dwellings = [
        {"id": "a", "area": 0.1, "owners": ["p1"]},
        {"id": "b", "area": 0.2, "owners": ["p2"]},
        {"id": "c", "area": 7, "owners": ["p3"]},
    ]
    _code, out, _err = call(assembly(dwellings=dwellings, ballots=[]))
    assert out["area"]["total"] == "7.30"


def test_chinese_messages(tmp_path):
    ballots = [{"dwelling": "zz", "voter": "p1", "choice": "yes"}]
    _code, out, _err = call(assembly(ballots=ballots), lang="zh-hans")
    assert out["rejected"][0]["reason"].startswith("unknown_dwelling: 房屋 zz ")
    assert call({"rule": "x"}, lang="zh-hans")[2].startswith("gongzhi tally: rule: 必须是")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{", "not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ("", "not valid JSON: Expecting value: line 1 column 1 (char 0)"),
        (b"\xff\xfe\xfa", "not valid JSON"),
        ("[1]", "the document must be a JSON object, got [1]"),
        ({"item": 5}, "rule: is missing"),
        ({"rule": "referendum"}, 'rule: must be owners_assembly or building_meeting, got "referendum"'),
        (assembly(item=0), "item: must be a matter of LAW-CC-278, 1 to 9, got 0"),
        (assembly(item=10), "item: must be a matter of LAW-CC-278, 1 to 9, got 10"),
        (assembly(item="5"), 'item: must be a matter of LAW-CC-278, 1 to 9, got "5"'),
        (assembly(item=True), "item: must be a matter of LAW-CC-278, 1 to 9, got true"),
        (
            '{"rule": "owners_assembly", "item": 5.0, "dwellings": [], "ballots": []}',
            "item: must be a matter of LAW-CC-278, 1 to 9, got 5.0",
        ),
        (assembly(votes=[]), "votes: is not a known field"),
        ({"rule": "owners_assembly", "item": 1, "ballots": []}, "dwellings: is missing"),
        (assembly(dwellings={}), "dwellings: must be a list, got {}"),
        (assembly(ballots=None), "ballots: must be a list, got null"),
        (building(households="1-2-301"), 'households: must be a list, got "1-2-301"'),
        (building(tie_passes="yes"), 'tie_passes: must be true or false, got "yes"'),
        (building(households=["a", "b", "a"]), 'households[2]: duplicate household id "a"'),
        (building(households=["a", 3]), "households[1]: must be a non-empty string, got 3"),
        (building(ballots=[{"household": "a"}]), "ballots[0].choice: is missing"),
        (
            building(ballots=[{"household": "a", "choice": "Yes"}]),
            'ballots[0].choice: must be yes, no or abstain, got "Yes"',
        ),
    ],
)
def test_malformed_documents(doc, message):
    assert error(doc).startswith(message)


def dwelling_error(index, **fields):
    dwellings = assembly()["dwellings"]
    dwellings[index] = {key: value for key, value in (dwellings[index] | fields).items() if value is not ...}
    return error(assembly(dwellings=dwellings))


@pytest.mark.parametrize(
    "area",
    ["1.234", "-1", "-0.01", "abc", "", "1.", ".5", "1e3", "+1", " 1", "1,5", "١٢", True, None, [], -3],
)
def test_bad_area_is_named_with_its_place(area):
    message = dwelling_error(1, area=area)
    assert message.startswith(
        "dwellings[1].area: must be a non-negative number with at most two decimals, got "
    )


@pytest.mark.parametrize("text", ["1.234", "-1.5", "1e3", "1E-2", "NaN", "Infinity", "-Infinity"])
def test_bad_area_as_a_json_number_is_shown_as_written(text):
    doc = json.dumps(assembly()).replace('"area": "89.47"', f'"area": {text}')
    assert (
        error(doc)
        == f"dwellings[0].area: must be a non-negative number with at most two decimals, got {text}"
    )


@pytest.mark.parametrize("area", ["0", "0.00", "7", "12.5", "89.47", "100000000.99", 0, 12])
def test_good_areas(area):
    assert call(assembly(dwellings=[{"id": "a", "area": area, "owners": ["p"]}], ballots=[]))[0] == 0


@pytest.mark.parametrize(
    ("index", "fields", "message"),
    [
        (2, {"id": "1-2-301"}, 'dwellings[2].id: duplicate dwelling id "1-2-301"'),
        (0, {"id": ""}, 'dwellings[0].id: must be a non-empty string, got ""'),
        (0, {"id": 301}, "dwellings[0].id: must be a non-empty string, got 301"),
        (1, {"owners": "p2"}, 'dwellings[1].owners: must be a list, got "p2"'),
        (1, {"owners": ["p2", None]}, "dwellings[1].owners[1]: must be a non-empty string, got null"),
        (0, {"unsold": "no"}, 'dwellings[0].unsold: must be true or false, got "no"'),
        (0, {"area": ...}, "dwellings[0].area: is missing"),
        (0, {"owner": ["p1"]}, "dwellings[0].owner: is not a known field"),
    ],
)
def test_bad_dwellings(index, fields, message):
    assert dwelling_error(index, **fields) == message


def test_a_dwelling_that_is_not_an_object():
    assert (
        error(assembly(dwellings=[["a", "1", []]])) == 'dwellings[0]: must be an object, got ["a", "1", []]'
    )


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        ({"dwelling": "1-2-301", "voter": "p1"}, "ballots[3].choice: is missing"),
        (
            {"dwelling": "1-2-301", "voter": "p1", "choice": "maybe"},
            'ballots[3].choice: must be yes, no or abstain, got "maybe"',
        ),
        (
            {"dwelling": "1-2-301", "voter": "p1", "choice": ["yes"]},
            'ballots[3].choice: must be yes, no or abstain, got ["yes"]',
        ),
        (
            {"dwelling": 301, "voter": "p1", "choice": "yes"},
            "ballots[3].dwelling: must be a non-empty string, got 301",
        ),
        (
            {"dwelling": "1-2-301", "voter": "", "choice": "yes"},
            'ballots[3].voter: must be a non-empty string, got ""',
        ),
        (
            {"dwelling": "1-2-301", "voter": "p1", "choice": "yes", "time": 1},
            "ballots[3].time: is not a known field",
        ),
        ("yes", 'ballots[3]: must be an object, got "yes"'),
    ],
)
def test_bad_ballots(ballot, message):
    assert error(assembly(ballots=[*assembly()["ballots"], ballot])) == message


def test_long_values_are_shortened_in_messages():
    message = error(assembly(dwellings=[{"id": "x" * 200, "area": "1", "owners": "p"}]))
    assert message.startswith('dwellings[0].owners: must be a list, got "p"')
    assert len(error(assembly(item="9" * 200))) < 120


def test_unknown_city_and_unreadable_file(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert run("-", city="shanghai", lang="en", stdin=io.BytesIO(b"{}"), stdout=out, stderr=err) == 2
    assert err.getvalue() == "gongzhi tally: --city: must be one of binzhou, cangzhou, huzhou, ningbo\n"
    err = io.StringIO()
    missing = tmp_path / "none.json"
    assert run(str(missing), lang="en", stdin=io.BytesIO(), stdout=out, stderr=err) == 2
    assert err.getvalue() == f"gongzhi tally: {missing}: cannot be read: No such file or directory\n"
    assert out.getvalue() == ""


def test_parse_raises_input_error_with_place():
    with pytest.raises(InputError) as info:
        parse(json.dumps(assembly(item=11)))
    assert info.value.where == "item"


def test_recount_equals_the_pure_tally():
    from gongzhi.voting.tally import tally_assembly

    request = parse(json.dumps(assembly()))
    result = tally_assembly(item=5, dwellings=request.dwellings, ballots=request.ballots, thresholds=T)
    assert recount(json.dumps(assembly()), T)["passed"] is result.passed is True


def test_explain_adds_the_comparisons_after_the_issue_keys():
    out, err = io.StringIO(), io.StringIO()
    data = json.dumps(assembly(item=7)).encode()
    assert run("-", lang="en", explain=True, stdin=io.BytesIO(data), stdout=out, stderr=err) == 0
    result = json.loads(out.getvalue())
    assert list(result)[-1] == "comparisons" and list(result)[:-1] == list(call(assembly(item=7))[1])
    assert result["comparisons"] == [
        {
            "name": "quorum.area",
            "value": "300.00",
            "op": ">=",
            "share": "2/3",
            "base": "300.00",
            "met": True,
            "clause": "LAW-CC-278",
        },
        {
            "name": "quorum.headcount",
            "value": 3,
            "op": ">=",
            "share": "2/3",
            "base": 3,
            "met": True,
            "clause": "LAW-CC-278",
        },
        {
            "name": "pass.area",
            "value": "200.00",
            "op": ">=",
            "share": "3/4",
            "base": "300.00",
            "met": False,
            "clause": "LAW-CC-278",
        },
        {
            "name": "pass.headcount",
            "value": 2,
            "op": ">=",
            "share": "3/4",
            "base": 3,
            "met": False,
            "clause": "LAW-CC-278",
        },
    ]


def test_explain_for_a_building_meeting():
    result = recount(json.dumps(building(tie_passes=False)), T, explain=True)
    assert [(c["name"], c["op"], c["value"], c["base"], c["met"]) for c in result["comparisons"]] == [
        ("quorum.households", ">=", 2, 3, True),
        ("pass.votes", ">", 1, 2, False),
    ]
