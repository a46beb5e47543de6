"""notices.services and delivery: one notice per recipient (never the actor), once-keys, reading, privacy, and
the channels after commit — email only when configured and wanted, SMS through the pluggable backend with the
number masked, nothing at all when the transaction rolls back, and a failing channel never breaking anything."""

from __future__ import annotations

import logging

import pytest
from django.core import mail
from django.db import transaction
from django.utils.module_loading import import_string

from gongzhi.audit.models import AuditEntry
from gongzhi.core.errors import NotFound
from gongzhi.notices import selectors, services
from gongzhi.notices.models import Notice, SmsLog

from .conftest import PHONE, leave

pytestmark = pytest.mark.django_db

BACKENDS = "tests.notices.backends"


@pytest.fixture
def email_on(settings):
    settings.GONGZHI_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_one_notice_per_recipient_and_never_the_actor(pair):
    subject = services.subject_of(pair["node"], "web:node")
    rows = services.notify([pair["me"], pair["me"], None, pair["other"]], "appeals.alert", subject,
                           actor=pair["other"])  # fmt: skip
    assert [r.recipient_id for r in rows] == [pair["me"].pk]
    notice = rows[0]
    assert (notice.subject_type, notice.subject_id, notice.message) == (
        "tree.node",
        pair["node"].pk,
        "appeals.alert",
    )
    assert notice.url_args == [pair["node"].pk] and notice.read_at is None


def test_a_once_key_leaves_a_notice_once(pair):
    assert len(leave(pair, once_key="reminder:1")) == 1
    assert leave(pair, once_key="reminder:1") == []
    assert Notice.objects.filter(once_key="reminder:1").count() == 1


def test_unread_count_and_marking_read(pair):
    first = leave(pair)[0]
    leave(pair)
    leave(pair, who="other")
    assert selectors.unread_count(pair["me"]) == 2
    services.notice_mark_read(actor=pair["me"], notice_id=first.pk)
    assert selectors.unread_count(pair["me"]) == 1
    assert AuditEntry.objects.filter(action="notices.read", object_id=str(first.pk)).exists()
    assert services.notices_mark_all_read(actor=pair["me"]) == 1
    assert selectors.unread_count(pair["me"]) == 0
    assert selectors.unread_count(pair["other"]) == 1  # someone else's stay unread


def test_only_the_recipient_sees_or_reads_a_notice(pair):
    notice = leave(pair)[0]
    with pytest.raises(NotFound):
        services.notice_mark_read(actor=pair["other"], notice_id=notice.pk)
    with pytest.raises(NotFound):
        selectors.notice_get_for(pair["other"], notice.pk)
    notice.refresh_from_db()
    assert notice.read_at is None


def test_email_is_sent_after_commit_when_configured(pair, email_on, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        leave(pair)
        assert mail.outbox == []  # nothing before the commit
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["me@example.org"]
    assert "#7" in message.body and f"/tree/{pair['node'].pk}/" in message.body


def test_no_email_when_not_configured(pair, settings, django_capture_on_commit_callbacks):
    settings.GONGZHI_EMAIL_ENABLED = False
    settings.GONGZHI_SMS_KINDS = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        leave(pair)
    assert callbacks == [] and mail.outbox == []


def test_no_email_for_a_user_who_opted_out_or_has_no_address(
    pair, email_on, django_capture_on_commit_callbacks
):
    services.preference_set(actor=pair["me"], email=False, sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        leave(pair, kind="appeals.step")
        leave(pair, who="other", kind="appeals.step")  # no email address
    assert mail.outbox == []


def test_nothing_is_sent_when_the_transaction_rolls_back(pair, email_on, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(RuntimeError), transaction.atomic():
        leave(pair)
        raise RuntimeError("the transition failed")
    assert mail.outbox == [] and SmsLog.objects.count() == 0
    assert Notice.objects.count() == 0


def test_sms_logging_backend_records_the_number_masked(pair, caplog, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks(execute=True)
    with caplog.at_level(logging.INFO, logger="gongzhi.notices.sms"), capture:
        notice = leave(pair, kind="appeals.alert")[0]
    row = SmsLog.objects.get()
    assert (row.phone_masked, row.notice_id, row.recipient_id) == ("139****5678", notice.pk, pair["me"].pk)
    assert "#7" in row.text
    assert "139****5678" in caplog.text and PHONE not in caplog.text
    assert PHONE not in str(list(SmsLog.objects.values_list()))


def test_sms_only_for_the_kinds_the_settings_name(pair, settings, django_capture_on_commit_callbacks):
    settings.GONGZHI_SMS_KINDS = ["appeals.alert"]
    with django_capture_on_commit_callbacks(execute=True):
        leave(pair, kind="appeals.step")
    assert SmsLog.objects.count() == 0


def test_sms_not_for_a_user_who_opted_out(pair, django_capture_on_commit_callbacks):
    services.preference_set(actor=pair["me"], email=True, sms=False)
    with django_capture_on_commit_callbacks(execute=True):
        leave(pair, kind="appeals.alert")
    assert SmsLog.objects.count() == 0


def test_a_custom_sms_backend_is_used(pair, settings, django_capture_on_commit_callbacks):
    settings.GONGZHI_SMS_BACKEND = f"{BACKENDS}.RecordingBackend"
    sent = import_string(f"{BACKENDS}.SENT")
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notice = leave(pair, kind="appeals.alert")[0]
    assert sent == [{"phone": PHONE, "text": sent[0]["text"], "notice": notice.pk}]
    assert "#7" in sent[0]["text"]
    assert SmsLog.objects.count() == 0  # the logging backend was not used


def test_a_failing_channel_breaks_nothing(
    pair, settings, email_on, caplog, django_capture_on_commit_callbacks
):
    settings.GONGZHI_SMS_BACKEND = f"{BACKENDS}.BrokenBackend"
    capture = django_capture_on_commit_callbacks(execute=True)
    with caplog.at_level(logging.ERROR, logger="gongzhi.notices"), capture:
        leave(pair, kind="appeals.alert")
    assert len(mail.outbox) == 1  # the other channel still went
    assert "sms delivery failed" in caplog.text
    assert Notice.objects.filter(recipient=pair["me"]).count() == 1


def test_nothing_is_scheduled_when_no_channel_could_carry_it(
    pair, settings, django_capture_on_commit_callbacks
):
    settings.GONGZHI_EMAIL_ENABLED = False
    settings.GONGZHI_SMS_KINDS = ["appeals.alert"]
    with django_capture_on_commit_callbacks() as callbacks:
        leave(pair, kind="appeals.step")
    assert callbacks == []  # the busy paths (submitting an appeal) pay nothing after commit
    with django_capture_on_commit_callbacks() as callbacks:
        leave(pair, kind="appeals.alert")
    assert len(callbacks) == 1
