"""The Elasticsearch engine: index settings and mappings, the query, facets as aggregations.

Only analysis names that a stock Elasticsearch 8 distribution provides are used (its
analysis-common module: ``whitespace``, ``edge_ngram``, ``asciifolding``, ``cjk_width``,
``cjk_bigram``), plus the Chinese word analysis chosen by ``SEARCH_CHINESE_ANALYSIS``:

- ``ik`` (default): the IK Analysis plugin's ``ik_max_word`` — best on the relevance set;
- ``smartcn``: Elastic's official ``analysis-smartcn`` plugin;
- ``cjk``: no plugin at all, CJK bigrams from analysis-common.

Every text field also has a ``.cjk`` bigram sub-field, so a word the dictionary splits oddly
still matches by its character pairs. Pinyin and initials are computed in Python
(``search.text``) into whitespace-separated fields; phrases of syllables match there.
The document is built by ``search.documents``; this module never touches the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from search import text
from search.request import PRICE_BANDS, SearchRequest

ANALYSES = ("ik", "smartcn", "cjk")
WORD_TOKENIZERS = {"ik": "ik_max_word", "smartcn": "smartcn_tokenizer", "cjk": "standard"}
PLUGINS = {"ik": "analysis-ik", "smartcn": "analysis-smartcn", "cjk": None}


def settings(analysis: str = "ik") -> dict[str, Any]:
    """Index settings: the analyzers of the mapping (``analysis`` picks the Chinese words)."""
    if analysis not in ANALYSES:
        raise ValueError(f"SEARCH_CHINESE_ANALYSIS must be one of {ANALYSES}, not {analysis!r}")
    words: dict[str, Any] = {
        "type": "custom",
        "tokenizer": WORD_TOKENIZERS[analysis],
        "filter": ["cjk_width", "lowercase", "asciifolding"],
    }
    if analysis == "cjk":
        words["filter"] = [*words["filter"], "cjk_bigram"]
    return {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "max_ngram_diff": 20,
        "analysis": {
            "filter": {
                "prefixes": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20},
            },
            "analyzer": {
                "zh_words": words,
                "zh_bigrams": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["cjk_width", "lowercase", "asciifolding", "cjk_bigram"],
                },
                "syllables": {  # "gan nan qi cheng | xun wu": one token per syllable
                    "type": "custom",
                    "tokenizer": "whitespace",
                    "filter": ["lowercase", "asciifolding"],
                },
                "prefixes": {  # "赣南脐橙" -> 赣, 赣南, 赣南脐, 赣南脐橙 (autocomplete)
                    "type": "custom",
                    "tokenizer": "whitespace",
                    "filter": ["cjk_width", "lowercase", "asciifolding", "prefixes"],
                },
                "prefix_query": {
                    "type": "custom",
                    "tokenizer": "whitespace",
                    "filter": ["cjk_width", "lowercase", "asciifolding"],
                },
            },
        },
    }


def _text(**extra: Any) -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": "zh_words",
        "fields": {"cjk": {"type": "text", "analyzer": "zh_bigrams"}},
        **extra,
    }


MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "product_id": {"type": "long"},
        "name": _text(
            fields={
                "cjk": {"type": "text", "analyzer": "zh_bigrams"},
                "prefix": {
                    "type": "text",
                    "analyzer": "prefixes",
                    "search_analyzer": "prefix_query",
                },
                "keyword": {"type": "keyword", "ignore_above": 256},
            }
        ),
        "subtitle": _text(),
        "description": _text(),
        "supplier_id": {"type": "long"},
        "supplier_name": _text(),
        "category": {"type": "keyword"},
        "categories": {"type": "keyword"},
        "category_name": _text(),
        "brand": {"type": "keyword"},
        "brand_name": _text(
            fields={
                "cjk": {"type": "text", "analyzer": "zh_bigrams"},
                "keyword": {"type": "keyword"},
            }
        ),
        "brand_from": {"type": "date"},
        "brand_to": {"type": "date"},
        "county": {"type": "keyword"},
        "places": _text(),
        "storage": {"type": "keyword"},
        "grades": {"type": "keyword"},
        "grade_names": _text(),
        "certs": {
            "type": "nested",
            "properties": {
                "kind": {"type": "keyword"},
                "from": {"type": "date"},
                "to": {"type": "date"},
            },
        },
        "specs": _text(),
        "quantities": {"type": "keyword"},
        "title_pinyin": {"type": "text", "analyzer": "syllables"},
        "title_initials": {"type": "text", "analyzer": "syllables"},
        "pinyin": {"type": "text", "analyzer": "syllables"},
        "initials": {"type": "text", "analyzer": "syllables"},
        "min_price_fen": {"type": "long"},
        "max_price_fen": {"type": "long"},
        "sale_months": {"type": "integer"},
        "presale_months": {"type": "integer"},
        "in_stock": {"type": "boolean"},
        "sales": {"type": "long"},
        "listed_at": {"type": "date"},
    },
}


# ----------------------------------------------------------------------------- matching


def _dis_max(queries: list[dict[str, Any]], tie: float = 0.2) -> dict[str, Any]:
    """The best of several ways to match, plus a little of the others: many weak fields do
    not outweigh one strong one (a jam whose subtitle mentions 脐橙 is not an orange)."""
    return {"dis_max": {"queries": queries, "tie_breaker": tie}}


STRICT = "2<-1"  # up to 2 words: all of them; more: all but one (not "75%": ES rounds down)


def _match(field: str, query: str, boost: float, msm: str = STRICT) -> dict[str, Any]:
    return {"match": {field: {"query": query, "boost": boost, "minimum_should_match": msm}}}


def _han(term: text.Term) -> list[dict[str, Any]]:
    """A Han word: in the title, the brand, the other fields, by sound. Its synonyms are
    alternatives inside each group (the best counts), so a product that matches both the
    word and a synonym is not counted twice."""
    words = [(term.text, 1.0)] + [(s, 0.6) for s in term.synonyms]
    title = [_match("name.cjk", term.text, 5, STRICT)]
    brand = [_match("brand_name.cjk", term.text, 4)]
    other = [
        _match("category_name.cjk", term.text, 2, STRICT),
        _match("places.cjk", term.text, 2, STRICT),
        _match("subtitle.cjk", term.text, 1.5, STRICT),
        _match("description", term.text, 1, "100%"),
    ]
    for word, weight in words:
        title.append(_match("name", word, 10 * weight))
        brand.append(_match("brand_name", word, 8 * weight))
        other += [
            _match("category_name", word, 4 * weight),
            _match("places", word, 4 * weight),
            _match("subtitle", word, 3 * weight),
            _match("grade_names", word, 3 * weight),
            _match("supplier_name", word, 2 * weight),
        ]
    if term.prefix:
        title.append({"match": {"name.prefix": {"query": term.text, "boost": 6}}})
    out: list[dict[str, Any]] = [
        _dis_max(title),
        _dis_max(brand),
        {"constant_score": {"filter": {"term": {"brand_name.keyword": term.text}}, "boost": 6}},
        _dis_max(other, 0.1),
    ]
    if term.syllables:  # the same sound: homophone typos (脐澄 → qi cheng)
        phrase = " ".join(term.syllables)
        out.append(
            _dis_max(
                [
                    {"match_phrase": {"title_pinyin": {"query": phrase, "boost": 5}}},
                    {"match_phrase": {"pinyin": {"query": phrase, "boost": 3}}},
                ]
            )
        )
    return out


def _phrase(field: str, phrase: str, boost: float, prefix: bool) -> dict[str, Any]:
    if prefix:
        return {
            "match_phrase_prefix": {field: {"query": phrase, "boost": boost, "max_expansions": 30}}
        }
    return {"match_phrase": {field: {"query": phrase, "boost": boost}}}


def _term_clauses(term: text.Term) -> list[dict[str, Any]]:
    """How one query word can match (a bool ``should``; one of them must)."""
    if term.kind == "han":
        return _han(term)
    if term.kind == "pinyin":
        phrase = " ".join(term.syllables)
        return [
            _phrase("title_pinyin", phrase, 9, term.prefix),
            _phrase("pinyin", phrase, 6, term.prefix),
            {"multi_match": {"query": term.text, "fields": ["name^3", "specs"]}},
        ]
    if term.kind == "initials":
        letters = " ".join(term.text)
        return [
            _phrase("title_initials", letters, 7, term.prefix),
            _phrase("initials", letters, 4, term.prefix),
            {"multi_match": {"query": term.text, "fields": ["name^3", "specs", "subtitle"]}},
        ]
    if term.kind == "quantity":
        return [{"constant_score": {"filter": {"term": {"quantities": term.text}}, "boost": 50}}]
    return [
        {"multi_match": {"query": term.text, "fields": ["name^4", "subtitle^2", "specs^2"]}},
    ]


def text_query(query: text.ParsedQuery, *, every: bool = True) -> dict[str, Any]:
    """Every word must match (or, relaxed, at least one); extras (quantities) only rank."""
    words = [{"bool": {"should": _term_clauses(t), "minimum_should_match": 1}} for t in query.words]
    extras = [c for t in query.extras for c in _term_clauses(t)]
    if every:
        return {"bool": {"must": words, "should": extras}}
    return {"bool": {"should": words + extras, "minimum_should_match": 1}}


# ----------------------------------------------------------------------------- filters


def shown_now(month: int) -> dict[str, Any]:
    """In season or pre-sale this month (the index holds every visible product)."""
    return {
        "bool": {
            "should": [{"term": {"sale_months": month}}, {"term": {"presale_months": month}}],
            "minimum_should_match": 1,
        }
    }


def _brand_valid(day: date) -> list[dict[str, Any]]:
    iso = day.isoformat()
    return [{"range": {"brand_from": {"lte": iso}}}, {"range": {"brand_to": {"gte": iso}}}]


def _cert_valid(day: date, kind: str | None = None) -> dict[str, Any]:
    iso = day.isoformat()
    must: list[dict[str, Any]] = [
        {"range": {"certs.from": {"lte": iso}}},
        {"range": {"certs.to": {"gte": iso}}},
    ]
    if kind:
        must.append({"term": {"certs.kind": kind}})
    return {"nested": {"path": "certs", "query": {"bool": {"filter": must}}}}


def _price(low: int | None, high: int | None) -> dict[str, Any]:
    bounds = {}
    if low is not None:
        bounds["gte"] = low
    if high is not None:
        bounds["lt"] = high
    return {"range": {"min_price_fen": bounds}}


def filters(request: SearchRequest, day: date) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if request.category:
        out.append({"term": {"categories": request.category}})
    if request.brand:
        out += [{"term": {"brand": request.brand}}, *_brand_valid(day)]
    if request.grade:
        out.append({"term": {"grades": request.grade}})
    if request.county:
        out.append({"term": {"county": request.county}})
    if request.cert:
        out.append(_cert_valid(day, request.cert))
    if request.storage:
        out.append({"term": {"storage": request.storage}})
    if request.price:
        out.append(_price(*PRICE_BANDS[request.price]))
    if request.season:
        out.append({"term": {"sale_months": day.month}})
    if request.stock:
        out.append({"term": {"in_stock": True}})
    return out


# ----------------------------------------------------------------------------- aggregations


def aggregations(request: SearchRequest, day: date) -> dict[str, Any]:
    """One aggregation per facet, each under the filters of the other facets."""

    def scoped(facet: str, inner: dict[str, Any], *extra: dict[str, Any]) -> dict[str, Any]:
        return {
            "filter": {"bool": {"filter": [*filters(request.without(facet), day), *extra]}},
            "aggs": inner,
        }

    bands = [
        {"key": key, **({"from": low} if low is not None else {}), **({"to": high} if high else {})}
        for key, (low, high) in PRICE_BANDS.items()
    ]
    return {
        "category": scoped("category", {"v": {"terms": {"field": "category", "size": 100}}}),
        "brand": scoped(
            "brand", {"v": {"terms": {"field": "brand", "size": 100}}}, *_brand_valid(day)
        ),
        "grade": scoped("grade", {"v": {"terms": {"field": "grades", "size": 100}}}),
        "county": scoped("county", {"v": {"terms": {"field": "county", "size": 200}}}),
        "cert": scoped(
            "cert",
            {
                "n": {
                    "nested": {"path": "certs"},
                    "aggs": {
                        "valid": {
                            "filter": _cert_valid(day)["nested"]["query"],
                            "aggs": {
                                "v": {
                                    "terms": {"field": "certs.kind", "size": 20},
                                    "aggs": {"products": {"reverse_nested": {}}},
                                }
                            },
                        }
                    },
                }
            },
        ),
        "storage": scoped("storage", {"v": {"terms": {"field": "storage", "size": 10}}}),
        "price": scoped("price", {"v": {"range": {"field": "min_price_fen", "ranges": bands}}}),
        "season": scoped("season", {}, {"term": {"sale_months": day.month}}),
        "stock": scoped("stock", {}, {"term": {"in_stock": True}}),
    }


def facet_counts(aggs: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    """Raw (value, count) pairs per facet from the aggregation response."""
    out: dict[str, list[tuple[str, int]]] = {}
    for name in ("category", "brand", "grade", "county", "storage"):
        out[name] = [(str(b["key"]), int(b["doc_count"])) for b in aggs[name]["v"]["buckets"]]
    out["cert"] = [
        (str(b["key"]), int(b["products"]["doc_count"]))
        for b in aggs["cert"]["n"]["valid"]["v"]["buckets"]
    ]
    buckets = aggs["price"]["v"]["buckets"]
    out["price"] = [(str(b["key"]), int(b["doc_count"])) for b in buckets if b["doc_count"]]
    out["season"] = [("now", int(aggs["season"]["doc_count"]))]
    out["stock"] = [("in", int(aggs["stock"]["doc_count"]))]
    return out


# ----------------------------------------------------------------------------- the request


def sort(request: SearchRequest, has_query: bool) -> list[Any]:
    newest = {"listed_at": {"order": "desc", "missing": "_last"}}
    by_id = {"product_id": "desc"}
    if request.sort == "price_asc":
        return [{"min_price_fen": "asc"}, by_id]
    if request.sort == "price_desc":
        return [{"min_price_fen": "desc"}, by_id]
    if request.sort == "sales":
        return [{"sales": "desc"}, by_id]
    if request.sort == "new" or not has_query:
        return [newest, by_id]
    return ["_score", {"sales": "desc"}, by_id]


def body(
    request: SearchRequest,
    day: date,
    query: text.ParsedQuery,
    *,
    every: bool = True,
    with_facets: bool = True,
    page: int | None = None,
) -> dict[str, Any]:
    """The search body: text query and visibility as ``query`` (the facets count within it),
    the shopper's filters as ``post_filter``."""
    must = [text_query(query, every=every)] if query else []
    page = page or request.page
    matched: dict[str, Any] = {"bool": {"must": must, "filter": [shown_now(day.month)]}}
    if query:  # what sells well comes a little earlier among equals
        matched = {
            "function_score": {
                "query": matched,
                "functions": [
                    {"field_value_factor": {"field": "sales", "modifier": "ln2p", "missing": 0}}
                ],
                "boost_mode": "sum",
            }
        }
    out: dict[str, Any] = {
        "query": matched,
        "post_filter": {"bool": {"filter": filters(request, day)}},
        "sort": sort(request, bool(query)),
        "from": (page - 1) * request.per_page,
        "size": request.per_page,
        "track_total_hits": True,
        "_source": False,
        "docvalue_fields": ["product_id"],
    }
    if with_facets:
        out["aggs"] = aggregations(request, day)
    return out
