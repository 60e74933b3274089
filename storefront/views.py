"""Consumer pages: home (brands and what is in season), brand, category listing and product.

Server-rendered, mobile-first, zh-CN first. Only listed products of verified suppliers are
shown (reads in ``storefront.cards``, ``.listings`` and ``.product_page``); an unknown or
unlisted product is a friendly 404.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, g, render_template, request, url_for

from catalog.models import (
    CERTIFICATION_KIND_BADGES,
    CERTIFICATION_KIND_LABELS,
    STORAGE_CLASS_LABELS,
    Grade,
    StorageClass,
)
from storefront import cards, listings, markup, product_page
from yipin import clock
from yipin.db import db
from yipin.errors import NotFound
from yipin.fields import arg_id
from yipin.i18n import _l, current_language, translate
from yipin.media import images
from yipin.media.models import Image
from yipin.money import format_fen
from yipin.pagecache import cached_page
from yipin.pagination import Page

bp = Blueprint(
    "storefront",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/storefront",
)

SORT_LABELS = {
    "new": _l("Newest"),
    "price_asc": _l("Price ↑"),
    "price_desc": _l("Price ↓"),
}
# A glyph and a tone for each category (shortcuts and image placeholders).
CATEGORY_LOOK = {
    "fresh-fruit": ("果", "orange"),
    "vegetables": ("蔬", "green"),
    "grain-oil": ("粮", "gold"),
    "tea": ("茶", "tea"),
    "processed-food": ("食", "red"),
    "meat-poultry": ("禽", "rose"),
    "dried-goods": ("珍", "earth"),
    "honey": ("蜜", "amber"),
}
BRAND_TONES = {
    "gannan-navel-orange": "orange",
    "xunwu-mandarin": "orange",
    "nankang-pomelo": "lime",
    "gannan-camellia-oil": "gold",
    "shangyou-green-tea": "tea",
    "ningdu-yellow-chicken": "amber",
    "nanan-salted-duck": "red",
    "shicheng-white-lotus": "rose",
    "xingguo-grey-goose": "earth",
    "gannan-selenium-rice": "green",
    "gannan-rice-noodles": "earth",
}


class ProductNotFound(NotFound):
    code = "product_not_found"
    message = _l("This product is not on sale, or no longer exists.")


class PageNotFound(NotFound):
    message = _l("The page or record you asked for does not exist.")


# ----------------------------------------------------------------------------- template helpers


def localised(obj: Any, attr: str = "name") -> str:
    """The English field (``name_en``, ``title_en``) in English when it has one."""
    if current_language() == "en":
        english = getattr(obj, f"{attr}_en", "")
        if english:
            return str(english)
    return str(getattr(obj, attr))


def month_label(month: int) -> str:
    if current_language() == "en":
        return calendar.month_abbr[month]
    return f"{month}月"


def months_label(months: list[int]) -> str:
    """Months as ranges in calendar order from the first of a run: 11月–2月, 3月–5月."""
    if not months:
        return ""
    chosen = set(months)
    if len(chosen) == 12:
        return str(_l("all year"))
    starts = [m for m in sorted(chosen) if (m - 2) % 12 + 1 not in chosen]
    runs = []
    for start in starts:
        end = start
        while end % 12 + 1 in chosen:
            end = end % 12 + 1
        runs.append(
            month_label(start) if start == end else f"{month_label(start)}–{month_label(end)}"
        )
    return "、".join(runs) if current_language() != "en" else ", ".join(runs)


def grade_label(grade: Grade | None, short: bool = False) -> str:
    """A grade's name; short: 压榨成品油茶籽油 一级 → 压榨一级 (for cards)."""
    if grade is None:
        return ""
    if current_language() == "en" and grade.name_en:
        return grade.name_en
    if short and " " in grade.name:
        head, tail = grade.name.split(" ", 1)
        return f"{head[:2]}{tail}"
    return grade.name


def image_url(image: Image | None, rendition: str = "medium") -> str | None:
    """``images.url``, from the URL of image 0 worked out once per request: a card's picture
    names five URLs (``src`` and four in ``srcset``), and ``url_for`` cost ~20 µs each, a
    fifth of a listing's template time."""
    if image is None:
        return None
    prefix = g.get("image_url_prefix")
    if prefix is None:
        sample = images.url(_NO_IMAGE, "r") or ""
        if not sample.endswith("/0/r"):  # not the shape counted on: no short cut
            return images.url(image, rendition)
        prefix = g.image_url_prefix = sample[: -len("0/r")]
    return f"{prefix}{image.id}/{rendition}"


_NO_IMAGE = SimpleNamespace(id=0)


def image_srcset(image: Any) -> str:
    """The ``srcset`` of a picture's renditions (``storefront/_macros.html`` ``picture``)."""
    return images.srcset(image, image_url)


def county_name(region: Any) -> str:
    """The county of a region from its full name (江西省 赣州市 寻乌县 … → 寻乌县)."""
    parts = (region.full_name or "").split()
    return parts[2] if len(parts) > 2 else region.name


def place_name(region: Any) -> str:
    """A village's everyday name: 新南村委会 → 新南村, 中山居委会 → 中山社区."""
    name = str(region.name)
    for suffix, short in (
        ("村民委员会", "村"),
        ("村委会", "村"),
        ("居民委员会", "社区"),
        ("居委会", "社区"),
    ):
        if name.endswith(suffix):
            return name[: -len(suffix)] + short
    return name


def weight_label(grams: int) -> str:
    if grams >= 1000:
        kg = grams / 1000
        return f"{kg:g} kg"
    return f"{grams} g"


def listing_args(base: dict[str, Any], filters: listings.Filters, **changes: Any) -> dict[str, Any]:
    """URL arguments of a listing link: the page's own (slug) plus the filters, changed."""
    return {**base, **filters.args(**changes)}


# ----------------------------------------------------------------------------- cards


@dataclass(slots=True)
class CardView:
    """A product card ready to print: its URL and words worked out once, in Python (the card
    macro only places them)."""

    id: int
    name: str
    url: str
    image: Any  # CardImage / Image (``id``, ``renditions``) or None: the placeholder
    look: tuple[str, str, str]  # placeholder glyph, tone and hint
    flag: str  # "presale", "season" or ""
    flag_text: str
    brand: str  # the brand's badge ("" without an authorisation valid today)
    grades: list[str]  # the best two grades, short
    badges: list[tuple[str, str, str]]  # certificate (kind, title, badge text)
    meta: str  # county of origin · storage
    price: str
    has_range: bool
    list_price: str


def present(cards: list[cards.ProductCard]) -> list[CardView]:
    """Cards ready to print, in one pass: the product URL prefix, labels and months are worked
    out once per page rather than once per card in the template."""
    if not cards:
        return []
    words: dict[Any, str] = {
        "presale": translate("Pre-sale"),
        "season": translate("In season"),
        "hint": translate("No picture yet"),
    }
    prefix = url_for("storefront.product", product_id=1)[:-1]  # "/p/"

    def word(key: Any, make: Any) -> str:
        if key not in words:
            words[key] = str(make())
        return words[key]

    def badge(cert: Any) -> tuple[str, str, str]:
        kind = str(cert.kind)
        label = word(("label", kind), lambda: CERTIFICATION_KIND_LABELS(kind))
        return kind, f"{label} {cert.number}", word(kind, lambda: CERTIFICATION_KIND_BADGES(kind))

    views = []
    for c in cards:
        flag, flag_text = "", ""
        if c.presale:
            flag, flag_text = "presale", words["presale"]
            ships = c.ships_from
            if ships:
                flag_text += " · " + word(
                    ("ships", ships),
                    lambda m=ships: translate("ships %(month)s", month=month_label(m)),
                )
        elif c.on_sale_now and not c.all_year:
            flag, flag_text = "season", words["season"]
        meta = county_name(c.origin)
        if c.storage_class != StorageClass.AMBIENT:
            meta += " · " + word(c.storage_class, lambda s=c.storage_class: STORAGE_CLASS_LABELS(s))
        glyph, tone = CATEGORY_LOOK.get(c.category_slug, ("品", "orange"))
        views.append(
            CardView(
                id=c.id,
                name=c.name,
                url=f"{prefix}{c.id}",
                image=c.image,
                look=(glyph, tone, words["hint"]),
                flag=flag,
                flag_text=flag_text,
                brand=localised(c.brand) if c.brand is not None else "",
                grades=[grade_label(g, short=True) for g in c.grades[:2]],
                badges=[badge(cert) for cert in c.certifications],
                meta=meta,
                price=format_fen(c.price_fen),
                has_range=c.has_range,
                list_price=format_fen(c.list_price_fen) if c.list_price_fen else "",
            )
        )
    return views


@dataclass(slots=True)
class Shortcut:
    """A category shortcut on the home page."""

    url: str
    glyph: str
    tone: str
    name: str


def shortcuts(categories: list[Any]) -> list[Shortcut]:
    """The home page's category shortcuts, worked out in one pass."""
    prefix = url_for("storefront.category", slug="x")[:-1]  # "/c/"
    out = []
    for c in categories:
        glyph, tone = CATEGORY_LOOK.get(c.slug, ("品", "orange"))
        out.append(Shortcut(f"{prefix}{c.slug}", glyph, tone, localised(c)))
    return out


@dataclass(slots=True)
class BrandTileView:
    """A regional brand's tile on the home page."""

    slug: str
    url: str
    tone: str
    mark: str
    name: str
    in_season: bool
    months: str
    products: str  # "12 products" ("" when none)


def brand_tiles(tiles: list[listings.BrandTile]) -> list[BrandTileView]:
    """The home page's brand tiles, worked out in one pass."""
    prefix = url_for("storefront.brand", slug="x")[:-1]  # "/brands/"
    out = []
    for tile in tiles:
        b = tile.brand
        if not tile.products:
            count = ""
        elif tile.products == 1:
            count = translate("1 product")
        else:
            count = translate("%(num)s products", num=tile.products)
        out.append(
            BrandTileView(
                slug=b.slug,
                url=f"{prefix}{b.slug}",
                tone=BRAND_TONES.get(b.slug, "orange"),
                mark=b.name[-2:],
                name=localised(b),
                in_season=tile.in_season,
                months=months_label(b.season_months),
                products=count,
            )
        )
    return out


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {
        "localised": localised,
        "month_label": month_label,
        "months_label": months_label,
        "grade_label": grade_label,
        "image_url": image_url,
        "image_srcset": image_srcset,
        "card": markup.card,  # a product card (a ``CardView``), as markup
        "picture_markup": markup.picture,
        "placeholder_markup": markup.placeholder,
        "weight_label": weight_label,
        "county_name": county_name,
        "place_name": place_name,
        "listing_args": listing_args,
        "category_look": lambda slug: CATEGORY_LOOK.get(slug, ("品", "orange")),
        "brand_tone": lambda slug: BRAND_TONES.get(slug, "orange"),
        "sort_labels": SORT_LABELS,
        "storage_labels": STORAGE_CLASS_LABELS,
        "today": clock.today_local(),
    }


# ----------------------------------------------------------------------------- pages


@bp.get("/")
@cached_page()
def home() -> Any:
    """Consumer home: regional brands, what is in season this month, featured products."""
    data = listings.home(db.session, clock.today_local())
    return render_template(
        "storefront/home.html",
        home=data,
        season=present(data.season),
        featured=present(data.featured),
        shortcuts=shortcuts(data.categories),
        tiles=brand_tiles(data.brands),
    )


@bp.get("/brands/<slug>")
@cached_page()
def brand(slug: str) -> Any:
    """A regional brand's story and its products."""
    filters = listings.Filters.parse(request.args)
    data = listings.brand_page(db.session, slug, filters, clock.today_local())
    if data is None:
        raise PageNotFound()
    data.page.items = present(data.page.items)
    return render_template("storefront/brand.html", data=data, filters=filters)


@bp.get("/c/<slug>")
@cached_page()
def category(slug: str) -> Any:
    """A category's products with sorting, filters and pages."""
    filters = listings.Filters.parse(request.args)
    listing = listings.category_listing(db.session, slug, filters, clock.today_local())
    if listing is None:
        raise PageNotFound()
    listing.page.items = present(listing.page.items)
    return render_template("storefront/category.html", listing=listing, filters=filters)


@bp.get("/search")
# shows availability; the index may lag the catalog. Planned afresh on each request: the SQL
# engine's matching statement has no good generic plan (storefront/README.md, PostgreSQL)
@cached_page("stock", "search", without_transaction=False)
def search() -> Any:
    """Search results with facets (category, brand, grade, origin, certificate, storage, price
    band, in season, in stock), sorting, highlights and "did you mean"."""
    from search import labels
    from search import service as search_service
    from search.request import SearchRequest, links

    request_ = SearchRequest.parse(request.args)
    day = clock.today_local()
    result = search_service.search(db.session, request_, day)
    found = cards.load_cards(db.session, result.ids, day)
    marks = {h.product_id: h.highlight.get("name") for h in result.hits}
    page = Page(present(found), min(request_.page, result.pages), request_.per_page, result.total)
    return render_template(
        "storefront/search.html",
        result=result,
        search=request_,
        search_url=links(url_for("storefront.search")),
        page=page,
        marks=marks,
        facet_title=labels.facet_title,
        search_sorts=labels.SORT_LABELS,
    )


@bp.get("/p/<int:product_id>")
@cached_page()
def product(product_id: int) -> Any:
    """A product: gallery, variants, grades and their standard, certificates, 合格证 and
    traceability, season, origin and the supplier."""
    variant_id = arg_id("v")
    data = product_page.product_page(db.session, product_id, variant_id, clock.today_local())
    if data is None:
        raise ProductNotFound()
    return render_template("storefront/product.html", data=data, related=present(data.related))
