"""Errors of the stock places: warehouses and stock (each with a code and a bilingual message)."""

from __future__ import annotations

from yipin.errors import Conflict, DomainError
from yipin.i18n import _l


class InvalidWarehouse(DomainError):
    code = "invalid_warehouse"
    message = _l("The warehouse details are not valid.")


class DuplicateWarehouseCode(Conflict):
    code = "duplicate_warehouse_code"
    message = _l("Another warehouse already has the code %(warehouse)s.")


class WarehouseRegionLevel(DomainError):
    code = "warehouse_region_level"
    message = _l("A %(kind)s must be located at %(level)s level.")


class WarehouseInUse(Conflict):
    code = "warehouse_in_use"
    message = _l("This warehouse still holds stock that the change would strand: %(detail)s")


class WarehouseInactive(Conflict):
    code = "warehouse_inactive"
    message = _l("The warehouse %(warehouse)s is closed; it takes no stock.")


class StorageMismatch(DomainError):
    code = "storage_mismatch"
    message = _l(
        "%(product)s must be kept %(storage)s; the warehouse %(warehouse)s keeps: %(capability)s."
    )


class InvalidQuantity(DomainError):
    code = "invalid_quantity"
    message = _l("Give a whole number of units of at least 0.")


class InsufficientStock(Conflict):
    code = "insufficient_stock"
    message = _l(
        "Not enough stock: %(on_hand)s on hand, %(reserved)s reserved for orders; "
        "the count cannot go below %(reserved)s."
    )


class ReasonRequired(DomainError):
    code = "reason_required"
    message = _l("Give a reason for the adjustment (e.g. received, damaged, counted).")


class OutOfStock(Conflict):
    code = "out_of_stock"
    message = _l("Not enough stock: %(wanted)s wanted, %(available)s left.")
