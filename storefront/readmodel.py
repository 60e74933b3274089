"""Keeping ``storefront_cards`` current, in the same transaction as the change.

A card row is computed in SQL from the catalog's and suppliers' own rules (``Product.is_visible``
and its parts, ``Product.on_sale_in`` / ``presale_in``, the supplier's unrevoked brand
authorisations) and upserted (``INSERT … SELECT … ON CONFLICT DO UPDATE``: two transactions
refreshing one product never collide on its key).

What refreshes which rows: a flush hook on every session (``after_flush``) notes the products
and suppliers each flush changed, and the rows are recomputed once, in one statement, just
before the transaction commits (``before_commit``; ``settle`` does it earlier when a listing
reads in the same transaction). So a delisting, a suspension, a price change or a deactivated
variant is in the table when the transaction commits, and the next request sees it; an import
that flushes a thousand times recomputes its thousand rows once. What is noted:

- a product added, changed or deleted: its row;
- a variant added, changed or deleted: its product's row (price, "has an active variant");
- a supplier whose status changed: the rows of all its products (its right to sell);
- a brand authorisation added, changed (revoked, dates) or deleted: the rows of the supplier's
  products;
- an outbox entry ``catalog.product_changed`` / ``suppliers.verification_changed`` (whatever
  the action wrote, an ORM object or a bulk statement): that product's / supplier's rows.

Bulk ORM statements (``session.execute(insert(Variant), rows)`` as ``catalog.generate`` does)
pass no flush: a ``do_orm_execute`` hook refreshes the products of inserted variants, and after
a bulk ``UPDATE`` / ``DELETE`` of products, variants, suppliers or authorisations rebuilds
every row. ``flask storefront rebuild`` rebuilds the table (after a restore, or raw SQL).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction

from catalog.models import Product, Variant
from storefront.cards import min_price
from storefront.models import ALL_MONTHS, StorefrontCard
from suppliers.models import BrandAuthorisation, Supplier
from yipin.outbox.models import OutboxEntry

PRODUCT_TOPIC = "catalog.product_changed"
SUPPLIER_TOPIC = "suppliers.verification_changed"
CHUNK = 1000  # products per statement when rebuilding
WATCHED_TABLES = frozenset({"products", "variants", "suppliers", "brand_authorisations"})


# ----------------------------------------------------------------------------- computing rows


def _months_mask(has_month: Callable[[int], Any]) -> Any:
    """SQL: the sum of ``1 << m`` over the months ``m`` for which ``has_month(m)`` holds."""
    return sum(
        (sa.case((has_month(m), 1 << m), else_=0) for m in range(2, 13)),
        start=sa.case((has_month(1), 1 << 1), else_=0),
    )


@functools.cache
def _row_columns() -> tuple[list[str], sa.Select[Any]]:
    """The card table's columns and the SELECT computing them from ``products`` (add a WHERE)."""
    authorised = sa.and_(
        BrandAuthorisation.supplier_id == Product.supplier_id,
        BrandAuthorisation.brand_id == Product.brand_id,
        sa.not_(BrandAuthorisation.is_revoked),
    )

    def of_authorisations(value: Any) -> Any:
        return sa.select(value).where(authorised).correlate(Product).scalar_subquery()

    columns: dict[str, Any] = {
        "product_id": Product.id,
        "supplier_id": Product.supplier_id,
        "category_id": Product.category_id,
        "brand_id": Product.brand_id,
        "brand_from": of_authorisations(sa.func.min(BrandAuthorisation.valid_from)),
        "brand_to": of_authorisations(sa.func.max(BrandAuthorisation.valid_to)),
        "brand_periods": sa.func.coalesce(of_authorisations(sa.func.count()), 0),
        "county_code": sa.func.substr(Product.origin_region_code, 1, 6),
        "storage_class": Product.storage_class,
        "min_price_fen": min_price(),
        "listed_order": sa.func.coalesce(Product.listed_at, Product.created_at),
        "sale_months_mask": _months_mask(Product.on_sale_in),
        "presale_months_mask": _months_mask(Product.presale_in),
        "all_year": _months_mask(Product.on_sale_in) == ALL_MONTHS,
        "season_group": sa.func.coalesce(Product.brand_id, -Product.category_id),
        "is_listed": Product.is_listed,
        "supplier_can_sell": Product.supplier_id.in_(
            sa.select(Supplier.id).where(Supplier.can_sell)
        ),
        "has_active_variant": sa.exists().where(
            Variant.product_id == Product.id, Variant.is_active.is_(True)
        ),
        "visible": Product.is_visible,
    }
    names = list(columns)
    return names, sa.select(*(value.label(name) for name, value in columns.items()))


def _upsert(dialect: str, where: Any) -> Any:
    """INSERT the rows of the products matching ``where``, or UPDATE those already there."""
    names, select = _row_columns()
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(StorefrontCard)
    stmt = insert.from_select(names, select.where(where))
    return stmt.on_conflict_do_update(
        index_elements=[StorefrontCard.product_id],
        set_={name: stmt.excluded[name] for name in names if name != "product_id"},
    )


def _refresh(session: Session, where: Any) -> None:
    """Upsert the rows of the products matching ``where``. On PostgreSQL the products are
    locked first (in id order): a transaction changing one of them concurrently has committed
    by then, and the upsert's snapshot (taken after the lock, READ COMMITTED) sees its change,
    so the later of two transactions never writes a row computed from the older state."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(Product.id).where(where).order_by(Product.id).with_for_update())
    conn.execute(_upsert(conn.dialect.name, where))


def refresh_products(session: Session, product_ids: Iterable[int]) -> None:
    """Recompute the rows of these products (a product that no longer exists has none)."""
    ids = sorted(set(product_ids))
    for start in range(0, len(ids), CHUNK):
        _refresh(session, Product.id.in_(ids[start : start + CHUNK]))


def refresh_suppliers(session: Session, supplier_ids: Iterable[int]) -> None:
    """Recompute the rows of every product of these suppliers."""
    ids = sorted(set(supplier_ids))
    if ids:
        _refresh(session, Product.supplier_id.in_(ids))


def rebuild(session: Session, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every row, ``CHUNK`` products at a time; returns how many products."""
    conn = session.connection()
    ids = list(session.scalars(sa.select(Product.id).order_by(Product.id)))
    conn.execute(  # rows of products deleted behind the app's back
        sa.delete(StorefrontCard).where(StorefrontCard.product_id.not_in(sa.select(Product.id)))
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        conn.execute(_upsert(conn.dialect.name, Product.id.between(chunk[0], chunk[-1])))
        if progress is not None:
            progress(len(chunk))
    return len(ids)


# ----------------------------------------------------------------------------- hooks


def _changed(session: Session) -> tuple[set[int], set[int], set[int]]:
    """The products and the suppliers whose card rows the flushed objects change, and the
    products deleted (SQLite enforces no foreign key: their rows go here)."""
    products: set[int] = set()
    suppliers: set[int] = set()
    deleted: set[int] = set()
    for kind, objects in (
        ("new", session.new),
        ("dirty", session.dirty),
        ("gone", session.deleted),
    ):
        for obj in objects:
            if isinstance(obj, Product):
                if obj.id is not None:
                    (deleted if kind == "gone" else products).add(obj.id)
            elif isinstance(obj, Variant):
                if obj.product_id is not None:
                    products.add(obj.product_id)
            elif isinstance(obj, Supplier):
                if kind == "dirty" and sa.inspect(obj).attrs.status.history.has_changes():
                    suppliers.add(obj.id)
            elif isinstance(obj, BrandAuthorisation):
                if obj.supplier_id is not None:
                    suppliers.add(obj.supplier_id)
            elif isinstance(obj, OutboxEntry) and kind == "new":
                payload = obj.payload or {}
                if obj.topic == PRODUCT_TOPIC and payload.get("product_id"):
                    products.add(int(payload["product_id"]))
                elif obj.topic == SUPPLIER_TOPIC and payload.get("supplier_id"):
                    suppliers.add(int(payload["supplier_id"]))
    return products - deleted, suppliers, deleted


PENDING = "storefront_cards_pending"  # session.info key: what the flushes so far changed


def _pending(session: Session) -> tuple[set[int], set[int], set[int]]:
    return session.info.setdefault(PENDING, (set(), set(), set()))


def _after_flush(session: Session, flush_context: UOWTransaction) -> None:
    """Note what this flush changed; the rows are recomputed once, before the commit (an
    import flushing a thousand times recomputes a thousand rows in one statement)."""
    products, suppliers, deleted = _changed(session)
    if products or suppliers or deleted:
        pending = _pending(session)
        pending[0].update(products)
        pending[1].update(suppliers)
        pending[2].update(deleted)


def settle(session: Session) -> None:
    """Bring the rows of everything flushed so far in this transaction up to date: called
    before the commit, and by the listings before they read (a change and a listing in one
    transaction). Nothing pending: nothing runs."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit's own flush comes after ``before_commit``
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    products, suppliers, deleted = pending
    if deleted:  # gone for good (a rolled-back savepoint may have kept some: those stay)
        session.connection().execute(
            sa.delete(StorefrontCard).where(
                StorefrontCard.product_id.in_(sorted(deleted)),
                StorefrontCard.product_id.not_in(sa.select(Product.id)),
            )
        )
    refresh_suppliers(session, suppliers)
    refresh_products(session, (products | deleted))


def _forget(session: Session) -> None:
    """The transaction rolled back (the database's ROLLBACK, not a savepoint's): nothing it
    flushed happened."""
    session.info.pop(PENDING, None)


def _bulk_statement(state: Any) -> Any:
    """After a bulk ORM statement on the tables cards are computed from, refresh them: the
    products of inserted variants, or every row after an UPDATE / DELETE."""
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if not (
        (state.is_insert and name == "variants")
        or ((state.is_update or state.is_delete) and name in WATCHED_TABLES)
    ):
        return None
    result = state.invoke_statement()
    if getattr(result, "returns_rows", True):  # read them before the next statement runs
        result = result.freeze()()
    if state.is_insert:
        params = state.parameters
        rows = params if isinstance(params, list) else [params or {}]
        refresh_products(state.session, (r["product_id"] for r in rows if "product_id" in r))
    else:
        rebuild(state.session)
    return result


def install() -> None:
    """Listen to every session's flushes and bulk statements (idempotent)."""
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "before_commit", settle)
        sa.event.listen(Session, "after_rollback", _forget)
        sa.event.listen(Session, "do_orm_execute", _bulk_statement)
