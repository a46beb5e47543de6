"""The roster pages: upload → job → polled status with the report; staff only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.roster.models import ImportJob

from .conftest import counts, dwelling, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline_runner(settings, tmp_path):
    settings.GONGZHI_IMPORT_RUNNER = "inline"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff_client(client, actor):
    client.force_login(actor)
    return client


def _upload(client, path, **extra):
    with path.open("rb") as handle:
        upload = SimpleUploadedFile(path.name, handle.read())
    return client.post(reverse("roster:import"), {"file": upload, "create_structure": "on", **extra})


def test_upload_runs_job_and_shows_summary(staff_client, small_tree, good_file):
    response = _upload(staff_client, good_file)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("roster:job", args=[job.pk])
    assert job.status == "succeeded" and job.counts["dwellings_created"] == 3
    assert not job.file  # the uploaded file is not kept
    page = staff_client.get(response.url)
    assert "hx-trigger" not in page.content.decode()  # finished: no more polling
    assert "3" in page.content.decode()


def test_rejected_upload_shows_report_in_chinese_and_english(staff_client, small_tree, tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", [dwelling(area="abc")], [])
    before = counts()
    _upload(staff_client, path)
    job = ImportJob.objects.get()
    assert job.status == "rejected"
    after = counts()
    assert after["audit"] == before["audit"] + 1  # only the upload itself is audited
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    status = staff_client.get(reverse("roster:job_status", args=[job.pk]))
    html = status.content.decode()
    assert "房屋" in html and "H 面积(㎡)" in html and "面积" in html
    staff_client.cookies["django_language"] = "en"
    html = staff_client.get(
        reverse("roster:job_status", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "The floor area must be" in html


def test_pending_job_is_polled(staff_client, actor, small_tree):
    job = ImportJob.objects.create(created_by=actor, file_name="x.xlsx")
    html = staff_client.get(reverse("roster:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and reverse("roster:job_status", args=[job.pk]) in html


def test_template_download_and_export_leads_to_the_request_form(staff_client, small_tree):
    """A filled roster is no longer handed out here: the old address leads to the export request (CZ-VI.3)."""
    template = staff_client.get(reverse("roster:template"))
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    community = small_tree["community"].pk
    before = counts()
    export = staff_client.get(reverse("roster:export", args=[community]))
    assert export.status_code == 302 and export.url == f"{reverse('exports:new')}?node={community}"
    assert counts() == before


def test_users_who_register_no_homes_find_no_roster_pages(client, django_user_model, small_tree, good_file):
    user = django_user_model.objects.create_user(username="resident", password="pw-resident-1", is_staff=True)
    client.force_login(user)
    before = counts()
    assert _upload(client, good_file).status_code == 404
    # A community they do not see: no file and no way to the request form either.
    assert client.get(reverse("roster:export", args=[small_tree["community"].pk])).status_code == 404
    assert counts() == before and not ImportJob.objects.exists()


def test_anonymous_is_sent_to_login(client):
    assert client.get(reverse("roster:import")).status_code == 302


def test_other_users_job_is_not_found(client, django_user_model, actor):
    job = ImportJob.objects.create(created_by=actor, file_name="x.xlsx")
    other = django_user_model.objects.create_user(username="staff2", password="pw-staff-22", is_staff=True)
    client.force_login(other)
    assert client.get(reverse("roster:job", args=[job.pk])).status_code == 404


def test_import_page_lists_communities(staff_client, small_tree):
    html = staff_client.get(reverse("roster:import")).content.decode()
    assert "月河社区" in html and reverse("roster:template") in html


def test_upload_is_stored_outside_media_root(settings, actor, good_file):
    from gongzhi.roster.services import import_job_create

    upload = SimpleUploadedFile("r.xlsx", good_file.read_bytes())
    job = import_job_create(actor=actor, upload=upload)
    path = job.file.path
    assert not path.startswith(str(settings.MEDIA_ROOT)) and "private" in path
    job.file.delete(save=False)


def test_worker_runner_leaves_the_job_for_the_worker(settings, staff_client, small_tree, good_file):
    """GONGZHI_IMPORT_RUNNER=worker: the upload waits; `gongzhi roster-worker --once` claims and runs it once."""
    from django.core.management import call_command

    from gongzhi.roster.services import import_job_claim

    settings.GONGZHI_IMPORT_RUNNER = "worker"
    before = counts()
    response = _upload(staff_client, good_file)
    job = ImportJob.objects.get()
    after = counts()
    assert job.status == "pending"
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }
    assert "hx-trigger" in staff_client.get(response.url).content.decode()  # still polling
    call_command("roster-worker", "--once")
    job.refresh_from_db()
    assert job.status == "succeeded" and job.counts["dwellings_created"] == 3
    assert import_job_claim() is None  # nothing left, and a finished job is never claimed again


def test_a_worker_cannot_import_into_another_community(small_tree, actor, django_user_model, good_file):
    """The file names community 330502001001; a worker of a neighbouring community is told it is unknown."""
    from gongzhi.accounts import services as accounts
    from gongzhi.roster.services import roster_import
    from gongzhi.tree import services as tree

    neighbour = tree.node_create(
        actor=actor, parent=small_tree["street"], name="潮音社区", level="community", code="330502001002"
    )
    worker = django_user_model.objects.create_user(username="w2", password="pw-worker-22", is_staff=True)
    accounts.role_assign(
        actor=actor, user=worker, role="community_worker", start=dt.date(2024, 1, 1), node=neighbour
    )
    before = counts()
    result = roster_import(actor=worker, source=good_file)
    assert [e.code for e in result.errors] == ["unknown_community"]
    assert counts() == before
