"""Supplier actions: registration, verification, profile, staff and brand authorisations.

Actions take the session, the acting user and ids; they flush, never commit, and raise
``DomainError``s carrying the form field they concern. One module per aggregate, re-exported here.
"""

from suppliers.actions.application import (
    ENTITY_LABELS,
    INVITATION_DAYS,
    KIND_ENTITY_TYPES,
    PROFILE_FIELDS,
    AccountDraft,
    FoodLicenceDraft,
    SupplierDraft,
    apply,
    categories_needing_licence,
    check_food_licence_number,
    check_uscc,
    owner_of,
    update_profile,
)
from suppliers.actions.brands import grant_authorisation, revoke_authorisation
from suppliers.actions.notifications import mark_notifications_read
from suppliers.actions.staff import (
    accept_invitation,
    add_staff,
    invite_staff,
    open_invitation,
    revoke_invitation,
    set_staff_active,
)
from suppliers.actions.verification import (
    ACTION_WORDS,
    NOTICES,
    OPERATOR_ACTIONS,
    REASON_REQUIRED,
    STATUS_ACTION_LABELS,
    STATUS_WORDS,
    TRANSITIONS,
    StatusAction,
    allowed_actions,
    change_status,
    resubmit,
)

__all__ = [
    "ACTION_WORDS",
    "ENTITY_LABELS",
    "INVITATION_DAYS",
    "KIND_ENTITY_TYPES",
    "NOTICES",
    "OPERATOR_ACTIONS",
    "PROFILE_FIELDS",
    "REASON_REQUIRED",
    "STATUS_ACTION_LABELS",
    "STATUS_WORDS",
    "TRANSITIONS",
    "AccountDraft",
    "FoodLicenceDraft",
    "StatusAction",
    "SupplierDraft",
    "accept_invitation",
    "add_staff",
    "allowed_actions",
    "apply",
    "categories_needing_licence",
    "change_status",
    "check_food_licence_number",
    "check_uscc",
    "grant_authorisation",
    "invite_staff",
    "mark_notifications_read",
    "open_invitation",
    "owner_of",
    "resubmit",
    "revoke_authorisation",
    "revoke_invitation",
    "set_staff_active",
    "update_profile",
]
