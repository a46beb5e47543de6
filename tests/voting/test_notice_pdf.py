"""The published result's notice as an A4 PDF (issue 5 §4, HZ-5.1.3.2.1.3 公开), from the page and the API."""

from __future__ import annotations

import re
import zlib

import pytest
from django.test import Client

from gongzhi.core import pdf
from gongzhi.core.errors import Unavailable
from gongzhi.voting import services

from .conftest import end_voting

pytestmark = pytest.mark.django_db

needs_renderer = pytest.mark.skipif(
    not pdf.pdf_available(),
    reason="WeasyPrint cannot load pango on this machine (Debian: apt-get install libpango-1.0-0 fonts-noto-cjk)",
)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def published(actor, compound, assembly):
    services.ballot_cast_online(
        actor=compound["users"]["zhang"], vote=assembly, dwelling_id=compound["d1"].pk, choice="yes"
    )
    services.vote_close(actor=actor, vote=end_voting(assembly))
    return services.vote_publish(actor=actor, vote=assembly)


def assert_chinese_pdf(response):
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment") and ".pdf" in response["Content-Disposition"]
    )
    assert response.content.startswith(b"%PDF-")
    # The Chinese text was drawn with the CJK font, embedded (subset) in the file's compressed objects.
    fonts = [f for stream in streams(response.content) for f in re.findall(rb"/BaseFont\s*/\S+", stream)]
    assert any(b"CJK" in f for f in fonts), fonts


def streams(data: bytes) -> list[bytes]:
    found = []
    for start in re.finditer(rb"stream\r?\n", data):
        try:
            found.append(zlib.decompressobj().decompress(data[start.end() :]))
        except zlib.error:
            continue
    return found


@needs_renderer
def test_the_notice_page_offers_the_pdf_and_the_pdf_is_drawn_in_chinese(compound, published):
    zhang = client_for(compound["users"]["zhang"])
    page = zhang.get(f"/votes/{published.pk}/notice/").content.decode()
    assert f"/votes/{published.pk}/notice.pdf" in page
    assert_chinese_pdf(zhang.get(f"/votes/{published.pk}/notice.pdf"))


@needs_renderer
def test_the_api_gives_the_same_pdf(compound, published):
    assert_chinese_pdf(client_for(compound["users"]["zhang"]).get(f"/api/v1/votes/{published.pk}/notice.pdf"))


def test_no_notice_before_the_result_is_published(compound, assembly):
    zhang = client_for(compound["users"]["zhang"])
    assert zhang.get(f"/votes/{assembly.pk}/notice.pdf").status_code == 404
    response = zhang.get(f"/api/v1/votes/{assembly.pk}/notice.pdf")
    # The API says why, as its other result endpoints do: the vote exists for this owner but is not published.
    assert response.status_code == 409 and response.json()["code"] == "not_published"


def test_without_the_renderer_the_answer_is_503_with_a_message_in_the_users_language(
    monkeypatch, compound, published
):
    def missing():
        raise Unavailable(pdf.PDF_UNAVAILABLE, code="pdf_unavailable")

    monkeypatch.setattr(pdf, "_html_class", missing)
    zhang = client_for(compound["users"]["zhang"])
    page = zhang.get(f"/votes/{published.pk}/notice.pdf")
    assert page.status_code == 503 and "无法生成 PDF" in page.content.decode()
    response = zhang.get(f"/api/v1/votes/{published.pk}/notice.pdf")
    assert response.status_code == 503 and response.json()["code"] == "pdf_unavailable"
