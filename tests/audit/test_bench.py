"""The audit benchmark writes a valid chain and times verify (the figure itself comes from `make bench`)."""

from __future__ import annotations

import pytest

from gongzhi.audit.bench import audit_entries_write, bench_verify
from gongzhi.audit.models import AuditEntry, AuditHead
from gongzhi.audit.selectors import audit_verify

pytestmark = pytest.mark.django_db


def test_bench_entries_extend_a_valid_chain(small_tree):
    before = AuditEntry.objects.count()
    audit_entries_write(250, batch=100)
    assert AuditEntry.objects.count() == before + 250
    assert AuditHead.objects.get().seq == before + 250
    assert audit_verify() == (before + 250, None)


def test_bench_verify_reports_entries_per_second(small_tree):
    result = bench_verify(120)
    assert result["audit_entries_verified"] == AuditEntry.objects.count()
    assert result["audit_verify_entries_per_s"] > 0
