"""Words for the reasons and rejections routing stores as data (``{"rule", "code", "params"}``):
worded when shown, in the reader's language."""

from __future__ import annotations

from typing import Any

from catalog.models.reference import StorageClass
from fulfillment.routing.models import RULE_LABELS, ZONE_LABELS, RuleCode, Zone
from yipin.i18n import _l
from yipin.money import format_fen

MESSAGES: dict[str, Any] = {
    # reasons for the chosen parcels
    "in_stock": _l("%(warehouse)s has all %(units)s units"),
    "storage_ok": _l("%(warehouse)s keeps %(storage)s goods; %(service)s carries them"),
    "covered": _l("%(service)s delivers to %(destination)s"),
    "capacity_left": _l("%(warehouse)s has room for %(left)s more parcels on %(day)s"),
    "no_capacity_limit": _l("%(warehouse)s has no daily parcel limit"),
    "promised": _l("%(service)s promises %(days)s days to this zone (%(zone)s)"),
    "cost": _l("%(service)s costs %(cost)s"),
    "consolidated": _l(
        "%(warehouse)s's parcel is collected by the county centre %(hub)s (统仓共配)"
    ),
    "parcels": _l("%(parcels)s parcel(s); %(plans)s possible plan(s) compared"),
    # rejected alternatives
    "warehouse_full": _l("%(warehouse)s has no capacity left today (%(capacity)s parcels a day)"),
    "warehouse_too_warm": _l(
        "%(warehouse)s keeps only %(keeps)s goods; %(products)s must be kept %(needs)s"
    ),
    "not_all_in_stock": _l("%(warehouse)s does not have all of: %(products)s"),
    "out_of_stock": _l("Not enough stock in any usable warehouse: %(products)s"),
    "nothing_to_send": _l("Nothing left to send"),
    "service_not_cold": _l("%(service)s is not a cold chain for %(needs)s goods"),
    "no_rate_to_zone": _l("%(service)s has no rate to this zone (%(zone)s)"),
    "not_covered": _l("%(service)s does not deliver to %(destination)s"),
    "village_not_covered": _l("%(service)s does not reach the village %(destination)s"),
    "service_not_to_villages": _l("%(service)s does not deliver to villages"),
    "no_service": _l("No carrier service can deliver to %(destination)s"),
    "service_ranked_lower": _l("%(service)s from %(warehouse)s: %(cost)s, %(days)s days"),
    "plan_ranked_lower": _l(
        "%(parcels)s parcel(s) from %(warehouses)s with %(services)s: %(cost)s, %(days)s days"
    ),
    # operators' actions
    "held": _l("Held by an operator: %(reason)s"),
    "released": _l("Released by an operator"),
    "moved": _l("Moved by an operator from %(source)s to %(target)s"),
    "split": _l("Split by an operator: %(target)s taken out of %(source)s"),
    "carrier_reassigned": _l("Carrier changed by an operator from %(source)s to %(target)s"),
}

STORAGE_WORDS = {
    StorageClass.AMBIENT: _l("ambient"),
    StorageClass.CHILLED: _l("chilled"),
    StorageClass.FROZEN: _l("frozen"),
}


def _value(name: str, value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if name in ("storage", "keeps", "needs") and value in {s.value for s in StorageClass}:
        return str(STORAGE_WORDS[StorageClass(value)])
    if name == "zone" and value in {z.value for z in Zone}:
        return str(ZONE_LABELS[Zone(value)])
    if value is None:
        return "—"
    return str(value)


def word(item: dict[str, Any]) -> str:
    """One stored note in the current language."""
    message = MESSAGES.get(str(item.get("code")))
    params = dict(item.get("params") or {})
    if "cost_fen" in params:
        params["cost"] = format_fen(int(params.pop("cost_fen") or 0))
    if message is None:
        return str(item.get("code", ""))
    values = {k: _value(k, v) for k, v in params.items()}
    text = str(message)
    try:
        return text % values
    except (KeyError, TypeError, ValueError):
        return text


def rule_label(code: str) -> str:
    if code in {c.value for c in RuleCode}:
        return str(RULE_LABELS[RuleCode(code)])
    if code == "operator":
        return str(_l("Operator"))
    if code == "tie":
        return str(_l("Equal on every rule (the older warehouse first)"))
    return code
