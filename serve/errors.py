"""One JSON shape for every error: {"error": {"code", "message", "field", "details"}}, and the handlers that make it."""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from serve.logs import log
from serve.schemas import REQUEST_FIELDS, Error, ErrorDetail, ErrorResponse
from training.exports import COLUMN_ALIASES, header_key

_STATUS_CODES = {400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
                 413: "too_large", 415: "unsupported_media_type"}
_STATUS_MESSAGES = {400: "请求体无法解析为 JSON（如嵌套过深、数字过长）", 404: "没有这个地址", 405: "该地址不支持这种请求方法"}
MAX_DETAILS = 20  # a batch of bad items is answered with the first few in `details`; the message counts them all
_PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "string_type": "应为字符串",
    "list_type": "应为数组",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "too_short": "不能为空",
    "value_error": "取值无效",
}


class ApiError(Exception):
    """An error the service reports to the client as it is (status, code, message, field)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 details: Sequence[ErrorDetail] = (), headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.details = status, code, message, field, details
        self.headers = headers


_UNION_MEMBER = re.compile(r"^(?:str|int|float|bool|none|constrained-\w+|(?:list|dict|function-\w+)\[.*\])$")


def error_response(status: int, code: str, message: str, field: str | None = None,
                   details: Sequence[ErrorDetail] = (), headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse(error=Error(code=code, message=message, field=field, details=list(details)))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def field_name(loc: Sequence[Any]) -> str | None:
    """("body", "tickets", 2, "content") → "tickets[2].content"; the request part ("body", "header") is dropped, and
    so is the member a union field was tried as (("body", "id", "str") → "id")."""
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    name = ""
    for index, part in enumerate(parts):
        if index and isinstance(part, str) and _UNION_MEMBER.match(part):
            continue
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or (str(loc[0]) if loc else None)


def _fields_at(model: Any, path: Sequence[Any]) -> Sequence[str]:
    """The fields of the object at `path` (after "body") in a request model: ("tickets", 0) → TicketIn's fields."""
    for step in path:
        if isinstance(step, int):
            continue
        field = getattr(model, "model_fields", {}).get(step)
        if field is None:
            return REQUEST_FIELDS
        model = field.annotation
        while typing.get_origin(model) is not None:  # list[TicketIn], TicketIn | None …
            model = next((a for a in typing.get_args(model) if a is not type(None)), model)
    return tuple(getattr(model, "model_fields", ())) or REQUEST_FIELDS


def _unknown_field(field: str, name: str, fields: Sequence[str]) -> str:
    """The message for a field the schema does not have, with the one probably meant among the object's own
    `fields`: an office header (诉求内容 → content) or a near spelling (reply_tme → reply_time)."""
    meant = next((canonical for canonical, aliases in COLUMN_ALIASES.items()
                  if canonical in fields and header_key(name) in {header_key(a) for a in aliases}), None)
    meant = meant or next(iter(difflib.get_close_matches(name, fields, n=1)), None)
    hint = f"是否应为 {meant}？" if meant and meant != name else "可用字段见 /docs。"
    return f"字段 {field} 不是本接口的字段：{hint}（未知字段不会被悄悄忽略，以免写错字段名丢失内容）"


def _detail(error: dict[str, Any], body_model: Any) -> ErrorDetail:
    field = field_name(error.get("loc", ()))
    if error["type"] == "extra_forbidden":
        fields = _fields_at(body_model, error["loc"][1:-1]) if body_model is not None else REQUEST_FIELDS
        return ErrorDetail(field=field, message=_unknown_field(field, str(error["loc"][-1]), fields),
                           type=error["type"])
    reason = _PYDANTIC_MESSAGES.get(error["type"], "无效")
    original = error.get("ctx", {}).get("error") if error["type"] == "value_error" else error.get("msg")
    return ErrorDetail(field=field, message=f"字段 {field} {reason}（{original}）", type=error["type"])


BATCH_FIELDS = ("tickets", "replies")  # the lists of the batch endpoints, held to the max_batch_size setting


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if errors and errors[0]["type"] == "json_invalid":
        position = errors[0]["loc"][-1]
        reason = errors[0].get("ctx", {}).get("error", "")
        return error_response(400, "invalid_json", f"请求体不是合法的 JSON（第 {position} 个字符附近：{reason}）", "body")
    too_long = next((e for e in errors if e["type"] == "too_long" and len(e.get("loc", ())) == 2), None)
    if too_long is not None:  # a batch list over the schema's cap: the same answer as one over the setting
        field = field_name(too_long["loc"])
        limit = request.app.state.settings.max_batch_size
        return error_response(413, "too_large", f"字段 {field} 条数超过上限 {limit} 条", field)
    limit = request.app.state.settings.max_batch_size
    batch = exc.body if isinstance(getattr(exc, "body", None), dict) else {}
    over = next((name for name in BATCH_FIELDS if isinstance(batch.get(name), list) and len(batch[name]) > limit), None)
    if over is not None:  # the size first: fixing a bad item would only lead to a 413 next
        return error_response(413, "too_large", f"字段 {over} 有 {len(batch[over])} 条，超过上限 {limit} 条", over)
    route = request.scope.get("route")
    body = getattr(route, "body_field", None)
    body_model = getattr(getattr(body, "field_info", None), "annotation", None)  # TicketIn, BatchRequest …
    details = [_detail(error, body_model) for error in errors[:MAX_DETAILS]]
    first = details[0] if details else ErrorDetail(message="请求无效", type="invalid")
    message = first.message if len(errors) <= MAX_DETAILS else f"{first.message}（共 {len(errors)} 处错误，details 列出前 {MAX_DETAILS} 处）"
    return error_response(422, "invalid_field", message, first.field, details)


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.field, exc.details, exc.headers)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    message = _STATUS_MESSAGES.get(exc.status_code, "")
    message = f"{message}（{exc.detail}）" if message else str(exc.detail)
    field = "body" if exc.status_code == 400 else None  # FastAPI's only 400: a body json.loads gave up on
    return error_response(exc.status_code, code, message, field, headers=getattr(exc, "headers", None))


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.error("request_id=%s internal error: %s", getattr(request.state, "request_id", "-"), type(exc).__name__)
    return error_response(500, "internal_error", "服务内部错误，请稍后重试")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
