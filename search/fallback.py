"""The embedded engine: search on the database itself (SQLite or PostgreSQL), no server needed.

It serves when Elasticsearch is not configured, and while a configured one is down. A search is
one statement: the rows of ``search_documents`` holding the query's tokens (the inverted index
``search_grams``, see ``search.grams``) are matched and scored (``search.matching``) and joined
to what filters, facets and sorting need of each — the storefront's read model
(``storefront_cards``: visibility, category, brand and its dates, county, storage, cheapest
price, season months; kept in the transaction of each change) and, live, the active grades,
the certificates valid today and whether it is in stock. Filters, facet counts, the total, the
order and the page are worked out in Python over those rows (plus sales when the order needs
them), so its facet counts are the database's own and a delisting, a price or a stock change
shows on the next request. When nothing matches every word, results that match some words are
shown instead (``relaxed``).
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from catalog.models import Category, Certification, RegionalBrand, Variant
from fulfillment.models import Stock
from orders.models import SOLD_STATUSES, OrderLine, SubOrder
from search import labels, matching, text
from search.models import SearchDocument
from search.request import FACETS, PRICE_BANDS, Hit, SearchRequest, SearchResult
from storefront.models import StorefrontCard

C = StorefrontCard
D = SearchDocument

# ----------------------------------------------------------------------------- facts

# What filters, facets and sorting need of each shown product, read in the matching statement
# (or, when browsing, of every shown product): category and its parent, the brand while
# authorised, county, storage, cheapest active price, whether it is on sale this month and in
# stock now, its active grades and its valid certificates. Filtering, the facet counts (each
# facet without its own filter), the total, sorting and the page are then worked out in Python
# over those rows: one statement instead of one per facet.


@dataclass(slots=True)
class Facts:
    id: int
    category: str
    parent: str | None
    brand: str | None  # slug, only while the supplier holds the brand today
    county: str
    storage: str
    price: int  # the cheapest active variant, fen
    season: bool  # on sale this month (not only pre-sale)
    stock: bool
    grades: frozenset[str]
    certs: frozenset[str]
    newest: Any
    band: str  # its PRICE_BANDS key


def _band(fen: int) -> str:
    for key, (low, high) in PRICE_BANDS.items():
        if (low is None or fen >= low) and (high is None or fen < high):
            return key
    raise AssertionError(fen)  # pragma: no cover - the bands cover every price


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


_NONE: frozenset[str] = frozenset()


def _facts(session: Session, stmt: Any, day: date) -> tuple[list[Facts], dict[int, float]]:
    """Facts of the rows of ``stmt`` (a :func:`_facts_select`), and their scores."""
    facts: list[Facts] = []
    scores: dict[int, float] = {}
    bands: dict[int, str] = {}
    for (
        pid,
        category,
        parent_slug,
        brand_slug,
        county,
        storage,
        price,
        season,
        stock,
        g,
        c,
        newest,
        score,
    ) in session.connection().execute(stmt, {"day": day}).all():
        fen = int(price or 0)
        band = bands.get(fen)
        if band is None:
            band = bands[fen] = _band(fen)
        facts.append(
            Facts(
                int(pid),
                str(category),
                parent_slug,
                brand_slug,
                str(county or ""),
                str(storage),
                fen,
                bool(season),
                bool(stock),
                frozenset(str(g).split()) if g else _NONE,
                frozenset(str(c).split()) if c else _NONE,
                newest,
                band,
            )
        )
        scores[int(pid)] = float(score or 0)
    return facts, scores


def _facts_select(postgresql: bool, month: int, score: Any) -> Any:
    """Facts of the cards shown this month (``:day`` bound), with ``score`` as last column."""
    day = sa.bindparam("day", type_=sa.Date)
    cat, parent = aliased(Category), aliased(Category)
    brand = aliased(RegionalBrand)

    def joined(value: Any) -> Any:  # values of a correlated sub-select, space-separated
        if postgresql:
            return sa.func.string_agg(sa.cast(value, sa.Text), " ")
        return sa.func.group_concat(value, " ")

    grades = (
        sa.select(joined(Variant.grade_id))
        .where(
            Variant.product_id == C.product_id,
            Variant.is_active.is_(True),
            Variant.grade_id.is_not(None),
        )
        .correlate(C)
        .scalar_subquery()
    )
    certs = (
        sa.select(joined(Certification.kind))
        .where(Certification.product_id == C.product_id, Certification.is_valid_on(day))
        .correlate(C)
        .scalar_subquery()
    )
    in_stock = sa.exists().where(  # look-ups by the match (not a set of the whole catalog's)
        Variant.product_id == C.product_id,
        Variant.is_active.is_(True),
        Stock.variant_id == Variant.id,
        Stock.on_hand > Stock.reserved,
    )
    on_sale = C.sale_months_mask.op("&", return_type=sa.Integer)(1 << month) != 0
    return (
        sa.select(
            C.product_id,
            cat.slug,
            parent.slug,
            sa.case((C.shows_brand_on(day), brand.slug), else_=None),
            C.county_code,
            sa.type_coerce(C.storage_class, sa.Text),  # its value, as stored
            C.min_price_fen,
            on_sale,
            in_stock,
            grades,
            certs,
            # as stored: only compared (the same format in every row), never shown
            sa.type_coerce(C.listed_order, sa.Text),
            score,
        )
        .select_from(C)
        .join(cat, cat.id == C.category_id)
        .outerjoin(parent, parent.id == cat.parent_id)
        .outerjoin(brand, brand.id == C.brand_id)
        .where(C.visible.is_(True), C.in_season(month))
    )


@functools.lru_cache(maxsize=512)
def _search_statement(q: str, prefix: bool, every: bool, postgresql: bool, month: int) -> Any:
    """The statement of a query, built once per query text, dialect and month (building it
    and its cache key cost more than running it on a small catalog; people type the same few
    hundred words): the matching rows, scored, with their facts."""
    where, score = matching.matching(text.parse(q, prefix=prefix), every=every)
    return (
        _facts_select(postgresql, month, score)
        .join(D, D.product_id == C.product_id)
        .where(*where)
        .limit(MAX_MATCHES)
    )


@functools.lru_cache(maxsize=32)
def _browse_statement(postgresql: bool, month: int) -> Any:
    """Every product shown this month, with its facts (no query typed)."""
    return _facts_select(postgresql, month, sa.literal(0.0))


def _checks(request: SearchRequest) -> list[tuple[str, Callable[[Facts], bool]]]:
    """One predicate per active filter (the SQL filters they replace are in git history)."""
    out: list[tuple[str, Callable[[Facts], bool]]] = []
    if request.category:
        slug = request.category
        out.append(("category", lambda f: f.category == slug or f.parent == slug))
    if request.brand:
        brand = request.brand
        out.append(("brand", lambda f: f.brand == brand))
    if request.grade:
        grade = str(int(request.grade))
        out.append(("grade", lambda f: grade in f.grades))
    if request.county:
        county = request.county
        out.append(("county", lambda f: f.county.startswith(county)))
    if request.cert:
        cert = request.cert
        out.append(("cert", lambda f: cert in f.certs))
    if request.storage:
        storage = request.storage
        out.append(("storage", lambda f: f.storage == storage))
    if request.price:
        low, high = PRICE_BANDS[request.price]
        out.append(
            (
                "price",
                lambda f: (low is None or f.price >= low) and (high is None or f.price < high),
            )
        )
    if request.season:
        out.append(("season", lambda f: f.season))
    if request.stock:
        out.append(("stock", lambda f: f.stock))
    return out


def _filter_and_count(
    rows: list[Facts], request: SearchRequest
) -> tuple[list[Facts], dict[str, list[tuple[str, int]]]]:
    """The rows every filter lets through, and the counts per facet value, each facet
    counted over the rows that pass every *other* filter (so a shopper can switch values)."""
    checks = _checks(request)
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    passing: list[Facts] = [] if checks else list(rows)  # through every filter: count in all
    for row in rows if checks else ():
        failed = [name for name, ok in checks if not ok(row)]
        if not failed:
            passing.append(row)
        elif len(failed) == 1:  # counts only in the facet whose filter it fails
            _count_into(counters[failed[0]], failed[0], [row])
    for facet in FACETS:
        _count_into(counters[facet], facet, passing)
    counts = {name: list(counter.items()) for name, counter in counters.items()}
    counts["season"] = [("now", counters["season"]["now"])]
    counts["stock"] = [("in", counters["stock"]["in"])]
    return passing, counts


def _count_into(counter: Counter[str], facet: str, rows: list[Facts]) -> None:
    if facet == "category":
        counter.update(r.category for r in rows)
    elif facet == "brand":
        counter.update(r.brand for r in rows if r.brand is not None)
    elif facet == "grade":
        counter.update(chain.from_iterable(r.grades for r in rows))
    elif facet == "county":
        counter.update(r.county for r in rows)
    elif facet == "cert":
        counter.update(chain.from_iterable(r.certs for r in rows))
    elif facet == "storage":
        counter.update(r.storage for r in rows)
    elif facet == "price":
        counter.update(r.band for r in rows)
    elif facet == "season":
        counter["now"] += sum(r.season for r in rows)
    elif facet == "stock":
        counter["in"] += sum(r.stock for r in rows)


# ----------------------------------------------------------------------------- search


MAX_MATCHES = 5000  # products scored per query (a fallback, not a search cluster)


def search(
    session: Session, request: SearchRequest, day: date, *, prefix: bool = False
) -> SearchResult:
    """Results, facets and the page asked for; ``relaxed`` when only some words matched.
    ``prefix``: the query is still being typed (autocomplete).

    The words are matched, scored and joined to the facts of the matches in one statement
    (a second only when nothing matched every word; browsing reads every product shown);
    filters, facets, sorting and the page are worked out from those rows, plus one statement
    for sales when the order needs them."""
    query = text.parse(request.q, prefix=prefix)
    postgresql = _dialect(session) == "postgresql"
    scores: dict[int, float] | None = None
    relaxed = False
    if query:
        stmt = _search_statement(query.text, query.terms[-1].prefix, True, postgresql, day.month)
        facts, scores = _facts(session, stmt, day)
        if not facts and len(query.words) > 1:
            relaxed = True
            stmt = _search_statement(
                query.text, query.terms[-1].prefix, False, postgresql, day.month
            )
            facts, scores = _facts(session, stmt, day)
    else:
        facts, _ = _facts(session, _browse_statement(postgresql, day.month), day)
    rows, counts = _filter_and_count(facts, request)
    total = len(rows)
    page = min(request.page, max(1, math.ceil(total / request.per_page)))
    chosen = [r.id for r in _ordered(session, rows, request, scores)]
    chosen = chosen[(page - 1) * request.per_page : page * request.per_page]
    hits = [Hit(product_id=i, score=(scores or {}).get(i, 0.0)) for i in chosen]
    return SearchResult(
        request=request,
        total=total,
        hits=hits,
        facets=labels.facets(session, counts, request.filters),
        engine="sql",
        day=day,
        relaxed=relaxed,
    )


def _ordered(
    session: Session,
    rows: list[Facts],
    request: SearchRequest,
    scores: dict[int, float] | None,
) -> list[Facts]:
    """The rows in the order asked for (ties: the newer id first)."""
    rows = sorted(rows, key=lambda r: -r.id)  # every order below is stable
    if request.sort in ("price_asc", "price_desc"):
        return sorted(rows, key=lambda r: r.price, reverse=request.sort == "price_desc")
    if request.sort == "sales" or (scores is not None and request.sort == "relevance"):
        sales = _sales_of(session, [r.id for r in rows])
        if request.sort == "sales":
            return sorted(rows, key=lambda r: -sales.get(r.id, 0))
        assert scores is not None
        return sorted(rows, key=lambda r: (-scores[r.id], -sales.get(r.id, 0)))
    return sorted(rows, key=lambda r: r.newest, reverse=True)  # "new", or browsing


def _sales_of(session: Session, ids: list[int]) -> dict[int, int]:
    """Units sold per product (paid sub-orders), in one statement."""
    if not ids:
        return {}
    postgresql = _dialect(session) == "postgresql"
    rows = session.execute(
        _sales_statement(postgresql), {"ids": ids if postgresql else json.dumps(ids)}
    ).all()
    return {int(pid): int(n or 0) for pid, n in rows}


@functools.lru_cache(maxsize=2)
def _sales_statement(postgresql: bool) -> Any:
    if postgresql:  # ``:ids``: one bound parameter however many (a PostgreSQL array, a JSON
        ids: Any = sa.cast(sa.bindparam("ids"), ARRAY(sa.Integer))  # list on SQLite)
        of_ids = Variant.product_id == sa.any_(ids)
    else:
        values = sa.select(sa.column("value", sa.Integer)).select_from(
            sa.func.json_each(sa.bindparam("ids", type_=sa.String))
        )
        of_ids = Variant.product_id.in_(values.scalar_subquery())
    return (
        sa.select(Variant.product_id, sa.func.sum(OrderLine.quantity))
        .join(OrderLine, OrderLine.variant_id == Variant.id)
        .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
        .where(
            of_ids,
            SubOrder.status.in_(SOLD_STATUSES),
        )
        .group_by(Variant.product_id)
    )
