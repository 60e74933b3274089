"""Searching, as pages and the API call it: one entry point whatever the engine.

``search()`` asks Elasticsearch when it is configured and answering, otherwise the SQL engine
(and the SQL engine again if Elasticsearch fails mid-call — never a 500). Then, the same for
both engines: when nothing matches, a "did you mean" correction is tried (the closest known word
by pinyin, then by characters) and its results shown; highlights are computed here from the
parsed query (Han words, synonyms, and pinyin or initials mapped back onto the characters).
"""

from __future__ import annotations

import functools
import html
import itertools
import logging
import time
from dataclasses import replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from catalog.models import Category, Product, RegionalBrand
from search import elastic, engine, fallback, index, labels, text
from search.request import Hit, SearchRequest, SearchResult, Suggestion

log = logging.getLogger("yipin.search")


# ----------------------------------------------------------------------------- searching


def search(
    session: Session, request: SearchRequest, day: date, *, using: str | None = None
) -> SearchResult:
    """Results with facets, highlights and, when nothing matched, a correction.
    ``using="sql"`` asks the SQL engine whatever is configured (benchmarks, tests)."""
    result = _run(session, request, day, using=using)
    if request.q and result.total == 0:
        corrected = did_you_mean(session, request.q)
        if corrected and corrected != request.q:
            again = _run(session, replace(request, q=corrected), day, using=using)
            if again.total:
                again.request = request
                again.suggestion = corrected
                result = again
            else:
                result.suggestion = corrected
    highlight(session, result)
    return result


def _run(
    session: Session,
    request: SearchRequest,
    day: date,
    *,
    prefix: bool = False,
    using: str | None = None,
) -> SearchResult:
    if using != "sql" and engine.available():
        try:
            result = _elastic(session, request, day, prefix=prefix)
        except Exception as exc:
            if engine.is_unavailable(exc):
                engine.mark_down(exc)
            else:  # a bad query is our bug: log it loudly, still answer
                log.error("elasticsearch search failed, SQL engine answers", exc_info=True)
            result = fallback.search(session, request, day, prefix=prefix)
            result.fallback = True
            return result
        if engine.mark_up():
            index.catch_up()
        return _still_visible(session, result)
    result = fallback.search(session, request, day, prefix=prefix)
    result.fallback = using != "sql" and engine.uses_elasticsearch()
    return result


def _still_visible(session: Session, result: SearchResult) -> SearchResult:
    """Drop hits the database no longer shows (delisted a moment ago, before the index job
    ran): the database is the source of truth. One statement on the page's ids."""
    if not result.hits:
        return result
    shown = set(
        session.scalars(sa.select(Product.id).where(Product.id.in_(result.ids), Product.is_visible))
    )
    gone = [h for h in result.hits if h.product_id not in shown]
    if gone:
        result.hits = [h for h in result.hits if h.product_id in shown]
        result.total = max(len(result.hits), result.total - len(gone))
    return result


def _elastic(
    session: Session, request: SearchRequest, day: date, *, prefix: bool = False
) -> SearchResult:
    query = text.parse(request.q, prefix=prefix)
    es = engine.search_client()
    response = es.search(index=index.alias(), **elastic.body(request, day, query))
    relaxed = False
    total = int(response["hits"]["total"]["value"])
    if query and not total and len(query.words) > 1:
        relaxed = True
        response = es.search(index=index.alias(), **elastic.body(request, day, query, every=False))
        total = int(response["hits"]["total"]["value"])
    took = float(response.get("took") or 0)
    if total and not response["hits"]["hits"] and request.page > 1:  # past the last page
        last = max(1, -(-total // request.per_page))
        response = es.search(index=index.alias(), **elastic.body(request, day, query, page=last))
    hits = [
        Hit(product_id=int(h["fields"]["product_id"][0]), score=float(h.get("_score") or 0))
        for h in response["hits"]["hits"]
    ]
    raw = elastic.facet_counts(response["aggregations"])
    return SearchResult(
        request=request,
        total=total,
        hits=hits,
        facets=labels.facets(session, raw, request.filters),
        engine="elasticsearch",
        day=day,
        relaxed=relaxed,
        took_ms=took,
    )


# ----------------------------------------------------------------------------- autocomplete


def suggest(
    session: Session, q: str, day: date, limit: int = 8, *, using: str | None = None
) -> list[Suggestion]:
    """Autocomplete while typing: matching regional brands and categories first (by Chinese,
    pinyin or initials prefix), then products."""
    query = text.parse(q, prefix=True)
    if not query:
        return []
    out: list[Suggestion] = []
    for kind, name, args in _named_things(session):
        if _starts(query, name):
            out.append(Suggestion(kind, name, highlight=_mark(name, query), url_args=args))
    out = out[:3]
    request = SearchRequest(q=q, per_page=max(1, limit - len(out)))
    result = _run(session, request, day, prefix=True, using=using)
    names = dict(
        session.execute(
            sa.select(Product.id, Product.name).where(Product.id.in_(result.ids or [0]))
        ).all()
    )
    for hit in result.hits:
        name = names.get(hit.product_id)
        if name:
            out.append(Suggestion("product", name, hit.product_id, _mark(name, query), {"q": name}))
    return out[:limit]


def _named_things(session: Session) -> list[tuple[str, str, dict[str, Any]]]:
    brands = session.execute(
        sa.select(RegionalBrand.name, RegionalBrand.slug)
        .where(RegionalBrand.is_active.is_(True))
        .order_by(RegionalBrand.sort_order, RegionalBrand.id)
    ).all()
    cats = session.execute(
        sa.select(Category.name, Category.slug).order_by(Category.sort_order, Category.id)
    ).all()
    return [("brand", n, {"brand": s}) for n, s in brands] + [
        ("category", n, {"category": s}) for n, s in cats
    ]


def _starts(query: text.ParsedQuery, name: str) -> bool:
    """``name`` begins with what was typed: characters, pinyin or initials."""
    if len(query.terms) != 1:
        return False
    term = query.terms[0]
    norm = text.normalise(name)
    if term.kind == "han":
        return norm.startswith(term.text)
    syllables = text.syllables(norm)
    if term.kind == "pinyin":
        typed = term.syllables
        if len(typed) > len(syllables):
            return False
        head, last = list(syllables[: len(typed)]), typed[-1]
        return head[:-1] == typed[:-1] and head[-1].startswith(last)
    if term.kind == "initials":
        return "".join(s[0] for s in syllables).startswith(term.text)
    return False


# ----------------------------------------------------------------------------- did you mean


def did_you_mean(session: Session, q: str) -> str | None:
    """A corrected query: each word that matches nothing known replaced by the closest known
    word — same pinyin first (脐澄 → 脐橙), then a typed pinyin one letter off (qichen →
    脐橙), then the most characters in common. None when nothing is close."""
    query = text.parse(q)
    if not query:
        return None
    words = vocabulary(session)
    changed = False
    out: list[str] = []
    for term in query.terms:
        best = _closest(term, words) if term.kind in ("han", "pinyin", "word") else None
        if best and best != term.text:
            changed = True
            out.append(best)
        else:
            out.append(term.text)
    return " ".join(out) if changed else None


def _closest(term: text.Term, words: dict[str, tuple[str, ...]]) -> str | None:
    if term.text in words:
        return None
    typed = term.syllables or list(text.split_pinyin(term.text) or [])
    typed_joined = "".join(typed) or term.text
    best: tuple[float, str] | None = None
    for word, sounds in words.items():
        joined = "".join(sounds)
        if term.kind == "han":
            if tuple(typed) == sounds:
                cost = 0.0  # a homophone
            else:
                common = len(set(term.text) & set(word))
                if not common:
                    continue
                cost = 1.5 + _distance(term.text, word) - common * 0.1
        else:
            cost = 0.5 + _distance(typed_joined, joined)
        if cost <= (2.0 if term.kind == "han" else 1.5) and (best is None or cost < best[0]):
            best = (cost, word)
    return best[1] if best else None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short words only)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def vocabulary(session: Session) -> dict[str, tuple[str, ...]]:
    """Known words (brands, categories, places, synonyms, the words of visible products'
    names) with their pinyin; cached for a minute per app."""
    cache = current_app.extensions.setdefault("yipin_search_vocabulary", {})
    if cache.get("until", 0) > time.monotonic():
        return cache["words"]  # type: ignore[no-any-return]
    found: set[str] = set()
    for name, *_rest in _named_things(session):
        found.add(text.normalise(name))
    for group in text.synonym_groups():
        found.update(group)
    names = session.scalars(sa.select(Product.name).where(Product.is_visible)).all()
    for name in names:
        for run in text.HAN_RUN.findall(text.normalise(name)):
            if 2 <= len(run) <= 8:
                found.add(run)
                if len(run) >= 4:  # 赣南脐橙 → 赣南, 脐橙 (brand names are place + product)
                    found.update({run[:2], run[2:]})
    words = {w: text.syllables(w) for w in found if text.has_han(w)}
    cache.update(words=words, until=time.monotonic() + 60)
    return words


# ----------------------------------------------------------------------------- highlighting


def highlight(session: Session, result: SearchResult) -> None:
    """``<mark>`` the matched parts of each hit's name and subtitle."""
    query = text.parse(result.suggestion or result.request.q)
    if not query or not result.hits:
        return
    rows = session.execute(
        sa.select(Product.id, Product.name, Product.subtitle).where(Product.id.in_(result.ids))
    ).all()
    by_id = {r[0]: (r[1], r[2]) for r in rows}
    for hit in result.hits:
        name, subtitle = by_id.get(hit.product_id, ("", ""))
        hit.highlight = {"name": _mark(name, query), "subtitle": _mark(subtitle or "", query)}


def _mark(value: str, query: text.ParsedQuery) -> str:
    """HTML of ``value`` with matched characters in ``<mark>``."""
    chars = list(value)
    norm = [_normal_char(c) for c in chars]
    if any(len(n) != 1 for n in norm):
        norm = [c.lower() for c in chars]
    flat = "".join(norm)
    marked = [False] * len(chars)

    def cover(start: int, length: int) -> None:
        for i in range(start, min(start + length, len(marked))):
            marked[i] = True

    needles: list[str] = []
    for term in query.terms:
        if term.kind == "han":
            needles += [term.text, *term.synonyms]
        elif term.kind in ("word", "number"):
            needles.append(term.text)
    for needle in needles:
        start = flat.find(needle)
        while needle and start >= 0:
            cover(start, len(needle))
            start = flat.find(needle, start + 1)
    # pinyin and initials: map syllables back onto the Han characters, word by word
    by_sound = [
        t
        for t in query.terms
        if t.kind in ("pinyin", "initials") or (t.kind == "han" and t.text not in flat)
    ]
    for run in text.HAN_RUN.finditer(value) if by_sound else ():
        positions = list(range(run.start(), run.end()))
        sounds = list(text.syllables(run.group(0)))
        if len(sounds) != len(positions):
            continue
        for term in by_sound:
            if term.kind == "pinyin":
                _cover_sequence(sounds, term.syllables, positions, marked, term.prefix)
            elif term.kind == "initials":
                _cover_sequence([s[0] for s in sounds], list(term.text), positions, marked, False)
            elif term.kind == "han" and term.text not in flat:
                _cover_sequence(sounds, term.syllables, positions, marked, False)
    if not any(marked):
        return html.escape(value)
    out: list[str] = []
    start = 0
    for on, group in itertools.groupby(marked):
        length = len(list(group))
        piece = html.escape(value[start : start + length])
        out.append(f"<mark>{piece}</mark>" if on else piece)
        start += length
    return "".join(out)


@functools.lru_cache(maxsize=16384)
def _normal_char(char: str) -> str:
    """One character as normalised text has it (NFKC, lower case; itself when that is empty)."""
    return text.normalise(char) or char


def _cover_sequence(
    sounds: list[str], wanted: list[str], positions: list[int], marked: list[bool], prefix: bool
) -> None:
    n = len(wanted)
    if not n:
        return
    for i in range(len(sounds) - n + 1):
        window = sounds[i : i + n]
        same = window[:-1] == wanted[:-1] and (
            window[-1].startswith(wanted[-1]) if prefix else window[-1] == wanted[-1]
        )
        if same:
            for k in range(i, i + n):
                marked[positions[k]] = True
