"""Printable PDF documents (notices for the board, reports) rendered from a template with WeasyPrint.

WeasyPrint draws text with the system's pango and fonts: Debian's `fonts-noto-cjk` gives it Chinese glyphs. Its
import is deferred to the first rendering so that a server without pango still starts and serves everything
else; asking it for a PDF then answers 503 with a message saying what is missing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import Unavailable

PDF_UNAVAILABLE = _(
    "PDF documents cannot be made on this server: its PDF renderer (WeasyPrint with pango) is not installed."
)


def _html_class() -> Any:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the pango library could not be loaded
        raise Unavailable(PDF_UNAVAILABLE, code="pdf_unavailable") from exc
    return HTML


def pdf_available() -> bool:
    try:
        _html_class()
    except Unavailable:
        return False
    return True


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """The template rendered as a PDF. Its stylesheet is inline (no network, no static files are fetched)."""
    html = render_to_string(template, context, request=request)
    return bytes(_html_class()(string=html, base_url=None).write_pdf())


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
