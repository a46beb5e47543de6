from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedModel, EncryptedQuerySet, EncryptedTextField, LookupHashField
from gongzhi.tree.models import Dwelling


class Gender(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Person(EncryptedModel):
    """A natural person known to the platform (owner, occupant, staff, body member).

    ID number and phone are encrypted at rest (core.fields); `filter(id_number=…)` and uniqueness go through
    their keyed hashes, which save(), bulk_create, bulk_update and update() keep in step.
    """

    name = models.CharField(_("name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True, default="")
    # 18-digit resident identity number (GB 11643, checksum validated in people.idcard); unique when given.
    id_number = EncryptedTextField(
        _("ID number"), max_length=18, blank=True, default="", hash_field="id_number_hash"
    )
    id_number_hash = LookupHashField(source="id_number")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = EncryptedTextField(_("phone"), max_length=20, blank=True, default="", hash_field="phone_hash")
    phone_hash = LookupHashField(source="phone")
    is_party_member = models.BooleanField(_("Party member"), default=False)
    # Household registration here (户籍) or not (流动人口/非户籍), catalogue §2.11.
    is_registered_resident = models.BooleanField(_("registered (hukou) resident"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EncryptedQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~Q(id_number_hash=""), name="person_id_number_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="person_name"),
            models.Index(fields=["phone_hash"], condition=~Q(phone_hash=""), name="person_phone_hash"),
        ]

    def __str__(self) -> str:
        return self.name


class CareTag(models.TextChoices):
    """Person categories from catalogue §2.11; most are sensitive personal data (LAW-PIPL art. 28, §5 #33)."""

    ELDERLY_ALONE = "elderly_alone", _("elderly living alone")
    ELDERLY_LOST_CHILD = "elderly_lost_child", _("elderly who lost their only child")
    ELDERLY_HARDSHIP = "elderly_hardship", _("elderly in hardship")
    DISABLED = "disabled", _("person with disabilities")
    MINOR_HARDSHIP = "minor_hardship", _("minor in hardship")
    DIBAO = "dibao", _("minimum-livelihood (dibao) household")
    TEKUN = "tekun", _("extreme-poverty person (tekun)")
    ENTITLED_GROUP = "entitled_group", _("entitled group (veterans, martyrs' families)")
    UNEMPLOYED = "unemployed", _("laid-off or unemployed")
    KEY_PERSON = "key_person", _("key person")
    MIGRANT = "migrant", _("migrant resident")
    LEFT_BEHIND = "left_behind", _("left-behind person")


# Foreign keys with db_index=False below are the first column of a composite index or unique constraint of their
# model, which serves their look-ups: a second index would only slow every write and the demo's bulk load.


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tags", db_index=False)
    tag = models.CharField(_("care tag"), max_length=30, choices=CareTag.choices)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("care tag")
        verbose_name_plural = _("care tags")
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="person_tag_unique")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_tag_display()}"


class Ownership(models.Model):
    """A person's (co-)ownership of a dwelling over a period; the roll at any date is reconstructible."""

    dwelling = models.ForeignKey(
        Dwelling, verbose_name=_("dwelling"), on_delete=models.PROTECT, related_name="ownerships"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="ownerships", db_index=False
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True, help_text=_("exclusive; empty while current"))
    document = models.CharField(_("title document"), max_length=100, blank=True, default="")

    class Meta:
        verbose_name = _("ownership")
        verbose_name_plural = _("ownerships")
        constraints = [
            models.UniqueConstraint(
                fields=["dwelling", "person"],
                condition=Q(end__isnull=True),
                name="ownership_one_open_per_owner",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")), name="ownership_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["person", "end"], name="ownership_person_end")]

    def __str__(self) -> str:
        return f"{self.person} → {self.dwelling}"


class Relation(models.TextChoices):
    OWNER = "owner", _("owner")
    FAMILY = "family", _("family member")
    TENANT = "tenant", _("tenant")


class Residency(models.Model):
    """Household membership: a person living in a dwelling, with relation; closed, never deleted."""

    dwelling = models.ForeignKey(
        Dwelling,
        verbose_name=_("dwelling"),
        on_delete=models.PROTECT,
        related_name="residencies",
        db_index=False,
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="residencies"
    )
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    is_representative = models.BooleanField(_("household representative"), default=False)
    start = models.DateField(_("moved in"))
    end = models.DateField(_("moved out"), null=True, blank=True)
    # The dwelling's tree path, copied so "residents under node X" is one index range, no join.
    path = models.CharField(max_length=255, editable=False)

    class Meta:
        verbose_name = _("household membership")
        verbose_name_plural = _("household memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(end__isnull=True), name="residency_one_home_per_person"
            ),
            models.UniqueConstraint(
                fields=["dwelling"],
                condition=Q(end__isnull=True, is_representative=True),
                name="residency_one_representative_per_dwelling",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="residency_end_after_start",
            ),
        ]
        indexes = [
            models.Index(
                fields=["path"],
                condition=Q(end__isnull=True),
                name="residency_open_path",
                opclasses=["varchar_pattern_ops"],  # LIKE 'prefix%' on PostgreSQL; ignored elsewhere
            ),
            models.Index(fields=["dwelling", "end"], name="residency_dwelling_end"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.dwelling}"
