"""Shared pieces of the order API: the error responses every operation declares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint

from orders.schemas import ApiErrorSchema

DESCRIPTIONS = {
    400: "Malformed request (or a webhook with a bad signature or an old timestamp)",
    401: "Not logged in (no session, or a missing / expired / revoked bearer token)",
    403: "The caller's role may not do this",
    404: "No such record, or not the caller's to see",
    409: "Conflicts with the current state (stock, price, status)",
    413: "Upload too large",
    422: "Invalid input (per-field messages in errors)",
    503: "The payment provider did not answer; try again",
}
PUBLIC: list[dict[str, list[str]]] = []  # OpenAPI security: none


def errors(blp: Blueprint, *codes: int) -> Callable[[Any], Any]:
    """Declare the error responses of an operation (all share ``ApiErrorSchema``)."""

    def decorate(fn: Any) -> Any:
        for code in reversed(codes):
            fn = blp.alt_response(code, schema=ApiErrorSchema, description=DESCRIPTIONS[code])(fn)
        return fn

    return decorate


AUTH = (401, 403)


def page_of(stmt: Any, pagination_parameters: Any) -> list[Any]:
    """One page of a select for ``@blp.paginate()`` (the count goes in the headers)."""
    import sqlalchemy as sa

    from yipin.db import db

    pagination_parameters.item_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    return list(
        db.session.scalars(
            stmt.limit(pagination_parameters.page_size).offset(pagination_parameters.first_item)
        ).unique()
    )
