"""Checks that depend on the settings (sizes) or on the text pipeline (empty after normalising), naming the field."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from model.audit_results import ReplyTicket
from model.results import Ticket
from model.text import normalise
from serve.errors import MAX_DETAILS, ApiError
from serve.schemas import ErrorDetail
from serve.settings import Settings


def check_text(value: str, settings: Settings, field: str) -> None:
    if len(value) > settings.max_text_chars:
        raise ApiError(413, "too_large", f"字段 {field} 超过 {settings.max_text_chars} 个字符（{len(value)}）", field)


def check_ticket(ticket: Ticket, settings: Settings, prefix: str = "") -> None:
    check_text(ticket.title, settings, f"{prefix}title")
    check_text(ticket.content, settings, f"{prefix}content")
    if not normalise(ticket.title) and not normalise(ticket.content):
        raise ApiError(422, "empty_ticket", f"标题（{prefix}title）和诉求内容（{prefix}content）不能都为空",
                       f"{prefix}content")


def check_reply(reply: ReplyTicket, settings: Settings, prefix: str = "") -> None:
    for name in ("title", "content", "reply"):
        check_text(getattr(reply, name), settings, f"{prefix}{name}")
    if not normalise(reply.reply):
        raise ApiError(422, "empty_reply", f"答复（{prefix}reply）不能为空", f"{prefix}reply")


def check_batch(items: Sequence[object], settings: Settings, field: str) -> None:
    if len(items) > settings.max_batch_size:
        raise ApiError(413, "too_large", f"字段 {field} 有 {len(items)} 条，超过上限 {settings.max_batch_size} 条",
                       field)


def check_each(items: Sequence[object], check: Callable[[object, str], None], field: str) -> None:
    """Run `check(item, "field[i].")` on every item of a batch; every item that fails is reported at once (the first
    MAX_DETAILS in `details`, the message counting them all), with the first failure's status and code."""
    failures: list[ApiError] = []
    for index, item in enumerate(items):
        try:
            check(item, f"{field}[{index}].")
        except ApiError as error:
            failures.append(error)
    if not failures:
        return
    first = failures[0]
    if len(failures) == 1:
        raise first
    details = [ErrorDetail(field=f.field, message=f.message, type=f.code) for f in failures[:MAX_DETAILS]]
    raise ApiError(first.status, first.code, f"{first.message}（共 {len(failures)} 条有误，details 列出前 "
                   f"{min(len(failures), MAX_DETAILS)} 条）", first.field, details)
