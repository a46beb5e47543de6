"""What can be exported and how each kind is written. A new kind adds an ExportKind value and a writer here.

A writer takes the exported node, the watermark and the viewer's privacy view, streams its workbook into the
target and returns row counts for the audit entry. Nothing is stored on disk: files are made on download.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from gongzhi.exports.models import ExportKind
from gongzhi.people.masking import mask_id_number, mask_phone
from gongzhi.people.privacy import PersonView
from gongzhi.roster import selectors as roster
from gongzhi.roster.columns import CARE_TAG_WORDS, PEOPLE_COLUMNS
from gongzhi.roster.workbook import Watermark, write_workbook
from gongzhi.tree.levels import Level
from gongzhi.tree.models import Node

# Written where the viewer's role has no need to know a person's Party membership. Not a yes/no word on
# purpose: importing such a file is refused instead of clearing everyone's flag.
NOT_SHOWN = "—"


@dataclass(frozen=True)
class RowView:
    """How personal data appears in the file: clear identifiers only when approved for them."""

    clear_identifiers: bool
    person_view: PersonView


Writer = Callable[[IO[bytes], Node, Watermark, RowView], dict[str, int]]


def roster_parts(node: Node) -> list[tuple[Node, str]]:
    """(community, path under it or "") pairs covering `node`: the roster is read one community at a time."""
    if node.level in (Level.DISTRICT, Level.STREET):
        communities = Node.objects.filter(level=Level.COMMUNITY, path__startswith=node.path).order_by("path")
        return [(c, "") for c in communities]
    if node.level == Level.COMMUNITY:
        return [(node, "")]
    step = Node.steplen
    prefixes = [node.path[:end] for end in range(step, len(node.path), step)]
    community = Node.objects.get(path__in=prefixes, level=Level.COMMUNITY)
    return [(community, node.path)]


def _counted(rows: Iterable[list[Any]], counts: dict[str, int], key: str) -> Iterator[list[Any]]:
    for row in rows:
        counts[key] += 1
        yield row


_POS = {c.key: i for i, c in enumerate(PEOPLE_COLUMNS)}
_TAG_OF_WORD = {word: key for word, key in CARE_TAG_WORDS.items()}


def _person_row(row: list[Any], view: RowView) -> list[Any]:
    if not view.clear_identifiers:
        row[_POS["id_number"]] = mask_id_number(row[_POS["id_number"]] or "")
        row[_POS["phone"]] = mask_phone(row[_POS["phone"]] or "")
    if view.person_view.party(True) is None:
        row[_POS["is_party_member"]] = NOT_SHOWN
    words = [w for w in (row[_POS["tags"]] or "").split("、") if w]
    shown = set(view.person_view.tags(_TAG_OF_WORD[w] for w in words))
    row[_POS["tags"]] = "、".join(w for w in words if _TAG_OF_WORD[w] in shown)
    return row


def write_roster(target: IO[bytes], node: Node, watermark: Watermark, view: RowView) -> dict[str, int]:
    counts = {"dwellings": 0, "people": 0}
    parts = roster_parts(node)
    dwellings = (row for c, within in parts for row in roster.dwelling_rows(c, within))
    people = (_person_row(row, view) for c, within in parts for row in roster.people_rows(c, within))
    write_workbook(
        target,
        _counted(dwellings, counts, "dwellings"),
        _counted(people, counts, "people"),
        watermark,
    )
    return counts


WRITERS: dict[str, Writer] = {ExportKind.ROSTER: write_roster}
FILE_STEMS: dict[str, str] = {ExportKind.ROSTER: "gongzhi-roster"}
