"""Errors of routing, waybills and tracking (each with a code and a bilingual message)."""

from __future__ import annotations

from yipin.errors import Conflict, DomainError
from yipin.i18n import _l


class InvalidFulfillmentAction(Conflict):
    code = "invalid_fulfillment_action"
    message = _l("This parcel cannot be changed that way now.")


class UnknownWaybillPattern(DomainError):
    code = "waybill_pattern"
    message = _l("This is not a waybill number of %(carrier)s.")


class InvalidCallback(DomainError):
    status = 400
    code = "invalid_callback"
    message = _l("The carrier's message is not signed correctly.")


class CarrierUnavailable(DomainError):
    status = 502
    code = "carrier_unavailable"
    message = _l("The carrier's system did not answer; the job will try again.")
