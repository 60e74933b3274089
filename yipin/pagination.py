"""A page of results, shaped like Flask-SQLAlchemy's pagination (what the ``pager`` macro and
the list pages need) for lists that are assembled rather than paginated by one query."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


MAX_PER_PAGE = 100
MAX_PAGE = 100_000  # page × per_page must stay an OFFSET the database holds


def paginate(
    session: Session,
    stmt: sa.Select[Any],
    page: int,
    per_page: int,
    options: list[Any] | None = None,
) -> Page[Any]:
    """One page of ``stmt`` (with loader ``options``) plus one count; ``page`` starts at 1."""
    page = max(1, min(page, MAX_PAGE))
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    query = stmt.options(*(options or [])).limit(per_page).offset((page - 1) * per_page)
    items = list(session.scalars(query).unique().all())
    return Page(items=items, page=page, per_page=per_page, total=total or 0)
