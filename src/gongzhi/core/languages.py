"""Names of the interface languages (settings.LANGUAGES), marked here so they land in core's catalogue."""

from __future__ import annotations

from django.utils.translation import gettext_noop

LANGUAGE_NAMES = [gettext_noop("Simplified Chinese"), gettext_noop("English")]
