"""The SQL engine's inverted index (``search_grams``): which products hold which short token.

A query's conditions are "this column contains this text" (``search.matching``). Scanning
every ``search_documents`` row to ask them grows with the catalog; instead each row's text is
cut into short tokens here, kept with the row (``documents.store``), and a query reads the
products holding a token that every match *must* hold: a superset of the matches, which the
same contains-conditions then score exactly. Results are therefore the scan's, only the rows
asked differ. Tokens, by the columns they come from:

- ``t`` text (title, brand, body, description): every Han character and every pair of
  adjacent Han characters, and the same of runs of Latin letters and digits. Two-character
  Chinese words (脐橙, 茶油) are one token, which FTS5's trigram tokenizer and ``pg_trgm``
  cannot index; a longer word is looked up by one of its pairs.
- ``p`` pinyin (``" gan nan qi cheng | xun wu "``): each syllable and each pair of adjacent
  syllables (not across ``|``); a typed prefix (``qi ch``) is a range of pair tokens.
- ``i`` initials (``" gnqc xw "``): each letter and each pair of adjacent letters of a word.
- ``q`` quantities (``" 5000g 500ml "``): each token whole.

A condition the tokens cannot narrow (no letter, digit or Han character in its text) gives
``None``: its word restricts nothing and those rows are scanned, as before.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from search.text import HAN_RUN

LATIN_RUN = re.compile(r"[a-z0-9]+")
FIELDS = {  # search_documents column → token namespace
    "title": "t",
    "brand": "t",
    "body": "t",
    "description": "t",
    "title_pinyin": "p",
    "pinyin": "p",
    "title_initials": "i",
    "initials": "i",
    "quantities": "q",
}
MAX_GRAM = 64  # characters of a stored token (longer quantity tokens are cut, as are lookups)


@dataclass(frozen=True, slots=True)
class Gram:
    """Rows holding ``token`` (or, with ``prefix``, any token that starts with it)."""

    token: str
    prefix: bool = False


# ----------------------------------------------------------------------------- documents


def _pairs(run: str) -> Iterable[str]:
    yield from run
    for i in range(len(run) - 1):
        yield run[i : i + 2]


def document_grams(row: Mapping[str, str]) -> set[str]:
    """Tokens of one ``search_documents`` row (``ProductDoc.sql_row()``)."""
    out: set[str] = set()
    for column, kind in FIELDS.items():
        value = row.get(column) or ""
        if not value:
            continue
        if kind == "t":
            for run in (*HAN_RUN.findall(value), *LATIN_RUN.findall(value)):
                out.update("t" + g for g in _pairs(run))
        elif kind == "p":
            words = value.split()
            out.update("p" + w for w in words if w != "|")
            out.update(f"p{a} {b}" for a, b in itertools.pairwise(words) if "|" not in (a, b))
        elif kind == "i":
            for word in value.split():
                out.update("i" + g for g in _pairs(word))
        else:
            out.update("q" + w for w in value.split())
    return {g[:MAX_GRAM] for g in out}


# ----------------------------------------------------------------------------- queries


def lookup(column: str, value: str) -> frozenset[Gram] | None:
    """Tokens one of which every row whose ``column`` contains ``value`` holds (None: no
    such token; every row may match)."""
    kind = FIELDS[column]
    if kind == "t":
        return text_lookup(value)
    if kind == "p":
        return _pinyin_lookup(value)
    if kind == "i":
        words = value.split()
        if len(words) != 1:
            return None
        return frozenset({Gram("i" + words[0][:2])})
    words = value.split()  # quantities: " 5000g " is one whole token
    if len(words) != 1 or not value.startswith(" ") or not value.endswith(" "):
        return None
    return frozenset({Gram(("q" + words[0])[:MAX_GRAM])})


def text_lookup(value: str) -> frozenset[Gram] | None:
    """A text value: the first pair (or the character) of its longest Han run, else of its
    longest run of Latin letters and digits. A text containing the value contains that run,
    so holds the token."""
    runs = HAN_RUN.findall(value) or LATIN_RUN.findall(value)
    if not runs:
        return None
    run = max(runs, key=len)
    return frozenset({Gram("t" + run[:2])})


def _pinyin_lookup(value: str) -> frozenset[Gram] | None:
    """``" qi cheng "`` → the pair ``qi cheng``; ``" qi ch"`` (typing) → pairs starting
    ``qi ch``; ``" qi "`` → the syllable; ``" q"`` → syllables starting ``q``."""
    syllables = value.split()
    if not syllables or not value.startswith(" ") or "|" in syllables:
        return None
    finished = value.endswith(" ") or len(syllables) > 2
    token = "p" + " ".join(syllables[:2])
    return frozenset({Gram(token[:MAX_GRAM], prefix=not finished)})


def union(lookups: Iterable[frozenset[Gram] | None]) -> frozenset[Gram] | None:
    """Tokens of any of several conditions (None when one of them cannot be narrowed)."""
    out: set[Gram] = set()
    for grams in lookups:
        if grams is None:
            return None
        out |= grams
    return frozenset(out)


def upper_bound(prefix: str) -> str:
    """The least string after every string starting with ``prefix`` (for a range scan)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
