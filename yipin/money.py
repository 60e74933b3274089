"""Money is an integer number of fen (分). One parser and one formatter."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

Fen = int


class MoneyError(ValueError):
    """A price that is not a non-negative amount with at most two decimals."""


def parse_yuan(text: str | int | Decimal) -> Fen:
    """Parse a yuan amount such as ``"12.80"`` or ``"¥1,299"`` into fen."""
    raw = str(text).strip().replace(",", "").replace("¥", "").replace("￥", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:
        raise MoneyError(f"not an amount: {text!r}") from exc
    if not amount.is_finite() or amount < 0:
        raise MoneyError(f"not a non-negative amount: {text!r}")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise MoneyError(f"more than two decimals: {text!r}")
    return int(fen)


def format_fen(fen: Fen | None, symbol: str = "¥") -> str:
    """Format fen as yuan: ``12980 -> "¥129.80"``."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{symbol}{yuan:,}.{cents:02d}"
