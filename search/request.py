"""A search as the consumer asks it (words, filters, sort, page) and what comes back.

Both engines take a :class:`SearchRequest` and return a :class:`SearchResult` with the same
facets, so pages and the API never know which engine answered. Unknown filter values and sorts
are ignored (the defaults apply), never an error.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from catalog.models import CertificationKind, StorageClass
from search import text

SORTS = ("relevance", "sales", "price_asc", "price_desc", "new")
PAGE_SIZE = 24
MAX_PAGE = 100  # deep pages are not useful to a shopper and cost the engine
# Price bands in fen: [0, 20 元), [20, 50), [50, 100), [100, 200), [200, ∞)
PRICE_EDGES = (2000, 5000, 10000, 20000)
FACETS = ("category", "brand", "grade", "county", "cert", "storage", "price", "season", "stock")


def price_bands(edges: tuple[int, ...] = PRICE_EDGES) -> list[tuple[str, int | None, int | None]]:
    """(key, from fen inclusive, to fen exclusive) per band: ``-2000`` … ``20000-``."""
    bounds: list[int | None] = [None, *edges, None]
    out = []
    for low, high in itertools.pairwise(bounds):
        key = f"{low if low is not None else ''}-{high if high is not None else ''}"
        out.append((key, low, high))
    return out


PRICE_BANDS = {key: (low, high) for key, low, high in price_bands()}


@dataclass(frozen=True)
class SearchRequest:
    """What was asked. ``q`` may be empty (browse with filters)."""

    q: str = ""
    category: str | None = None  # category slug (matches its children too)
    brand: str | None = None  # regional brand slug
    grade: str | None = None  # grade id
    county: str | None = None  # 6-digit county code of origin
    cert: str | None = None  # CertificationKind value, valid today
    storage: str | None = None  # StorageClass value
    price: str | None = None  # a PRICE_BANDS key
    season: bool = False  # on sale this month (not only pre-sale)
    stock: bool = False  # in stock now
    sort: str = "relevance"
    page: int = 1
    per_page: int = PAGE_SIZE

    @classmethod
    def parse(cls, args: Any, per_page: int = PAGE_SIZE) -> SearchRequest:
        """From query-string arguments; bad values are dropped."""

        def clean(name: str, size: int = 40) -> str | None:
            value = str(args.get(name) or "").strip()[:size]
            return value or None

        county = clean("county", 6)
        grade = clean("grade", 10)
        cert = clean("cert")
        storage = clean("storage")
        price = clean("price", 20)
        sort = clean("sort", 20) or "relevance"
        try:
            page = max(1, min(int(args.get("page", 1)), MAX_PAGE))
        except (TypeError, ValueError):
            page = 1
        return cls(
            q=text.normalise(str(args.get("q") or ""))[: text.MAX_QUERY],
            category=clean("category"),
            brand=clean("brand"),
            grade=grade if grade and grade.isdigit() else None,
            county=county if county and len(county) == 6 and county.isdigit() else None,
            cert=cert if cert in {k.value for k in CertificationKind} else None,
            storage=storage if storage in {s.value for s in StorageClass} else None,
            price=price if price in PRICE_BANDS else None,
            season=_flag(args.get("season")),
            stock=_flag(args.get("stock")),
            sort=sort if sort in SORTS else "relevance",
            page=page,
            per_page=per_page,
        )

    @property
    def filters(self) -> dict[str, Any]:
        """The active filters by facet name."""
        values = {
            "category": self.category,
            "brand": self.brand,
            "grade": self.grade,
            "county": self.county,
            "cert": self.cert,
            "storage": self.storage,
            "price": self.price,
            "season": "now" if self.season else None,
            "stock": "in" if self.stock else None,
        }
        return {k: v for k, v in values.items() if v}

    def without(self, facet: str) -> SearchRequest:
        """This request without one facet's filter (facet counts ignore their own filter)."""
        if facet in ("season", "stock"):
            return replace(self, **{facet: False})
        return replace(self, **{facet: None})

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for a link with ``changes`` (None removes one; a filter
        change goes back to page 1)."""
        values: dict[str, Any] = {
            "q": self.q or None,
            **dict.fromkeys(FACETS),
            **self.filters,
            "sort": self.sort if self.sort != "relevance" else None,
            "page": self.page if self.page > 1 else None,
        }
        if any(k != "page" for k in changes):
            values["page"] = None
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "", False)}


def links(base: str) -> Callable[[dict[str, Any]], str]:
    """``link(args)``: the URL ``url_for`` builds for ``base`` with these query arguments
    (``None`` left out), without a routing look-up per link: a results page has a hundred
    facet, sort and page links."""

    def link(args: dict[str, Any]) -> str:
        query = urlencode([(k, v) for k, v in args.items() if v is not None], safe=URL_SAFE)
        return f"{base}?{query}" if query else base

    return link


URL_SAFE = "!$'()*,/:;?@"  # what werkzeug leaves unescaped in a query string (url_for)


def _flag(value: Any) -> bool:
    return str(value or "").lower() in ("1", "true", "now", "in", "yes", "on")


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class Facet:
    name: str  # one of FACETS
    values: list[FacetValue] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {v.value: v.count for v in self.values}


@dataclass
class Hit:
    product_id: int
    score: float = 0.0
    highlight: dict[str, str] = field(default_factory=dict)  # field -> HTML with <mark>


@dataclass
class SearchResult:
    request: SearchRequest
    total: int
    hits: list[Hit]
    facets: list[Facet]
    engine: str  # "elasticsearch" | "sql"
    day: date
    suggestion: str | None = None  # "did you mean": a corrected query
    relaxed: bool = False  # nothing matched every word: these match some of them
    fallback: bool = False  # Elasticsearch is configured but did not answer
    took_ms: float | None = None  # Elasticsearch's own time for the query ("took")

    @property
    def ids(self) -> list[int]:
        return [h.product_id for h in self.hits]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    def facet(self, name: str) -> Facet:
        return next((f for f in self.facets if f.name == name), Facet(name))


@dataclass
class Suggestion:
    """One line of the autocomplete box."""

    kind: str  # product | brand | category
    text: str
    product_id: int | None = None
    highlight: str = ""  # HTML with <mark>
    url_args: dict[str, Any] = field(default_factory=dict)
