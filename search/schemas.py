"""Marshmallow schemas of the search API (arguments, results, suggestions, errors)."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, validate

from catalog.models import CertificationKind, StorageClass
from search import text
from search.request import MAX_PAGE, PRICE_BANDS, SORTS
from yipin import fields
from yipin.api import Pattern
from yipin.media import images as image_store

SLUG = validate.Length(min=1, max=40)


class SearchArgsSchema(Schema):
    """What to look for; every filter is optional and they combine (AND)."""

    q = fields.Str(
        load_default="",
        validate=validate.Length(max=text.MAX_QUERY),
        metadata={
            "description": "Words in Chinese, pinyin (qicheng) or initials (gnqc), with "
            "quantities (5L, 10斤); empty lists everything shown this month.",
            "example": "赣南 脐橙 5kg",
        },
    )
    category = fields.Str(validate=SLUG, metadata={"description": "Category slug"})
    brand = fields.Str(validate=SLUG, metadata={"description": "Regional brand slug"})
    grade = fields.Int(
        validate=validate.Range(1, 2_147_483_647), metadata={"description": "Grade id"}
    )
    county = fields.Str(
        validate=Pattern(r"^[0-9]{6}$"), metadata={"description": "County code of origin"}
    )
    cert = fields.Str(
        validate=validate.OneOf([k.value for k in CertificationKind]),
        metadata={"description": "A certificate the product holds, valid today"},
    )
    storage = fields.Str(validate=validate.OneOf([s.value for s in StorageClass]))
    price = fields.Str(
        validate=validate.OneOf(list(PRICE_BANDS)),
        metadata={"description": "Price band of the cheapest variant, fen: from-to"},
    )
    season = fields.Bool(
        load_default=False, metadata={"description": "Only on sale this month (not pre-sale)"}
    )
    stock = fields.Bool(load_default=False, metadata={"description": "Only in stock now"})
    sort = fields.Str(load_default="relevance", validate=validate.OneOf(SORTS))
    page = fields.Int(load_default=1, validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Int(load_default=24, validate=validate.Range(1, 48))


class SuggestArgsSchema(Schema):
    q = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=text.MAX_QUERY),
        metadata={"description": "What has been typed so far", "example": "qich"},
    )
    limit = fields.Int(load_default=8, validate=validate.Range(1, 20))


class NamedSchema(Schema):
    slug = fields.Str()
    name = fields.Str()


class CountySchema(Schema):
    code = fields.Str()
    name = fields.Str()


class HighlightSchema(Schema):
    name = fields.Str(metadata={"description": "HTML: the name with matches in <mark>"})
    subtitle = fields.Str(metadata={"description": "HTML: the subtitle with matches in <mark>"})


class ItemSchema(Schema):
    id = fields.Int()
    name = fields.Function(lambda item: item.product.name, metadata={"type": "string"})
    subtitle = fields.Function(lambda item: item.product.subtitle, metadata={"type": "string"})
    highlight = fields.Nested(HighlightSchema)
    price_fen = fields.Int(metadata={"description": "Cheapest active variant, fen"})
    price_max_fen = fields.Int()
    list_price_fen = fields.Int(allow_none=True)
    presale = fields.Bool(metadata={"description": "Pre-orders this month (预售)"})
    brand = fields.Nested(
        NamedSchema,
        allow_none=True,
        metadata={"description": "Regional brand while the supplier is authorised"},
    )
    category = fields.Nested(NamedSchema, attribute="product.category")
    county = fields.Nested(CountySchema, allow_none=True, metadata={"description": "Of origin"})
    storage = fields.Function(
        lambda item: str(item.product.storage_class),
        metadata={"type": "string", "enum": [s.value for s in StorageClass]},
    )
    image_url = fields.Function(
        lambda item: image_store.url(item.image, "medium"),
        metadata={"type": "string", "nullable": True},
    )
    url = fields.Function(
        lambda item: url_for("storefront.product", product_id=item.id),
        metadata={"type": "string"},
    )


class FacetValueSchema(Schema):
    value = fields.Str()
    label = fields.Str()
    count = fields.Int()
    selected = fields.Bool()


class FacetSchema(Schema):
    name = fields.Str(metadata={"description": "The argument that filters by it"})
    title = fields.Str()
    values = fields.List(fields.Nested(FacetValueSchema))


class SearchResultSchema(Schema):
    query = fields.Str()
    engine = fields.Str(metadata={"description": "elasticsearch, or sql (the fallback engine)"})
    fallback = fields.Bool(
        metadata={"description": "Elasticsearch is down: the SQL engine answered"}
    )
    total = fields.Int()
    page = fields.Int()
    pages = fields.Int()
    per_page = fields.Int()
    sort = fields.Str()
    suggestion = fields.Str(
        allow_none=True,
        metadata={"description": "Did you mean: the corrected query whose results are shown"},
    )
    relaxed = fields.Bool(
        metadata={"description": "No product matched every word; these match some"}
    )
    items = fields.List(fields.Nested(ItemSchema))
    facets = fields.List(fields.Nested(FacetSchema))


class SuggestionSchema(Schema):
    kind = fields.Str(metadata={"description": "brand, category or product"})
    text = fields.Str()
    highlight = fields.Str(metadata={"description": "HTML with <mark>"})
    product_id = fields.Int(allow_none=True)
    url = fields.Str()


class SuggestionsSchema(Schema):
    query = fields.Str()
    suggestions = fields.List(fields.Nested(SuggestionSchema))
