"""Vote pages: the phone ballot, my receipt, paper entry by two staff, proxies, result with its arithmetic."""

from __future__ import annotations

import pytest
from django.test import Client

from gongzhi.voting import services
from gongzhi.voting.models import Ballot, PaperBallotEntry, Proxy

from .conftest import end_voting, scan

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_owner_votes_and_sees_the_receipt(compound, assembly):
    zhang = client_for(compound["users"]["zhang"])
    page = zhang.get(f"/votes/{assembly.pk}/cast/")
    assert page.status_code == 200 and "1幢-1单元-101" in page.content.decode()
    response = zhang.post(f"/votes/{assembly.pk}/cast/", {"dwelling": compound["d1"].pk, "choice": "yes"})
    receipt = Ballot.objects.get().choices.get().receipt
    assert receipt in response.content.decode()
    assert receipt in zhang.get(f"/votes/{assembly.pk}/mine/").content.decode()


def test_a_refused_ballot_says_why_with_a_4xx(compound, assembly):
    end_voting(assembly)
    zhang = client_for(compound["users"]["zhang"])
    response = zhang.post(f"/votes/{assembly.pk}/cast/", {"dwelling": compound["d1"].pk, "choice": "yes"})
    assert (
        response.status_code == 409
        and "截止" in response.content.decode()
        or "关闭" in response.content.decode()
    )
    assert not Ballot.objects.exists()


def test_paper_entry_by_two_staff_with_a_mismatch_shows_the_conflict(compound, assembly):
    pick = f"{compound['d1'].pk}:{compound['owners']['zhang'].pk}"
    first = client_for(compound["users"]["cw"]).post(
        f"/votes/{assembly.pk}/paper/", {"pick": pick, "choice": "yes", "scan": scan()}
    )
    assert first.status_code == 200
    second = client_for(compound["users"]["cw2"]).post(
        f"/votes/{assembly.pk}/paper/", {"pick": pick, "choice": "no", "scan": scan()}
    )
    assert second.status_code == 409
    page = client_for(compound["users"]["cw"]).get(f"/votes/{assembly.pk}/paper/").content.decode()
    assert page.count("table-danger") == 2 and "u-cw2" in page
    assert not Ballot.objects.exists() and PaperBallotEntry.objects.filter(state="conflict").count() == 2


def test_a_proxy_is_recorded_with_its_document(compound, assembly):
    pick = f"{compound['d3'].pk}:{compound['owners']['zhao'].pk}"
    response = client_for(compound["users"]["cw"]).post(
        f"/votes/{assembly.pk}/proxies/", {"pick": pick, "holder_name": "赵小四", "document": scan("p.pdf")}
    )
    assert response.status_code == 302 and Proxy.objects.get().holder_name == "赵小四"


def test_the_result_page_shows_the_arithmetic_and_the_receipts(actor, compound, assembly):
    cast = services.ballot_cast_online(
        actor=compound["users"]["zhang"], vote=assembly, dwelling_id=compound["d1"].pk, choice="yes"
    )
    services.ballot_cast_online(
        actor=compound["users"]["zhao"], vote=assembly, dwelling_id=compound["d3"].pk, choice="no"
    )
    services.vote_close(actor=actor, vote=end_voting(assembly))
    services.vote_publish(actor=actor, vote=assembly)
    zhang = client_for(compound["users"]["zhang"])
    page = zhang.get(f"/votes/{assembly.pk}/result/").content.decode()
    assert "268.41" in page and "178.94" in page  # total and participating area
    assert "2/3 × 268.41" in page and "1/2 × 178.94" in page  # the comparisons, exact shares
    assert cast.receipt in page
    for name in ("notice", "screen"):
        assert "未通过" in zhang.get(f"/votes/{assembly.pk}/{name}/").content.decode()
    lookup = zhang.get(f"/votes/{assembly.pk}/lookup/", {"code": cast.receipt}).content.decode()
    assert 'id="found"' in lookup and "1幢-1单元-101" in lookup
    download = zhang.get(f"/votes/{assembly.pk}/recount.json")
    assert (
        download["Content-Disposition"].startswith("attachment") and b'"owners_assembly"' in download.content
    )
