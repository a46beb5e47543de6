"""Two street officers approving one request at the same moment: exactly one approval, one audit entry
(the service locks the request row). PostgreSQL only: SQLite serialises writers on the whole file anyway."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import Conflict
from gongzhi.exports import services
from gongzhi.exports.models import ExportRequest

from .conftest import PURPOSE, give, make_user


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_approve_once(actor, small_tree, worker, django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: row locks under concurrency (SQLite run)")
    officers = [make_user(django_user_model, f"street{i}") for i in range(2)]
    for officer in officers:
        give(actor, officer, "street_officer", small_tree["street"])
    request = services.export_request_create(actor=worker, node=small_tree["community"], purpose=PURPOSE)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(officer):
        try:
            barrier.wait()
            services.export_request_approve(actor=officer, request=request, note=officer.username)
            outcomes.append("approved")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(o,)) for o in officers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["approved", "conflict"]
    stored = ExportRequest.objects.get(pk=request.pk)
    assert stored.status == "approved" and stored.decision_note == stored.approver.username
    assert AuditEntry.objects.filter(action="exports.approved").count() == 1
