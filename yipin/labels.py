"""One label table per enum, declared beside the enum (Saleor's ``OrderStatus.CHOICES``).

    PRODUCT_STATUS_LABELS = Labels(ProductStatus, {ProductStatus.DRAFT: _l("Draft"), ...})

The labels are lazy (translated when shown, in the reader's language). The same table serves the
forms (``choices()``), the pages (call it: ``PRODUCT_STATUS_LABELS(product.status)``, registered
as a template global), exports, messages and the API's enum descriptions (``describe()``). A
table must label every member: a new member without a label fails at import.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import Any, Generic, TypeVar

from flask_babel.speaklater import LazyString

E = TypeVar("E", bound=Enum)


class Labels(Generic[E]):
    """The display label of each member of ``enum``."""

    def __init__(self, enum: type[E], labels: dict[E, Any]) -> None:
        missing = [member for member in enum if member not in labels]
        if missing:
            raise ValueError(f"{enum.__name__}: no label for {', '.join(map(str, missing))}")
        self.enum = enum
        self._labels = {enum(key): value for key, value in labels.items()}

    def __getitem__(self, value: E | str) -> Any:
        """The lazy label (for messages and form choices); a KeyError for an unknown value."""
        try:
            return self._labels[self.enum(value)]
        except ValueError:
            raise KeyError(value) from None

    def __call__(self, value: E | str | None) -> str:
        """The label in the current language; an unknown value is shown as it is."""
        if value is None:
            return ""
        try:
            return str(self[value])
        except KeyError:
            return str(value)

    def get(self, value: E | str | None, default: Any = None) -> Any:
        try:
            return self[value]  # type: ignore[index]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[E]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def items(self) -> list[tuple[E, Any]]:
        return list(self._labels.items())

    def choices(self) -> list[tuple[str, Any]]:
        """``(value, lazy label)`` pairs in the enum's order, for a WTForms ``SelectField``."""
        return [(member.value, label) for member, label in self._labels.items()]

    def describe(self) -> str:
        """The values and their (English) labels, for an OpenAPI enum's description."""
        return "; ".join(f"`{member.value}`: {english(label)}" for member, label in self.items())


def english(text: Any) -> str:
    """The English of a lazy message: its message id (the catalogs translate from English)."""
    if isinstance(text, LazyString) and text._args:
        return str(text._args[0])
    return str(text)
