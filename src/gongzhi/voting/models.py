"""Votes, their frozen rolls, ballots and the hash-chained ballot log (issue 5 §2). Data and invariants only;
every write goes through voting.services, the counting through voting.tally (via voting.recount).

How a ballot is stored (one per dwelling, secret votes unlinkable):
- `Ballot` is the dwelling's "has voted" marker: unique per (vote, roll entry), so a second ballot for the
  same dwelling is refused by the database even when two requests race.
- `Choice` is an entry of the hash-chained log: receipt code + choice (+ the dwelling's label in an open
  vote). In an open vote it points to its Ballot and voter (co-owners each have one, and tally.py decides:
  identical choices count once, different ones void the dwelling). In a secret vote it points to neither:
  only the vote, the area and a per-vote pseudonym of the owners (what LAW-SPC-8/9 counting needs), so the
  choice cannot be joined to the dwelling; the published list is in receipt order (ballot_chain.publication).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.people.models import Person
from gongzhi.tree.models import Dwelling, Node
from gongzhi.voting.ballot_chain import GENESIS


class Rule(models.TextChoices):
    OWNERS_ASSEMBLY = "owners_assembly", _("owners' assembly (Civil Code art. 278)")
    BUILDING_MEETING = "building_meeting", _("building meeting (stairwell)")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    PUBLISHED = "published", _("published")


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    PAPER = "paper", _("paper")
    PROXY = "proxy", _("proxy")


class Vote(models.Model):
    node = models.ForeignKey(Node, verbose_name=_("node"), on_delete=models.PROTECT, related_name="votes")
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    item = models.PositiveSmallIntegerField(_("matter (art. 278 item)"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    motion = models.TextField(_("motion"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    roll_date = models.DateField(_("cut-off date of the roll"))
    secret = models.BooleanField(_("secret ballot"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    city = models.CharField(_("policy pack"), max_length=20, blank=True, default="")  # counted under it
    salt = models.CharField(max_length=64, editable=False)  # secret votes: the owners' pseudonyms
    chain_head = models.CharField(_("chain head"), max_length=64, blank=True, default="")
    result = models.JSONField(null=True, blank=True, editable=False)  # the recount's output, when published
    publication = models.JSONField(null=True, blank=True, editable=False)  # head and receipts
    # The ballot log's last entry, moved with every entry under the vote's lock: the ballot that locks the row
    # reads the head with the lock (the latest row, whoever committed before it) instead of from the log.
    log_seq = models.PositiveIntegerField(default=0, editable=False)
    log_head = models.CharField(max_length=64, default=GENESIS, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="vote_closes_after"),
            models.CheckConstraint(
                condition=Q(rule="owners_assembly", item__gte=1, item__lte=9)
                | Q(rule="building_meeting", item__isnull=True),
                name="vote_item_by_rule",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RollEntry(models.Model):
    """A dwelling on the roll frozen at the cut-off date: its area, owners (or household representative)."""

    # No index of its own: the (vote, dwelling) and (vote, label) indexes lead with it. A lone vote index was
    # what the planner took for a ballot's (vote, dwelling) look-up while a fresh roll's statistics were stale,
    # walking the whole roll under the vote's lock.
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="roll", db_index=False)
    dwelling = models.ForeignKey(Dwelling, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(_("dwelling"), max_length=80)  # its id in the recount file
    area = models.DecimalField(_("floor area (m²)"), max_digits=10, decimal_places=2)
    unsold = models.BooleanField(_("unsold"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "dwelling"], name="roll_dwelling_once"),
            models.UniqueConstraint(fields=["vote", "label"], name="roll_label_once"),
        ]

    def __str__(self) -> str:
        return self.label


class RollVoter(models.Model):
    """Who may vote for a roll entry: its owners (assembly) or its household representative (building)."""

    # Indexed by (vote, person) and (entry, person) below, which lead with each of them.
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="+", db_index=False)
    entry = models.ForeignKey(RollEntry, on_delete=models.CASCADE, related_name="voters", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "person"], name="roll_voter_once")]
        indexes = [models.Index(fields=["vote", "person"], name="roll_voter_vote_person")]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.person_id}"


class Ballot(models.Model):
    """The dwelling has voted (one per dwelling per vote). Its choice is in Choice (linked in open votes)."""

    # Indexed as the first column of the unique constraint in Meta.
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots", db_index=False)
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "entry"], name="ballot_one_per_dwelling")]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.entry_id}"


class Choice(models.Model):
    """One entry of the vote's hash-chained ballot log (voting.ballot_chain)."""

    # Indexed as the first column of the unique constraint in Meta.
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="choices", db_index=False)
    seq = models.PositiveIntegerField()
    receipt = models.CharField(_("receipt code"), max_length=19)
    choice = models.CharField(_("choice"), max_length=10)
    dwelling_label = models.CharField(max_length=80, blank=True, default="")  # "" in a secret vote
    prev = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # Open votes only: which dwelling's ballot and which owner (tally.py needs the voter).
    ballot = models.ForeignKey(
        Ballot, null=True, blank=True, on_delete=models.CASCADE, related_name="choices"
    )
    voter = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Secret votes only: the weight the count needs, without the dwelling.
    area = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    owners_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "seq"], name="choice_seq_once"),
            models.UniqueConstraint(fields=["vote", "receipt"], name="choice_receipt_once"),
            models.UniqueConstraint(
                fields=["ballot", "voter"], condition=Q(ballot__isnull=False), name="choice_voter_once"
            ),
        ]

    def __str__(self) -> str:
        return self.receipt


class PaperState(models.TextChoices):
    PENDING = "pending", _("waiting for the second entry")
    MATCHED = "matched", _("matched and counted")
    CONFLICT = "conflict", _("the two entries differ")
    SET_ASIDE = "set_aside", _("set aside")


class PaperBallotEntry(models.Model):
    """One staff member's reading of a paper ballot; two independent matching readings make the ballot."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="paper_entries")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    voter = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("choice"), max_length=10)
    scan = models.FileField(_("scan of the ballot"), upload_to="voting/scans/%Y/%m/")
    state = models.CharField(max_length=10, choices=PaperState.choices, default=PaperState.PENDING)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One reading waits per dwelling; the second (someone else's) settles it, matched or conflict.
            models.UniqueConstraint(
                fields=["vote", "entry"], condition=Q(state="pending"), name="paper_pending_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.state}"


class Proxy(models.Model):
    """A written proxy (委托书): `owner` of the roll entry authorises `holder_name` to vote for the dwelling."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="proxies")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    holder_name = models.CharField(_("proxy holder"), max_length=60)
    document = models.FileField(_("authorising document"), upload_to="voting/proxies/%Y/%m/")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "entry"], name="proxy_one_per_dwelling")]

    def __str__(self) -> str:
        return self.holder_name
