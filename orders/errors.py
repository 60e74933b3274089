"""Errors of carts, checkout, payments and after-sales (each with a code and a bilingual
message; ``field`` names the input at fault, ``errors`` carries data a client can act on)."""

from __future__ import annotations

from yipin.errors import Conflict, DomainError, NotFound
from yipin.i18n import _l


class CartError(DomainError):
    code = "cart_invalid"
    message = _l("The cart cannot take this.")


class NotForSale(CartError):
    code = "not_for_sale"
    message = _l("%(product)s is not on sale right now.")


class QuantityUnavailable(Conflict):
    code = "quantity_unavailable"
    message = _l("Only %(available)s of %(product)s can be bought (stock or per-order limit).")


class InvalidQuantity(DomainError):
    code = "invalid_quantity"
    message = _l("Give a whole number of at least 1.")


class CartEmpty(Conflict):
    code = "cart_empty"
    message = _l("Your cart is empty.")


class PriceChanged(Conflict):
    code = "price_changed"
    message = _l("Prices or shipping changed since you looked: the total is now %(total)s.")


class InvalidAddress(DomainError):
    code = "invalid_address"
    message = _l("The address is not complete.")


class NotDeliverable(Conflict):
    code = "not_deliverable"
    message = _l("%(supplier)s cannot deliver this parcel to %(region)s.")


class ShippingChoice(DomainError):
    code = "shipping_choice"
    message = _l("Choose a shipping service offered for each parcel.")


class InvalidBuyer(DomainError):
    code = "invalid_buyer"
    message = _l("The invoice details are not valid.")


class PaymentMethodUnavailable(Conflict):
    code = "payment_method_unavailable"
    message = _l("This payment method cannot be used for this order.")


class PaymentProviderDown(DomainError):
    status = 503
    code = "payment_provider_unavailable"
    message = _l("The payment service did not answer. Please try again in a moment.")


class OrderNotFound(NotFound):
    code = "order_not_found"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = _l("This cannot be done while it is %(state)s.")


class RefundTooLarge(Conflict):
    code = "refund_too_large"
    message = _l("At most %(left)s can still be refunded.")


class AfterSalesClosed(Conflict):
    code = "after_sales_closed"
    message = _l("This is not possible for this order any more: %(why)s")


class AfterSalesInvalid(DomainError):
    code = "after_sales_invalid"
    message = _l("The request is not complete.")


class WebhookRefused(DomainError):
    status = 400
    code = "webhook_refused"
    message = _l("The event was refused: %(why)s")
