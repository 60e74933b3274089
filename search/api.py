"""The search JSON API: ``GET /api/v1/search`` and ``GET /api/v1/search/suggest``.

Public (no login), read-only. Same engine choice, filters and facets as the storefront's
search page; an engine failure never becomes an error (the SQL engine answers).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from search import labels, queries, service
from search.request import SearchRequest
from search.schemas import (
    ErrorBodySchema,
    SearchArgsSchema,
    SearchResultSchema,
    SuggestArgsSchema,
    SuggestionsSchema,
)
from yipin import clock
from yipin.db import db

blp = Blueprint("search_api", __name__, description="Product search (Chinese, pinyin, initials)")


@blp.route("")
class Search(MethodView):
    @blp.doc(security=[])
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchResultSchema)
    @blp.alt_response(422, schema=ErrorBodySchema, description="An argument is not valid")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Products shown to consumers this month that match the words and filters, with
        facet counts (each facet counted without its own filter), highlights and, when
        nothing matched, a corrected query ("did you mean")."""
        request = SearchRequest.parse(
            {k: ("1" if v is True else v) for k, v in args.items() if v not in (None, False)},
            per_page=args["per_page"],
        )
        day = clock.today_local()
        result = service.search(db.session, request, day)
        items = queries.load_items(db.session, result.ids, day)
        marks = {h.product_id: h.highlight for h in result.hits}
        for item in items:
            item.highlight = marks.get(item.id, {})
        return {
            "query": request.q,
            "engine": result.engine,
            "fallback": result.fallback,
            "total": result.total,
            "page": min(request.page, result.pages),
            "pages": result.pages,
            "per_page": request.per_page,
            "sort": request.sort,
            "suggestion": result.suggestion,
            "relaxed": result.relaxed,
            "items": items,
            "facets": [
                {"name": f.name, "title": labels.facet_title(f.name), "values": f.values}
                for f in result.facets
            ],
        }


@blp.route("/suggest")
class Suggest(MethodView):
    @blp.doc(security=[])
    @blp.arguments(SuggestArgsSchema, location="query")
    @blp.response(200, SuggestionsSchema)
    @blp.alt_response(422, schema=ErrorBodySchema, description="An argument is not valid")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Autocomplete while typing (Chinese, pinyin or initials prefixes): regional brands
        and categories first, then products."""
        found = service.suggest(db.session, args["q"], clock.today_local(), args["limit"])
        out = []
        for s in found:
            if s.product_id is not None:
                url = url_for("storefront.product", product_id=s.product_id)
            else:
                url = url_for("storefront.search", **s.url_args)
            out.append(
                {
                    "kind": s.kind,
                    "text": s.text,
                    "highlight": s.highlight,
                    "product_id": s.product_id,
                    "url": url,
                }
            )
        return {"query": args["q"], "suggestions": out}
