"""Dependencies shared by the routers: the settings, the loaded models and the optional API key."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader

from serve.errors import ApiError
from serve.settings import Settings

API_KEY_HEADER = "X-API-Key"
_api_key = APIKeyHeader(name=API_KEY_HEADER, auto_error=False,
                        description="服务配置了 HOTLINE_API_KEYS 时必填（/health 除外）")


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_models(request: Request) -> dict[str, Any]:
    """The loaded models by name ("classifier", …), each with its model card; routers register theirs at start-up."""
    return request.app.state.models


async def require_api_key(settings: SettingsDep, key: Annotated[str | None, Security(_api_key)] = None) -> None:
    if not settings.api_keys:
        return
    given = (key or "").strip().encode()  # HTTP keeps trailing blanks in a header value; the keys are stripped
    if not any(hmac.compare_digest(given, accepted.encode()) for accepted in settings.api_keys):
        raise ApiError(401, "unauthorized", f"缺少或错误的 API 密钥（请求头 {API_KEY_HEADER}）", API_KEY_HEADER,
                       headers={"WWW-Authenticate": API_KEY_HEADER})
