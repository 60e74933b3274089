"""Model factories (factory_boy) on the app's session; objects are flushed, not committed."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import factory
from factory.alchemy import SQLAlchemyModelFactory

from suppliers import uscc
from suppliers.models import Supplier, SupplierKind, SupplierStatus
from yipin.accounts.models import Role, SupplierRole, User
from yipin.accounts.passwords import hash_password
from yipin.db import db

PASSWORD = "Passw0rd-yipin"
_phones = itertools.count(13800000000)
_orgs = itertools.count(10000000)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


def next_phone() -> str:
    return str(next(_phones))


def make_uscc(county: str = "360734", entity: str = "93") -> str:
    """A valid-looking 统一社会信用代码 registered in ``county``."""
    org = f"{next(_orgs):08d}"
    return uscc.make(f"{entity}{county}{org}X")


class SupplierFactory(Base):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"寻乌县第{n}脐橙专业合作社")
    kind = SupplierKind.COOPERATIVE
    uscc = factory.LazyFunction(make_uscc)
    legal_representative = "刘建华"
    contact_name = "刘建华"
    contact_phone = factory.LazyFunction(next_phone)
    region_code = "360734100201"  # a village of 寻乌县
    registered_on = date(2015, 6, 1)
    status = SupplierStatus.VERIFIED


class UserFactory(Base):
    class Meta:
        model = User

    phone = factory.LazyFunction(next_phone)
    email = None
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.CONSUMER


def consumer(**kw: Any) -> User:
    return UserFactory(role=Role.CONSUMER, **kw)


def operator(**kw: Any) -> User:
    return UserFactory(role=Role.OPERATOR, **kw)


def bureau(region: str | None = None, **kw: Any) -> User:
    return UserFactory(role=Role.BUREAU, bureau_region_code=region, **kw)


def supplier_staff(supplier: Supplier | None = None, owner: bool = False, **kw: Any) -> User:
    supplier = supplier or SupplierFactory()
    return UserFactory(
        role=Role.SUPPLIER,
        supplier=supplier,
        supplier_id=supplier.id,
        supplier_role=SupplierRole.OWNER if owner else SupplierRole.STAFF,
        **kw,
    )
