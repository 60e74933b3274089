"""What search knows about a product: one document per visible product, built in batches.

The same :class:`ProductDoc` feeds the Elasticsearch document (``es_source``) and the SQL
engine's row (``SearchDocument``). A product is *indexable* when a consumer may see it at all
(the catalog's ``Product.is_visible``: listed, verified supplier, an active variant); whether
it is in season or pre-sale this month is decided at query time from its months
(``Product.in_season``), so the index need not change when the month does.

Loading is a fixed number of statements per batch, whatever its size (products with supplier,
category, brand and origin joined; variants with grades; certifications; authorisations;
stock; sales; region names).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from catalog.models import Certification, Product, Variant
from fulfillment.models import Stock
from orders.models import SOLD_STATUSES, OrderLine, SubOrder
from search import grams, text
from search.models import SearchDocument, SearchGram
from suppliers.models import BrandAuthorisation
from yipin.regions.models import Region


@dataclass
class ProductDoc:
    """Everything search needs of one product (dates are the authorisation's validity)."""

    product_id: int
    name: str
    subtitle: str
    description: str
    supplier_id: int
    supplier_name: str
    category: str  # slug
    categories: list[str]  # its slug and its parent's
    category_name: str
    brand: str | None  # slug, while an authorisation is valid (see brand_from/brand_to)
    brand_name: str
    brand_from: date | None
    brand_to: date | None
    county: str  # 6-digit code
    places: list[str]  # county, township and village names
    storage: str
    grades: list[str]  # grade ids (as strings) of the active variants
    grade_names: list[str]
    certs: list[dict[str, Any]]  # {kind, from, to} of unrevoked product certificates
    specs: list[str]
    quantities: list[str]  # normalised (text.quantity_tokens) and net weights
    price: int  # cheapest active variant, fen
    price_max: int
    sale_months: list[int]
    presale_months: list[int]
    in_stock: bool
    sales: int  # units sold in paid orders
    listed_at: Any
    extra: dict[str, Any] = field(default_factory=dict)

    # ---------------------------------------------------------------- Elasticsearch

    def es_source(self) -> dict[str, Any]:
        """The Elasticsearch ``_source`` (see ``search.elastic.MAPPINGS``)."""
        other = [self.brand_name, self.category_name, *self.places]
        return {
            "product_id": self.product_id,
            "name": self.name,
            "subtitle": self.subtitle,
            "description": self.description,
            "supplier_id": self.supplier_id,
            "supplier_name": self.supplier_name,
            "category": self.category,
            "categories": self.categories,
            "category_name": self.category_name,
            "brand": self.brand,
            "brand_name": self.brand_name or None,
            "brand_from": self.brand_from.isoformat() if self.brand_from else None,
            "brand_to": self.brand_to.isoformat() if self.brand_to else None,
            "county": self.county,
            "places": " ".join(self.places),
            "storage": self.storage,
            "grades": self.grades,
            "grade_names": " ".join(self.grade_names),
            "certs": [
                {"kind": c["kind"], "from": c["from"].isoformat(), "to": c["to"].isoformat()}
                for c in self.certs
            ],
            "specs": " ".join(self.specs),
            "quantities": self.quantities,
            "title_pinyin": text.pinyin_text(self.name),
            "title_initials": text.initials_text(self.name),
            "pinyin": text.pinyin_text(" ".join(o for o in other if o)),
            "initials": text.initials_text(" ".join(o for o in other if o)),
            "min_price_fen": self.price,
            "max_price_fen": self.price_max,
            "sale_months": self.sale_months,
            "presale_months": self.presale_months,
            "in_stock": self.in_stock,
            "sales": self.sales,
            "listed_at": self.listed_at.isoformat() if self.listed_at else None,
        }

    # ---------------------------------------------------------------- SQL engine

    def sql_row(self) -> dict[str, Any]:
        """Columns of the SQL engine's ``search_documents`` row (spaces around each field so
        ``LIKE '% qi cheng %'`` matches whole syllables)."""
        other = " ".join(o for o in [self.brand_name, self.category_name, *self.places] if o)

        def spaced(value: str) -> str:
            return f" {value} " if value else ""

        return {
            "product_id": self.product_id,
            "title": spaced(text.normalise(self.name)),
            "brand": spaced(text.normalise(self.brand_name)),
            "body": spaced(
                text.normalise(
                    " ".join(
                        [
                            self.subtitle,
                            self.category_name,
                            " ".join(self.places),
                            self.supplier_name,
                            " ".join(self.grade_names),
                            " ".join(self.specs),
                        ]
                    )
                )
            ),
            "description": text.normalise(self.description),
            "title_pinyin": spaced(text.pinyin_text(self.name)),
            "pinyin": spaced(text.pinyin_text(other)),
            "title_initials": spaced(_joined_initials(self.name)),
            "initials": spaced(_joined_initials(other)),
            "quantities": spaced(" ".join(self.quantities)),
        }


def _joined_initials(value: str) -> str:
    """``赣南脐橙 寻乌`` → ``gnqc xw`` (the SQL engine matches ``LIKE '%qc%'`` inside a run)."""
    return " ".join(run.replace(" ", "") for run in text.initials_text(value).split(" | ") if run)


# ----------------------------------------------------------------------------- loading


def indexable_ids(session: Session, ids: Iterable[int] | None = None) -> list[int]:
    """Ids of products a consumer may see (of ``ids``, or all), in id order."""
    stmt = sa.select(Product.id).where(Product.is_visible).order_by(Product.id)
    if ids is not None:
        stmt = stmt.where(Product.id.in_(list(ids)))
    return list(session.scalars(stmt))


def load(session: Session, ids: Sequence[int], day: date) -> list[ProductDoc]:
    """Documents of these products that are indexable (the others are simply absent)."""
    if not ids:
        return []
    products = list(
        session.scalars(
            sa.select(Product)
            .where(Product.id.in_(list(ids)), Product.is_visible)
            .options(selectinload(Product.variants))  # Variant.grade is joined
            .order_by(Product.id)
        ).unique()
    )
    if not products:
        return []
    product_ids = [p.id for p in products]
    active = {p.id: [v for v in p.variants if v.is_active] for p in products}
    variant_ids = [v.id for vs in active.values() for v in vs]

    certs: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for cert in session.scalars(
        sa.select(Certification).where(
            Certification.product_id.in_(product_ids), ~Certification.is_revoked
        )
    ):
        certs[cert.product_id].append(  # type: ignore[index]
            {"kind": str(cert.kind), "from": cert.valid_from, "to": cert.valid_to}
        )

    pairs = {(p.supplier_id, p.brand_id) for p in products if p.brand_id is not None}
    authorisations: dict[tuple[int, int], list[BrandAuthorisation]] = defaultdict(list)
    if pairs:
        for auth in session.scalars(
            sa.select(BrandAuthorisation).where(
                BrandAuthorisation.supplier_id.in_({s for s, _b in pairs}),
                ~BrandAuthorisation.is_revoked,
            )
        ):
            authorisations[(auth.supplier_id, auth.brand_id)].append(auth)

    in_stock = set(
        session.scalars(
            sa.select(sa.distinct(Variant.product_id))
            .join(Stock, Stock.variant_id == Variant.id)
            .where(Variant.id.in_(variant_ids or [0]), Stock.on_hand > Stock.reserved)
        )
    )
    sales = dict(
        session.execute(  # type: ignore[arg-type]
            sa.select(Variant.product_id, sa.func.sum(OrderLine.quantity))
            .join(OrderLine, OrderLine.variant_id == Variant.id)
            .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
            .where(Variant.product_id.in_(product_ids), SubOrder.status.in_(SOLD_STATUSES))
            .group_by(Variant.product_id)
        ).all()
    )
    region_codes: set[str] = set()
    for p in products:
        code = p.origin_region_code
        region_codes.update({code[:6], code[:9], code})
    names = dict(
        session.execute(sa.select(Region.code, Region.name).where(Region.code.in_(region_codes)))
        .tuples()
        .all()
    )

    docs = []
    for p in products:
        variants = active[p.id]
        if not variants:
            continue
        auth = _authorisation_on(authorisations.get((p.supplier_id, p.brand_id or 0), []), day)
        places = _places(p.origin_region_code, names)
        grades = {v.grade.id: v.grade for v in variants if v.grade is not None}
        quantities: list[str] = []
        for v in variants:
            for token in [*text.quantity_tokens(v.spec), text.weight_token(v.net_weight_g)]:
                if token not in quantities:
                    quantities.append(token)
        prices = [v.price_fen for v in variants]
        category = p.category
        docs.append(
            ProductDoc(
                product_id=p.id,
                name=p.name,
                subtitle=p.subtitle or "",
                description=p.description or "",
                supplier_id=p.supplier_id,
                supplier_name=p.supplier.name,
                category=category.slug,
                categories=[category.slug]
                + ([category.parent.slug] if category.parent is not None else []),
                category_name=category.name,
                brand=p.brand.slug if p.brand is not None and auth is not None else None,
                brand_name=p.brand.name if p.brand is not None and auth is not None else "",
                brand_from=auth.valid_from if auth else None,
                brand_to=auth.valid_to if auth else None,
                county=p.origin_region_code[:6],
                places=places,
                storage=str(p.storage_class),
                grades=[str(g.id) for g in sorted(grades.values(), key=lambda g: g.rank)],
                grade_names=[g.name for g in grades.values()],
                certs=certs.get(p.id, []),
                specs=[v.spec for v in variants],
                quantities=quantities,
                price=min(prices),
                price_max=max(prices),
                sale_months=sorted({int(m) for m in p.sale_months or []}),
                presale_months=sorted({int(m) for m in p.presale_months or []}),
                in_stock=p.id in in_stock,
                sales=int(sales.get(p.id) or 0),
                listed_at=p.listed_at or p.created_at,
            )
        )
    return docs


def _authorisation_on(auths: list[BrandAuthorisation], day: date) -> BrandAuthorisation | None:
    """The authorisation valid on ``day``, else the next one to start (the document carries
    its dates, so the brand appears and lapses on the right days without a reindex)."""
    current = [a for a in auths if a.is_valid_on(day)]
    if current:
        return max(current, key=lambda a: a.valid_to)
    future = [a for a in auths if a.is_upcoming_on(day)]
    return min(future, key=lambda a: a.valid_from) if future else None


def _places(code: str, names: dict[str, str]) -> list[str]:
    """County, township and village names of an origin, with the county's short form
    (寻乌县 → 寻乌) and a village's everyday one (新南村委会 → 新南村)."""
    out: list[str] = []
    for part in dict.fromkeys([code[:6], code[:9], code]):
        name = names.get(part)
        if not name:
            continue
        out.append(name)
        for suffix in ("县", "市", "区", "村民委员会", "村委会", "居委会", "镇", "乡"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out.append(name[: -len(suffix)])
                break
    return list(dict.fromkeys(out))


def batches(session: Session, ids: Sequence[int], day: date, size: int) -> Iterator[list[Any]]:
    """Documents in batches of ``size`` ids (for the reindex)."""
    for start in range(0, len(ids), size):
        yield load(session, ids[start : start + size], day)


# ----------------------------------------------------------------------------- SQL rows


def store(session: Session, product_ids: Sequence[int], docs: Sequence[ProductDoc]) -> None:
    """Write the SQL engine's rows for ``product_ids`` and their tokens (``search_grams``):
    the documents given, and no row for the ids without one (no longer visible). Flushes,
    never commits."""
    wanted = {d.product_id: d for d in docs}
    existing = {
        row.product_id: row
        for row in session.scalars(
            sa.select(SearchDocument).where(SearchDocument.product_id.in_(list(product_ids)))
        )
    }
    tokens: set[tuple[str, int]] = set()
    for product_id in product_ids:
        row = existing.get(product_id)
        doc = wanted.get(product_id)
        if doc is None:
            if row is not None:
                session.delete(row)
            continue
        values = doc.sql_row()
        tokens.update((g, product_id) for g in grams.document_grams(values))
        if row is None:
            session.add(SearchDocument(**values))
        else:
            for key, value in values.items():
                setattr(row, key, value)
    session.flush()
    _store_tokens(session, product_ids, tokens)


def _store_tokens(
    session: Session, product_ids: Sequence[int], tokens: set[tuple[str, int]]
) -> None:
    """Make the inverted index (``search.grams``) of these products hold exactly ``tokens``:
    only the tokens that changed are written (a reindex of an unchanged catalog reads them and
    writes nothing; each write lands somewhere in a large index), in Core statements."""
    table = SearchGram.__table__
    connection = session.connection()
    held = set(
        connection.execute(
            sa.select(table.c.gram, table.c.product_id).where(
                table.c.product_id.in_(list(product_ids))
            )
        ).tuples()
    )
    gone = sorted(held - tokens)
    if gone:
        connection.execute(
            table.delete().where(
                table.c.gram == sa.bindparam("g"), table.c.product_id == sa.bindparam("p")
            ),
            [{"g": g, "p": p} for g, p in gone],
        )
    new = sorted(tokens - held)  # in the index's order
    if new:
        connection.execute(table.insert(), [{"gram": g, "product_id": p} for g, p in new])
