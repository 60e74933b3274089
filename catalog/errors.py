"""Errors of the catalog domain (each carries a code and a bilingual message)."""

from __future__ import annotations

from yipin.errors import Conflict, DomainError
from yipin.i18n import _l


class SupplierCannotSell(DomainError):
    status = 409
    code = "supplier_not_verified"
    message = _l("Only verified suppliers can list products.")


class GradeNotInStandard(DomainError):
    code = "grade_not_in_standard"
    message = _l("This grade is not defined by the product's grading standard %(standard)s.")


class GradeRequired(DomainError):
    code = "grade_required"
    message = _l("Choose a grade of the standard %(standard)s.")


class GradeNotSellable(DomainError):
    code = "grade_not_sellable"
    message = _l("Produce of grade %(grade)s may not be sold.")


class BrandNotAuthorised(DomainError):
    code = "brand_not_authorised"
    message = _l("Your company holds no valid authorisation for the brand %(brand)s.")


class OriginOutsideBrand(DomainError):
    code = "origin_outside_brand"
    message = _l("The brand %(brand)s covers only produce from %(region)s.")


class FoodLicenceRequired(DomainError):
    code = "food_licence_required"
    message = _l("Products of the category %(category)s need a valid food production licence (SC).")


class InvalidProduct(DomainError):
    code = "invalid_product"
    message = _l("The product details are not valid.")


class DuplicateSku(Conflict):
    code = "duplicate_sku"
    message = _l("Your company already has a variant with the SKU %(sku)s.")


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    message = _l("The product is %(current)s: %(action)s is not possible.")


class ReasonRequired(DomainError):
    code = "reason_required"
    message = _l("Give a reason.")


class StaleRevision(Conflict):
    code = "stale_revision"
    message = _l(
        "The product changed while you were looking at it (revision %(seen)s, now "
        "%(current)s). Reload the page and review it again."
    )


class TooManyImages(DomainError):
    code = "too_many_images"
    message = _l("A product has at most %(limit)s images.")


class DuplicateImage(Conflict):
    code = "duplicate_image"
    message = _l("This picture is already among the product's images.")
