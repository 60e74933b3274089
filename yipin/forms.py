"""Shared form helpers for the HTML pages."""

from __future__ import annotations

from typing import Any

from flask import flash
from wtforms import FieldList, StringField, ValidationError

from yipin import contact
from yipin.errors import DomainError


def form_error(
    form: Any,
    exc: DomainError,
    field_map: dict[str, str] | None = None,
    *,
    flash_otherwise: bool = True,
) -> bool:
    """Show a domain error under its field (dotted paths such as ``inspections.0.item`` too).

    ``field_map`` renames an action's field to the form's. When no field takes the message it
    is flashed at the top of the page (unless ``flash_otherwise`` is False). Returns whether a
    field took it.
    """
    name = (field_map or {}).get(exc.field or "", exc.field)
    target: Any = form if name else None
    for part in (name or "").split("."):
        try:
            target = target[int(part)] if part.isdigit() else getattr(target, part)
        except (AttributeError, IndexError, KeyError, TypeError):
            target = None
            break
    if target is not None and not isinstance(target, FieldList) and hasattr(target, "errors"):
        target.errors = [*list(target.errors or []), exc.text()]
        return True
    if flash_otherwise:
        flash(exc.text(), "error")
    return False


class PhoneField(StringField):
    """A phone number (``mobile_only``: a mainland mobile number) typed as people type them
    (``+86 139-0797-1234``); ``data`` holds the stored form (``13907971234``, ``0797-8123456``,
    see ``yipin.contact``) once it is one, and anything else fails with the contact message.
    An empty value is left to ``DataRequired`` / ``Optional``."""

    def __init__(
        self, label: Any = None, validators: Any = None, *, mobile_only: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(label, validators, **kwargs)
        self.mobile_only = mobile_only

    def _normalise(self, raw: str | None) -> str | None:
        return contact.mobile_number(raw) if self.mobile_only else contact.phone_number(raw)

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.data = self._normalise(self.data) or self.data

    def post_validate(self, form: Any, validation_stopped: bool) -> None:
        if validation_stopped or not (self.data or "").strip():
            return
        if self._normalise(self.data) is None:
            message = contact.MOBILE_MESSAGE if self.mobile_only else contact.PHONE_MESSAGE
            raise ValidationError(str(message))
