"""The fallback engine's own table: each visible product's text, normalised, with its pinyin.

The SQL engine matches queries against these columns (``LIKE`` on normalised text, pinyin
syllables and initials, quantities) and reads everything else — visibility, filters, facets,
prices, stock, sales — live from the catalog tables, so it is never behind on what may be
shown. Rows are written by the ``catalog.product_changed`` handler (``search.index``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from yipin import clock
from yipin.db import Base


class SearchDocument(Base):
    """Searchable text of one product (SPU); absent for products no consumer may see."""

    __tablename__ = "search_documents"

    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(sa.Text, default="")  # the name, normalised
    brand: Mapped[str] = mapped_column(sa.Text, default="")  # brand name when authorised
    body: Mapped[str] = mapped_column(sa.Text, default="")  # subtitle, category, places …
    description: Mapped[str] = mapped_column(sa.Text, default="")
    title_pinyin: Mapped[str] = mapped_column(sa.Text, default="")  # " gan nan qi cheng "
    pinyin: Mapped[str] = mapped_column(sa.Text, default="")  # of brand, category, places
    title_initials: Mapped[str] = mapped_column(sa.Text, default="")  # " gnqc "
    initials: Mapped[str] = mapped_column(sa.Text, default="")
    quantities: Mapped[str] = mapped_column(sa.Text, default="")  # " 5000g 500ml 6个 "
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    def __repr__(self) -> str:
        return f"<SearchDocument {self.product_id} {self.title[:20]}>"


class SearchGram(Base):
    """One token of one product's ``search_documents`` row (``search.grams``): the SQL
    engine's inverted index, so a query reads the products holding its tokens instead of
    scanning every row. Rewritten with the row."""

    __tablename__ = "search_grams"
    __table_args__ = (
        sa.Index("ix_search_grams_product_id", "product_id"),
        {"sqlite_with_rowid": False},
    )

    # byte order on PostgreSQL, so a prefix is a plain range of the primary key
    gram: Mapped[str] = mapped_column(
        sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
