"""The API contract: what every operation of the JSON API declares, and the machinery that
makes declaring it the easy way (DESIGN.md habit 17; the "API contract" of ARCHITECTURE.md).

The OpenAPI document (``/api/openapi.json``, shown at ``/api/docs``) is what cooperatives'
ERP systems, county platforms and the bureau's tools generate their clients from, so it must
tell the truth. A domain's API module uses :class:`Blueprint` (not flask-smorest's) and each
operation says:

- **who may call it**: ``@blp.public`` (``security: []``) or ``@blp.login_required(*roles)``
  (a bearer token or the site's session cookie). The blueprint enforces it before anything
  else runs: no or an unknown credential → 401, another role → 403. An operation that
  declares neither refuses to register.
- **what it answers**: ``@blp.response`` for success; every error has one body,
  :class:`ErrorSchema`, documented as the ``default`` response and per status: 400 always,
  401 and 403 when protected, 404 with path parameters or a body (records it names), 422 with
  arguments, and what ``@blp.errors(409, 429, …)`` adds.
- **the constraints the server enforces**, in the marshmallow schemas (lengths, ranges,
  patterns, enums, ``minProperties`` …). A rule no schema can say ("valid_to is not before
  valid_from") is listed with ``@blp.rules(...)``: it documents the 422 and is the one case
  where a schema-valid request may be refused.
- **lists** with ``@blp.paginate()``: ``page`` and ``page_size`` query parameters (bounded) and
  the ``X-Pagination`` response header, JSON text declared as ``application/json`` content.
- **words** in both languages: the docstring's first line is the summary, ``English · 中文``;
  the rest is the description, an English paragraph and a Chinese one. Request bodies carry an
  ``example`` (``@blp.arguments(Schema, example={...})``).

Each operation gets an ``operationId`` (the view class in snake case with its method, e.g.
``post_product_variants``) and the tag of its domain (the package the module lives in).
``tests/api/`` holds the document to this: a schemathesis run with every check over every
operation, as every role, on both databases, and a client generated from the document.
"""

from __future__ import annotations

import functools
import http
import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import flask_smorest
import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import abort, current_app, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest.pagination import PaginationMetadataSchema, PaginationParameters
from flask_smorest.utils import load_info_from_docstring, unpack_tuple_response
from werkzeug.datastructures import CombinedMultiDict

from yipin import fields

F = TypeVar("F", bound=Callable[..., Any])

MAX_PAGE = 100_000  # beyond any list we keep; keeps OFFSET far from the 64-bit limit
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

# What ``str.isspace()`` / ``str.strip()`` call space, spelled out: a JSON Schema regex's ``\s``
# is not Python's, and the document must say what the server does.
SPACE = "\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# text with something other than spaces in it (and no NUL, which no text may hold)
NOT_BLANK = f"^[^\\x00]*[^\\x00{SPACE}][^\\x00]*$"

PROTECTED: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"cookieAuth": []}]
PUBLIC: list[dict[str, list[str]]] = []

# What each error status means, in both languages (the per-status responses of the document).
STATUS_DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request: unreadable JSON, a NUL byte, a value the database cannot hold"
    " · 请求格式有误：JSON 无法解析、含 NUL 字节或数值超出可存储范围",
    401: "Not signed in: no credential, or a bearer token that is unknown, expired or revoked,"
    " or a session cookie that is not a live session · 未登录：缺少凭据，或令牌无效、过期、已吊销，"
    "或会话 Cookie 无效",
    403: "Signed in, but this role may not do this (bureau accounts are read-only)"
    " · 已登录，但该角色无权执行此操作（商务局账号只读）",
    404: "No such record, or not one the caller may see (another supplier's records are"
    " reported missing) · 记录不存在，或调用者无权查看（其他供应商的记录按不存在处理）",
    405: "Method not allowed · 不支持该请求方法",
    409: "Conflicts with the record's current state · 与记录当前状态冲突",
    410: "Gone: no longer usable · 已失效",
    413: "The upload is too large · 上传内容过大",
    415: "The file is not of a type accepted here · 文件类型不受支持",
    422: "Invalid input: ``errors`` names the fields and why (``_schema`` for the body as a"
    " whole) · 输入无效：``errors`` 按字段列出原因",
    429: "Too many requests; wait a minute · 请求过于频繁，请稍后再试",
    503: "A service the operation needs did not answer; retry later"
    " · 依赖的服务暂不可用，请稍后重试",
}
ROLE_WORDS = {
    "operator": ("operators", "平台运营"),
    "supplier": ("supplier staff", "供应商员工"),
    "consumer": ("consumers", "消费者"),
    "bureau": ("bureau staff", "商务局"),
}


# ----------------------------------------------------------------------------- schemas


class MessagesSchema(ma.Schema):
    """One text in both languages."""

    zh_CN = ma.fields.Str(required=True, metadata={"description": "简体中文"})
    en = ma.fields.Str(required=True, metadata={"description": "English"})


class ErrorSchema(ma.Schema):
    """The one error body of the API: every 4xx and 5xx answer has this shape."""

    code = ma.fields.Int(
        required=True,
        metadata={"description": "The HTTP status · HTTP 状态码", "example": 404},
    )
    error = ma.fields.Str(
        required=True,
        metadata={
            "description": "A stable, machine-readable code (not_found, validation_failed,"
            " invalid_token, read_only, …) · 稳定的机器可读错误码",
            "example": "not_found",
        },
    )
    message = ma.fields.Str(
        required=True,
        metadata={
            "description": "The message in the caller's language (``Accept-Language`` or"
            " ``?lang=``; Chinese by default) · 调用者语言的提示（默认中文）"
        },
    )
    messages = ma.fields.Nested(
        MessagesSchema,
        required=True,
        metadata={"description": "The message in both languages · 中英文提示"},
    )
    errors = ma.fields.Dict(
        keys=ma.fields.Str(),
        metadata={
            "description": "Details a client can act on: field → messages (``_schema`` for the"
            " body as a whole), or data of a refusal"
            " · 可据以处理的细节：按字段的提示，或拒绝的相关数据"
        },
    )


class PaginationSchema(PaginationMetadataSchema):
    """The ``X-Pagination`` header of a list: JSON text."""

    class Meta:
        ordered = True


class PageArgsSchema(ma.Schema):
    """``page`` and ``page_size`` of a list."""

    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Int(
        load_default=1,
        validate=ma.validate.Range(1, MAX_PAGE),
        metadata={"description": "Page number, from 1 · 页码，从 1 开始"},
    )
    page_size = ma.fields.Int(
        load_default=DEFAULT_PAGE_SIZE,
        validate=ma.validate.Range(1, MAX_PAGE_SIZE),
        metadata={"description": "Items per page · 每页条数"},
    )

    @ma.post_load
    def _parameters(self, data: dict[str, Any], **_: Any) -> PaginationParameters:
        return PaginationParameters(**data)


# ----------------------------------------------------------------------------- patterns


class Pattern(ma.validate.Regexp):
    """A regular expression the document shows (``pattern``) and the server enforces with the
    same meaning: as JSON Schema reads it (ECMA-262), not as Python would — ``\\d`` is 0-9,
    ``$`` is the very end (Python's also matches before a final newline). Use it, not
    marshmallow's ``Regexp``, in API schemas."""

    def __init__(self, pattern: str, error: str | None = None) -> None:
        super().__init__(pattern, error=error)
        python = re.sub(r"(?<!\\)\$$", r"\\Z", pattern)
        self._enforced = re.compile(python, re.ASCII)

    def __call__(self, value: Any) -> Any:
        if self._enforced.search(value) is None:
            raise ma.ValidationError(self._format_error(value))
        return value


# ----------------------------------------------------------------------------- parser


class Parser(fields.Parser):
    """The core's strict parser (``yipin.fields.Parser``) plus ``multipart``: the form fields
    and files of one body."""

    DEFAULT_UNKNOWN_BY_LOCATION: ClassVar[dict[str, Any]] = {
        **fields.Parser.DEFAULT_UNKNOWN_BY_LOCATION,
        "multipart": None,  # the schema's own (RAISE): a part the document does not name is refused
    }


PARSER = Parser()


@PARSER.location_loader("multipart")
def _load_multipart(req: Any, schema: ma.Schema) -> Any:
    return PARSER._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


# ----------------------------------------------------------------------------- access


@dataclass(frozen=True)
class Access:
    """Who may call an operation: anybody (``public``) or signed-in users of ``roles``."""

    public: bool
    roles: tuple[str, ...] = ()

    def check(self) -> None:
        if self.public:
            return
        if not current_user.is_authenticated:
            abort(401)
        if self.roles and str(current_user.role) not in self.roles:
            abort(403)

    def words(self) -> str:
        if self.public:
            return "Public: no sign-in needed · 公开：无需登录"
        if not self.roles:
            return "Any signed-in user · 任何已登录用户"
        en = ", ".join(ROLE_WORDS[r][0] for r in self.roles)
        zh = "、".join(ROLE_WORDS[r][1] for r in self.roles)
        return f"Who may call it: {en} · 调用者：{zh}"


# ----------------------------------------------------------------------------- blueprint


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _default_tag(import_name: str) -> str:
    parts = import_name.split(".")
    return parts[1] if parts[0] == "yipin" and len(parts) > 1 else parts[0]


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint that holds its operations to the API contract.

    ``tag`` is the domain the operations are listed under (default: the module's package);
    ``description`` says what this blueprint serves, in both languages."""

    ARGUMENTS_PARSER = PARSER
    PAGINATION_ARGUMENTS_PARSER = PARSER
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict[str, str]] = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    def __init__(self, name: str, import_name: str, *, tag: str | None = None, **kw: Any) -> None:
        super().__init__(name, import_name, **kw)
        self.tag = tag or _default_tag(import_name)

    # -- declarations ------------------------------------------------------------------

    @staticmethod
    def public(func: F) -> F:
        """Anybody may call the operation (``security: []``)."""
        func._yipin_access = Access(public=True)  # type: ignore[attr-defined]
        return func

    @staticmethod
    def login_required(*roles: Any) -> Callable[[F], F]:
        """Only signed-in users (of these roles, when given) may call the operation."""

        def decorate(func: F) -> F:
            func._yipin_access = Access(public=False, roles=tuple(str(r) for r in roles))  # type: ignore[attr-defined]
            return func

        return decorate

    def errors(self, *statuses: int | tuple[int, str]) -> Callable[[F], F]:
        """Declare error statuses beyond the automatic ones (409, 413, 415, 429, 503 …), each
        a status or ``(status, "what it means here · 中文")``."""

        def decorate(func: F) -> F:
            for entry in statuses:
                status, text = entry if isinstance(entry, tuple) else (entry, None)
                _add_error(func, status, text)
            return func

        return decorate

    @staticmethod
    def rules(*rules: str | tuple[int, str]) -> Callable[[F], F]:
        """Rules the server enforces that no schema can say: each a text (broken → 422) or
        ``(status, text)``.

        They are listed in their status's response and in ``x-rules``: the one case where a
        request the schema accepts may still be refused (with that status)."""
        listed = tuple((422, r) if isinstance(r, str) else r for r in rules)

        def decorate(func: F) -> F:
            func._yipin_rules = (*getattr(func, "_yipin_rules", ()), *listed)  # type: ignore[attr-defined]
            return func

        return decorate

    def arguments(self, schema: Any, *, location: str = "json", **kw: Any) -> Callable[[F], F]:
        """flask-smorest's ``arguments``; a required JSON body must be there (webargs would
        read a missing one as ``{}``): 422 without it, as the document's ``required`` says."""
        decorate = super().arguments(schema, location=location, **kw)
        if location != "json" or not kw.get("required", True):
            return decorate

        def with_body(func: F) -> F:
            inner = decorate(func)

            @functools.wraps(inner)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if not request.get_data(cache=True) or not request.is_json:
                    flask_smorest.abort(
                        422,
                        messages={"json": {"_schema": ["A JSON body is required."]}},
                    )
                return inner(*args, **kwargs)

            return wrapper  # type: ignore[return-value]

        return with_body

    # -- pagination --------------------------------------------------------------------

    def paginate(self, pager: Any = None, **_: Any) -> Callable[[F], F]:
        """A list: ``page`` / ``page_size`` (bounded) in, ``X-Pagination`` (JSON) out.

        Without ``pager`` the view gets ``pagination_parameters`` and sets its ``item_count``
        (:func:`page_of` does both for a select); with one, it returns what ``pager`` pages."""

        def decorator(func: F) -> F:
            @functools.wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                params = self.PAGINATION_ARGUMENTS_PARSER.parse(
                    PageArgsSchema(), request, location="query"
                )
                if pager is None:
                    kwargs["pagination_parameters"] = params
                result, status, headers = unpack_tuple_response(
                    current_app.ensure_sync(func)(*args, **kwargs)
                )
                if pager is not None:
                    result = pager(result, page_params=params).items
                if params.item_count is not None:
                    result, headers = self._set_pagination_metadata(params, result, headers)
                return result, status, headers

            wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))  # type: ignore[attr-defined]
            wrapper._apidoc["pagination"] = {  # type: ignore[attr-defined]
                "parameters": {"in": "query", "schema": PageArgsSchema},
                "response": {422: "UNPROCESSABLE_ENTITY"},
            }
            return wrapper  # type: ignore[return-value]

        return decorator

    def _document_pagination_metadata(self, spec: Any, resp_doc: dict[str, Any]) -> None:
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = "PAGINATION"

    # -- registration ------------------------------------------------------------------

    def add_url_rule(
        self, rule: str, endpoint: str | None = None, view_func: Any = None, **kw: Any
    ) -> None:
        if view_func is None:
            raise TypeError("view_func must be provided")
        if isinstance(view_func, type(MethodView)):
            for method in self.HTTP_METHODS:
                if method in view_func.methods:  # type: ignore[attr-defined]
                    name = method.lower()
                    func = getattr(view_func, name)
                    setattr(
                        view_func,
                        name,
                        self._contract(func, rule, f"{name}_{_snake(view_func.__name__)}"),
                    )
        else:
            view_func = self._contract(view_func, rule, view_func.__name__)
        if kw.get("tags") is None:
            kw["tags"] = [self.tag]
        super().add_url_rule(rule, endpoint, view_func, **kw)

    def _contract(self, func: Callable[..., Any], rule: str, operation_id: str) -> Any:
        """Enforce the operation's access before anything else and document the contract."""
        access: Access | None = getattr(func, "_yipin_access", None)
        if access is None:
            raise TypeError(
                f"{self.name}: {operation_id} declares no access: decorate it with"
                " @blp.public or @blp.login_required(...) (see yipin/api.py)"
            )

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            access.check()
            return func(*args, **kwargs)

        apidoc = deepcopy(getattr(func, "_apidoc", {}))
        guarded._apidoc = apidoc  # type: ignore[attr-defined]
        if not access.public:
            _add_error(guarded, 401)
            _add_error(guarded, 403)
        has_body = any(
            p.get("in") in ("json", "form", "files", "multipart")
            for p in apidoc.get("arguments", {}).get("parameters", [])
        )
        if "<" in rule or (has_body and not access.public):
            _add_error(guarded, 404)
        _add_error(guarded, 400)
        rules: tuple[tuple[int, str], ...] = getattr(func, "_yipin_rules", ())
        if rules and "pagination" in apidoc:
            # flask-smorest writes the pagination's own 422 over the responses: a rule's
            # status keeps its description (with the rules) instead
            ruled = {status for status, _ in rules}
            responses = apidoc["pagination"].get("response", {})
            apidoc["pagination"]["response"] = {
                s: r for s, r in responses.items() if s not in ruled
            }
        for status in sorted({status for status, _ in rules}):
            listing = "\n".join(f"- {text}" for s, text in rules if s == status)
            _add_error(
                guarded, status, f"{STATUS_DESCRIPTIONS[status]}\n\nRules · 规则:\n{listing}"
            )

        info = load_info_from_docstring(func.__doc__ or "", delimiter=self.DOCSTRING_INFO_DELIMITER)
        description = "\n\n".join(x for x in (info.get("description"), access.words()) if x)
        manual = apidoc.setdefault("manual_doc", {})
        manual.setdefault("operationId", operation_id)
        manual["security"] = PUBLIC if access.public else PROTECTED
        manual["description"] = description
        manual["x-access"] = "public" if access.public else list(access.roles) or ["signed-in"]
        if rules:
            manual["x-rules"] = [{"status": status, "rule": text} for status, text in rules]
        return guarded


def _add_error(func: Any, status: int, description: str | None = None) -> None:
    """Document an error response of ``func`` (the one error schema)."""
    apidoc = func.__dict__.setdefault("_apidoc", {})
    responses = apidoc.setdefault("response", {}).setdefault("responses", {})
    if description is None:
        entry: Any = http.HTTPStatus(status).name
        if entry in responses.get(status, []):
            return
        if any(isinstance(r, dict) for r in responses.get(status, [])):
            return
    else:
        entry = {"schema": ErrorSchema, "description": description, "content_type": None}
        responses[status] = [r for r in responses.get(status, []) if isinstance(r, dict)]
    responses.setdefault(status, []).append(entry)


def page_of(
    stmt: Any, pagination_parameters: PaginationParameters, unique: bool = True
) -> list[Any]:
    """One page of a SELECT for ``@blp.paginate()``: counts it (for ``X-Pagination``) and
    returns the page's rows."""
    import sqlalchemy as sa

    from yipin.db import db

    pagination_parameters.item_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    rows = db.session.scalars(
        stmt.limit(pagination_parameters.page_size).offset(pagination_parameters.first_item)
    )
    return list(rows.unique() if unique else rows)


# ----------------------------------------------------------------------------- the Api


class Api(flask_smorest.Api):
    """flask-smorest's Api with the contract's document: the one error schema as the default
    and per-status error response, the pagination header as JSON, one tag per domain, enum
    fields typed."""

    ERROR_SCHEMA = ErrorSchema

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {
                "description": STATUS_DESCRIPTIONS.get(status.value, status.phrase)
            }
            if status >= 400:
                response["content"] = {"application/json": {"schema": ErrorSchema}}
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            self.DEFAULT_ERROR_RESPONSE_NAME,
            {
                "description": "Any other error, with the one error body"
                " · 其他错误（统一错误格式）",
                "content": {"application/json": {"schema": ErrorSchema}},
            },
            lazy=True,
        )

    def _register_pagination_header(self) -> None:
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "The list's pagination, as JSON text (parse the header value"
                " as JSON) · 分页信息，JSON 文本",
                "content": {"application/json": {"schema": PaginationSchema}},
            },
            lazy=True,
        )

    def _init_spec(self, **kwargs: Any) -> None:
        kwargs.setdefault("marshmallow_plugin", _MarshmallowPlugin())
        super()._init_spec(**kwargs)
        self.ma_plugin.converter.add_attribute_function(_enum_type)
        self.ma_plugin.converter.add_attribute_function(_plain_text)
        self._tags: dict[str, list[str]] = {}

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        name = options.get("name", blp.name)
        tag = getattr(blp, "tag", name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
        known = tag in self._tags
        lines = self._tags.setdefault(tag, [])
        if blp.description and blp.description not in lines:
            lines.append(blp.description)
        if not known:
            self.spec.tag({"name": tag, "description": ""})
        for entry in self.spec._tags:  # one entry per domain, listing what it serves
            if entry["name"] == tag:
                entry["description"] = "\n".join(f"- {line}" for line in lines)


class _Converter(OpenAPIConverter):
    """apispec's converter, adding what a schema's ``Meta.json_schema`` says about the whole
    object (``minProperties``, ``anyOf`` …): rules over several fields, said in the document."""

    def schema2jsonschema(self, schema: Any) -> dict[str, Any]:
        jsonschema: dict[str, Any] = super().schema2jsonschema(schema)
        jsonschema.update(deepcopy(getattr(getattr(schema, "Meta", None), "json_schema", {})))
        return jsonschema


class _MarshmallowPlugin(MarshmallowPlugin):
    Converter = _Converter


PLAIN_TEXT = "^[^\\x00]*$"  # no text may hold a NUL character (the server refuses one: 400)


def _plain_text(converter: Any, field: ma.fields.Field, **kwargs: Any) -> dict[str, Any]:
    """Text fields say that they hold no NUL character, unless their own pattern says more."""
    if isinstance(field, ma.fields.String) and "pattern" not in kwargs.get("ret", {}):
        return {"pattern": PLAIN_TEXT}
    return {}


def _enum_type(converter: Any, field: ma.fields.Field, **_: Any) -> dict[str, Any]:
    """Enum fields by value say their JSON type (apispec gives only the values)."""
    if isinstance(field, ma.fields.Enum) and field.by_value:
        values = [m.value for m in field.enum]
        if all(isinstance(v, str) for v in values):
            return {"type": "string"}
        if all(isinstance(v, int) for v in values):
            return {"type": "integer"}
    return {}


__all__ = [
    "Access",
    "Api",
    "Blueprint",
    "ErrorSchema",
    "MessagesSchema",
    "Pattern",
    "page_of",
]
