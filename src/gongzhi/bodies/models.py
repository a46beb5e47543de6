from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.bodies.kinds import BodyKind, ElectedHow, Position, RepresentativeCategory
from gongzhi.people.models import Person
from gongzhi.tree.models import Grid, Node

KIND_LABELS = {
    BodyKind.COMMUNITY_PARTY_ORG: _("community Party organisation"),
    BodyKind.COMPOUND_PARTY_ORG: _("compound Party organisation"),
    BodyKind.GRID_PARTY_BRANCH: _("grid Party branch"),
    BodyKind.BUILDING_PARTY_GROUP: _("building Party group"),
    BodyKind.RESIDENTS_COMMITTEE: _("residents' committee"),
    BodyKind.VILLAGERS_COMMITTEE: _("villagers' committee"),
    BodyKind.RESIDENTS_AFFAIRS_SUPERVISORY_COMMITTEE: _("residents' affairs supervisory committee"),
    BodyKind.RESIDENTS_REPRESENTATIVE_MEETING: _("residents' representatives meeting"),
    BodyKind.OWNERS_GENERAL_ASSEMBLY: _("owners' general assembly"),
    BodyKind.OWNERS_COMMITTEE: _("owners' committee"),
    BodyKind.OWNERS_SUPERVISORY_COMMITTEE: _("owners' supervisory committee"),
    BodyKind.PROPERTY_COMPANY: _("property service company"),
    BodyKind.COMMUNITY_PMC: _("community property management committee"),
    BodyKind.STREET_PMC: _("street property management committee"),
    BodyKind.PEOPLE_MEDIATION_COMMITTEE: _("people's mediation committee"),
    BodyKind.SOCIAL_ORG: _("social organisation"),
    BodyKind.RESIDENT_GROUP: _("resident group"),
}
POSITION_LABELS = {
    Position.SECRETARY: _("secretary"),
    Position.DEPUTY_SECRETARY: _("deputy secretary"),
    Position.CHAIR: _("chair"),
    Position.VICE_CHAIR: _("vice chair"),
    Position.MEMBER: _("member"),
    Position.HEAD: _("head"),
    Position.LEADER: _("group leader"),
    Position.PART_TIME_MEMBER: _("part-time member"),
    Position.MANAGER: _("project manager"),
    Position.STAFF: _("staff"),
}
ELECTED_LABELS = {
    ElectedHow.OWNERS_ASSEMBLY: _("elected by the owners' assembly"),
    ElectedHow.RESIDENTS_ELECTION: _("elected by residents"),
    ElectedHow.PARTY_ELECTION: _("elected by Party members"),
    ElectedHow.REPRESENTATIVES_MEETING: _("elected by the representatives meeting"),
    ElectedHow.APPOINTED: _("appointed"),
    ElectedHow.EX_OFFICIO: _("ex officio"),
    ElectedHow.CO_OPTED: _("co-opted"),
    ElectedHow.EMPLOYED: _("employed"),
    ElectedHow.VOLUNTEER: _("volunteer"),
}
CATEGORY_LABELS = {
    RepresentativeCategory.RESIDENT_REPRESENTATIVE: _("residents' representative"),
    RepresentativeCategory.COMMITTEE_MEMBER: _("committee member"),
    RepresentativeCategory.UNIT_REPRESENTATIVE: _("resident-unit representative"),
    RepresentativeCategory.OTHER: _("other"),
}


class Body(models.Model):
    """An organisation attached to a tree node (bodies.kinds.ATTACH_LEVELS)."""

    kind = models.CharField(_("kind"), max_length=50, choices=[(k.value, KIND_LABELS[k]) for k in BodyKind])
    node = models.ForeignKey(
        Node, verbose_name=_("attached to"), on_delete=models.PROTECT, related_name="bodies"
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    # Property company: the service contract with the compound.
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    # Size fixed by the owners' assembly rules of procedure (NB-2.8.1).
    rules_size = models.PositiveSmallIntegerField(_("size set by the assembly rules"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        indexes = [models.Index(fields=["node", "kind"], name="body_node_kind")]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[BodyKind(self.kind)])


class BodyMembership(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="body_memberships"
    )
    position = models.CharField(
        _("position"),
        max_length=30,
        choices=[(p.value, POSITION_LABELS[p]) for p in Position],
        default=Position.MEMBER,
    )
    elected_how = models.CharField(
        _("how chosen"),
        max_length=30,
        choices=[(e.value, ELECTED_LABELS[e]) for e in ElectedHow],
        blank=True,
        default="",
    )
    category = models.CharField(
        _("category"),
        max_length=30,
        choices=[(c.value, CATEGORY_LABELS[c]) for c in RepresentativeCategory],
        blank=True,
        default="",
    )
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), null=True, blank=True)
    # Set when a member leaves before the term ends; memberships are closed, never deleted.
    ended_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("body membership")
        verbose_name_plural = _("body memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["body", "person"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_open_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.body}"
