"""Users, their roles and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yipin import clock
from yipin.config import platform_region
from yipin.db import Base, TimestampMixin, enum_column

if TYPE_CHECKING:
    from yipin.regions.models import Region


class Role(StrEnum):
    CONSUMER = "consumer"  # 消费者
    SUPPLIER = "supplier"  # 供应商员工 (合作社 / 家庭农场 / 企业)
    OPERATOR = "operator"  # 平台运营
    BUREAU = "bureau"  # 商务局 / 农业农村局 (read-only)


class SupplierRole(StrEnum):
    OWNER = "owner"  # 负责人: manages staff and the supplier's record
    STAFF = "staff"  # 员工


class User(UserMixin, TimestampMixin, Base):
    """A person who logs in. Supplier staff belong to exactly one supplier (``user.supplier``)."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="has_login"),
        sa.CheckConstraint(
            "(role = 'supplier') = (supplier_id IS NOT NULL AND supplier_role IS NOT NULL)",
            name="supplier_staff_has_supplier",
        ),
        sa.CheckConstraint(
            "role = 'bureau' OR bureau_region_code IS NULL", name="bureau_scope_only_for_bureau"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[Role] = enum_column(Role, index=True)
    supplier_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("suppliers.id", ondelete="RESTRICT"), index=True
    )
    supplier_role: Mapped[SupplierRole | None] = enum_column(SupplierRole, nullable=True)
    bureau_region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    is_active: Mapped[bool] = mapped_column(default=True)  # type: ignore[assignment]
    last_login_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    # ``supplier`` (joined) is declared by the suppliers domain: ``Supplier.staff``'s backref.
    bureau_region: Mapped[Region | None] = relationship(lazy="joined")

    # The secret of the server-side session this request runs in (``UserSession``); set by
    # ``yipin.accounts.sessions`` when it logs the user in or loads the session.
    session_secret = None  # str | None (not a column)

    def get_id(self) -> str:
        """What the session cookie and the remember-me cookie carry: the secret of a
        ``UserSession`` row, never the user's id (revoking the row ends both cookies)."""
        if not self.session_secret:
            raise RuntimeError(
                "log users in through yipin.accounts.sessions.log_in, not flask_login.login_user"
            )
        return self.session_secret

    @property
    def login(self) -> str:
        return self.phone or self.email or ""

    @property
    def is_consumer(self) -> bool:
        return self.role == Role.CONSUMER

    @property
    def is_supplier_staff(self) -> bool:
        return self.role == Role.SUPPLIER

    @property
    def is_supplier_owner(self) -> bool:
        return self.role == Role.SUPPLIER and self.supplier_role == SupplierRole.OWNER

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_bureau(self) -> bool:
        return self.role == Role.BUREAU

    @property
    def bureau_scope(self) -> str:
        """Region code a bureau account may report on: the platform's region or a part of it."""
        return self.bureau_region_code or platform_region()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role} {self.login}>"


class ApiToken(Base):
    """A bearer token for programmatic clients (supplier integrations, bureau exports).

    Only a SHA-256 digest is stored; the token is shown once when created.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    def is_usable(self, at: datetime) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or at < self.expires_at


class UserSession(Base):
    """One login of a user on one browser: what its session and remember-me cookies stand for.

    The cookies carry a random secret; only its SHA-256 digest is stored. Logging out, "log
    out everywhere", a password change (the other sessions) and an operator disabling the
    account revoke rows, and a revoked or expired row makes every copy of its cookies useless.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
    ip: Mapped[str] = mapped_column(sa.String(45), default="")

    user: Mapped[User] = relationship(lazy="joined")

    def is_usable(self, at: datetime) -> bool:
        return self.revoked_at is None and at < self.expires_at
