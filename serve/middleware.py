"""ASGI middleware: request ids and timings in the log; request bodies checked for size, type and encoding."""

from __future__ import annotations

import re
import time
import uuid

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serve.errors import error_response
from serve.logs import log

REQUEST_ID_HEADER = "x-request-id"
_CLIENT_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
CLIENT_CLOSED = 499  # logged when the client left before any response (no error on our side)
# Generated ids are letters only: a hex id with a long run of digits looked like a phone or card number to the log
# masking and was logged garbled (about one request in 500), so the log line no longer matched the header.
_NO_DIGITS = str.maketrans("0123456789", "ghijkmnpqr")


class RequestLog:
    """Gives each request an id (the client's X-Request-ID when sane), returns it, logs one line when done.

    The line has the id, method, path (never the query string or body), status and milliseconds.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = given if _CLIENT_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16].translate(_NO_DIGITS)
        scope.setdefault("state", {})["request_id"] = request_id
        status: int | None = None
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER.encode(), request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            status = status or 500
            raise
        finally:  # no response and no error: the client went away before its body arrived (nginx's 499)
            log.info("request_id=%s %s %s %d %.1fms", request_id, scope["method"], scope["path"],
                     status if status is not None else CLIENT_CLOSED, (time.perf_counter() - start) * 1000)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class BodyGuard:
    """Reads a request body before the app: over `max_bytes` → 413, compressed or not JSON → 415, not UTF-8 → 400.

    The app then reads the same bytes; every endpoint with a body takes JSON.
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> ASGIApp:
        return error_response(413, "too_large", f"请求体超过上限 {self.max_bytes} 字节（HOTLINE_MAX_BODY_BYTES）；长文本请分批提交", "body")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large()(scope, receive, send)
            return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._too_large()(scope, receive, send)
                return
        if body:
            problem = None
            encoding = headers.get("content-encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                problem = error_response(415, "unsupported_media_type",
                                         f"不支持压缩的请求体（Content-Encoding: {encoding[:20]}），请发送未压缩的 JSON", "body")
            elif not _is_json(headers.get("content-type", "")):
                problem = error_response(415, "unsupported_media_type",
                                         "请求体须为 JSON，请设置 Content-Type: application/json", "body")
            else:
                try:
                    body.decode("utf-8")
                except UnicodeDecodeError as error:
                    problem = error_response(400, "invalid_encoding",
                                             f"请求体不是有效的 UTF-8 编码（第 {error.start} 个字节）", "body")
            if problem is not None:
                await problem(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)
