"""What the order schemas share: integer ids, fen and units, and text about the buyer shown only
to those who may see people."""

from __future__ import annotations

from typing import Any

from marshmallow import validate

from orders.status import status_label
from yipin import fields

MAX_FEN = 100_000_000  # ¥1,000,000: more than any order here


def Id(**kw: Any) -> fields.Integer:
    return fields.Id(**kw)


def QueryId(**kw: Any) -> fields.Integer:
    """An id in the query string (text there by nature; still an integer, never a float)."""
    return fields.Id(**kw)


def Fen(**kw: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_FEN), **kw)


def Units(**kw: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=9999), **kw)


# ----------------------------------------------------------------------------- errors


class BuyerPersonal(fields.Personal):
    """Text about the buyer or the recipient of an order: shown to those who may see people
    (operators, the supplier staff whose parcel it is) and to the buyer themself; None to
    anybody else (bureau staff read statistics, not people)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        from flask_login import current_user

        order = getattr(obj, "order", obj)
        owner = getattr(order, "owner_user_id", None)
        if (
            value is not None
            and owner is not None
            and getattr(current_user, "is_authenticated", False)
            and owner == current_user.id
        ):
            return fields.String._serialize(self, value, attr, obj, **kwargs)
        return super()._serialize(value, attr, obj, **kwargs)


def label(obj: Any) -> str:
    return status_label(obj.status)
