"""Email settings from the environment (README: Configuration). Pure Python, no Django import.

`GONGZHI_EMAIL_URL` is one URL: `smtp://user:password@host:587` (STARTTLS with `?tls=1`), `smtps://…:465`
(implicit TLS), `console://` (print to the console) or `locmem://` (kept in memory, for tests). Without it,
`EMAIL_HOST` (with `EMAIL_PORT`, `EMAIL_HOST_USER`, `EMAIL_HOST_PASSWORD`, `EMAIL_USE_TLS`, `EMAIL_USE_SSL`)
configures SMTP the Django way. With neither, no email is sent at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
TRUE = {"1", "true", "yes", "on"}


def _from_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme not in BACKENDS:
        raise ValueError(f"GONGZHI_EMAIL_URL: unknown scheme {parts.scheme!r} (smtp, smtps, console, locmem)")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    out: dict[str, Any] = {"EMAIL_BACKEND": BACKENDS[parts.scheme], "enabled": True}
    if parts.scheme in ("smtp", "smtps"):
        out.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=parts.scheme == "smtp" and query.get("tls", "").lower() in TRUE,
        )
    return out


def email_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Django's EMAIL_* settings and whether notices go by email ("enabled"), from the environment."""
    url = env.get("GONGZHI_EMAIL_URL", "").strip()
    if url:
        return _from_url(url)
    host = env.get("EMAIL_HOST", "").strip()
    if not host:
        return {"enabled": False}
    return {
        "enabled": True,
        "EMAIL_BACKEND": BACKENDS["smtp"],
        "EMAIL_HOST": host,
        "EMAIL_PORT": int(env.get("EMAIL_PORT", "25")),
        "EMAIL_HOST_USER": env.get("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": env.get("EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": env.get("EMAIL_USE_TLS", "").lower() in TRUE,
        "EMAIL_USE_SSL": env.get("EMAIL_USE_SSL", "").lower() in TRUE,
    }
