"""The search JSON API: ``GET /api/v1/search`` and ``GET /api/v1/search/suggest``.

Public (no login), read-only. Same engine choice, filters and facets as the storefront's
search page; an engine failure never becomes an error (the SQL engine answers).
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView

from search import labels, queries, service
from search.request import SearchRequest
from search.schemas import (
    SearchArgsSchema,
    SearchResultSchema,
    SuggestArgsSchema,
    SuggestionsSchema,
)
from yipin import clock
from yipin.api import Blueprint
from yipin.db import db

blp = Blueprint(
    "search_api",
    __name__,
    description="Product search in Chinese, pinyin or initials, with facets and autocomplete"
    " · 商品搜索（中文、拼音或首字母），带分面和联想",
)


@blp.route("")
class Search(MethodView):
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchResultSchema)
    @blp.public
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Search products · 搜索商品

        Products shown to consumers this month that match the words and filters, with facet
        counts (each facet counted without its own filter), highlights and, when nothing
        matched, a corrected query ("did you mean"). An engine failure never becomes an
        error: the SQL engine answers (``fallback``).

        本月向消费者展示、且与关键词和筛选条件匹配的商品，附分面计数（每个分面不计自身筛选）、
        高亮，以及无结果时的纠错建议。搜索引擎故障时由 SQL 引擎作答（``fallback``），不会报错。"""
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
    @blp.arguments(SuggestArgsSchema, location="query")
    @blp.response(200, SuggestionsSchema)
    @blp.public
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Suggest while typing · 搜索联想

        Completions of what has been typed (Chinese, pinyin or initials prefixes): regional
        brands and categories first, then products.

        根据已输入的内容（中文、拼音或首字母前缀）给出联想：先区域公用品牌和类目，再商品。"""
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
