"""Display labels of the reports domain (one table per enum or code, translated once; pages,
exports and the API use them)."""

from __future__ import annotations

from typing import Any

from reports.models import LivestreamBaseKind, StatementStatus
from reports.periods import Grain
from reports.queries import Dimension, Direction
from yipin.i18n import _l

DIMENSION_LABELS: dict[Dimension, Any] = {
    Dimension.PERIOD: _l("Period"),
    Dimension.SUPPLIER: _l("Supplier"),
    Dimension.COUNTY: _l("County"),
    Dimension.TOWNSHIP: _l("Township of origin"),
    Dimension.CATEGORY: _l("Category"),
    Dimension.BRAND: _l("Regional brand"),
    Dimension.BUYER_TYPE: _l("Buyer type"),
}
GRAIN_LABELS: dict[Grain, Any] = {
    Grain.DAY: _l("Day"),
    Grain.MONTH: _l("Month"),
    Grain.QUARTER: _l("Quarter"),
    Grain.YEAR: _l("Year"),
}
DIRECTION_LABELS: dict[Direction, Any] = {
    Direction.ALL: _l("All sales"),
    Direction.UPWARD: _l("Sent out of the city (上行)"),
    Direction.LOCAL: _l("Within the city"),
}
KPI_LABELS: dict[str, Any] = {
    "gmv": _l("GMV (before refunds)"),
    "net_sales": _l("Net sales"),
    "orders": _l("Supplier orders"),
    "buyers": _l("Buyers"),
    "rural_sales": _l("Rural-product online sales"),
    "upward_sales": _l("Sold out of the city (上行)"),
    "enterprises_above": _l("Enterprises above ¥10,000,000 this year"),
    "new_enterprises": _l("New enterprises above ¥10,000,000"),
    "out_of_county_24h": _l("Parcels out of the county within 24 h"),
    "village_coverage": _l("Villages with express delivery (快递进村)"),
    "average_delivery_hours": _l("Average delivery time (hours)"),
}
COLUMN_LABELS: dict[str, Any] = {
    "sales_fen": _l("Sales"),
    "refunds_fen": _l("Refunds"),
    "net_fen": _l("Net sales"),
    "upward_fen": _l("Of which 上行"),
    "local_fen": _l("Within the city"),
    "quantity": _l("Units (net)"),
    "lines": _l("Order lines"),
}
REASON_LABELS: dict[str, Any] = {
    "": _l("Eligible"),
    "below_threshold": _l("Sales do not exceed the threshold"),
    "not_new": _l("Not new: above the threshold the year before"),
    "rank_out": _l("Ranked below the top places"),
    "r5_higher_rule": _l("R5: only the higher of R3 and R4 is given"),
    "operator_not_in_city": _l("Operator not registered in the city"),
    "not_recognised": _l("Not recognised by the city"),
    "base_below_criteria": _l("Below the criteria of its type"),
}
RULE_LABELS: dict[str, Any] = {
    "R1": _l("R1 Unified platform reward"),
    "R2": _l("R2 Livestream base subsidy"),
    "R3": _l("R3 Large e-commerce enterprise"),
    "R4": _l("R4 New rural-product seller"),
    "R5": _l("R5 One of R3 or R4"),
}
BUYER_EXCLUSION_NOTE = _l("Excluded from the basis")
REFUND_RULE = _l(
    "Refunds are booked in the period the money went back: a sale refunded in a later year "
    "lowers that later year, never the year of the sale."
)
ROUNDING_RULE = _l(
    "Amounts are the basis times the rate, rounded down to the whole fen, then capped."
)
TIE_RULE = _l("Ties share a rank; every rank within the top places qualifies.")
BASE_KIND_LABELS: dict[LivestreamBaseKind, Any] = {
    LivestreamBaseKind.SHARED: _l("Shared (共享型)"),
    LivestreamBaseKind.DEMONSTRATION: _l("Demonstration (示范型)"),
}
STATEMENT_STATUS_LABELS: dict[StatementStatus, Any] = {
    StatementStatus.OPEN: _l("Awaiting payment"),
    StatementStatus.PAID: _l("Paid"),
}


def subject_label(subject: str, name: str) -> str:
    if subject == "platform":
        return str(_l("The platform"))
    return name
