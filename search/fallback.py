"""The embedded engine: search on the database itself (SQLite or PostgreSQL), no server needed.

It serves when Elasticsearch is not configured, and while a configured one is down. Matching
uses the ``search_documents`` rows (normalised text, pinyin syllables and initials, quantities)
with portable ``LIKE`` conditions and a score computed in SQL; visibility, filters, facets,
prices, stock and sales are read live from the catalog, so its facet counts are the database's
own. Every query word must match (Han text, its synonyms, its pinyin — which forgives
homophone typos like 脐澄 — a typed pinyin phrase, or initials); when nothing matches every
word, results that match some words are shown instead (``relaxed``).
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.functions import FunctionElement

from catalog.models import Category, Certification, Product, RegionalBrand, Variant
from fulfillment.models import Stock
from orders.models import SOLD_STATUSES, OrderLine, SubOrder
from search import labels, text
from search.models import SearchDocument
from search.request import FACETS, PRICE_BANDS, Hit, SearchRequest, SearchResult

D = SearchDocument


# ----------------------------------------------------------------------------- matching


class _Contains(FunctionElement[bool]):
    """SQL: ``column`` contains ``value`` (plain text, no pattern): ``instr`` on SQLite,
    ``strpos`` on PostgreSQL — several times quicker than ``LIKE '%…%'`` with an escape, and
    the same answer on our normalised (lower-case) text."""

    type = sa.Boolean()
    inherit_cache = True
    name = "contains_text"


@compiles(_Contains, "postgresql")
def _contains_postgresql(element: _Contains, compiler: Any, **kw: Any) -> str:
    column, value = element.clauses
    return f"(strpos({compiler.process(column, **kw)}, {compiler.process(value, **kw)}) > 0)"


@compiles(_Contains)
def _contains_instr(element: _Contains, compiler: Any, **kw: Any) -> str:
    column, value = element.clauses
    return f"(instr({compiler.process(column, **kw)}, {compiler.process(value, **kw)}) > 0)"


def _like(column: Any, value: str) -> Any:
    return _Contains(column, sa.literal(value, sa.Text))


def _anywhere(value: str) -> Any:
    """In the title, the brand or the other text. Each field is spaced, so a value without a
    space is found in their concatenation exactly when it is in one of them: asked field by
    field, with no concatenated string built per row."""
    if " " in value:
        return _like(D.title + D.brand + D.body, value)
    return sa.or_(_like(D.title, value), _like(D.brand, value), _like(D.body, value))


def _term_scores(term: text.Term) -> list[tuple[Any, float]]:
    """(condition, weight) pairs: how ``term`` can match and what each match is worth."""
    pairs: list[tuple[Any, float]] = []
    if term.kind == "han":
        pairs += [
            (_like(D.title, term.text), 10),
            (_like(D.brand, term.text), 8),
            (_like(D.brand, f" {term.text} "), 6),  # the exact brand name
            (_like(D.body, term.text), 4),
            (_like(D.description, term.text), 1),
        ]
        for variant in term.synonyms:
            pairs += [(_like(D.title, variant), 7), (_anywhere(variant), 3)]
        grams = [term.text[i : i + 2] for i in range(len(term.text) - 1)]
        if len(grams) >= 2:  # most of its character pairs, in any field (赣南橙 → 赣南)
            hits = sum((sa.case((_anywhere(g), 1), else_=0) for g in grams), sa.literal(0))
            need = math.ceil(len(grams) * 0.6)
            pairs.append((hits >= need, 2))
        if term.syllables:  # the same sound: homophone typos (脐澄 → qi cheng)
            phrase = " ".join(term.syllables)
            pairs += [
                (_like(D.title_pinyin, f" {phrase} "), 5),
                (_like(D.pinyin, f" {phrase} "), 3),
            ]
    elif term.kind == "pinyin":
        phrase = " ".join(term.syllables)
        if term.prefix:  # the last syllable may be unfinished: qi ch…
            pairs += [(_like(D.title_pinyin, f" {phrase}"), 9), (_like(D.pinyin, f" {phrase}"), 6)]
        else:
            pairs += [
                (_like(D.title_pinyin, f" {phrase} "), 9),
                (_like(D.pinyin, f" {phrase} "), 6),
            ]
        pairs.append((_anywhere(term.text), 3))
    elif term.kind == "initials":
        pairs += [
            (_like(D.title_initials, f" {term.text}"), 8),  # at the start of a word
            (_like(D.title_initials, term.text), 6),
            (_like(D.initials, term.text), 4),
            (_anywhere(term.text), 3),
        ]
    elif term.kind == "quantity":
        pairs.append((_like(D.quantities, f" {term.text} "), 6))
    else:  # a Latin word or a number
        pairs += [(_like(D.title, term.text), 4), (_anywhere(term.text), 2)]
    return pairs


def _matching(query: text.ParsedQuery, *, every: bool) -> tuple[list[Any], Any]:
    """Where-clauses (every word must match, or some word) and the score expression."""
    score: Any = sa.literal(0.0)
    matches = []
    for term in query.words:
        pairs = _term_scores(term)
        matches.append(sa.or_(*(cond for cond, _w in pairs)))
        for cond, weight in pairs:
            score = score + sa.case((cond, weight), else_=0)
    for term in query.extras:
        for cond, weight in _term_scores(term):
            score = score + sa.case((cond, weight), else_=0)
    where = [sa.and_(*matches)] if every else [sa.or_(*matches)]
    return where, score


# ----------------------------------------------------------------------------- facts

# What filters, facets and sorting need of each shown product, read live from the catalog in
# one statement over the matched ids (passed as one bound parameter, however many): category
# and its parent, the brand while authorised, county, storage, cheapest active price, whether
# it is on sale this month and in stock now, its active grades and its valid certificates.
# Filtering, the facet counts (each facet without its own filter), the total, sorting and the
# page are then worked out in Python over those rows: one statement instead of one per facet,
# and no SQL text that grows with the number of matches.


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


def _id_list(postgresql: bool) -> Any:
    """``Product.id`` is one of ``:ids``, one bound parameter however many (a PostgreSQL
    array, a JSON list on SQLite): the statement's text does not grow with the list."""
    if postgresql:
        return Product.id == sa.any_(sa.cast(sa.bindparam("ids"), ARRAY(sa.Integer)))
    values = sa.select(sa.column("value", sa.Integer)).select_from(
        sa.func.json_each(sa.bindparam("ids", type_=sa.String))
    )
    return Product.id.in_(values.scalar_subquery())


def _facts(session: Session, ids: list[int] | None, day: date) -> list[Facts]:
    """Facts of the products shown this month (of ``ids``, or all), in one statement."""
    postgresql = _dialect(session) == "postgresql"
    params: dict[str, Any] = {"day": day}
    if ids is not None:
        params["ids"] = ids if postgresql else json.dumps(ids)
    stmt = _facts_statement(postgresql, day.month, ids is not None)
    return [
        Facts(
            id=int(pid),
            category=str(category),
            parent=parent_slug,
            brand=brand_slug,
            county=str(county or ""),
            storage=str(storage),
            price=int(price or 0),
            season=bool(season),
            stock=bool(stock),
            grades=frozenset(str(g).split()) if g else frozenset(),
            certs=frozenset(str(c).split()) if c else frozenset(),
            newest=newest,
            band=_band(int(price or 0)),
        )
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
        ) in session.execute(stmt, params).all()
    ]


@functools.lru_cache(maxsize=64)
def _facts_statement(postgresql: bool, month: int, by_ids: bool) -> Any:
    """The facts statement, built once per dialect and month (``:day`` and ``:ids`` bound)."""
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
            Variant.product_id == Product.id,
            Variant.is_active.is_(True),
            Variant.grade_id.is_not(None),
        )
        .correlate(Product)
        .scalar_subquery()
    )
    certs = (
        sa.select(joined(Certification.kind))
        .where(Certification.product_id == Product.id, Certification.is_valid_on(day))
        .correlate(Product)
        .scalar_subquery()
    )
    where = [Product.is_visible, _shown_now(month)]
    if by_ids:
        where.insert(0, _id_list(postgresql))
    return (
        sa.select(
            Product.id,
            cat.slug,
            parent.slug,
            sa.case((Product.shows_brand_on(day), brand.slug), else_=None),
            sa.func.substr(Product.origin_region_code, 1, 6),
            Product.storage_class,
            _min_price(),
            Product.on_sale_in(month),
            _in_stock(),
            grades,
            certs,
            sa.func.coalesce(Product.listed_at, Product.created_at),
        )
        .select_from(Product)
        .join(cat, cat.id == Product.category_id)
        .outerjoin(parent, parent.id == cat.parent_id)
        .outerjoin(brand, brand.id == Product.brand_id)
        .where(*where)
    )


def _in_stock() -> Any:
    return sa.exists().where(
        Stock.variant_id == Variant.id,
        Variant.product_id == Product.id,
        Variant.is_active.is_(True),
        Stock.on_hand > Stock.reserved,
    )


def _min_price() -> Any:
    return (
        sa.select(sa.func.min(Variant.price_fen))
        .where(Variant.product_id == Product.id, Variant.is_active.is_(True))
        .correlate(Product)
        .scalar_subquery()
    )


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
        for r in rows:
            counter.update(r.grades)
    elif facet == "county":
        counter.update(r.county for r in rows)
    elif facet == "cert":
        for r in rows:
            counter.update(r.certs)
    elif facet == "storage":
        counter.update(r.storage for r in rows)
    elif facet == "price":
        counter.update(r.band for r in rows)
    elif facet == "season":
        counter["now"] += sum(r.season for r in rows)
    elif facet == "stock":
        counter["in"] += sum(r.stock for r in rows)


def _shown_now(month: int) -> Any:
    """In season or pre-sale this month (only these are found): the catalog's predicate."""
    return Product.in_season(month)


# ----------------------------------------------------------------------------- search


MAX_MATCHES = 5000  # products scored per query (a fallback, not a search cluster)


def search(
    session: Session, request: SearchRequest, day: date, *, prefix: bool = False
) -> SearchResult:
    """Results, facets and the page asked for; ``relaxed`` when only some words matched.
    ``prefix``: the query is still being typed (autocomplete).

    The words are matched and scored in one statement over the shown products; the facts of
    the matches (or of every product shown, when browsing) in a second; filters, facets,
    sorting and the page are worked out from those rows, plus one statement for sales when
    the order needs them."""
    query = text.parse(request.q, prefix=prefix)
    scores: dict[int, float] | None = None
    relaxed = False
    if query:
        scores = _scores(session, query, every=True)
        facts = _facts(session, list(scores), day)
        if not facts and len(query.words) > 1:
            relaxed = True
            scores = _scores(session, query, every=False)
            facts = _facts(session, list(scores), day)
    else:
        facts = _facts(session, None, day)
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


def _scores(session: Session, query: text.ParsedQuery, *, every: bool) -> dict[int, float]:
    """Matching rows and their scores, in one statement over the ``search_documents`` rows
    alone: whether a match may be shown is asked of the catalog afterwards, for the matches
    only (asking it of every product first cost more than the matching)."""
    stmt = _score_statement(query.text, query.terms[-1].prefix, every)
    return {int(pid): float(value or 0) for pid, value in session.execute(stmt).all()}


@functools.lru_cache(maxsize=512)
def _score_statement(q: str, prefix: bool, every: bool) -> Any:
    """The matching statement of a query, built once (building it and its cache key cost more
    than running it on a small catalog; people type the same few hundred words)."""
    match_where, score = _matching(text.parse(q, prefix=prefix), every=every)
    return sa.select(D.product_id, score).where(*match_where).limit(MAX_MATCHES)


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
    return (
        sa.select(Variant.product_id, sa.func.sum(OrderLine.quantity))
        .join(OrderLine, OrderLine.variant_id == Variant.id)
        .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
        .where(
            Variant.product_id.in_(sa.select(Product.id).where(_id_list(postgresql))),
            SubOrder.status.in_(SOLD_STATUSES),
        )
        .group_by(Variant.product_id)
    )
