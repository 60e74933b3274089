"""Input primitives that every API schema, form and hand-read query string uses.

Whatever a client sends, a bad value is answered with 404 / 422 / 400, never a 500:

- **Ids in URLs**: the core registers ``IdConverter`` as the ``int`` converter (and as ``id``):
  ``<int:product_id>`` matches digits from 0 to 2^31 − 1 only (the id columns' range), so a
  larger or negative value matches no route (404) instead of overflowing the database driver.
- **API schemas** (marshmallow): ``from yipin import fields`` in place of
  ``from marshmallow import fields``: the same names, with these differences:
  ``Int`` / ``Integer`` take JSON integers only (no ``1.5``, ``1.0``, ``"12"``, ``true``,
  ``1e308``), between −2^31 and 2^31 − 1 (the columns' range); in a query string, a form or
  a path a plain string of digits is read as the number (those carry only text). ``Id`` is an
  ``Int`` from 1.
  ``Bool`` / ``Boolean`` take JSON ``true`` and ``false`` only.
  ``Str`` / ``String`` refuse NUL characters and lone surrogates. ``Date`` and ``DateTime``
  refuse days outside ``DATE_MIN`` … ``DATE_MAX`` (a harvest on 0001-01-01 is a typo).
  ``Float`` and ``Decimal`` refuse NaN, infinities and magnitudes past ``FLOAT_MAX``.
  ``Personal`` is text about a person (name, phone, e-mail, home address): dumped only to
  those who may see people (``yipin.accounts.permissions.may_see_person``), None otherwise.
- **HTML forms** (WTForms): ``IntegerField``, ``DateField``, ``DecimalField`` from here (same
  checks); ``StringField`` / ``TextAreaField`` need nothing: form data never carries a lone
  surrogate, and NUL is refused for every form value before any view runs.
- **Query strings read by hand**: ``arg_int(name, default, minimum=…, maximum=…)`` and
  ``arg_id(name)`` return the default for anything that is not a number in range.
- **JSON bodies**: ``loads`` (the app's JSON provider and the API's argument parser) refuses
  nesting deeper than ``JSON_MAX_DEPTH`` and NUL or lone surrogates in any string: 400.
- **Searches**: ``column.icontains(text, autoescape=True)`` (SQLAlchemy) so that ``%`` and ``_``
  typed by a user match themselves; ``tests/core/test_input_primitives.py`` finds any
  ``like()`` / ``ilike()`` on user text.

``Parser`` (webargs) tells the integer fields where a value came from; ``install`` makes it the
parser of every flask-smorest blueprint (``yipin/__init__.py`` calls it on import, before any
domain's API module is decorated).

Computed fields (dump only):

``Computed*`` fields dump a value computed from the object (``compute(obj)``) yet keep their
type, so the OpenAPI document describes them (a ``fields.Function`` is described as nothing):

    certificate = ComputedNested(CertificateSchema, lambda batch: certificate_fields(batch))
    units_sold = ComputedInt(lambda batch: units_sold_of_batch(db.session, batch.id))
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import json
import math
import re
from collections.abc import Callable
from typing import Any

import marshmallow.fields as _ma
from flask import request
from flask.json.provider import DefaultJSONProvider
from marshmallow import ValidationError, validate
from marshmallow.fields import (  # noqa: F401  (re-exported: use ``yipin.fields.X``)
    IP,
    URL,
    UUID,
    AwareDateTime,
    Constant,
    Dict,
    Email,
    Enum,
    Field,
    Function,
    List,
    Mapping,
    Method,
    NaiveDateTime,
    Nested,
    Number,
    Pluck,
    Raw,
    Time,
    TimeDelta,
    Tuple,
    Url,
)
from marshmallow.utils import missing
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter
from wtforms import DateField as _WTFDateField
from wtforms import DecimalField as _WTFDecimalField
from wtforms import IntegerField as _WTFIntegerField
from wtforms.validators import ValidationError as FormValidationError

from yipin.i18n import _l

# Every integer column here (ids, fen, grams, counts) is a 32-bit INTEGER on PostgreSQL: a value
# past it would only be refused by the database (a 400 after the fact), so fields say so first.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
FLOAT_MAX = 1e15  # no amount, weight or count here comes near; 1e308 is an attack
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2199, 12, 31)
JSON_MAX_DEPTH = 32
MAX_PAGE = 100_000  # of a paginated list (page × page size must stay an OFFSET)
DIGITS = re.compile(r"[+-]?\d{1,20}")
SURROGATE = re.compile("[\ud800-\udfff]")

NUMBER_MESSAGE = _l("Enter a whole number.")
RANGE_MESSAGE = _l("The number is out of range.")
TEXT_MESSAGE = _l("The text contains a character that is not allowed.")
DATE_MESSAGE = _l("Enter a date between %(first)s and %(last)s.")

# Where the value being loaded came from (``json``, ``query``, ``form``, ``view_args`` …).
_LOCATION: contextvars.ContextVar[str | None] = contextvars.ContextVar("yipin_location")
TEXT_LOCATIONS = frozenset(
    {
        "query",
        "querystring",
        "form",
        "view_args",
        "path",
        "headers",
        "cookies",
        "files",
        "multipart",
    }
)


def is_plain_text(text: str) -> bool:
    """No NUL character and no lone surrogate (neither can be stored or sent as UTF-8)."""
    return "\x00" not in text and SURROGATE.search(text) is None


def _date_message() -> str:
    return str(DATE_MESSAGE) % {"first": DATE_MIN.isoformat(), "last": DATE_MAX.isoformat()}


# ----------------------------------------------------------------------------- marshmallow


class Integer(_ma.Integer):
    """A whole number, strictly: a JSON integer (not a float, a string or a boolean) between
    −2^31 and 2^31 − 1 (narrower with ``validate=Range(…)``). From a query string, a form or a
    path, where everything is text, a plain string of digits is read as the number."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("strict", None)
        validators = kwargs.pop("validate", None)
        if validators is None:
            validators = []
        elif callable(validators):
            validators = [validators]
        bounds = validate.Range(INT_MIN, INT_MAX, error=str(RANGE_MESSAGE))
        super().__init__(strict=True, validate=[bounds, *validators], **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        if isinstance(value, str) and _LOCATION.get(None) in TEXT_LOCATIONS:
            text = value.strip()
            if not DIGITS.fullmatch(text):
                raise self.make_error("invalid", input=value)
            value = int(text)
        return super()._deserialize(value, attr, data, **kwargs)


Int = Integer


class Boolean(_ma.Boolean):
    """True or false, strictly: a JSON boolean (not ``0``, ``1`` or ``"yes"``). From a query
    string, a form or a path, where everything is text, marshmallow's spellings are read."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool) and _LOCATION.get(None) not in TEXT_LOCATIONS:
            raise self.make_error("invalid", input=value)
        return bool(super()._deserialize(value, attr, data, **kwargs))


Bool = Boolean


class Id(Integer):
    """The id of a record: a whole number from 1 to 2^31 − 1."""

    def __init__(self, **kwargs: Any) -> None:
        validators = kwargs.pop("validate", None) or []
        if callable(validators):
            validators = [validators]
        positive = validate.Range(1, INT_MAX, error=str(RANGE_MESSAGE))
        super().__init__(validate=[positive, *validators], **kwargs)


class String(_ma.String):
    """Text without NUL characters or lone surrogates (PostgreSQL and UTF-8 refuse both)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if isinstance(text, str) and not is_plain_text(text):
            raise ValidationError(str(TEXT_MESSAGE))
        return text


Str = String


class Personal(String):
    """Text about a natural person — a name, a phone number, an e-mail or a home address.

    Dumped as itself only to a viewer who may see people (``may_see_person``: operators,
    supplier staff — whose reads are already scoped to their supplier — and the person
    themself); dumped as None to everybody else: bureau staff read statistics, not people."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        from yipin.accounts.permissions import may_see_person

        if value is None or not may_see_person(obj):
            return None
        return super()._serialize(value, attr, obj, **kwargs)


class Date(_ma.Date):
    """A day between ``DATE_MIN`` and ``DATE_MAX``."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        day = super()._deserialize(value, attr, data, **kwargs)
        if day is not None and not DATE_MIN <= day <= DATE_MAX:
            raise ValidationError(_date_message())
        return day


class DateTime(_ma.DateTime):
    """A moment on a day between ``DATE_MIN`` and ``DATE_MAX`` (so that converting it to
    another time zone cannot overflow)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment is not None and not DATE_MIN <= moment.date() <= DATE_MAX:
            raise ValidationError(_date_message())
        return moment


class Float(_ma.Float):
    """A finite number no larger in magnitude than ``FLOAT_MAX``."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        number = super()._deserialize(value, attr, data, **kwargs)
        if number is not None and (not math.isfinite(number) or abs(number) > FLOAT_MAX):
            raise ValidationError(str(RANGE_MESSAGE))
        return number


class Decimal(_ma.Decimal):
    """A finite decimal no larger in magnitude than ``FLOAT_MAX``."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        number = super()._deserialize(value, attr, data, **kwargs)
        if number is not None and (not number.is_finite() or abs(number) > FLOAT_MAX):
            raise ValidationError(str(RANGE_MESSAGE))
        return number


# ----------------------------------------------------------------------------- WTForms


class IntegerField(_WTFIntegerField):
    """WTForms' integer field, refusing what is not a plain whole number between −2^31 and
    2^31 − 1 (``1.5``, ``1e308``, 20 digits) with a message instead of a database error."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        if text == "":
            self.data = None
            return
        if not DIGITS.fullmatch(text) or not INT_MIN <= int(text) <= INT_MAX:
            self.data = None
            raise ValueError(str(NUMBER_MESSAGE))
        self.data = int(text)


class DecimalField(_WTFDecimalField):
    """WTForms' decimal field, refusing NaN, infinities and magnitudes past ``FLOAT_MAX``."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, decimal.Decimal) and (
            not self.data.is_finite() or abs(self.data) > FLOAT_MAX
        ):
            self.data = None
            raise ValueError(str(RANGE_MESSAGE))


class DateField(_WTFDateField):
    """WTForms' date field, refusing days outside ``DATE_MIN`` … ``DATE_MAX``."""

    def pre_validate(self, form: Any) -> None:
        super().pre_validate(form)
        if isinstance(self.data, dt.date) and not DATE_MIN <= self.data <= DATE_MAX:
            raise FormValidationError(_date_message())


# ----------------------------------------------------------------------------- query strings


def arg_int(
    name: str,
    default: int | None = None,
    *,
    minimum: int = INT_MIN,
    maximum: int = INT_MAX,
) -> int | None:
    """A whole number from the query string, or ``default`` when it is missing, not a plain
    number or out of ``minimum`` … ``maximum``."""
    text = (request.args.get(name) or "").strip()
    if not DIGITS.fullmatch(text):
        return default
    number = int(text)
    return number if minimum <= number <= maximum else default


def arg_id(name: str) -> int | None:
    """An id from the query string (1 … 2^31 − 1), or None."""
    return arg_int(name, None, minimum=1)


def arg_page(name: str = "page", *, maximum: int = MAX_PAGE) -> int:
    """A page number from the query string: 1 unless a number from 1 to ``maximum`` is given."""
    return arg_int(name, 1, minimum=1, maximum=maximum) or 1


# ----------------------------------------------------------------------------- URL converter


class IdConverter(IntegerConverter):
    """``<int:…>`` / ``<id:…>``: digits only, 0 … 2^31 − 1; anything else matches no route."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


# ----------------------------------------------------------------------------- JSON bodies


class UnsafeJSON(ValueError):
    """A JSON document nested too deeply or holding text that cannot be stored."""


def check_json(value: Any) -> None:
    """Raise ``UnsafeJSON`` when ``value`` nests deeper than ``JSON_MAX_DEPTH`` or any of its
    strings (keys too) holds a NUL or a lone surrogate."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if not is_plain_text(item):
                raise UnsafeJSON("a string holds a NUL character or a lone surrogate")
        elif isinstance(item, dict | list):
            if depth > JSON_MAX_DEPTH:
                raise UnsafeJSON(f"nested deeper than {JSON_MAX_DEPTH} levels")
            if isinstance(item, dict):
                stack.extend((key, depth) for key in item)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)


def loads(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` that raises ``ValueError`` (a 400) for what ``check_json`` refuses and for
    a document too deep for the parser itself."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise UnsafeJSON(f"nested deeper than {JSON_MAX_DEPTH} levels") from None
    check_json(value)
    return value


class JSONProvider(DefaultJSONProvider):
    """The app's JSON provider: ``request.get_json()`` refuses unsafe documents (400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


# ----------------------------------------------------------------------------- API arguments


class Parser(FlaskParser):
    """webargs' Flask parser, parsing JSON with ``loads`` and telling the integer fields where
    a value came from (only text locations may spell a number as a string)."""

    def _raw_load_json(self, req: Any) -> Any:
        from webargs import core, flaskparser

        if not flaskparser.is_json_request(req):
            return core.missing
        data = req.get_data(cache=True)
        try:
            return loads(data.decode("utf-8") if isinstance(data, bytes) else data)
        except UnsafeJSON as exc:
            self._handle_invalid_json_error(exc, req)  # type: ignore[arg-type]  (400)

    def _process_location_data(self, location_data: Any, schema: Any, req: Any, location: str,
                               *args: Any) -> Any:  # fmt: skip
        token = _LOCATION.set(location)
        try:
            data = super()._process_location_data(location_data, schema, req, location, *args)
        finally:
            _LOCATION.reset(token)
        # flask-smorest's pagination schema bounds ``page`` from below only: a page past
        # MAX_PAGE would make an OFFSET no database holds
        if type(schema).__name__ == "PaginationParametersSchema" and data.page > MAX_PAGE:
            raise ValidationError({"page": [str(RANGE_MESSAGE)]})
        return data


PARSER = Parser()


def install() -> None:
    """Make ``Parser`` the argument parser of every flask-smorest blueprint, for its
    arguments and its pagination (idempotent)."""
    from flask_smorest import Blueprint

    Blueprint.ARGUMENTS_PARSER = PARSER
    Blueprint.PAGINATION_ARGUMENTS_PARSER = PARSER


def init_app(app: Any) -> None:
    """The URL converter and the JSON provider (``build_app`` calls this first)."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["id"] = IdConverter
    app.json_provider_class = JSONProvider
    app.json = JSONProvider(app)


# ----------------------------------------------------------------------------- computed (dump only)
class _Computed:
    def __init__(self, *args: Any, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        kwargs.setdefault("dump_only", True)
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.compute = compute

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = missing) -> Any:
        return self.compute(obj)


class ComputedStr(_Computed, _ma.String):
    def __init__(self, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(compute=compute, **kwargs)


class ComputedInt(_Computed, _ma.Integer):
    def __init__(self, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(compute=compute, **kwargs)


class ComputedEnum(_Computed, _ma.Enum):
    def __init__(self, enum: Any, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(enum, compute=compute, **kwargs)


class ComputedNested(_Computed, _ma.Nested):
    def __init__(self, nested: Any, compute: Callable[[Any], Any], **kwargs: Any) -> None:
        super().__init__(nested, compute=compute, **kwargs)


def labelled_enum(enum: Any, labels: Any, **kwargs: Any) -> _ma.Enum:
    """An enum field by value whose OpenAPI description lists the values and their labels
    (``labels`` is the enum's ``yipin.labels.Labels`` table)."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata["description"] = " ".join(
        part for part in (metadata.get("description", ""), labels.describe()) if part
    )
    return _ma.Enum(enum, by_value=True, metadata=metadata, **kwargs)
