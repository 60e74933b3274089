"""Labels of facet values, in the consumer's language, and the facets' display order.

Both engines hand over raw counts (``{facet: [(value, count)]}``); names of categories, brands,
grades and counties come from the database in one statement each.
"""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import force_locale
from sqlalchemy.orm import Session

from catalog.models import (
    CERTIFICATION_KIND_LABELS,
    STORAGE_CLASS_LABELS,
    Category,
    CertificationKind,
    Grade,
    RegionalBrand,
    StorageClass,
)
from search.request import PRICE_BANDS, Facet, FacetValue
from yipin.i18n import _l, current_language
from yipin.money import format_fen
from yipin.regions.models import Region

FACET_TITLES = {
    "category": _l("Category"),
    "brand": _l("Regional brand"),
    "grade": _l("Grade"),
    "county": _l("Origin"),
    "cert": _l("Certification"),
    "storage": _l("Storage"),
    "price": _l("Price"),
    "season": _l("Season"),
    "stock": _l("Availability"),
}
SORT_LABELS = {
    "relevance": _l("Best match"),
    "sales": _l("Best selling"),
    "price_asc": _l("Price ↑"),
    "price_desc": _l("Price ↓"),
    "new": _l("Newest"),
}


def facet_title(name: str) -> str:
    return str(FACET_TITLES.get(name, name))


def _loc(obj: Any, attr: str = "name") -> str:
    if current_language() == "en":
        english = getattr(obj, f"{attr}_en", "")
        if english:
            return str(english)
    return str(getattr(obj, attr))


def _reference_labels(session: Session) -> dict[str, dict[str, str]]:
    """Labels of categories, brands and grades in display order, in the current language;
    cached for a minute per app (reference data changes rarely)."""
    cache = current_app.extensions.setdefault("yipin_search_labels", {})
    key = current_language()
    hit = cache.get(key)
    if hit and hit[0] > time.monotonic():
        return hit[1]  # type: ignore[no-any-return]
    labels = {
        "category": {
            c.slug: _loc(c)
            for c in session.scalars(sa.select(Category).order_by(Category.sort_order, Category.id))
        },
        "brand": {
            b.slug: _loc(b)
            for b in session.scalars(
                sa.select(RegionalBrand).order_by(RegionalBrand.sort_order, RegionalBrand.id)
            )
        },
        "grade": {
            str(g.id): _loc(g)
            for g in session.scalars(sa.select(Grade).order_by(Grade.rank, Grade.id))
        },
    }
    cache[key] = (time.monotonic() + 60, labels)
    return labels


def _county_names(session: Session, codes: list[str]) -> dict[str, str]:
    """County names (they never change: cached per app, looked up once each)."""
    cache: dict[str, str] = current_app.extensions.setdefault("yipin_search_counties", {})
    missing = [c for c in codes if c not in cache]
    if missing:
        for code, name in session.execute(
            sa.select(Region.code, Region.name).where(Region.code.in_(missing))
        ).all():
            cache[code] = name
    return {c: cache[c] for c in codes if c in cache}


def price_label(key: str) -> str:
    low, high = PRICE_BANDS[key]
    if low is None and high is not None:
        return str(_l("Under %(price)s", price=format_fen(high)))
    if high is None and low is not None:
        return str(_l("%(price)s and up", price=format_fen(low)))
    return f"{format_fen(low or 0)} – {format_fen(high or 0)}"


def facets(
    session: Session, counts: dict[str, list[tuple[str, int]]], selected: dict[str, Any]
) -> list[Facet]:
    """Facets with labels, in display order; values with no products are left out (a selected
    value is kept, with its count). Outside a request (CLI, jobs, benchmarks) in the default
    language."""
    if has_request_context():
        return _facets(session, counts, selected)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        return _facets(session, counts, selected)


def _facets(
    session: Session, counts: dict[str, list[tuple[str, int]]], selected: dict[str, Any]
) -> list[Facet]:

    names = _reference_labels(session)
    out: list[Facet] = []
    for name in ("category", "brand", "grade", "county", "cert", "storage", "price"):
        raw = dict(counts.get(name, []))
        chosen = selected.get(name)
        if chosen and chosen not in raw:
            raw[chosen] = 0
        values = [v for v in raw if raw[v] or v == chosen]
        labelled: list[tuple[str, str]] = []
        if name in ("category", "brand", "grade"):
            labelled = [(k, label) for k, label in names[name].items() if k in values]
        elif name == "county":
            labelled = sorted(_county_names(session, values).items())
        elif name == "cert":
            labelled = [
                (k.value, CERTIFICATION_KIND_LABELS(k))
                for k in CertificationKind
                if k.value in values
            ]
        elif name == "storage":
            labelled = [
                (k.value, STORAGE_CLASS_LABELS(k)) for k in StorageClass if k.value in values
            ]
        elif name == "price":
            labelled = [(k, price_label(k)) for k in PRICE_BANDS if k in values]
        out.append(
            Facet(
                name,
                [FacetValue(v, label, raw.get(v, 0), v == chosen) for v, label in labelled],
            )
        )
    season = dict(counts.get("season", [])).get("now", 0)
    out.append(
        Facet("season", [FacetValue("now", str(_l("In season now")), season, "season" in selected)])
    )
    stock = dict(counts.get("stock", [])).get("in", 0)
    out.append(Facet("stock", [FacetValue("in", str(_l("In stock")), stock, "stock" in selected)]))
    return out
