"""A period of validity: one definition of "valid on a day" in Python and in SQL.

Certificates (catalog) and brand authorisations (suppliers) are valid from ``valid_from`` to
``valid_to``, both days included, unless revoked. The models mix ``ValidityPeriod`` in and keep
their own columns; every page, query, job and API asks these predicates, never the dates:

    cert.is_valid_on(day)                                  # Python, on a loaded row
    sa.select(Certification).where(Certification.is_valid_on(day))   # the same rule in SQL

Days are dates in China (``yipin.clock.today_local()``); a period always has an end (the tables
check ``valid_from <= valid_to``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property

if TYPE_CHECKING:
    from sqlalchemy.orm import Mapped


class ValidityPeriod:
    """Predicates of a row with ``valid_from``, ``valid_to`` (inclusive) and ``revoked_at``."""

    if TYPE_CHECKING:
        valid_from: Mapped[date]
        valid_to: Mapped[date]
        revoked_at: Mapped[datetime | None]

    @hybrid_property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @is_revoked.inplace.expression
    @classmethod
    def _is_revoked_sql(cls) -> Any:
        return cls.revoked_at.is_not(None)

    @hybrid_method
    def is_valid_on(self, day: date) -> bool:
        """Unrevoked and ``valid_from <= day <= valid_to``."""
        return self.revoked_at is None and self.valid_from <= day <= self.valid_to

    @is_valid_on.inplace.expression
    @classmethod
    def _is_valid_on_sql(cls, day: date) -> Any:
        return sa.and_(cls.revoked_at.is_(None), cls.valid_from <= day, cls.valid_to >= day)

    @hybrid_method
    def is_upcoming_on(self, day: date) -> bool:
        """Unrevoked and not valid yet on ``day``."""
        return self.revoked_at is None and day < self.valid_from

    @is_upcoming_on.inplace.expression
    @classmethod
    def _is_upcoming_on_sql(cls, day: date) -> Any:
        return sa.and_(cls.revoked_at.is_(None), cls.valid_from > day)

    @hybrid_method
    def is_expired_on(self, day: date) -> bool:
        """Unrevoked and past its last valid day on ``day``."""
        return self.revoked_at is None and self.valid_to < day

    @is_expired_on.inplace.expression
    @classmethod
    def _is_expired_on_sql(cls, day: date) -> Any:
        return sa.and_(cls.revoked_at.is_(None), cls.valid_to < day)

    @hybrid_method
    def expires_within(self, day: date, days: int) -> bool:
        """Valid on ``day`` and its last valid day at most ``days`` later."""
        return self.is_valid_on(day) and self.valid_to <= day + timedelta(days=days)

    @expires_within.inplace.expression
    @classmethod
    def _expires_within_sql(cls, day: date, days: int) -> Any:
        return sa.and_(cls.is_valid_on(day), cls.valid_to <= day + timedelta(days=days))

    def days_left(self, day: date) -> int:
        """Days until the last valid day (0 on ``valid_to``, negative once expired)."""
        return (self.valid_to - day).days
