"""Display labels of supplier enums (translatable)."""

from __future__ import annotations

from typing import Any

from suppliers.models import SupplierKind, SupplierStatus
from yipin.i18n import _l

KIND_LABELS: dict[SupplierKind, Any] = {
    SupplierKind.COOPERATIVE: _l("Farmers' cooperative"),
    SupplierKind.FAMILY_FARM: _l("Family farm"),
    SupplierKind.ENTERPRISE: _l("Enterprise"),
}
STATUS_LABELS: dict[SupplierStatus, Any] = {
    SupplierStatus.PENDING: _l("Pending verification"),
    SupplierStatus.VERIFIED: _l("Verified"),
    SupplierStatus.REJECTED: _l("Rejected"),
    SupplierStatus.SUSPENDED: _l("Suspended"),
}


def kind_label(kind: SupplierKind | str) -> str:
    return str(KIND_LABELS[SupplierKind(kind)])


def status_label(status: SupplierStatus | str) -> str:
    return str(STATUS_LABELS[SupplierStatus(status)])
