from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from gongzhi.tree.levels import Level

LEVEL_LABELS = {
    Level.DISTRICT: _("district"),
    Level.STREET: _("street"),
    Level.COMMUNITY: _("community"),
    Level.COMPOUND: _("compound"),
    Level.RESIDENT_GROUP: _("resident group"),
    Level.CLUSTER: _("cluster"),
    Level.BUILDING: _("building"),
    Level.STAIRWELL: _("stairwell"),
}


class CommunityKind(models.TextChoices):
    URBAN = "urban", _("urban community")
    RURAL = "rural", _("rural community (administrative village)")
    INDUSTRIAL = "industrial", _("industrial community")


class Node(MP_Node):
    """A unit of the territorial tree. "Everything under X" is `path LIKE 'X.path%'` (index-backed)."""

    steplen = 4
    node_order_by: list[str] = []

    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(
        _("level"), max_length=20, choices=[(lv.value, LEVEL_LABELS[lv]) for lv in Level]
    )
    code = models.CharField(_("statistical division code"), max_length=12, blank=True, default="")
    community_kind = models.CharField(
        _("community type"), max_length=12, choices=CommunityKind.choices, blank=True, default=""
    )
    # The city pack set on this node; empty means inherited from the parent (see policy.selectors).
    policy_pack = models.CharField(_("policy pack"), max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("tree node")
        verbose_name_plural = _("tree nodes")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="node_code_unique"),
        ]
        indexes = [models.Index(fields=["level", "path"], name="node_level_path")]

    def __str__(self) -> str:
        return self.name

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS[Level(self.level)])


class Grid(models.Model):
    """A grid 网格 or micro-grid 微网格: an overlay on the dwellings of one community (NB-2.2.2)."""

    class Kind(models.TextChoices):
        GRID = "grid", _("grid")
        MICRO_GRID = "micro_grid", _("micro-grid")

    community = models.ForeignKey(
        Node, verbose_name=_("community"), on_delete=models.PROTECT, related_name="grids"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="micro_grids",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.GRID)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("grid code"), max_length=40, blank=True, default="")

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="grid_name_unique_in_community"),
            models.CheckConstraint(
                condition=Q(kind="grid", parent__isnull=True) | Q(kind="micro_grid", parent__isnull=False),
                name="grid_parent_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DwellingUse(models.TextChoices):
    RESIDENTIAL = "residential", _("residential")
    COMMERCIAL = "commercial", _("commercial")
    OTHER = "other", _("other")


class AreaSource(models.TextChoices):
    """Which area counts, in order of precedence (LAW-SPC-8): register, else survey, else contract."""

    REGISTER = "register", _("real-estate register")
    SURVEY = "survey", _("survey")
    CONTRACT = "contract", _("sale contract")


class Dwelling(models.Model):
    """An exclusive part 专有部分 (a dwelling or shop) in a stairwell."""

    # No index of their own: the unique (stairwell, number) and the index (community, grid) serve them.
    stairwell = models.ForeignKey(
        Node, verbose_name=_("stairwell"), on_delete=models.PROTECT, related_name="dwellings", db_index=False
    )
    building = models.ForeignKey(Node, verbose_name=_("building"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        Node, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The stairwell's tree path, copied so subtree counts need no join (kept in step by tree.services).
    path = models.CharField(max_length=255, db_index=True, editable=False)
    number = models.CharField(_("dwelling number"), max_length=20)
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    use = models.CharField(
        _("use"), max_length=12, choices=DwellingUse.choices, default=DwellingUse.RESIDENTIAL
    )
    area = models.DecimalField(
        _("floor area (m²)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    area_source = models.CharField(
        _("area source"), max_length=10, choices=AreaSource.choices, default=AreaSource.REGISTER
    )
    # Developer-held units: all unsold or undelivered parts together count as one person (LAW-SPC-9).
    is_sold = models.BooleanField(_("sold"), default=True)
    is_delivered = models.BooleanField(_("delivered"), default=True)
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dwellings",
    )
    micro_grid = models.ForeignKey(
        Grid, verbose_name=_("micro-grid"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("dwelling")
        verbose_name_plural = _("dwellings")
        ordering = ["path", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["stairwell", "number"], name="dwelling_number_unique_in_stairwell"
            ),
            models.CheckConstraint(condition=Q(area__gte=0), name="dwelling_area_non_negative"),
        ]
        indexes = [models.Index(fields=["community", "grid"], name="dwelling_community_grid")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_developer_held(self) -> bool:
        return not (self.is_sold and self.is_delivered)
