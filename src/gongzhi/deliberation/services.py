"""The only write path for topics, their procedure steps, the must-deliberate catalogue and meetings.

Each service runs in one transaction with its audit entry. Access to the object (may the actor see it, act on
topics there) is checked by the caller through gongzhi.access; which step the actor may take is decided here,
by the capacities the caller passes (deliberation.selectors.capacities_for) and the procedure's declaration.
A step locks its topic row (select_for_update) and checks the version the actor's form was drawn from, so two
people taking the same step at once cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import Conflict, Forbidden, InvalidInput
from gongzhi.deliberation import rules, telling
from gongzhi.deliberation.models import (
    Attachment,
    Attendance,
    CatalogueEntry,
    Format,
    Meeting,
    Post,
    Step,
    Topic,
)
from gongzhi.policy.selectors import effective_policy
from gongzhi.tree.models import Node
from gongzhi.voting import procedures
from gongzhi.voting.models import Status as VoteStatus
from gongzhi.voting.models import Vote
from gongzhi.voting.presentation import result_in
from gongzhi.voting.tally import HouseholdBallot, tally_building
from gongzhi.voting.thresholds import pack_thresholds

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Procedures whose vote is the owners' (representatives') assembly's, counted by area and headcount
# (HZ-5.1.3.2.1.3, LAW-CC-278): a show of hands cannot stand in for it.
ASSEMBLY_PROCEDURES = frozenset({"compound"})
REFUSAL_ERRORS = {"not_allowed": Forbidden, "finished": Conflict}


def _topic_state(topic: Topic) -> dict[str, Any]:
    return {"state": topic.state, "version": topic.version, "decision": topic.decision}


def self_and_above(node: Node) -> list[Node]:
    """The node and its ancestors, top first."""
    paths = [node.path[:i] for i in range(Node.steplen, len(node.path) + 1, Node.steplen)]
    return list(Node.objects.filter(path__in=paths).order_by("path"))


def _community_of(node: Node) -> Node | None:
    return next((n for n in self_and_above(node) if n.level == "community"), None)


# --- catalogue (NB-3.2.1) ------------------------------------------------------------------------------------


@transaction.atomic
def catalogue_add(*, actor: Any, community: Node, title: str) -> CatalogueEntry:
    """Add a kind of matter to a community's must-deliberate catalogue. Precondition: `community` is one."""
    title = title.strip()
    if community.level != "community":
        raise InvalidInput(_("The must-deliberate catalogue is kept by a community."), code="not_community")
    if not title:
        raise InvalidInput(_("Name the matter."), code="title_required")
    if CatalogueEntry.objects.filter(community=community, title=title).exists():
        raise Conflict(_("This matter is already on the catalogue."), code="duplicate")
    entry = CatalogueEntry.objects.create(community=community, title=title, created_by=actor)
    audit_record(
        actor=actor,
        action="deliberation.catalogue_added",
        obj=entry,
        after={"title": title},
        node_path=community.path,
    )
    return entry


# --- topics ----------------------------------------------------------------------------------------------------


def _check_topic(node: Node, source: str, procedure: str, appeal_id: int | None, matter: Any) -> None:
    if source not in rules.SOURCES:
        raise InvalidInput(_("Choose where the topic came from."), code="source_invalid")
    if procedure not in procedures.PROCEDURES:
        raise InvalidInput(_("Choose a deliberation procedure."), code="procedure_invalid")
    if not rules.level_allows(procedure, node.level):
        raise InvalidInput(
            _("This procedure is not held at this level of the tree."), code="level_not_allowed"
        )
    if (appeal_id is not None) != (source == "appeal"):
        raise InvalidInput(
            _("Give the appeal's number exactly when the topic comes from an appeal."), code="appeal"
        )
    community = _community_of(node)
    if matter is not None and (community is None or matter.community_id != community.pk):
        raise InvalidInput(_("Choose a matter from this community's catalogue."), code="matter_invalid")


@transaction.atomic
def topic_create(
    *,
    actor: Any,
    node: Node,
    title: str,
    source: str,
    procedure: str,
    description: str = "",
    appeal_id: int | None = None,
    matter: CatalogueEntry | None = None,
) -> Topic:
    """Register a topic on `node` (HZ-5.1.3.2.1.1) to be deliberated by `procedure`, at its first state.
    Preconditions: the actor may change topics on `node`; the procedure runs at the node's level."""
    if not title.strip():
        raise InvalidInput(_("Give the topic a title."), code="title_required")
    _check_topic(node, source, procedure, appeal_id, matter)
    topic = Topic.objects.create(
        node=node,
        title=title.strip(),
        description=description,
        source=source,
        procedure=procedure,
        appeal_id=appeal_id,
        matter=matter,
        created_by=actor,
    )
    after = {"title": topic.title, "source": source, "procedure": procedure, "appeal_id": appeal_id}
    audit_record(
        actor=actor, action="deliberation.topic_created", obj=topic, after=after, node_path=node.path
    )
    return topic


def history_of(topic: Topic) -> list[str]:
    return [procedures.NEW, *topic.steps.order_by("at", "pk").values_list("target", flat=True)]


def _vote_record(topic: Topic, value: Any) -> Any:
    """A step's vote: a linked published vote of this node (its result), or a meeting's show of hands counted
    as the building rule counts it (HZ-5.1.3.2.2.5, the pack's thresholds). Anything else is left for the
    procedure to refuse."""
    if not isinstance(value, Mapping):
        return value
    if value.get("vote_id"):
        vote = Vote.objects.filter(pk=value["vote_id"], node__path__startswith=topic.node.path).first()
        if vote is None or vote.status != VoteStatus.PUBLISHED or not vote.result:
            raise InvalidInput(_("Link a published vote of this topic's node."), code="vote_not_published")
        # The stored result is kept per language (voting.presentation.result_in); the outcome is the same in each.
        passed = bool(result_in(vote.result, "en").get("passed"))
        return {"vote_id": vote.pk, "passed": passed, "how": "vote"}
    if topic.procedure in ASSEMBLY_PROCEDURES:
        raise InvalidInput(
            _("The owners' assembly resolves by a counted vote (LAW-CC-278): link its published vote."),
            code="assembly_vote_required",
        )
    return _show_of_hands(topic, value)


def _show_of_hands(topic: Topic, value: Mapping[str, Any]) -> dict[str, Any]:
    counts = {k: value.get(k) for k in ("yes", "no", "abstain", "households")}
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in counts.values()):
        raise InvalidInput(_("Give the counts of yes, no, abstain and households."), code="vote_counts")
    if counts["yes"] + counts["no"] + counts["abstain"] > counts["households"]:  # type: ignore[operator]
        raise InvalidInput(_("More hands than households."), code="vote_counts")
    households = [f"h{i}" for i in range(counts["households"])]  # type: ignore[arg-type]
    choices = ["yes"] * counts["yes"] + ["no"] * counts["no"] + ["abstain"] * counts["abstain"]  # type: ignore[operator]
    pack = effective_policy(topic.node).pack
    result = tally_building(
        households=households,
        ballots=[HouseholdBallot(h, c) for h, c in zip(households, choices, strict=False)],
        thresholds=pack_thresholds("" if pack in ("", "national") else pack),
    )
    return {**counts, "how": "show_of_hands", "passed": result.passed, "quorum_met": result.quorum_met}


def registered_representatives(node: Node) -> int:
    """The owners' representatives registered for a compound: people holding the role on its node today."""
    from gongzhi.accounts.models import RoleAssignment

    today = timezone.localdate()
    rows = RoleAssignment.objects.filter(role="owners_representative", node=node, start__lte=today).exclude(
        end__lt=today
    )
    return rows.values("user").distinct().count()


def _proposal_base(topic: Topic, data: dict[str, Any]) -> dict[str, Any]:
    """HZ-5.1.3.2.1.3 with §5 #6: a proposal by 20% of the owners' representatives counts their signatures
    against the representatives registered for the compound; only a compound with none registered states its
    base (its owners, one per exclusive unit) on the form. More signatures than the base is refused."""
    if data.get("proposer") != procedures.OWNERS_REPRESENTATIVE:
        return data
    registered = registered_representatives(topic.node)
    data = {**data, "representatives": registered} if registered else data
    signed, base = data.get("signatures"), data.get("representatives")
    if isinstance(signed, int) and isinstance(base, int) and signed > base:
        raise InvalidInput(_("More signatures than owners' representatives."), code="signatures_exceed_base")
    return data


def _from_meeting(record: dict[str, Any], meeting: Meeting | None) -> dict[str, Any]:
    """A meeting step takes its attendance, minutes and format from the meeting, where the form left them out."""
    if meeting is None:
        return record
    meeting.refresh_from_db()
    filled = {
        "attendance": sorted({a.capacity for a in meeting.attendance.all()}),
        "minutes": meeting.minutes,
        "format": meeting.format,
        "decision": meeting.decisions,
    }
    return {
        **{k: v for k, v in filled.items() if v},
        **{k: v for k, v in record.items() if v not in ("", [], None)},
    }


def _check_upload(upload: UploadedFile | None) -> None:
    if upload is not None and (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise InvalidInput(_("The file is larger than 20 MB."), code="file_too_large")


def _humanise(kind: str, params: dict[str, str]) -> None:
    """Name records and steps in the user's language rather than by their codes."""
    labels = rules.step_labels(kind)
    if "field" in params:
        params["field"] = gettext(rules.FIELD_LABELS.get(params["field"], params["field"]))
    for key in ("current", "state"):
        if key in params:
            params[key] = gettext(labels.get(params[key], params[key]))
    if "allowed" in params:
        params["allowed"] = ", ".join(gettext(labels.get(s, s)) for s in params["allowed"].split(", ") if s)


def _advance(
    topic: Topic, target: str, capacities: Collection[str], record: Mapping[str, Any]
) -> rules.Advance:
    policy = effective_policy(topic.node)
    try:
        return rules.advance(
            topic.procedure,
            history=history_of(topic),
            target=target,
            capacities=capacities,
            record=record,
            policy=policy.value,
        )
    except procedures.TransitionRefused as exc:
        error = REFUSAL_ERRORS.get(exc.code, InvalidInput)
        _humanise(topic.procedure, exc.params)
        raise error(exc.message(gettext), code=exc.code) from exc


@transaction.atomic
def topic_advance(
    *,
    actor: Any,
    topic: Topic,
    target: str,
    capacities: Collection[str],
    record: Mapping[str, Any],
    version: int | None = None,
    meeting: Meeting | None = None,
    attachment: UploadedFile | None = None,
) -> Step:
    """Take the step from the topic's current state to `target`, recording who, when and what.

    Preconditions: the actor may view the topic; `capacities` are theirs at its node. Refused (nothing written)
    when the form was drawn from an older version, the step is not the next declared one, the actor lacks its
    capacity, a record it needs is missing, or its guard fails."""
    topic = Topic.objects.select_for_update().select_related("node").get(pk=topic.pk)
    if version is not None and version != topic.version:
        raise Conflict(_("Someone else moved this topic on; reload the page."), code="stale")
    if meeting is not None and meeting.topic_id != topic.pk:
        raise InvalidInput(_("Choose a meeting of this topic."), code="meeting_invalid")
    _check_upload(attachment)
    data = _from_meeting(dict(record), meeting)
    if attachment is not None:
        data["photo"] = attachment.name
    if "vote" in data:
        data["vote"] = _vote_record(topic, data["vote"])
    data = _proposal_base(topic, data)
    moved = _advance(topic, target, capacities, data)
    before = _topic_state(topic)
    step = Step.objects.create(
        topic=topic,
        source=topic.state,
        target=target,
        clause=moved.transition.clause,
        actor=actor,
        capacities=sorted(set(moved.transition.actors) & set(capacities)),
        record={**data, "absent": list(moved.absent)},
        attachment=attachment or "",
        meeting=meeting,
    )
    topic.state, topic.version = target, topic.version + 1
    topic.save(update_fields=["state", "version"])
    audit_record(
        actor=actor,
        action="deliberation.step_taken",
        obj=topic,
        before=before,
        after={**_topic_state(topic), "step": step.pk, "clause": step.clause},
        node_path=topic.node.path,
    )
    telling.tell_step(actor, topic, step)
    return step


@transaction.atomic
def topic_decide(*, actor: Any, topic: Topic, decision: str) -> Topic:
    """Mark the topic decided. NB-3.2.1: a matter on the community's must-deliberate catalogue needs a
    deliberation record (a step that recorded minutes) first."""
    topic = Topic.objects.select_for_update().select_related("node").get(pk=topic.pk)
    if not decision.strip():
        raise InvalidInput(_("State the decision."), code="decision_required")
    if topic.decided_at is not None:
        raise Conflict(_("This topic is already decided."), code="decided")
    matter = str(topic.matter_id or "")
    refusal = rules.decision_refusal(
        matter=matter, catalogue=[matter] if matter else [], kind=topic.procedure, history=history_of(topic)
    )
    if refusal:
        raise Conflict(
            _("This matter is on the must-deliberate catalogue: deliberate it before deciding."), code=refusal
        )
    before = _topic_state(topic)
    topic.decision, topic.decided_at = decision.strip(), timezone.now()
    topic.save(update_fields=["decision", "decided_at"])
    audit_record(
        actor=actor,
        action="deliberation.topic_decided",
        obj=topic,
        before=before,
        after=_topic_state(topic),
        node_path=topic.node.path,
    )
    telling.tell_decided(actor, topic)
    return topic


# --- meetings --------------------------------------------------------------------------------------------------


def _meeting_audit(actor: Any, action: str, meeting: Meeting, after: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        action=f"deliberation.{action}",
        obj=meeting,
        after=after,
        node_path=meeting.topic.node.path,
    )


@transaction.atomic
def meeting_schedule(
    *,
    actor: Any,
    topic: Topic,
    title: str,
    format: str,
    starts_at: dt.datetime,
    place: str = "",
    invitees: Collection[str] = (),
) -> Meeting:
    """Schedule a meeting of the topic, inviting capacities (roles and bodies). Precondition: the actor may
    change the topic."""
    if format not in Format.values:
        raise InvalidInput(_("Choose on site or online."), code="format_invalid")
    if timezone.is_naive(starts_at):
        raise InvalidInput(_("Give the time with its time zone."), code="naive_time")
    if not title.strip():
        raise InvalidInput(_("Give the meeting a title."), code="title_required")
    meeting = Meeting.objects.create(
        topic=topic,
        title=title.strip(),
        format=format,
        starts_at=starts_at,
        place=place,
        invitees=sorted(set(invitees)),
        created_by=actor,
    )
    _meeting_audit(actor, "meeting_scheduled", meeting, {"title": meeting.title, "format": format})
    telling.tell_meeting(actor, meeting)
    return meeting


def _attend(meeting: Meeting, **fields: Any) -> Attendance:
    try:
        with transaction.atomic():
            return Attendance.objects.create(meeting=meeting, **fields)
    except IntegrityError as exc:
        raise Conflict(_("Already signed in."), code="already_signed_in") from exc


@transaction.atomic
def meeting_sign_in(*, actor: Any, meeting: Meeting, name: str, capacity: str) -> Attendance:
    """A staff member signs an attendee in on site. Precondition: the actor may change the topic."""
    if not name.strip() or not capacity.strip():
        raise InvalidInput(
            _("Give the attendee's name and in what capacity they attend."), code="name_required"
        )
    row = _attend(meeting, name=name.strip(), capacity=capacity.strip(), signed_in_by=actor)
    _meeting_audit(actor, "attendance_signed_in", meeting, {"name": row.name, "capacity": row.capacity})
    return row


@transaction.atomic
def meeting_join(*, actor: Any, meeting: Meeting, name: str, capacity: str) -> Attendance:
    """Join an online meeting oneself. Precondition: the actor may view the topic."""
    if meeting.format != Format.ONLINE:
        raise Conflict(_("Only an online meeting is joined online."), code="not_online")
    row = _attend(meeting, name=name, capacity=capacity, online=True, user=actor)
    _meeting_audit(actor, "attendance_joined", meeting, {"name": row.name, "capacity": capacity})
    return row


@transaction.atomic
def meeting_post(*, actor: Any, meeting: Meeting, body: str) -> Post:
    """Add to an online meeting's thread. Precondition: the actor may view the topic."""
    if meeting.format != Format.ONLINE:
        raise Conflict(_("Only an online meeting has a discussion thread."), code="not_online")
    if not body.strip():
        raise InvalidInput(_("Write something first."), code="body_required")
    post = Post.objects.create(meeting=meeting, author=actor, body=body.strip())
    _meeting_audit(actor, "post_added", meeting, {"post": post.pk})
    return post


@transaction.atomic
def meeting_record(
    *, actor: Any, meeting: Meeting, minutes: str, decisions: str = "", vote: Vote | None = None
) -> Meeting:
    """Record the minutes and decisions, optionally linking the vote held. Precondition: the actor may change
    the topic (and see the vote)."""
    meeting = Meeting.objects.select_for_update().select_related("topic__node").get(pk=meeting.pk)
    if not minutes.strip():
        raise InvalidInput(_("Write the minutes."), code="minutes_required")
    before = {"minutes": meeting.minutes, "decisions": meeting.decisions, "vote": meeting.vote_id}
    meeting.minutes, meeting.decisions, meeting.vote = minutes.strip(), decisions.strip(), vote
    meeting.save(update_fields=["minutes", "decisions", "vote"])
    after = {"minutes": meeting.minutes, "decisions": meeting.decisions, "vote": meeting.vote_id}
    audit_record(
        actor=actor,
        action="deliberation.minutes_recorded",
        obj=meeting,
        before=before,
        after=after,
        node_path=meeting.topic.node.path,
    )
    return meeting


@transaction.atomic
def meeting_attach(*, actor: Any, meeting: Meeting, upload: UploadedFile) -> Attachment:
    _check_upload(upload)
    row = Attachment.objects.create(
        meeting=meeting, file=upload, name=upload.name or "file", uploaded_by=actor
    )
    _meeting_audit(actor, "attachment_added", meeting, {"name": row.name})
    return row
