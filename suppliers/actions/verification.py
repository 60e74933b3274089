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


S, A = SupplierStatus, StatusAction
# The verification state machine: (status, action) → new status. Nothing else is allowed.
TRANSITIONS: dict[tuple[SupplierStatus, StatusAction], SupplierStatus] = {
    (S.PENDING, A.VERIFY): S.VERIFIED,
    (S.PENDING, A.REJECT): S.REJECTED,
    (S.REJECTED, A.RESUBMIT): S.PENDING,
    (S.VERIFIED, A.SUSPEND): S.SUSPENDED,
    (S.SUSPENDED, A.RESTORE): S.VERIFIED,
}
REASON_REQUIRED = frozenset({A.REJECT, A.SUSPEND})
OPERATOR_ACTIONS = frozenset({A.VERIFY, A.REJECT, A.SUSPEND, A.RESTORE})
STATUS_WORDS = {
    S.PENDING: _l("pending verification"),
    S.VERIFIED: _l("verified"),
    S.REJECTED: _l("rejected"),
    S.SUSPENDED: _l("suspended"),
}
ACTION_WORDS = {
    A.VERIFY: _l("Verifying"),
    A.REJECT: _l("Rejecting"),
    A.RESUBMIT: _l("Resubmitting"),
    A.SUSPEND: _l("Suspending"),
    A.RESTORE: _l("Restoring"),
}
NOTICES: dict[SupplierStatus, Any] = {
    S.PENDING: _l("Your application was received and waits for verification"),
    S.VERIFIED: _l("Your company is verified: you can now list products"),
    S.REJECTED: _l("Your application was rejected: correct it and resubmit"),
    S.SUSPENDED: _l("Your company is suspended: your products are not on sale"),
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
    if new == S.VERIFIED and action == A.VERIFY:
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
        link=PORTAL_PROFILE if new == S.REJECTED else PORTAL_HOME,
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
    if (supplier.status, A.RESUBMIT) not in TRANSITIONS:
        raise StatusTransitionNotAllowed(
            current=STATUS_WORDS[supplier.status], action=ACTION_WORDS[A.RESUBMIT]
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
    return _transition(session, actor, supplier, A.RESUBMIT, None)
