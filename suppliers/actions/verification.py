"""The verification state machine (one table), operator decisions and the owner's resubmission.

Every status change leaves a ``SupplierStatusChange`` row and a notification to the supplier,
and publishes the outbox topic ``suppliers.verification_changed``; other domains react to it in
their own ``tasks.py`` (the catalog re-indexes the supplier's listed products, which appear or
disappear with its right to sell).
"""

from __future__ import annotations

from enum import StrEnum
from typing import IO, Any

from sqlalchemy.orm import Session

from catalog.rules import has_valid_food_licence
from suppliers.actions.access import get_supplier, managed_supplier
from suppliers.actions.application import (
    PORTAL_HOME,
    PORTAL_PROFILE,
    FoodLicenceDraft,
    SupplierDraft,
    save_food_licence,
    store_licence_image,
    validate_food_licence,
    validate_supplier,
)
from suppliers.errors import (
    InvalidApplication,
    ReasonRequired,
    StatusTransitionNotAllowed,
)
from suppliers.models import (
    Supplier,
    SupplierStatus,
    SupplierStatusChange,
)
from yipin import clock, outbox
from yipin.accounts.models import User
from yipin.errors import Forbidden
from yipin.i18n import _l, bilingual
from yipin.labels import Labels
from yipin.notifications import notify_supplier

# ----------------------------------------------------------------------------- verification

# Published on every status change: {"supplier_id", "from_status", "to_status", "can_sell"}.
VERIFICATION_CHANGED = "suppliers.verification_changed"


class StatusAction(StrEnum):
    VERIFY = "verify"
    REJECT = "reject"
    RESUBMIT = "resubmit"
    SUSPEND = "suspend"
    RESTORE = "restore"


STATUS_ACTION_LABELS = Labels(
    StatusAction,
    {
        StatusAction.VERIFY: _l("Verify"),
        StatusAction.REJECT: _l("Reject"),
        StatusAction.RESUBMIT: _l("Resubmit"),
        StatusAction.SUSPEND: _l("Suspend"),
        StatusAction.RESTORE: _l("Restore"),
    },
)
# The verification state machine: (status, action) → new status. Nothing else is allowed.
TRANSITIONS: dict[tuple[SupplierStatus, StatusAction], SupplierStatus] = {
    (SupplierStatus.PENDING, StatusAction.VERIFY): SupplierStatus.VERIFIED,
    (SupplierStatus.PENDING, StatusAction.REJECT): SupplierStatus.REJECTED,
    (SupplierStatus.REJECTED, StatusAction.RESUBMIT): SupplierStatus.PENDING,
    (SupplierStatus.VERIFIED, StatusAction.SUSPEND): SupplierStatus.SUSPENDED,
    (SupplierStatus.SUSPENDED, StatusAction.RESTORE): SupplierStatus.VERIFIED,
}
REASON_REQUIRED = frozenset({StatusAction.REJECT, StatusAction.SUSPEND})
OPERATOR_ACTIONS = frozenset(
    {StatusAction.VERIFY, StatusAction.REJECT, StatusAction.SUSPEND, StatusAction.RESTORE}
)
STATUS_WORDS = {
    SupplierStatus.PENDING: _l("pending verification"),
    SupplierStatus.VERIFIED: _l("verified"),
    SupplierStatus.REJECTED: _l("rejected"),
    SupplierStatus.SUSPENDED: _l("suspended"),
}
ACTION_WORDS = {
    StatusAction.VERIFY: _l("Verifying"),
    StatusAction.REJECT: _l("Rejecting"),
    StatusAction.RESUBMIT: _l("Resubmitting"),
    StatusAction.SUSPEND: _l("Suspending"),
    StatusAction.RESTORE: _l("Restoring"),
}
NOTICES: dict[SupplierStatus, Any] = {
    SupplierStatus.PENDING: _l("Your application was received and waits for verification"),
    SupplierStatus.VERIFIED: _l("Your company is verified: you can now list products"),
    SupplierStatus.REJECTED: _l("Your application was rejected: correct it and resubmit"),
    SupplierStatus.SUSPENDED: _l("Your company is suspended: your products are not on sale"),
}


def allowed_actions(status: SupplierStatus) -> list[StatusAction]:
    """The actions the state machine allows from ``status`` (for buttons)."""
    return [action for (st, action) in TRANSITIONS if st == status]


def _transition(
    session: Session,
    actor: User | None,
    supplier: Supplier,
    action: StatusAction,
    reason: str | None,
) -> Supplier:
    key = (supplier.status, action)
    if key not in TRANSITIONS:
        raise StatusTransitionNotAllowed(
            current=STATUS_WORDS[supplier.status], action=ACTION_WORDS[action]
        )
    reason = (reason or "").strip() or None
    if action in REASON_REQUIRED and not reason:
        raise ReasonRequired(field="reason")
    old, new = supplier.status, TRANSITIONS[key]
    now = clock.now()
    supplier.status = new
    supplier.status_reason = reason
    if new == SupplierStatus.VERIFIED and action == StatusAction.VERIFY:
        supplier.verified_at = now
    session.add(
        SupplierStatusChange(
            supplier_id=supplier.id,
            from_status=old,
            to_status=new,
            reason=reason,
            actor_id=actor.id if actor else None,
            at=now,
        )
    )
    notify_supplier(
        session,
        supplier.id,
        kind=f"supplier.{new}",
        title=bilingual(NOTICES[new])["zh_CN"],
        body=reason or "",
        link=PORTAL_PROFILE if new == SupplierStatus.REJECTED else PORTAL_HOME,
    )
    outbox.emit(
        session,
        VERIFICATION_CHANGED,
        {
            "supplier_id": supplier.id,
            "from_status": str(old),
            "to_status": str(new),
            "can_sell": supplier.can_sell,
        },
    )
    session.flush()
    return supplier


def change_status(
    session: Session,
    actor: User,
    supplier_id: int,
    action: StatusAction | str,
    reason: str | None = None,
) -> Supplier:
    """An operator verifies, rejects, suspends or restores a supplier."""
    if not actor.is_operator:
        raise Forbidden()
    try:
        action = StatusAction(action)
    except ValueError:
        raise InvalidApplication(field="action") from None
    if action not in OPERATOR_ACTIONS:
        raise Forbidden()
    supplier = get_supplier(session, supplier_id)
    return _transition(session, actor, supplier, action, reason)


def resubmit(
    session: Session,
    actor: User,
    supplier_id: int,
    draft: SupplierDraft,
    *,
    licence_image: IO[bytes] | None = None,
    food_licence: FoodLicenceDraft | None = None,
    platform_region: str,
) -> Supplier:
    """The owner of a rejected supplier corrects the application and sends it back (→ pending)."""
    supplier = managed_supplier(session, actor, supplier_id, owner_only=True)
    if (supplier.status, StatusAction.RESUBMIT) not in TRANSITIONS:
        raise StatusTransitionNotAllowed(
            current=STATUS_WORDS[supplier.status], action=ACTION_WORDS[StatusAction.RESUBMIT]
        )
    values, categories = validate_supplier(session, draft, platform_region, supplier.id)
    needing = [c for c in categories if c.requires_food_licence]
    number = None
    if needing:
        blank = food_licence is None or food_licence.is_blank()
        if not blank or not has_valid_food_licence(session, supplier.id, clock.today_local()):
            number = validate_food_licence(session, food_licence, needing, supplier.id)
    for key, value in values.items():
        setattr(supplier, key, value)
    supplier.main_categories = categories
    if licence_image is not None:
        image = store_licence_image(session, licence_image, "licence_image", supplier.id, actor.id)
        supplier.licence_image_id = image.id
    if number and food_licence is not None:
        save_food_licence(session, actor, supplier, food_licence, number, needing)
    return _transition(session, actor, supplier, StatusAction.RESUBMIT, None)
