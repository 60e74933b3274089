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
from yipin.api import SPACE
from yipin.errors import DomainError
from yipin.i18n import _l

# ASCII digits only (Python's ``\d`` would take any script's digits)
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^(0(?:10|2[0-9]|[3-9][0-9]{2}))-?([0-9]{7,8})$")
EMAIL_RE = re.compile(f"^[^@\\x00{SPACE}]+@[^@\\x00{SPACE}]+\\.[^@\\x00{SPACE}]+$")
EMAIL_MAX_LENGTH = 254
SEPARATORS = re.compile(f"[{SPACE}().\\-]")
LANDLINE_SEPARATORS = re.compile(f"[{SPACE}().]")

# The same rules as regular expressions over the raw text, for the API document (``pattern``):
# a value matches exactly when the functions below accept it.
_S = f"[{SPACE}().\\-]"  # what a mobile number may be typed with
_T = f"[{SPACE}().]"  # what a landline may be typed with (its dash is the area code's)
_MOBILE = f"(?:\\+{_S}*8{_S}*6|0{_S}*0{_S}*8{_S}*6)?{_S}*1{_S}*[3-9](?:{_S}*[0-9]){{9}}"
_LANDLINE = (
    f"(?:\\+{_T}*8{_T}*6|0{_T}*0{_T}*8{_T}*6)?{_T}*0{_T}*(?:1{_T}*0|2{_T}*[0-9]|[3-9]{_T}*[0-9]{_T}*[0-9])"
    f"{_T}*-?{_T}*[0-9](?:{_T}*[0-9]){{6,7}}"
)
_EMAIL = f"[^@\\x00{SPACE}]+@[^@\\x00{SPACE}]+\\.[^@\\x00{SPACE}]+"
MOBILE_OR_BLANK = f"^(?:{_S}*{_MOBILE}{_S}*|[{SPACE}]*)$"
PHONE_OR_BLANK = f"^(?:{_S}*{_MOBILE}{_S}*|{_T}*{_LANDLINE}{_T}*|[{SPACE}]*)$"
EMAIL_OR_BLANK = f"^[{SPACE}]*(?:{_EMAIL})?[{SPACE}]*$"
LOGIN_PATTERN = f"^(?:[{SPACE}]*{_EMAIL}[{SPACE}]*|{_S}*{_MOBILE}{_S}*)$"

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
    text = LANDLINE_SEPARATORS.sub("", raw or "")
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
        kwargs["metadata"].setdefault("pattern", MOBILE_OR_BLANK if mobile_only else PHONE_OR_BLANK)
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
