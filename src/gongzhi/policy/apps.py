from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def check_policy_packs(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check: every shipped pack loads and validates (policy.packs.load_packs)."""
    from gongzhi.policy.packs import PackError, load_packs

    try:
        load_packs()
    except PackError as exc:
        return [checks.Error(str(exc), hint="Fix the pack file named above.", id="policy.E001")]
    return []


class PolicyConfig(AppConfig):
    name = "gongzhi.policy"
    label = "policy"

    def ready(self) -> None:
        from gongzhi.policy.packs import PackError, get_packs

        checks.register(check_policy_packs, "policy")
        try:
            get_packs()  # validated once at start-up, then cached for the process
        except PackError as exc:
            raise ImproperlyConfigured(str(exc)) from exc
