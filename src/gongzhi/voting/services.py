"""The only write path for votes: create, open (freezes the roll), cast online, enter paper ballots (four eyes),
record proxies, close and publish. Each service runs in one transaction with its audit entry; access to the
vote itself (who may view or manage it) is checked by the caller through gongzhi.access.

Every ballot locks its vote row first (select_for_update): ballots of one vote are chained one after another,
so the hash chain has no forks, and the status, closing time and the log's head (kept on the vote row) are read
under the lock. The unique constraint on (vote, dwelling) refuses a second ballot for a dwelling even if that
lock were forgotten. On PostgreSQL an online ballot is three statements (the lock with its reads, the ballot with
its log entry, the audit entry); other databases take the same steps through the ORM.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.api.messages import NOT_FOUND
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from gongzhi.people.models import Person, Residency
from gongzhi.people.selectors import roll_on
from gongzhi.policy.selectors import effective_policy
from gongzhi.tree.levels import Level
from gongzhi.tree.models import Dwelling, Node
from gongzhi.voting import ballot_chain, counting
from gongzhi.voting.models import (
    Ballot,
    Channel,
    Choice,
    PaperBallotEntry,
    PaperState,
    Proxy,
    RollEntry,
    RollVoter,
    Rule,
    Status,
    Vote,
)
from gongzhi.voting.tally import CHOICES, ITEMS

NODE_LEVEL = {
    Rule.OWNERS_ASSEMBLY: {Level.COMPOUND, Level.RESIDENT_GROUP},
    Rule.BUILDING_MEETING: {Level.STAIRWELL},
}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
M = TypeVar("M", bound=models.Model)


# --- creating and opening ----------------------------------------------------------------------------------


def _check_vote_fields(
    rule: str, item: int | None, node: Node, opens_at: dt.datetime, closes_at: dt.datetime
) -> None:
    if rule not in Rule.values:
        raise InvalidInput(_("Choose an owners' assembly or a building meeting."), code="rule_invalid")
    if node.level not in NODE_LEVEL[Rule(rule)]:
        raise InvalidInput(
            _("An owners' assembly is held on a compound, a building meeting on a stairwell."),
            code="level_not_allowed",
        )
    if rule == Rule.OWNERS_ASSEMBLY and item not in ITEMS:
        raise InvalidInput(_("Choose the matter from items 1 to 9 of art. 278."), code="item_invalid")
    if rule == Rule.BUILDING_MEETING and item is not None:
        raise InvalidInput(_("A building meeting has no art. 278 item."), code="item_invalid")
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        raise InvalidInput(_("Give the opening and closing times with their time zone."), code="naive_time")
    if closes_at <= opens_at:
        raise InvalidInput(_("The vote must close after it opens."), code="closes_before_opening")


@transaction.atomic
def vote_create(
    *,
    actor: Any,
    node: Node,
    rule: str,
    title: str,
    motion: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    roll_date: dt.date,
    item: int | None = None,
    secret: bool = False,
) -> Vote:
    """A draft vote on `node` (a compound for an owners' assembly, a stairwell for a building meeting)."""
    _check_vote_fields(rule, item, node, opens_at, closes_at)
    if not title.strip() or not motion.strip():
        raise InvalidInput(_("A title and the motion's text are required."), code="text_required")
    pack = effective_policy(node).pack
    vote = Vote.objects.create(
        node=node,
        rule=rule,
        item=item,
        title=title.strip(),
        motion=motion.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        roll_date=roll_date,
        secret=secret,
        city="" if pack in ("", "national") else pack,
        salt=secrets.token_hex(32),
        created_by=actor,
    )
    audit_record(
        actor=actor, action="voting.vote_created", obj=vote, after=_vote_snapshot(vote), node_path=node.path
    )
    return vote


def _vote_snapshot(vote: Vote) -> dict[str, Any]:
    return {
        "node": vote.node_id,
        "rule": vote.rule,
        "item": vote.item,
        "title": vote.title,
        "opens_at": vote.opens_at.isoformat(),
        "closes_at": vote.closes_at.isoformat(),
        "roll_date": vote.roll_date.isoformat(),
        "secret": vote.secret,
        "status": vote.status,
    }


def _lock(vote: Vote) -> Vote:
    return Vote.objects.select_for_update().select_related("node").get(pk=vote.pk)


# What a ballot reads of its vote under the lock: not the motion's text nor the published result.
BALLOT_FIELDS = ("status", "opens_at", "closes_at", "secret", "salt", "log_seq", "log_head", "node__path")


def _lock_for_ballot(vote_id: int) -> Vote:
    """The vote's lock for one more ballot: only the vote row (of=self; its node is read, not locked), and only
    the fields a ballot needs. It excludes every other ballot and every _lock of the vote until commit."""
    vote = (
        Vote.objects.select_for_update(of=("self",))
        .select_related("node")
        .only(*BALLOT_FIELDS)
        .filter(pk=vote_id)
        .first()
    )
    if vote is None:
        raise NotFound(NOT_FOUND)
    return vote


def _require_status(vote: Vote, *allowed: str) -> None:
    if vote.status not in allowed:
        raise Conflict(
            _("This cannot be done while the vote is %(status)s.") % {"status": vote.get_status_display()},
            code="wrong_status",
        )


def _label(dwelling: Dwelling, seen: set[str]) -> str:
    label = f"{dwelling.building.name}-{dwelling.stairwell.name}-{dwelling.number}"
    if label in seen:  # two dwellings numbered alike: keep the recount file's ids unique
        label = f"{label}#{dwelling.pk}"
    seen.add(label)
    return label


def _voters_by_dwelling(vote: Vote) -> dict[int, list[int]]:
    """Owners on the cut-off date (LAW-SPC-8/9), or for a building meeting the household representatives."""
    if vote.rule == Rule.OWNERS_ASSEMBLY:
        return roll_on(vote.node, vote.roll_date)
    day = vote.roll_date
    voters: dict[int, list[int]] = {
        pk: [] for pk in Dwelling.objects.filter(path__startswith=vote.node.path).values_list("pk", flat=True)
    }
    reps = Residency.objects.filter(
        Q(end__isnull=True) | Q(end__gt=day), dwelling_id__in=voters, is_representative=True, start__lte=day
    ).values_list("dwelling_id", "person_id")
    for dwelling_id, person_id in reps:
        voters[dwelling_id].append(person_id)
    return voters


def _freeze_roll(vote: Vote) -> int:
    voters = _voters_by_dwelling(vote)
    dwellings = (
        Dwelling.objects.filter(pk__in=voters)
        .select_related("building", "stairwell")
        .order_by("path", "number")
    )
    seen: set[str] = set()
    entries = RollEntry.objects.bulk_create(
        [
            RollEntry(vote=vote, dwelling=d, label=_label(d, seen), area=d.area, unsold=d.is_developer_held)
            for d in dwellings
        ]
    )
    RollVoter.objects.bulk_create(
        [RollVoter(vote=vote, entry=e, person_id=p) for e in entries for p in voters[e.dwelling_id]]
    )
    return len(entries)


@transaction.atomic
def vote_open(*, actor: Any, vote: Vote) -> Vote:
    """Draft → open: freezes the roll at the cut-off date. Ballots are taken from opens_at to closes_at."""
    vote = _lock(vote)
    _require_status(vote, Status.DRAFT)
    count = _freeze_roll(vote)
    if not count:
        raise InvalidInput(_("There are no dwellings under this node to vote."), code="empty_roll")
    vote.status = Status.OPEN
    vote.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="voting.vote_opened",
        obj=vote,
        before={"status": Status.DRAFT},
        after={"status": vote.status, "roll": count},
        node_path=vote.node.path,
    )
    return vote


# --- ballots -----------------------------------------------------------------------------------------------


class AlreadyVoted(Conflict):
    """The dwelling's ballot is in (or, in an open vote, this owner's): said only to someone on the vote's roll,
    who sees the vote, so the API answers it without checking the vote's visibility."""

    code = "already_voted"


@dataclass(frozen=True)
class Cast:
    """What the voter is told: their receipt code (shown once in a secret vote)."""

    receipt: str
    choice: str
    counted_once: bool = False  # a co-owner's identical ballot: the dwelling's ballot counts once


def _require_taking_ballots(vote: Vote, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    _require_status(vote, Status.OPEN)
    if now < vote.opens_at:
        raise Conflict(_("Voting has not opened yet."), code="not_yet_open")
    if now >= vote.closes_at:
        raise Conflict(_("Voting has closed: a ballot after closing is refused."), code="vote_closed")


def _check_choice(choice: str) -> None:
    if choice not in CHOICES:
        raise InvalidInput(_("Choose yes, no or abstain."), code="choice_invalid")


def owners_key(vote: Vote, entry: RollEntry) -> str:
    """A per-vote pseudonym of the entry's owners, so a secret count still merges LAW-SPC-9 persons."""
    if entry.unsold:
        return "unsold"
    ids = sorted(entry.voters.values_list("person_id", flat=True))
    text = (
        ",".join(str(i) for i in ids) if ids else f"d{entry.pk}"
    )  # no owner on the roll: a person of its own
    return hmac.new(vote.salt.encode(), text.encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class _Link:
    """The ballot log's next entry: its place after the vote's head, receipt and hash."""

    seq: int
    receipt: str
    label: str  # the dwelling's, "" in a secret vote
    prev: str
    hash: str


def _next_link(vote: Vote, entry: RollEntry, choice: str) -> _Link:
    seq, prev, receipt = vote.log_seq + 1, vote.log_head, ballot_chain.new_receipt()
    label = "" if vote.secret else entry.label
    digest = ballot_chain.entry_hash(
        vote=str(vote.pk), seq=seq, receipt=receipt, choice=choice, dwelling=label, prev=prev
    )
    return _Link(seq, receipt, label, prev, digest)


def _log_fields(vote: Vote, entry: RollEntry, ballot_id: int | None, voter: Person | None) -> dict[str, Any]:
    """What links a log entry to its ballot: in an open vote the ballot and voter, in a secret one only the weight
    the count needs (area and the owners' pseudonym), never the dwelling."""
    if vote.secret:
        return {
            "ballot_id": None,
            "voter_id": None,
            "area": entry.area,
            "owners_key": owners_key(vote, entry),
        }
    return {"ballot_id": ballot_id, "voter_id": voter.pk if voter else None, "area": None, "owners_key": ""}


def _append(vote: Vote, *, entry: RollEntry, choice: str, ballot: Ballot, voter: Person | None) -> Choice:
    """Chain one entry after the vote's head and move the head (the vote row is locked by the caller)."""
    link = _next_link(vote, entry, choice)
    row = Choice.objects.create(
        vote=vote,
        seq=link.seq,
        receipt=link.receipt,
        choice=choice,
        dwelling_label=link.label,
        prev=link.prev,
        hash=link.hash,
        **_log_fields(vote, entry, ballot.pk, voter),
    )
    vote.log_seq, vote.log_head = link.seq, link.hash
    Vote.objects.filter(pk=vote.pk).update(log_seq=link.seq, log_head=link.hash)
    return row


def _record(vote: Vote, *, actor: Any, entry: RollEntry, voter: Person, choice: str, channel: str) -> Cast:
    """Store the dwelling's ballot (or, in an open vote, a co-owner's second one) and chain its choice."""
    first = None
    if connection.vendor == "postgresql":
        first = _first_ballot_postgresql(
            vote, actor=actor, entry=entry, voter=voter, choice=choice, channel=channel
        )
    if first is not None:
        (ballot, receipt), same = first, False
    else:
        ballot, same = _ballot_of(vote, actor=actor, entry=entry, voter=voter, choice=choice, channel=channel)
        receipt = _append(vote, entry=entry, choice=choice, ballot=ballot, voter=voter).receipt
    audit_record(
        actor=actor,
        action="voting.ballot_cast",
        obj=ballot,
        # A secret vote's audit entry must not link the choice either: it names the dwelling only.
        after={"vote": vote.pk, "dwelling": entry.label, "channel": channel}
        | ({} if vote.secret else {"choice": choice, "receipt": receipt, "voter": voter.pk}),
        node_path=vote.node.path,
    )
    return Cast(receipt=receipt, choice=choice, counted_once=same)


def _ballot_of(
    vote: Vote, *, actor: Any, entry: RollEntry, voter: Person, choice: str, channel: str
) -> tuple[Ballot, bool]:
    """The dwelling's ballot, new or (a co-owner's in an open vote) existing, and whether the choice repeats
    the dwelling's first one."""
    ballot = Ballot.objects.filter(vote=vote, entry=entry).first()
    if ballot is not None:
        if vote.secret or Choice.objects.filter(ballot=ballot, voter=voter).exists():
            raise AlreadyVoted(_("This dwelling has already voted."))
        first = ballot.choices.order_by("seq").first()
        return ballot, first is not None and first.choice == choice
    # The vote's lock makes the look-up above race-free; the unique constraint stays the last word, and on its
    # violation the whole transaction is rolled back, so no savepoint is needed.
    try:
        return Ballot.objects.create(vote=vote, entry=entry, channel=channel, cast_by=actor), False
    except IntegrityError as exc:
        raise AlreadyVoted(_("This dwelling has already voted.")) from exc


# A dwelling's first ballot on PostgreSQL in one statement, where the ORM took four round trips under the vote's
# lock (look for a ballot, insert it, insert the log entry, move the head): the ballot is inserted unless the
# dwelling has one (the unique constraint decides, without aborting the transaction), and only then the log
# entry and the head. No row back means the dwelling has voted: _record goes on as for a co-owner's ballot.
_FIRST_BALLOT_SQL = f"""
WITH ballot AS (
    INSERT INTO {Ballot._meta.db_table} (vote_id, entry_id, channel, cast_by_id)
    VALUES (%(vote)s, %(entry)s, %(channel)s, %(actor)s)
    ON CONFLICT (vote_id, entry_id) DO NOTHING
    RETURNING id
), logged AS (
    INSERT INTO {Choice._meta.db_table} (
        vote_id, seq, receipt, choice, dwelling_label, prev, hash, ballot_id, voter_id, area, owners_key
    )
    SELECT %(vote)s, %(seq)s, %(receipt)s, %(choice)s, %(label)s, %(prev)s, %(hash)s,
           CASE WHEN %(linked)s THEN ballot.id END, %(voter_id)s, %(area)s, %(owners_key)s
    FROM ballot
)
UPDATE {Vote._meta.db_table} SET log_seq = %(seq)s, log_head = %(hash)s
FROM ballot WHERE {Vote._meta.db_table}.id = %(vote)s
RETURNING ballot.id
"""


def _first_ballot_postgresql(
    vote: Vote, *, actor: Any, entry: RollEntry, voter: Person, choice: str, channel: str
) -> tuple[Ballot, str] | None:
    """The dwelling's ballot and its receipt, or None (nothing written) if the dwelling has already voted."""
    link = _next_link(vote, entry, choice)
    fields = _log_fields(vote, entry, None, voter)
    params = {
        "vote": vote.pk,
        "entry": entry.pk,
        "channel": channel,
        "actor": actor.pk,
        "seq": link.seq,
        "receipt": link.receipt,
        "choice": choice,
        "label": link.label,
        "prev": link.prev,
        "hash": link.hash,
        "linked": not vote.secret,
        **{k: fields[k] for k in ("voter_id", "area", "owners_key")},
    }
    with connection.cursor() as cursor:
        cursor.execute(_FIRST_BALLOT_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    vote.log_seq, vote.log_head = link.seq, link.hash
    ballot = _loaded(
        Ballot, id=row[0], vote_id=vote.pk, entry_id=entry.pk, channel=channel, cast_by_id=actor.pk
    )
    return ballot, link.receipt


def person_of(user: Any) -> Person | None:
    account = getattr(user, "account", None) if getattr(user, "is_authenticated", False) else None
    return account.person if account is not None else None


def entries_of(vote: Vote, person: Person | None) -> list[RollEntry]:
    """The roll entries `person` may vote for (their dwellings, or the household they represent)."""
    if person is None:
        return []
    # Two index-exact reads rather than a join: right after a roll is frozen in bulk the planner's statistics
    # are stale and it would walk the whole roll for one person (6 ms at 5,000 dwellings, under the vote lock).
    ids = list(RollVoter.objects.filter(vote=vote, person=person).values_list("entry_id", flat=True))
    return list(RollEntry.objects.filter(pk__in=ids).order_by("label")) if ids else []


def roll_entry_of(vote_id: int, person: Person | None, dwelling_id: int) -> RollEntry | None:
    """The dwelling's roll entry if `person` is among its voters, else None, in one query (PostgreSQL reads it
    with the vote's lock instead: _LOCK_WITH_ENTRY_SQL)."""
    if person is None:
        return None
    return RollEntry.objects.filter(vote_id=vote_id, dwelling_id=dwelling_id, voters__person=person).first()


# On PostgreSQL the vote's lock and the ballot's reads are one statement: the vote row locked (only it: of v),
# the fields a ballot needs with the log's head (the latest row, read once the lock is had), and the dwelling's
# roll entry if the person is among its voters. The roll is frozen when the vote opens, so it is read as of the
# statement's start, as it was when read before the lock. Right after a roll is frozen in bulk the planner takes
# the vote as having no roll rows, and would walk the whole roll through any index that only the vote narrows
# ((vote, label)): the roll is therefore reached through the person, (vote, person) on the voters, and the
# dwelling, never through the vote alone.
_LOCK_WITH_ENTRY_SQL = f"""
SELECT v.status, v.opens_at, v.closes_at, v.secret, v.salt, v.log_seq, v.log_head, v.node_id, n.path,
       e.id, e.label, e.area, e.unsold
FROM {Vote._meta.db_table} v
JOIN {Node._meta.db_table} n ON n.id = v.node_id
LEFT JOIN (
    {RollVoter._meta.db_table} r JOIN {RollEntry._meta.db_table} e ON e.id = r.entry_id AND e.dwelling_id = %s
) ON r.vote_id = v.id AND r.person_id = %s
WHERE v.id = %s
FOR UPDATE OF v
"""


def _lock_with_entry(vote_id: int, person: Person | None, dwelling_id: int) -> tuple[Vote, RollEntry | None]:
    """The vote locked for a ballot (as _lock_for_ballot) and roll_entry_of(vote_id, person, dwelling_id)."""
    if connection.vendor != "postgresql":
        entry = roll_entry_of(vote_id, person, dwelling_id)
        return _lock_for_ballot(vote_id), entry
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_WITH_ENTRY_SQL, [dwelling_id, person.pk if person else None, vote_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(NOT_FOUND)
    status, opens_at, closes_at, secret, salt, log_seq, log_head, node_id, path, *rest = row
    vote = _loaded(
        Vote,
        id=vote_id,
        node_id=node_id,
        status=status,
        opens_at=opens_at,
        closes_at=closes_at,
        secret=secret,
        salt=salt,
        log_seq=log_seq,
        log_head=log_head,
    )
    vote.node = _loaded(Node, id=node_id, path=path)
    entry_id, label, area, unsold = rest
    if entry_id is None:
        return vote, None
    return vote, _loaded(
        RollEntry,
        id=entry_id,
        vote_id=vote_id,
        dwelling_id=dwelling_id,
        label=label,
        area=area,
        unsold=unsold,
    )


def _loaded(model: type[M], **values: Any) -> M:
    """An instance as the ORM loads one with .only(*values): these fields set, the others deferred."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[n] for n in names])


def ballot_cast_online(*, actor: Any, vote: Vote | int, dwelling_id: int, choice: str) -> Cast:
    """A verified owner votes for their dwelling: the actor's person is among the entry's voters on the frozen
    roll. Co-owners in an open vote may each vote (identical choices count once, different ones void the
    dwelling's ballot, as tally.py counts); in a secret vote the dwelling's first ballot is its only one.

    `vote` may be its id: the API passes the id and checks the vote's visibility only when the ballot is
    refused (an owner on the roll sees the vote, so an accepted ballot needs no such check)."""
    _check_choice(choice)
    vote_id = vote if isinstance(vote, int) else vote.pk
    person = person_of(actor)
    with transaction.atomic():
        locked, entry = _lock_with_entry(vote_id, person, dwelling_id)
        _require_taking_ballots(locked)
        if entry is None or person is None:
            raise Forbidden(_("Only the dwelling's owners on the roll may vote for it."), code="not_on_roll")
        return _record(locked, actor=actor, entry=entry, voter=person, choice=choice, channel=Channel.ONLINE)


# --- paper ballots (four eyes) and proxies -----------------------------------------------------------------


def _entry(vote: Vote, dwelling_id: int) -> RollEntry:
    entry = RollEntry.objects.filter(vote=vote, dwelling_id=dwelling_id).first()
    if entry is None:
        raise InvalidInput(_("This dwelling is not on the vote's roll."), code="not_on_roll")
    return entry


def _roll_voter(entry: RollEntry, person_id: int) -> Person:
    voter = Person.objects.filter(pk=person_id, pk__in=entry.voters.values("person_id")).first()
    if voter is None:
        raise InvalidInput(
            _("The signatory is not among the dwelling's voters on the roll."), code="not_a_voter"
        )
    return voter


def _check_upload(upload: UploadedFile | None, code: str) -> None:
    if upload is None or not upload.size:
        raise InvalidInput(_("Attach the scanned document."), code=code)
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidInput(_("The file is larger than 20 MB."), code="file_too_large")


@dataclass(frozen=True)
class PaperOutcome:
    state: str  # PaperState: pending (first reading), matched (counted) or conflict (blocked)
    entry: PaperBallotEntry
    other: PaperBallotEntry | None = None
    cast: Cast | None = None


def _settle(vote: Vote, actor: Any, reading: PaperBallotEntry, first: PaperBallotEntry) -> PaperOutcome:
    """The second reading: the same dwelling, signatory and choice make the ballot; any difference blocks."""
    if (first.voter_id, first.choice) != (reading.voter_id, reading.choice):
        reading.state = first.state = PaperState.CONFLICT
        reading.save()
        first.save(update_fields=["state"])
        return PaperOutcome(PaperState.CONFLICT, reading, first)
    proxy = Proxy.objects.filter(vote=vote, entry=reading.entry).exists()
    channel = Channel.PROXY if proxy else Channel.PAPER
    cast = _record(
        vote, actor=actor, entry=reading.entry, voter=reading.voter, choice=reading.choice, channel=channel
    )
    reading.state = first.state = PaperState.MATCHED
    if vote.secret:  # once counted, the readings keep no choice that names the dwelling's vote
        reading.choice = first.choice = ""
    reading.save()
    first.save(update_fields=["state", "choice"])
    return PaperOutcome(PaperState.MATCHED, reading, first, cast)


def ballot_enter_paper(
    *, actor: Any, vote: Vote, dwelling_id: int, voter_id: int, choice: str, scan: UploadedFile | None
) -> PaperOutcome:
    """One staff member's independent reading of a paper ballot, with its scan. The first reading waits; a
    second one by someone else either matches (the ballot is counted) or differs (both readings are marked as
    a conflict and the dwelling is blocked until the conflict is set aside and the ballot read again)."""
    _check_choice(choice)
    _check_upload(scan, "scan_required")
    with transaction.atomic():
        vote = _lock(vote)
        _require_taking_ballots(vote)
        entry = _entry(vote, dwelling_id)
        voter = _roll_voter(entry, voter_id)
        readings = PaperBallotEntry.objects.filter(vote=vote, entry=entry)
        if readings.filter(state=PaperState.CONFLICT).exists():
            raise Conflict(
                _("The two readings of this ballot differ: set them aside first."), code="paper_conflict"
            )
        first = readings.filter(state=PaperState.PENDING).first()
        if first is not None and first.entered_by_id == actor.pk:
            raise Conflict(_("The second reading must be entered by another staff member."), code="four_eyes")
        if first is None and Ballot.objects.filter(vote=vote, entry=entry).exists():
            raise Conflict(_("This dwelling has already voted."), code="already_voted")
        reading = PaperBallotEntry(
            vote=vote, entry=entry, voter=voter, choice=choice, scan=scan, entered_by=actor
        )
        if first is None:
            reading.save()
            outcome = PaperOutcome(PaperState.PENDING, reading)
        else:
            outcome = _settle(vote, actor, reading, first)
        audit_record(
            actor=actor,
            action=f"voting.paper_{outcome.state}",
            obj=reading,
            after={"vote": vote.pk, "dwelling": entry.label, "state": outcome.state}
            | ({} if vote.secret else {"choice": choice, "voter": voter.pk}),
            node_path=vote.node.path,
        )
        return outcome


@transaction.atomic
def paper_conflict_set_aside(*, actor: Any, vote: Vote, dwelling_id: int) -> int:
    """Set a dwelling's conflicting readings aside (kept, for the record) so the ballot can be read again."""
    vote = _lock(vote)
    _require_status(vote, Status.OPEN)
    entry = _entry(vote, dwelling_id)
    count = PaperBallotEntry.objects.filter(vote=vote, entry=entry, state=PaperState.CONFLICT).update(
        state=PaperState.SET_ASIDE
    )
    if not count:
        raise Conflict(_("There is no conflict to set aside for this dwelling."), code="no_conflict")
    audit_record(
        actor=actor,
        action="voting.paper_set_aside",
        obj=vote,
        after={"dwelling": entry.label, "readings": count},
        node_path=vote.node.path,
    )
    return count


def proxy_record(
    *,
    actor: Any,
    vote: Vote,
    dwelling_id: int,
    owner_id: int,
    holder_name: str,
    document: UploadedFile | None,
) -> Proxy:
    """A written proxy from an owner on the roll, with the authorising document; the holder's ballot is then
    entered on paper (two readings) and counted as a proxy ballot."""
    if not holder_name.strip():
        raise InvalidInput(_("Name the proxy holder."), code="holder_required")
    _check_upload(document, "document_required")
    with transaction.atomic():
        vote = _lock(vote)
        _require_status(vote, Status.DRAFT, Status.OPEN)
        if vote.status == Status.DRAFT:
            raise Conflict(
                _("Proxies are recorded once the vote is open and its roll frozen."), code="wrong_status"
            )
        entry = _entry(vote, dwelling_id)
        owner = _roll_voter(entry, owner_id)
        if Proxy.objects.filter(vote=vote, entry=entry).exists():
            raise Conflict(_("A proxy for this dwelling is already recorded."), code="proxy_exists")
        proxy = Proxy.objects.create(
            vote=vote,
            entry=entry,
            owner=owner,
            holder_name=holder_name.strip(),
            document=document,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="voting.proxy_recorded",
            obj=proxy,
            after={"vote": vote.pk, "dwelling": entry.label, "owner": owner.pk, "holder": proxy.holder_name},
            node_path=vote.node.path,
        )
        return proxy


# --- closing and publishing --------------------------------------------------------------------------------


@transaction.atomic
def vote_close(*, actor: Any, vote: Vote) -> Vote:
    """Open → closed, once the closing time has passed; the chain head is fixed."""
    vote = _lock(vote)
    _require_status(vote, Status.OPEN)
    if timezone.now() < vote.closes_at:
        raise Conflict(_("The vote is still open until its closing time."), code="still_open")
    entries = counting.chain_entries(vote)
    broken = ballot_chain.chain_verify(entries, vote=str(vote.pk))
    if broken is not None:
        raise Conflict(_("The ballot log is broken at entry %(seq)s.") % {"seq": broken}, code="chain_broken")
    vote.status = Status.CLOSED
    vote.chain_head = ballot_chain.chain_head(entries)
    vote.save(update_fields=["status", "chain_head"])
    audit_record(
        actor=actor,
        action="voting.vote_closed",
        obj=vote,
        before={"status": Status.OPEN},
        after={"status": vote.status, "chain_head": vote.chain_head, "ballots": len(entries)},
        node_path=vote.node.path,
    )
    return vote


@transaction.atomic
def vote_publish(*, actor: Any, vote: Vote) -> Vote:
    """Closed → published: the result counted by voting.recount from the recount file (what `gongzhi tally`
    reads), the chain head and the receipts with their choices (and dwellings in an open vote)."""
    vote = _lock(vote)
    _require_status(vote, Status.CLOSED)
    vote.result = counting.count_vote(vote)
    vote.publication = ballot_chain.publication(
        counting.chain_entries(vote), vote=str(vote.pk), secret=vote.secret
    )
    vote.status = Status.PUBLISHED
    vote.save(update_fields=["status", "result", "publication"])
    audit_record(
        actor=actor,
        action="voting.vote_published",
        obj=vote,
        before={"status": Status.CLOSED},
        after={
            "status": vote.status,
            "passed": vote.result["en"]["passed"],
            "head": vote.publication["head"],
        },
        node_path=vote.node.path,
    )
    return vote
