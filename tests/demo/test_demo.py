"""Demo data (foundation issue §7): every level, role, body kind and grid; deterministic; both write paths."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F

from gongzhi.accounts.roles import Role
from gongzhi.accounts.selectors import active_roles
from gongzhi.audit.models import AuditEntry
from gongzhi.bodies.kinds import BodyKind
from gongzhi.bodies.models import Body, BodyMembership
from gongzhi.demo import bulk
from gongzhi.demo.bulk import copy_text
from gongzhi.demo.logins import DEMO_PASSWORD, DEMO_USERNAMES
from gongzhi.demo.plan import path_step, plan_tree
from gongzhi.demo.population import Chunk, Population
from gongzhi.demo.services import demo_generate
from gongzhi.people import idcard
from gongzhi.people.models import Ownership, Person, PersonTag, Residency
from gongzhi.tree.levels import Level
from gongzhi.tree.models import Dwelling, Grid, Node

pytestmark = pytest.mark.django_db
SCALE = 60


class _Rollback(Exception):
    pass


def canonical_hash() -> str:
    """A digest of the data by natural keys (ids and creation times left out)."""
    rows: list[object] = []
    rows += sorted(
        Node.objects.values_list(
            "path", "name", "level", "code", "community_kind", "policy_pack", "depth", "numchild"
        )
    )
    rows += sorted(
        Grid.objects.values_list("community__path", "name", "kind", "code", "parent__name"), key=repr
    )
    rows += sorted(
        Dwelling.objects.values_list(
            "path",
            "number",
            "floor",
            "use",
            "area",
            "is_sold",
            "is_delivered",
            "grid__name",
            "micro_grid__name",
        ),
        key=repr,
    )
    rows += sorted(
        Person.objects.values_list(
            "id_number", "name", "gender", "birth_date", "phone", "is_party_member", "is_registered_resident"
        )
    )
    rows += sorted(PersonTag.objects.values_list("person__id_number", "tag"))
    rows += sorted(
        Ownership.objects.values_list("dwelling__path", "dwelling__number", "person__id_number", "start")
    )
    rows += sorted(
        Residency.objects.values_list(
            "dwelling__path",
            "dwelling__number",
            "person__id_number",
            "relation",
            "is_representative",
            "start",
            "path",
        )
    )
    rows += sorted(
        Body.objects.values_list(
            "kind",
            "node__path",
            "name",
            "grid__name",
            "term_start",
            "term_end",
            "contract_start",
            "contract_end",
            "rules_size",
        ),
        key=repr,
    )
    rows += sorted(
        BodyMembership.objects.values_list(
            "body__kind",
            "body__node__path",
            "body__name",
            "person__id_number",
            "position",
            "elected_how",
            "category",
            "term_start",
            "term_end",
        ),
        key=repr,
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def hash_of(**kwargs: object) -> str:
    """Generate inside a transaction that is rolled back, so one test can compare several data sets."""
    digest = ""
    try:
        with transaction.atomic():
            demo_generate(scale=SCALE, **kwargs)  # type: ignore[arg-type]
            digest = canonical_hash()
            raise _Rollback
    except _Rollback:
        pass
    return digest


def test_small_demo_has_every_level_role_grid_and_body_kind_and_matches_the_bulk_path():
    bulk_digest = hash_of(bulk=True)
    demo_generate(scale=SCALE)  # through the services
    assert canonical_hash() == bulk_digest
    assert set(Node.objects.values_list("level", flat=True)) == {lv.value for lv in Level}
    assert set(Node.objects.filter(level="district").values_list("policy_pack", flat=True)) == {
        "huzhou",
        "cangzhou",
        "ningbo",
        "binzhou",
    }
    assert Node.objects.filter(community_kind="rural").exists()
    assert Dwelling.objects.count() == SCALE
    assert not Dwelling.objects.filter(grid__isnull=True).exists()
    assert Grid.objects.filter(kind="micro_grid").exists()
    kinds = set(Body.objects.filter(memberships__isnull=False).values_list("kind", flat=True))
    assert kinds | {BodyKind.OWNERS_GENERAL_ASSEMBLY} == {k.value for k in BodyKind}
    User = get_user_model()
    for role, username in DEMO_USERNAMES.items():
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert list(active_roles(user).values_list("role", flat=True)) == [role.value]
    assert User.objects.get(username="admin").is_superuser
    assert AuditEntry.objects.filter(action="demo.generated").count() == 1
    households_and_owners_are_realistic()


def households_and_owners_are_realistic():
    occupied = Residency.objects.filter(end__isnull=True).values("dwelling_id").distinct()
    reps = Residency.objects.filter(end__isnull=True, is_representative=True)
    assert reps.count() == occupied.count() > 0
    assert Dwelling.objects.filter(is_sold=False, is_delivered=False, ownerships__isnull=True).exists()
    assert Dwelling.objects.annotate(n=Count("ownerships")).filter(n__gte=2).exists()  # co-owned
    assert Residency.objects.filter(relation="tenant").exists()
    assert not Residency.objects.exclude(path=F("dwelling__path")).exists()
    for number in Person.objects.values_list("id_number", flat=True):
        idcard.parse(number)
    assert Person.objects.filter(is_party_member=True).exists()


def test_same_seed_same_data():
    first = hash_of(seed=1, bulk=True)
    assert first == hash_of(seed=1, bulk=True)
    assert first != hash_of(seed=2, bulk=True)


def test_if_empty_does_nothing_the_second_time():
    call_command("demo", scale=SCALE, if_empty=True, bulk=True, stdout=io.StringIO(), verbosity=0)
    count = Dwelling.objects.count()
    out = io.StringIO()
    call_command("demo", scale=SCALE, if_empty=True, stdout=out)
    assert Dwelling.objects.count() == count == SCALE
    assert out.getvalue().strip()


def test_bulk_path_builds_a_consistent_tree():
    demo_generate(scale=SCALE, bulk=True)
    assert Node.objects.find_problems() == ([], [], [], [], [])
    for node in Node.objects.all():
        assert node.numchild == Node.objects.get_children(node).count()
    for dwelling in Dwelling.objects.select_related("stairwell"):
        assert dwelling.path == dwelling.stairwell.path
        assert Node.objects.get_parent(dwelling.stairwell).pk == dwelling.building_id
        assert dwelling.stairwell.path.startswith(Node.objects.get(pk=dwelling.community_id).path)


def test_demo_logins_prints_every_role():
    demo_generate(scale=SCALE, bulk=True)
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    for username in [*DEMO_USERNAMES.values(), "admin"]:
        assert username in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
    assert set(DEMO_USERNAMES) == set(Role)


def test_path_steps_follow_treebeard():
    assert [path_step(i) for i in (1, 10, 36, 37)] == ["0001", "000A", "0010", "0011"]
    assert Node._get_path(None, 1, 37) == path_step(37)


def test_fast_id_numbers_equal_idcard_make():
    rng = random.Random(3)
    population = Population(rng, dt.date(2026, 1, 1), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    chunk = Chunk()
    population.community(chunk, plan_tree(200, rng).communities[0])
    for row in chunk.people:
        number, birth = row[3], row[4]
        seq = int(number[14:17])
        assert number == idcard.make(number[:6], birth, seq)
        assert idcard.parse(number).gender == row[2]
    assert len({row[3] for row in chunk.people}) == len(chunk.people)


def test_copy_text_writes_nulls_and_refuses_values_that_need_escaping():
    day = dt.date(2026, 1, 2)
    assert copy_text([(1, "张三", None, day, True)], 5) == "1\t张三\t\\N\t2026-01-02\tTrue\n"
    assert copy_text([(1, "a\tb")], 2) is None
    assert copy_text([(1, "a\\b")], 2) is None


@pytest.mark.postgres
def test_bulk_path_without_superuser_drops_and_restores_foreign_keys(monkeypatch):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the COPY path")
    monkeypatch.setattr(bulk, "is_superuser", lambda: False)

    def constraints() -> list[tuple[str, str]]:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = ANY(%s::regclass[]) ORDER BY conname",
                [[m._meta.db_table for m in bulk.BIG_TABLES]],
            )
            return cur.fetchall()

    before = constraints()
    demo_generate(scale=SCALE, bulk=True)
    assert constraints() == before
    assert Dwelling.objects.count() == SCALE


def test_bulk_demo_stores_no_clear_id_number_or_phone():
    """The COPY writer seals and hashes itself (issue 3 §2): a dump of the table shows no clear number."""
    from django.db import connection

    demo_generate(scale=SCALE, bulk=True)
    clear = {v for pair in Person.objects.values_list("id_number", "phone") for v in pair if v}
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_number_hash, phone, phone_hash FROM people_person")
        stored = {v for row in cur.fetchall() for v in row}
    assert len(clear) > 100
    assert not clear & stored
    assert not any(c in s for s in stored for c in list(clear)[:50])
    some = next(p for p in Person.objects.exclude(phone="")[:1])
    assert Person.objects.get(id_number=some.id_number, phone=some.phone) == some


def test_escaped_copy_text_round_trips_special_characters():
    from gongzhi.demo.bulk import escaped_copy_text

    assert escaped_copy_text([(1, "a\tb\\c\nd", None)]) == "1\ta\\tb\\\\c\\nd\t\\N\n"


def test_fast_people_copy_text_equals_the_generic_path():
    """The fused people formatter (hot path) writes what seal_rows + copy_text write, bar the random nonces."""
    from gongzhi.core.fields import keyring, seal_rows
    from gongzhi.demo.bulk import PERSON_COPY_COLS, copy_text, person_copy_text
    from gongzhi.demo.population import PERSON_COLS

    chunk = Chunk()
    population = Population(random.Random(3), dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
    population.community(chunk, plan_tree(SCALE, random.Random(3)).communities[0])
    fast = person_copy_text(chunk.people)
    cols, sealed = seal_rows(Person, PERSON_COLS, chunk.people)
    assert tuple(cols) == PERSON_COPY_COLS and fast is not None
    ring, purposes = keyring(), {3: "people.person.id_number", 5: "people.person.phone"}

    def opened(text: str) -> list[list[str]]:
        rows = [line.split("\t") for line in text.splitlines()]
        for row in rows:
            for i, purpose in purposes.items():
                row[i] = ring.decrypt(row[i], purpose)
        return rows

    assert opened(fast) == opened(copy_text(sealed, len(cols)) or "")
    assert person_copy_text([(1, "a\tb", "M", "", None, "", False, True, None)]) is None


def test_formatted_parts_cross_the_pipe_unchanged():
    """The forked formatter's framing: every table's COPY text arrives whole and in order, empty ones too
    (small enough for the pipe's buffer, so one thread can write and then read)."""
    import os

    from gongzhi.demo.bulk import _receive, _send

    parts = [("a", ("id", "name"), "1\t张三\n".encode()), ("b", ("id",), b""), ("c", ("x",), b"x\n" * 5000)]
    read, write = os.pipe()
    with os.fdopen(write, "wb") as out:
        _send(out, parts)
    with os.fdopen(read, "rb", buffering=0) as pipe:
        received = _receive(pipe)
    assert [(table, cols, bytes(text)) for table, cols, text in received] == parts
