"""How the SQL engine matches and scores a query on ``search_documents``.

Every word must match (Han text, its synonyms, its pinyin — which forgives homophone typos like
脐澄 — a typed pinyin phrase, or initials); each way a word can match is a condition "this
column contains this text" with a weight that mirrors the Elasticsearch boosts. Each condition
also names the tokens of the inverted index (``search.grams``) one of which every row meeting
it holds, so the statement reads the rows holding a word's tokens (index look-ups) and asks
the conditions of those rows only, instead of every row: the same matches and scores.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from search import grams, text
from search.grams import Gram
from search.models import SearchDocument, SearchGram

D = SearchDocument
G = SearchGram


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


@dataclass(frozen=True)
class Cond:
    """A condition on a row, and the tokens one of which every row meeting it holds (None:
    any row may meet it)."""

    sql: Any
    grams: frozenset[Gram] | None


def _like(column: Any, value: str) -> Cond:
    return Cond(_Contains(column, sa.literal(value, sa.Text)), grams.lookup(column.key, value))


def _anywhere(value: str) -> Cond:
    """In the title, the brand or the other text. Each field is spaced, so a value without a
    space is found in their concatenation exactly when it is in one of them: asked field by
    field, with no concatenated string built per row."""
    if " " in value:
        sql = _Contains(D.title + D.brand + D.body, sa.literal(value, sa.Text))
    else:
        sql = sa.or_(*(_like(c, value).sql for c in (D.title, D.brand, D.body)))
    return Cond(sql, grams.text_lookup(value))


def _term_scores(term: text.Term) -> list[tuple[Cond, float]]:
    """(condition, weight) pairs: how ``term`` can match and what each match is worth."""
    pairs: list[tuple[Cond, float]] = []
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
        pieces = [term.text[i : i + 2] for i in range(len(term.text) - 1)]
        if len(pieces) >= 2:  # most of its character pairs, in any field (赣南橙 → 赣南)
            found = [_anywhere(g) for g in pieces]
            hits = sum((sa.case((f.sql, 1), else_=0) for f in found), sa.literal(0))
            need = math.ceil(len(pieces) * 0.6)  # at least one: a row holds one of their tokens
            pairs.append((Cond(hits >= need, grams.union(f.grams for f in found)), 2))
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


def matching(query: text.ParsedQuery, *, every: bool) -> tuple[list[Any], Any]:
    """Where-clauses on ``search_documents`` (every word must match, or some word: first the
    index look-ups that narrow the rows, then the conditions) and the score expression."""
    score: Any = sa.literal(0.0)
    matches = []
    narrowing: list[frozenset[Gram] | None] = []
    for term in query.words:
        pairs = _term_scores(term)
        matches.append(sa.or_(*(cond.sql for cond, _w in pairs)))
        narrowing.append(grams.union(cond.grams for cond, _w in pairs))
        for cond, weight in pairs:
            score = score + sa.case((cond.sql, weight), else_=0)
    for term in query.extras:
        for cond, weight in _term_scores(term):
            score = score + sa.case((cond.sql, weight), else_=0)
    if every:  # each word's tokens narrow the rows (a word the index cannot narrow: none)
        where = [_holding(g) for g in narrowing if g is not None]
        where.append(sa.and_(*matches))
    else:  # some word: the rows holding any word's tokens, if every word can be narrowed
        some = grams.union(narrowing)
        where = [_holding(some)] if some is not None else []
        where.append(sa.or_(*matches))
    return where, score


def _holding(tokens: frozenset[Gram]) -> Any:
    """SQL: the row's product holds one of ``tokens`` (index look-ups of ``search_grams``)."""
    exact = sorted(g.token for g in tokens if not g.prefix)
    ranges = sorted(g.token for g in tokens if g.prefix)
    found = [G.gram.in_(exact)] if exact else []
    found += [sa.and_(G.gram >= p, G.gram < grams.upper_bound(p)) for p in ranges]
    if not found:  # no token at all (a word without any condition): nothing can match
        return sa.false()
    return D.product_id.in_(sa.select(G.product_id).where(sa.or_(*found)))
