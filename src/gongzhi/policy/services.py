"""Write path for local policy overrides (catalogue §5 #39). Every change is audited in its transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.audit.services import audit_record
from gongzhi.core.errors import InvalidInput
from gongzhi.policy.effective import PolicyValue
from gongzhi.policy.models import PolicyOverride
from gongzhi.policy.packs import get_packs
from gongzhi.policy.schema import KEYS, dump_value, loosens, validate_value
from gongzhi.policy.selectors import effective_policy
from gongzhi.tree.models import Node

REASON_MAX = 300


def _delegated_base(node: Node, key: str) -> PolicyValue:
    """The pack value an override would replace; only a value its document delegates may be overridden."""
    if key not in KEYS:
        raise InvalidInput(_("Unknown policy key."), code="key_invalid")
    base = effective_policy(node).get(key)
    if base is None or not base.delegable:
        raise InvalidInput(
            _("This value is not delegated to local decision by its document, so it cannot be overridden."),
            code="not_delegable",
        )
    return base


def _typed(key: str, raw: Any) -> Any:
    try:
        value = validate_value(key, raw)
    except ValueError as exc:  # includes pydantic.ValidationError
        raise InvalidInput(
            _("The value does not have the type this policy key needs."), code="value_invalid"
        ) from exc
    national = get_packs()["national"].values.get(key)
    if national and national[0].force == "shall" and loosens(key, value, national[1]):
        raise InvalidInput(_("A local value may tighten national law, never loosen it."), code="loosens_law")
    return value


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("A reason (the local decision) is required."), code="reason_required")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("The reason is too long."), code="reason_too_long")
    return reason


def _record(override: PolicyOverride) -> dict[str, Any]:
    return {
        "node": override.node_id,
        "key": override.key,
        "value": override.value,
        "reason": override.reason,
        "withdrawn_at": override.withdrawn_at,
    }


@transaction.atomic
def policy_override_set(*, actor: Any, node: Node, key: str, value: Any, reason: str) -> PolicyOverride:
    """Set a local value for a delegated key on `node`, replacing (withdrawing) any active one on the same node.

    Preconditions: `key` is known and delegated by the pack in force (delegable: true); `value` has the key's
    type and does not loosen a national "shall" bound; `reason` names the local decision.
    """
    node = Node.objects.select_for_update().get(pk=node.pk)
    base = _delegated_base(node, key)
    stored = dump_value(key, _typed(key, value))
    reason = _clean_reason(reason)
    previous = (
        PolicyOverride.objects.select_for_update()
        .filter(node=node, key=key, withdrawn_at__isnull=True)
        .first()
    )
    before = {"value": dump_value(key, base.value), "source": base.source, "clause": base.clause_text}
    if previous is not None:
        _withdraw(previous)
        before["override"] = previous.pk
    override = PolicyOverride.objects.create(
        node=node, key=key, value=stored, reason=reason, created_by=actor
    )
    audit_record(
        actor=actor,
        action="policy.override_set",
        obj=override,
        before=before,
        after=_record(override),
        node_path=node.path,
    )
    return override


def _withdraw(override: PolicyOverride) -> None:
    override.withdrawn_at = timezone.now()
    override.save(update_fields=["withdrawn_at"])


@transaction.atomic
def policy_override_withdraw(*, actor: Any, override: PolicyOverride) -> PolicyOverride:
    """Withdraw an active override: the pack value applies again on the node. Rows are kept, never deleted."""
    override = PolicyOverride.objects.select_for_update().select_related("node").get(pk=override.pk)
    if override.withdrawn_at is not None:
        raise InvalidInput(_("This override has already been withdrawn."), code="already_withdrawn")
    before = _record(override)
    _withdraw(override)
    audit_record(
        actor=actor,
        action="policy.override_withdrawn",
        obj=override,
        before=before,
        after=_record(override),
        node_path=override.node.path,
    )
    return override
