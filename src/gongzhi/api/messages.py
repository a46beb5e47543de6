"""User-facing messages raised by the */api.py modules, kept here so this app's catalogue holds them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

NOT_FOUND = _("Not found.")
FORBIDDEN = _("You may view this but not change it.")
NOT_A_COMMUNITY = _("This node is not a community.")
NOT_A_BUILDING = _("Only buildings can be assigned as a whole.")
VALUE_REQUIRED = _("This field cannot be empty.")
NAME_REQUIRED = _("A name is required.")
