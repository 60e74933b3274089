"""Shared form helpers for the HTML pages."""

from __future__ import annotations

from typing import Any

from flask import flash
from wtforms import FieldList

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
