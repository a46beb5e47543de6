"""The audit trail is hash-chained; `gongzhi audit verify` finds the first changed, inserted or deleted entry."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from gongzhi.audit import chain
from gongzhi.audit.models import AuditEntry
from gongzhi.audit.selectors import audit_verify

pytestmark = pytest.mark.django_db


def _rows(n):
    rows, prev = [], chain.GENESIS
    for seq in range(1, n + 1):
        fields = (seq, f"2026-01-01T00:00:0{seq}", None, "x", "t", str(seq), "", "", None, {"v": seq}, None)
        h = chain.entry_hash(prev, fields)
        rows.append((seq, seq, prev, h, fields))
        prev = h
    return rows


def test_pure_chain_intact():
    rows = _rows(5)
    assert chain.verify(rows, head=(5, rows[-1][3])) == (5, None)


@pytest.mark.parametrize("seq", [1, 9, 10, 12345678901])
def test_pure_fields_after_seq_complete_the_canonical_text(seq):
    after = {"b": [1.5, "二"]}
    fields = (seq, "2026-01-01T00:00:00.000000+00:00", 7, "x", "t", "1", "名", "", None, after, None)
    assert f"[{seq},{chain.canonical_after_seq(fields)}".encode() == chain.canonical(fields)


def test_pure_changed_entry():
    rows = _rows(5)
    seq, i, prev, h, fields = rows[2]
    rows[2] = (seq, i, prev, h, (*fields[:-2], {"v": 99}, None))
    assert chain.verify(rows)[1] == chain.Break(3, 3, "changed")


def test_pure_deleted_entry():
    rows = _rows(5)
    del rows[1]
    assert chain.verify(rows)[1].problem == "deleted"


def test_pure_deleted_tail_caught_by_head():
    rows = _rows(5)
    assert chain.verify(rows[:4], head=(5, rows[-1][3]))[1].problem == "deleted"


def test_pure_inserted_entry():
    rows = _rows(3)
    forged_fields = (2, "2026-01-01T00:00:09", None, "forged", "t", "9", "", "", None, None, None)
    forged = (2, 9, "f" * 64, chain.entry_hash("f" * 64, forged_fields), forged_fields)
    assert chain.verify([rows[0], forged])[1] == chain.Break(2, 9, "inserted")


def test_services_write_a_verifiable_chain(small_tree):
    count, broken = audit_verify()
    assert broken is None
    assert count == AuditEntry.objects.count() > 5
    call_command("audit", "verify")


def _force_update(entry_id, **values):
    """Edit a row behind the application's back (as an attacker with database access would)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")  # bypasses the append-only trigger
        sets = ", ".join(f"{k} = %s" for k in values)
        cur.execute(f"UPDATE audit_auditentry SET {sets} WHERE id = %s", [*values.values(), entry_id])
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = origin")


def test_an_edited_row_is_detected(small_tree):
    victim = AuditEntry.objects.order_by("seq")[2]
    _force_update(victim.pk, object_repr="篡改")
    count, broken = audit_verify()
    assert (count, broken.seq, broken.problem) == (2, victim.seq, "changed")
    with translation.override("en"), pytest.raises(CommandError, match="#3"):
        call_command("audit", "verify")


def test_postgresql_refuses_update_and_delete(small_tree):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only (SQLite run)")
    entry = AuditEntry.objects.first()
    for sql in (
        "UPDATE audit_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [entry.pk])


def test_postgresql_reader_gives_the_orm_rows(small_tree, a_person):
    """verify reads PostgreSQL without the ORM (for speed); it must see exactly what the ORM reads."""
    if connection.vendor != "postgresql":
        pytest.skip("the raw chain reader is used on PostgreSQL only (SQLite run)")
    from gongzhi.audit.context import current_ip
    from gongzhi.audit.selectors import _chain_rows_orm, _chain_rows_postgresql
    from gongzhi.audit.services import audit_record

    odd = {"名": '引号"与\\反斜杠\n', "nested": {"b": [1, "二", None], "a": True}, "float": 0.1}
    for ip in ("2001:DB8:0::1", "::FFFF:10.0.0.1", "10.0.0.1", None):
        token = current_ip.set(ip)
        try:
            with transaction.atomic():
                audit_record(actor=None, action="test.odd", obj=a_person, before=odd, after={"x": ip})
        finally:
            current_ip.reset(token)
    assert list(_chain_rows_postgresql(7)) == list(_chain_rows_orm(7))
    assert audit_verify()[1] is None


def test_entries_written_many_at_once_chain_in_order_and_verify(small_tree, actor):
    """audit_record_many (the sweep's, the roster import's): one head lock, the entries chained in the order
    given, between single entries before and after; the verifier finds the chain whole."""
    from gongzhi.audit.models import AuditHead
    from gongzhi.audit.services import Change, audit_record, audit_record_many

    nodes = list(small_tree.values())[:4]
    with transaction.atomic():
        audit_record(actor=actor, action="test.before", obj=nodes[0])
        many = audit_record_many(
            actor=None,
            changes=[
                Change(action=f"test.many.{n}", obj=node, after={"n": n}) for n, node in enumerate(nodes)
            ],
        )
        after = audit_record(actor=actor, action="test.after", obj=nodes[0])
        assert audit_record_many(actor=actor, changes=[]) == []
    entries = list(AuditEntry.objects.filter(action__startswith="test.").order_by("seq"))
    assert [e.action for e in entries] == ["test.before", *(f"test.many.{n}" for n in range(4)), "test.after"]
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 6))
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))
    assert [e.pk for e in many] == [e.pk for e in entries[1:5]] and all(e.actor_id is None for e in many)
    assert AuditHead.objects.get(pk=1).entry_hash == after.entry_hash
    count, broken = audit_verify()
    assert broken is None and count == AuditEntry.objects.count()


@pytest.mark.django_db(transaction=True)
def test_writers_at_once_chain_without_forks_on_postgresql(postgres, run_at_once, actor):
    """Single entries (one statement on PostgreSQL: the head's UPDATE computes seq and hash from the head it
    waited for) and a batch (audit_record_many, which locks the head first) written at the same moment chain
    one after another: consecutive seqs, each entry's prev_hash its predecessor's hash, and the head the last."""
    from gongzhi.audit.models import AuditHead
    from gongzhi.audit.services import Change, audit_record, audit_record_many

    def one(n):
        with transaction.atomic():
            return audit_record(actor=actor, action="test.at_once", obj=actor, after={"n": n, "名": "并发"})

    def batch():
        with transaction.atomic():
            changes = [Change(action="test.at_once", obj=actor, after={"batch": i}) for i in range(3)]
            return audit_record_many(actor=actor, changes=changes)

    outcomes = run_at_once([lambda n=n: one(n) for n in range(16)] + [batch])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert AuditEntry.objects.filter(action="test.at_once").count() == 19
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.entry_hash) == (entries[-1].seq, entries[-1].entry_hash)
    assert audit_verify() == (len(entries), None)


def test_one_entry_returns_the_row_as_stored(small_tree, actor):
    """audit_record gives back the entry with the id, seq and hashes the database holds (on PostgreSQL they come
    from the one statement's RETURNING)."""
    from gongzhi.audit.services import audit_record

    with transaction.atomic():
        entry = audit_record(actor=actor, action="test.returned", obj=small_tree["compound"], after={"x": 1})
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.seq, stored.prev_hash, stored.entry_hash) == (entry.seq, entry.prev_hash, entry.entry_hash)
    assert stored.prev_hash == AuditEntry.objects.get(seq=entry.seq - 1).entry_hash
    assert stored.after == {"x": 1} and stored.actor_id == actor.pk
