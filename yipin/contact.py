"""Contact fields: phone numbers and e-mail addresses, cleaned one way everywhere.

A mainland mobile number (手机号) may be typed with ``+86`` or ``0086``, spaces, dashes, dots or
brackets (``+86 139-0797-1234``); it is stored as its 11 digits (``13907971234``), so a login,
a supplier's or a warehouse's contact and (later) a delivery address all hold the same string
for the same phone. A landline (固定电话) keeps its area code before a dash (``0797-8123456``;
``010`` and ``02x`` are the three-digit area codes, every other one has four digits).

``mobile_number``, ``phone_number`` and ``email_address`` return the stored form or None;
``clean_phone`` / ``clean_mobile`` raise ``InvalidPhone`` naming the field. The web form field
is ``yipin.forms.PhoneField``, the API field ``PhoneNumber`` below: both load the stored form.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError

from yipin import fields
from yipin.errors import DomainError
from yipin.i18n import _l

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))-?(\d{7,8})$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_MAX_LENGTH = 254
SEPARATORS = re.compile(r"[\s\-().]")

PHONE_MESSAGE = _l("Enter a mobile number (11 digits) or a landline with its area code.")
MOBILE_MESSAGE = _l("Enter an 11-digit mobile number.")
EMAIL_MESSAGE = _l("Enter a valid e-mail address.")


class InvalidPhone(DomainError):
    code = "invalid_phone"
    message = PHONE_MESSAGE


class InvalidEmail(DomainError):
    code = "invalid_email"
    message = EMAIL_MESSAGE


def _without_country_code(text: str) -> str:
    if text.startswith("+86"):
        return text[3:]
    if text.startswith("0086"):
        return text[4:]
    return text


def mobile_number(raw: str | None) -> str | None:
    """``1xxxxxxxxxx`` for a mainland mobile number however it was typed, else None."""
    digits = _without_country_code(SEPARATORS.sub("", raw or ""))
    return digits if MOBILE_RE.match(digits) else None


def phone_number(raw: str | None) -> str | None:
    """A mobile number as ``mobile_number`` gives it, or a landline as ``0797-8123456``."""
    mobile = mobile_number(raw)
    if mobile is not None:
        return mobile
    text = re.sub(r"[\s().]", "", raw or "")
    match = LANDLINE_RE.match(_without_country_code(text))
    return f"{match[1]}-{match[2]}" if match else None


def email_address(raw: str | None) -> str | None:
    """The address trimmed and in lower case, or None when it is not one."""
    email = (raw or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > EMAIL_MAX_LENGTH:
        return None
    return email


def clean_phone(raw: str | None, *, field: str = "contact_phone") -> str:
    phone = phone_number(raw)
    if phone is None:
        raise InvalidPhone(field=field)
    return phone


def clean_mobile(raw: str | None, *, field: str = "phone") -> str:
    phone = mobile_number(raw)
    if phone is None:
        raise InvalidPhone(MOBILE_MESSAGE, field=field)
    return phone


def clean_email(raw: str | None, *, field: str = "contact_email") -> str:
    email = email_address(raw)
    if email is None:
        raise InvalidEmail(field=field)
    return email


class PhoneNumber(fields.String):
    """An API field holding a phone number (``mobile_only``: a mobile number), loaded in its
    stored form; anything else is refused with the same message as the forms give."""

    def __init__(self, *, mobile_only: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault(
            "description",
            "A mainland mobile number (+86, spaces and dashes allowed; stored as its 11 digits)"
            + ("." if mobile_only else " or a landline with its area code (0797-8123456)."),
        )
        super().__init__(**kwargs)
        self.mobile_only = mobile_only

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not text.strip():
            return ""  # no number: whether one is needed is the action's rule
        phone = mobile_number(text) if self.mobile_only else phone_number(text)
        if phone is None:
            raise ValidationError(str(MOBILE_MESSAGE if self.mobile_only else PHONE_MESSAGE))
        return phone
