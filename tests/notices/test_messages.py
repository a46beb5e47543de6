"""Notice texts are drawn at display time in the reader's language from a code and parameters; the email
settings come from the environment (a pure parser)."""

from __future__ import annotations

import pytest
from django.utils import translation

from gongzhi.notices.email_config import email_settings
from gongzhi.notices.messages import MESSAGES, render


def test_one_stored_notice_reads_in_either_language():
    params = {"id": 12, "category": "sanitation", "action": "accept"}
    with translation.override("zh-hans"):
        zh = render("appeals.step", params)
    with translation.override("en"):
        en = render("appeals.step", params)
    assert en == "Appeal #12 (sanitation): Accept."
    assert "12" in zh and "受理" in zh and "Appeal" not in zh


def test_topic_step_code_is_named_by_its_procedure():
    with translation.override("en"):
        text = render(
            "deliberation.step", {"title": "楼道堆物", "procedure": "building", "state": "collected"}
        )
    assert "楼道堆物" in text and "collected" not in text


def test_unknown_code_and_missing_parameter_still_render():
    with translation.override("en"):
        assert render("nope.nothing", {}) == "You have a new notice."
        assert "?" in render("directives.assigned", {"title": "t"})


def test_every_message_has_a_chinese_text():
    def texts(language):
        with translation.override(language):
            return {code: str(m.text) for code, m in MESSAGES.items()}

    en, zh = texts("en"), texts("zh-hans")
    assert [code for code in MESSAGES if en[code] == zh[code]] == []


def test_no_email_without_configuration():
    assert email_settings({}) == {"enabled": False}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://u%40x:p%2Fw@mail.example.org:587?tls=1", {"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": 587,
         "EMAIL_HOST_USER": "u@x", "EMAIL_HOST_PASSWORD": "p/w", "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False}),
        ("smtps://mail.example.org", {"EMAIL_PORT": 465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False}),
        ("locmem://", {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}),
    ],
)  # fmt: skip
def test_email_url(url, expected):
    got = email_settings({"GONGZHI_EMAIL_URL": url})
    assert got["enabled"] is True
    assert {k: got[k] for k in expected} == expected


def test_email_host_the_django_way():
    got = email_settings({"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "2525", "EMAIL_USE_TLS": "1"})
    assert (got["enabled"], got["EMAIL_HOST"], got["EMAIL_PORT"], got["EMAIL_USE_TLS"]) == (
        True,
        "smtp.example.org",
        2525,
        True,
    )


def test_unknown_email_scheme_is_refused():
    with pytest.raises(ValueError, match="unknown scheme"):
        email_settings({"GONGZHI_EMAIL_URL": "pigeon://coop"})
