"""Marshmallow fields the JSON APIs share.

``Computed*`` fields dump a value computed from the object (``compute(obj)``) yet keep their
type, so the OpenAPI document describes them (a ``fields.Function`` is described as nothing):

    certificate = ComputedNested(CertificateSchema, lambda batch: certificate_fields(batch))
    units_sold = ComputedInt(lambda batch: units_sold_of_batch(db.session, batch.id))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import fields
from marshmallow.utils import missing


class _Computed:
    def __init__(self, *args: Any, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        kwargs.setdefault("dump_only", True)
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.compute = compute

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return self.compute(obj)


class ComputedStr(_Computed, fields.String):
    def __init__(self, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(compute=compute, **kwargs)


class ComputedInt(_Computed, fields.Integer):
    def __init__(self, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(compute=compute, **kwargs)


class ComputedEnum(_Computed, fields.Enum):
    def __init__(self, enum: Any, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(enum, compute=compute, **kwargs)


class ComputedNested(_Computed, fields.Nested):
    def __init__(self, nested: Any, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(nested, compute=compute, **kwargs)


def labelled_enum(enum: Any, labels: Any, **kwargs: Any) -> fields.Enum:
    """An enum field by value whose OpenAPI description lists the values and their labels
    (``labels`` is the enum's ``yipin.labels.Labels`` table)."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata["description"] = " ".join(
        part for part in (metadata.get("description", ""), labels.describe()) if part
    )
    return fields.Enum(enum, by_value=True, metadata=metadata, **kwargs)
