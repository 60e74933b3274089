"""A consumer's saved delivery addresses (收货地址): anywhere in China, down to the county (in
Ganzhou to the township or village), with a mainland mobile number. One is the default."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from orders.checkout import Destination, resolve_destination
from orders.errors import InvalidAddress
from orders.models import Address
from yipin.accounts.models import Role, User
from yipin.errors import Forbidden, NotFound
from yipin.i18n import _l

MAX_ADDRESSES = 20


def _check(session: Session, user: User, data: dict[str, Any]) -> dict[str, Any]:
    place = resolve_destination(
        session,
        user,
        Destination(
            recipient_name=data.get("recipient_name", ""),
            phone=data.get("phone", ""),
            region_code=data.get("region_code", ""),
            detail=data.get("detail", ""),
        ),
    )
    return {
        "recipient_name": place.recipient_name,
        "phone": place.phone,
        "region_code": place.region.code,
        "detail": place.detail,
        "label": " ".join((data.get("label") or "").split())[:20],
    }


def _own(session: Session, user: User, address_id: int) -> Address:
    address = session.get(Address, address_id)
    if address is None or address.user_id != user.id:
        raise NotFound(field="address_id")
    return address


def _make_default(session: Session, user: User, address: Address) -> None:
    session.execute(
        sa.update(Address)
        .where(Address.user_id == user.id, Address.id != address.id)
        .values(is_default=False)
        .execution_options(synchronize_session="fetch")
    )
    address.is_default = True


def add_address(session: Session, user: User, data: dict[str, Any]) -> Address:
    if user.role != Role.CONSUMER:
        raise Forbidden()
    count = session.scalar(
        sa.select(sa.func.count()).select_from(Address).where(Address.user_id == user.id)
    )
    if (count or 0) >= MAX_ADDRESSES:
        raise InvalidAddress(_l("Keep at most 20 addresses."), field="address")
    address = Address(user_id=user.id, **_check(session, user, data))
    session.add(address)
    session.flush()
    if data.get("is_default") or not count:
        _make_default(session, user, address)
    session.flush()
    return address


def update_address(session: Session, user: User, address_id: int, data: dict[str, Any]) -> Address:
    address = _own(session, user, address_id)
    for name, value in _check(session, user, data).items():
        setattr(address, name, value)
    if data.get("is_default"):
        _make_default(session, user, address)
    session.flush()
    return address


def delete_address(session: Session, user: User, address_id: int) -> None:
    address = _own(session, user, address_id)
    was_default = address.is_default
    session.delete(address)
    session.flush()
    if was_default:
        other = session.scalars(
            sa.select(Address).where(Address.user_id == user.id).order_by(Address.id)
        ).first()
        if other is not None:
            other.is_default = True
            session.flush()


def addresses_of(session: Session, user: User) -> list[Address]:
    return list(
        session.scalars(
            sa.select(Address)
            .where(Address.user_id == user.id)
            .order_by(Address.is_default.desc(), Address.id)
        )
    )
