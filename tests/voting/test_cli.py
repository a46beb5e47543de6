"""`gongzhi tally` as a whole process (issue 5 §3): the installed console script, no Django, no database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.voting.bench import gongzhi_script

GONGZHI = gongzhi_script()

ISSUE_ASSEMBLY_OUTPUT = {  # issue 5 §3, with the reason filled in
    "quorum_met": True,
    "passed": False,
    "headcount": {"total": 7, "participating": 6, "approving": 3},
    "area": {"total": "1000.00", "participating": "800.00", "approving": "450.00"},
    "rejected": [{"index": 4, "reason": "..."}],
    "basis": ["LAW-CC-278", "LAW-SPC-9"],
}
ISSUE_BUILDING_OUTPUT = {
    "quorum_met": True,
    "passed": True,
    "households": 12,
    "voters": 8,
    "yes": 4,
    "no": 3,
    "abstain": 1,
    "rejected": [],
    "basis": ["HZ-5.1.3.2.2.5", "LAW-CC-1259"],
}


def issue_assembly() -> dict:
    """A vote whose count is the issue's example: 7 owners and 1000.00 m², one of them with two dwellings,
    co-owners who agree, unsold dwellings as one person, and a stranger's ballot at index 4."""
    dwellings = [
        {"id": "1-1-101", "area": "150.00", "owners": ["p1"], "unsold": False},
        {"id": "1-1-102", "area": "50.00", "owners": ["p1"], "unsold": False},
        {"id": "1-1-201", "area": "150.00", "owners": ["p2", "p3"], "unsold": False},
        {"id": "1-1-202", "area": "100.00", "owners": ["p4"], "unsold": False},
        {"id": "1-1-301", "area": "100.00", "owners": ["p5"], "unsold": False},
        {"id": "1-1-302", "area": "100.00", "owners": ["p6"], "unsold": False},
        {"id": "1-1-401", "area": "75.50", "owners": ["dev"], "unsold": True},
        {"id": "1-1-402", "area": "74.50", "owners": ["dev"], "unsold": True},
        {"id": "1-1-501", "area": "200.00", "owners": ["p7"], "unsold": False},
    ]
    ballots = [
        {"dwelling": "1-1-101", "voter": "p1", "choice": "yes"},
        {"dwelling": "1-1-102", "voter": "p1", "choice": "yes"},
        {"dwelling": "1-1-201", "voter": "p2", "choice": "yes"},
        {"dwelling": "1-1-201", "voter": "p3", "choice": "yes"},
        {"dwelling": "1-1-501", "voter": "p1", "choice": "yes"},
        {"dwelling": "1-1-202", "voter": "p4", "choice": "yes"},
        {"dwelling": "1-1-301", "voter": "p5", "choice": "no"},
        {"dwelling": "1-1-302", "voter": "p6", "choice": "abstain"},
        {"dwelling": "1-1-401", "voter": "dev", "choice": "no"},
        {"dwelling": "1-1-402", "voter": "dev", "choice": "no"},
    ]
    return {"rule": "owners_assembly", "item": 5, "dwellings": dwellings, "ballots": ballots}


def issue_building() -> dict:
    households = [f"1-2-{floor}0{door}" for floor in range(1, 7) for door in (1, 2)]
    choices = ["yes"] * 4 + ["no"] * 3 + ["abstain"]
    ballots = [{"household": h, "choice": c} for h, c in zip(households, choices, strict=False)]
    return {"rule": "building_meeting", "households": households, "ballots": ballots, "tie_passes": True}


def bare_environment() -> dict[str, str]:
    """No Django settings, no secret, a database that does not exist: the recount needs none of them."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "GONGZHI", "DATABASE", "SECRET"))
    }
    return env | {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", "LANG": "C.UTF-8", "LANGUAGE": ""}


def tally(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [GONGZHI, "tally", *args], input=stdin, capture_output=True, env=env or bare_environment(), timeout=60
    )


def write(tmp_path: Path, doc: object, name: str = "vote.json") -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_issue_assembly_example_from_a_file(tmp_path):
    done = tally(write(tmp_path, issue_assembly()))
    assert done.returncode == 0 and done.stderr == b""
    out = json.loads(done.stdout)
    assert list(out) == list(ISSUE_ASSEMBLY_OUTPUT)
    reason = out["rejected"][0].pop("reason")
    assert reason == "voter_not_owner: Voter p1 is not among the owners of dwelling 1-1-501."
    expected = json.loads(json.dumps(ISSUE_ASSEMBLY_OUTPUT))
    del expected["rejected"][0]["reason"]
    assert out == expected
    assert done.stdout.decode().startswith('{"quorum_met": true, "passed": false, "headcount": {"total": 7, ')


def test_issue_building_example_from_standard_input():
    done = tally("-", stdin=json.dumps(issue_building()).encode())
    assert done.returncode == 0 and done.stderr == b""
    assert json.loads(done.stdout) == ISSUE_BUILDING_OUTPUT
    assert done.stdout.decode() == json.dumps(ISSUE_BUILDING_OUTPUT) + "\n"  # key order as in the issue


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"rule": "owners_assembly",',
            "gongzhi tally: not valid JSON: Expecting property name enclosed in double",
        ),
        (
            '{"rule": "majority"}',
            'gongzhi tally: rule: must be owners_assembly or building_meeting, got "majority"',
        ),
        (
            '{"rule": "owners_assembly", "item": 12, "dwellings": [], "ballots": []}',
            "gongzhi tally: item: must be a ",
        ),
    ],
)
def test_malformed_input_exits_2_with_the_place_on_stderr(text, message):
    done = tally("-", stdin=text.encode())
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().startswith(message)


def test_bad_area_and_duplicate_dwelling_are_named(tmp_path):
    doc = issue_assembly()
    doc["dwellings"][3]["area"] = "100.005"
    done = tally(write(tmp_path, doc))
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.decode() == (
        'gongzhi tally: dwellings[3].area: must be a non-negative number with at most two decimals, got "100.005"\n'
    )
    doc = issue_assembly()
    doc["dwellings"][5]["id"] = "1-1-101"
    assert tally(write(tmp_path, doc)).stderr.decode() == (
        'gongzhi tally: dwellings[5].id: duplicate dwelling id "1-1-101"\n'
    )


def test_missing_file_and_missing_argument_exit_2(tmp_path):
    done = tally(str(tmp_path / "absent.json"))
    assert done.returncode == 2 and b"cannot be read" in done.stderr
    assert tally().returncode == 2  # argparse: the file is required


def test_chinese_locale_gives_chinese_messages(tmp_path):
    env = bare_environment() | {"LANG": "zh_CN.UTF-8"}
    done = tally("-", stdin=b'{"rule": "x"}', env=env)
    assert (
        done.stderr.decode()
        == 'gongzhi tally: rule: 必须是 owners_assembly 或 building_meeting，实际为 "x"\n'
    )
    assert (
        tally("-", "--lang", "en", stdin=b'{"rule": "x"}', env=env)
        .stderr.decode()
        .startswith("gongzhi tally: rule: must be")
    )


def test_the_recount_never_imports_django(tmp_path):
    """gongzhi.cli sends `tally` to the pure module before Django is imported (fast start, no settings)."""
    command = [sys.executable, "-X", "importtime", GONGZHI, "tally", write(tmp_path, issue_assembly())]
    done = subprocess.run(command, capture_output=True, env=bare_environment(), timeout=60)
    assert done.returncode == 0
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.decode().splitlines()]
    assert "gongzhi.voting.tally" in imported
    assert not [name for name in imported if name.split(".")[0] in {"django", "pydantic", "psycopg"}]


def test_other_commands_still_go_to_django():
    env = bare_environment() | {"GONGZHI_DEBUG": "1"}
    done = subprocess.run([GONGZHI, "help"], capture_output=True, env=env, timeout=120)
    assert done.returncode == 0
    listing = done.stdout.decode()
    assert "[voting]" in listing and "    tally" in listing and "migrate" in listing


def test_management_command_runs_the_same_code(tmp_path, capsys):
    call_command("tally", write(tmp_path, issue_building()), "--lang", "en")
    assert json.loads(capsys.readouterr().out) == ISSUE_BUILDING_OUTPUT
    with pytest.raises(CommandError) as info:
        call_command("tally", write(tmp_path, '{"rule": 1}'), "--lang", "en", stderr=io.StringIO())
    assert info.value.returncode == 2


def test_explain_option_through_the_process(tmp_path):
    done = tally("--explain", write(tmp_path, issue_building()))
    out = json.loads(done.stdout)
    assert done.returncode == 0 and [c["name"] for c in out.pop("comparisons")] == [
        "quorum.households",
        "pass.votes",
    ]
    assert out == ISSUE_BUILDING_OUTPUT
