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

import math
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from catalog.models import Category, Certification, Product, RegionalBrand, Variant
from fulfillment.models import Stock
from orders.models import SOLD_STATUSES, OrderLine, SubOrder
from search import labels, text
from search.models import SearchDocument
from search.request import (
    PRICE_BANDS,
    Facet,
    Hit,
    SearchRequest,
    SearchResult,
)

D = SearchDocument


# ----------------------------------------------------------------------------- matching


def _like(column: Any, value: str) -> Any:
    return column.contains(value, autoescape=True)


def _term_scores(term: text.Term) -> list[tuple[Any, float]]:
    """(condition, weight) pairs: how ``term`` can match and what each match is worth."""
    everything = D.title + D.brand + D.body
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
            pairs += [(_like(D.title, variant), 7), (_like(everything, variant), 3)]
        grams = [term.text[i : i + 2] for i in range(len(term.text) - 1)]
        if len(grams) >= 2:  # most of its character pairs, in any field (赣南橙 → 赣南)
            hits = sum((sa.case((_like(everything, g), 1), else_=0) for g in grams), sa.literal(0))
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
        pairs.append((_like(everything, term.text), 3))
    elif term.kind == "initials":
        pairs += [
            (_like(D.title_initials, f" {term.text}"), 8),  # at the start of a word
            (_like(D.title_initials, term.text), 6),
            (_like(D.initials, term.text), 4),
            (_like(everything, term.text), 3),
        ]
    elif term.kind == "quantity":
        pairs.append((_like(D.quantities, f" {term.text} "), 6))
    else:  # a Latin word or a number
        pairs += [(_like(D.title, term.text), 4), (_like(everything, term.text), 2)]
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


# ----------------------------------------------------------------------------- filters


def _active_variant(*extra: Any) -> Any:
    return sa.exists().where(Variant.product_id == Product.id, Variant.is_active.is_(True), *extra)


def _min_price() -> Any:
    return (
        sa.select(sa.func.min(Variant.price_fen))
        .where(Variant.product_id == Product.id, Variant.is_active.is_(True))
        .correlate(Product)
        .scalar_subquery()
    )


def _sales() -> Any:
    return (
        sa.select(sa.func.coalesce(sa.func.sum(OrderLine.quantity), 0))
        .join(Variant, Variant.id == OrderLine.variant_id)
        .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
        .where(Variant.product_id == Product.id, SubOrder.status.in_(SOLD_STATUSES))
        .correlate(Product)
        .scalar_subquery()
    )


def _in_stock() -> Any:
    return sa.exists().where(
        Stock.variant_id == Variant.id,
        Variant.product_id == Product.id,
        Variant.is_active.is_(True),
        Stock.on_hand > Stock.reserved,
    )


def _cert_valid(day: date, kind: str | None = None) -> Any:
    clauses = [
        Certification.product_id == Product.id,
        Certification.is_valid_on(day),
    ]
    if kind:
        clauses.append(Certification.kind == kind)
    return sa.exists().where(*clauses)


def _shown_now(month: int) -> Any:
    """In season or pre-sale this month (only these are found): the catalog's predicate."""
    return Product.in_season(month)


def _price_band(low: int | None, high: int | None) -> list[Any]:
    price = _min_price()
    out = []
    if low is not None:
        out.append(price >= low)
    if high is not None:
        out.append(price < high)
    return out


def _filters(session: Session, request: SearchRequest, day: date) -> list[Any]:
    where: list[Any] = []
    if request.category:
        ids = sa.select(Category.id).where(
            sa.or_(
                Category.slug == request.category,
                Category.parent_id.in_(
                    sa.select(Category.id).where(Category.slug == request.category)
                ),
            )
        )
        where.append(Product.category_id.in_(ids))
    if request.brand:
        where += [
            Product.brand_id.in_(
                sa.select(RegionalBrand.id).where(RegionalBrand.slug == request.brand)
            ),
            Product.shows_brand_on(day),
        ]
    if request.grade:
        where.append(_active_variant(Variant.grade_id == int(request.grade)))
    if request.county:
        where.append(Product.origin_region_code.startswith(request.county))
    if request.cert:
        where.append(_cert_valid(day, request.cert))
    if request.storage:
        where.append(Product.storage_class == request.storage)
    if request.price:
        where += _price_band(*PRICE_BANDS[request.price])
    if request.season:
        where.append(Product.on_sale_in(day.month))
    if request.stock:
        where.append(_in_stock())
    return where


# ----------------------------------------------------------------------------- search


MAX_MATCHES = 5000  # products scored per query (a fallback, not a search cluster)


def search(
    session: Session, request: SearchRequest, day: date, *, prefix: bool = False
) -> SearchResult:
    """Results, facets and the page asked for; ``relaxed`` when only some words matched.
    ``prefix``: the query is still being typed (autocomplete).

    The words are matched and scored in one statement over the shown products; filters,
    facets and the page then work on those ids (the ``LIKE`` conditions run once, not once
    per facet)."""
    query = text.parse(request.q, prefix=prefix)
    shown = [Product.is_visible, _shown_now(day.month)]
    filters = _filters(session, request, day)
    scores: dict[int, float] | None = None
    relaxed = False
    base = list(shown)
    if query:
        scores = _scores(session, query, shown, every=True)
        if not scores and len(query.words) > 1:
            relaxed = True
            scores = _scores(session, query, shown, every=False)
        base = [Product.id.in_(list(scores) or [0])]
    if scores is not None and request.sort == "relevance":
        ids = list(session.scalars(sa.select(Product.id).where(*base, *filters)))
        sales = _sales_of(session, ids)
        ids.sort(key=lambda i: (-scores[i], -sales.get(i, 0), -i))
        total = len(ids)
        page = min(request.page, max(1, math.ceil(total / request.per_page)))
        chosen = ids[(page - 1) * request.per_page : page * request.per_page]
    else:
        total = _count(session, [*base, *filters])
        page = min(request.page, max(1, math.ceil(total / request.per_page)))
        chosen = list(
            session.scalars(
                sa.select(Product.id)
                .where(*base, *filters)
                .order_by(*_order(request, bool(query)))
                .limit(request.per_page)
                .offset((page - 1) * request.per_page)
            )
        )
    hits = [Hit(product_id=i, score=(scores or {}).get(i, 0.0)) for i in chosen]
    return SearchResult(
        request=request,
        total=total,
        hits=hits,
        facets=facet_counts(session, base, request, day),
        engine="sql",
        day=day,
        relaxed=relaxed,
    )


def _scores(
    session: Session, query: text.ParsedQuery, shown: list[Any], *, every: bool
) -> dict[int, float]:
    """Matching products (of those shown) and their scores, in one statement."""
    match_where, score = _matching(query, every=every)
    rows = session.execute(
        sa.select(Product.id, score)
        .select_from(Product)
        .join(D, D.product_id == Product.id)
        .where(*shown, *match_where)
        .limit(MAX_MATCHES)
    ).all()
    return {int(pid): float(value or 0) for pid, value in rows}


def _sales_of(session: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Variant.product_id, sa.func.sum(OrderLine.quantity))
        .join(OrderLine, OrderLine.variant_id == Variant.id)
        .join(SubOrder, SubOrder.id == OrderLine.sub_order_id)
        .where(Variant.product_id.in_(ids), SubOrder.status.in_(SOLD_STATUSES))
        .group_by(Variant.product_id)
    ).all()
    return {int(pid): int(n or 0) for pid, n in rows}


def _count(session: Session, where: list[Any]) -> int:
    return int(session.scalar(sa.select(sa.func.count(Product.id)).where(*where)) or 0)


def _order(request: SearchRequest, has_query: bool) -> list[Any]:
    newest = sa.func.coalesce(Product.listed_at, Product.created_at)
    if request.sort == "price_asc":
        return [_min_price().asc(), Product.id.desc()]
    if request.sort == "price_desc":
        return [_min_price().desc(), Product.id.desc()]
    if request.sort == "sales":
        return [_sales().desc(), Product.id.desc()]
    return [newest.desc(), Product.id.desc()]  # "new", or browsing without words


# ----------------------------------------------------------------------------- facets


def facet_counts(
    session: Session, base: list[Any], request: SearchRequest, day: date
) -> list[Facet]:
    """Counts per facet value, each facet ignoring its own filter (so a shopper can switch)."""

    def scope(facet: str) -> list[Any]:
        return [*base, *_filters(session, request.without(facet), day)]

    def grouped(facet: str, key: Any, *extra: Any, join: Any = None) -> list[tuple[Any, int]]:
        stmt = sa.select(key, sa.func.count(sa.distinct(Product.id))).select_from(Product)
        if join is not None:
            stmt = stmt.join(*join)
        stmt = stmt.where(*scope(facet), *extra).group_by(key)
        return [(k, int(n)) for k, n in session.execute(stmt).all() if k is not None]

    def count(facet: str, *extra: Any) -> int:
        return _count(session, [*scope(facet), *extra])

    selected = request.filters
    counts: dict[str, list[tuple[str, int]]] = {}
    # joined tables are aliased: the filters' sub-queries must not correlate to them
    cat, brand, variant, cert = (
        aliased(Category),
        aliased(RegionalBrand),
        aliased(Variant),
        aliased(Certification),
    )
    counts["category"] = [
        (str(k), n)
        for k, n in grouped("category", cat.slug, join=(cat, cat.id == Product.category_id))
    ]
    counts["brand"] = [
        (str(k), n)
        for k, n in grouped(
            "brand",
            brand.slug,
            Product.shows_brand_on(day),
            join=(brand, brand.id == Product.brand_id),
        )
    ]
    counts["grade"] = [
        (str(k), n)
        for k, n in grouped(
            "grade",
            variant.grade_id,
            variant.is_active.is_(True),
            join=(variant, variant.product_id == Product.id),
        )
    ]
    counts["county"] = [
        (str(k), n) for k, n in grouped("county", sa.func.substr(Product.origin_region_code, 1, 6))
    ]
    counts["cert"] = [
        (str(k), n)
        for k, n in grouped(
            "cert",
            cert.kind,
            cert.revoked_at.is_(None),
            cert.valid_from <= day,
            cert.valid_to >= day,
            join=(cert, cert.product_id == Product.id),
        )
    ]
    counts["storage"] = [(str(k), n) for k, n in grouped("storage", Product.storage_class)]
    bands = sa.case(
        *[
            (sa.and_(*_price_band(low, high)), key)
            for key, (low, high) in PRICE_BANDS.items()
            if low is not None or high is not None
        ],
        else_=None,
    )
    counts["price"] = [(str(k), n) for k, n in grouped("price", bands)]
    counts["season"] = [("now", count("season", Product.on_sale_in(day.month)))]
    counts["stock"] = [("in", count("stock", _in_stock()))]
    return labels.facets(session, counts, selected)
