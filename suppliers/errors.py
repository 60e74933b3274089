"""Errors of the suppliers domain (each carries a stable code and a bilingual message)."""

from __future__ import annotations

from typing import Any

from suppliers import uscc
from yipin.errors import Conflict, DomainError, Forbidden
from yipin.i18n import _l

# ----------------------------------------------------------------------------- 统一社会信用代码

USCC_MESSAGES: dict[str, Any] = {
    "length": _l("The unified social credit code has 18 characters; this one has %(count)s."),
    "characters": _l(
        "The unified social credit code may contain only digits and capital letters other "
        "than I, O, S, V and Z; it contains %(chars)s."
    ),
    "entity_type": _l(
        "The code starts with %(prefix)s, which is not a registering authority and entity type "
        "of GB 32100-2015 (a company starts with 91, a cooperative with 93)."
    ),
    "division": _l(
        "Characters 3 to 8 of the code must be the 6-digit administrative division code."
    ),
    "check_character": _l(
        "The check character (the 18th) does not match the first 17 characters: "
        "a character was probably mistyped."
    ),
    "kind_mismatch": _l(
        "A code starting with %(prefix)s belongs to %(entity)s, which cannot register as %(kind)s."
    ),
}


class InvalidUSCC(DomainError):
    """A 统一社会信用代码 failed GB 32100-2015; ``reason`` says which check."""

    code = "invalid_uscc"
    message = USCC_MESSAGES["check_character"]

    def __init__(self, reason: str, raw: str = "", **params: Any) -> None:
        self.reason = reason
        code = uscc.normalise(raw or "")
        if reason == "length":
            params.setdefault("count", len(code))
        elif reason == "characters":
            bad = sorted({ch for ch in code if ch not in uscc.CHARSET})
            params.setdefault("chars", "、".join(bad) or "—")
        elif reason in ("entity_type", "kind_mismatch"):
            params.setdefault("prefix", code[:2])
        super().__init__(
            USCC_MESSAGES[reason], code=f"invalid_uscc_{reason}", field="uscc", **params
        )


class USCCTaken(Conflict):
    code = "uscc_taken"
    message = _l("A supplier with this unified social credit code is already registered.")


class SupplierNameTaken(Conflict):
    code = "supplier_name_taken"
    message = _l("A supplier with this name is already registered.")


# ----------------------------------------------------------------------------- the application


class InvalidApplication(DomainError):
    code = "invalid_application"
    message = _l("Some details of the application are not valid.")


class RegionOutsidePlatform(DomainError):
    code = "region_outside_platform"
    message = _l("The platform accepts suppliers located in %(region)s only.")


class RegionNotPrecise(DomainError):
    code = "region_not_precise"
    message = _l("Choose the county, the township and the village or community.")


class RegisteredInFuture(DomainError):
    code = "registered_in_future"
    message = _l("The date of establishment cannot be in the future.")


class LicenceImageRequired(DomainError):
    code = "licence_image_required"
    message = _l("Upload a photo or scan of the business licence.")


class CategoriesRequired(DomainError):
    code = "categories_required"
    message = _l("Choose at least one main category.")


class FoodLicenceRequired(DomainError):
    code = "food_licence_required"
    message = _l("%(categories)s need a food production licence (SC): enter it below.")


class InvalidFoodLicenceNumber(DomainError):
    code = "invalid_food_licence_number"
    message = _l("A food production licence number is SC followed by 14 digits.")


class FoodLicenceTaken(Conflict):
    code = "food_licence_taken"
    message = _l("This food production licence is already registered by another supplier.")


class InvalidPeriod(DomainError):
    code = "invalid_period"
    message = _l("The end of the validity period must not be before its start.")


class FoodLicenceExpired(DomainError):
    code = "food_licence_expired"
    message = _l("This food production licence has expired.")


# ----------------------------------------------------------------------------- verification


class StatusTransitionNotAllowed(Conflict):
    code = "status_transition_not_allowed"
    message = _l("%(action)s is not possible for a supplier that is %(current)s.")


class ReasonRequired(DomainError):
    code = "reason_required"
    message = _l("Give a reason: the supplier will see it.")


class OwnerOnly(Forbidden):
    code = "owner_only"
    message = _l("Only the supplier's owner may do this.")


# ----------------------------------------------------------------------------- staff


class InvitationNotUsable(DomainError):
    status = 410
    code = "invitation_not_usable"
    message = _l("This invitation link has expired, was revoked or has already been used.")


class InvitationNeedsContact(DomainError):
    code = "invitation_needs_name"
    message = _l("Give the name of the person you invite.")


# ----------------------------------------------------------------------------- brands


class AuthorisationOverlaps(Conflict):
    code = "authorisation_overlaps"
    message = _l(
        "This supplier already holds an authorisation for %(brand)s from %(start)s to %(end)s "
        "that overlaps this period."
    )


class AuthorisationAlreadyRevoked(Conflict):
    code = "authorisation_revoked"
    message = _l("This authorisation has already been revoked.")
