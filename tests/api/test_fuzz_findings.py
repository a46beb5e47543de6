"""Regression tests for what fuzzing the API (test_fuzz.py) found, one per finding."""

from __future__ import annotations

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from gongzhi.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_multipart_body_without_boundary_is_400_not_500(worker, assert_error, zh):
    """Session auth reads the form body for the CSRF check; a malformed multipart body used to answer 500."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    csrf = _get_new_csrf_string()
    client.cookies["csrftoken"] = csrf
    response = client.post(
        "/api/v1/tokens", b'{"name": "x"}', content_type="multipart/form-data", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 400
    body = assert_error(response, "bad_request")
    assert body["message"] == zh("The request body could not be read.")
    assert not ApiToken.objects.exists()
