"""The FastAPI app factory: settings, routers (each loads its model once at start-up), error shape, middleware, page.

    uvicorn --factory serve.app:create_app     (or `hotline serve`)
"""

from __future__ import annotations

from importlib.metadata import version

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from model.auditor import ReplyAuditor
from model.classifier import TicketClassifier
from serve.errors import install_error_handlers
from serve.logs import mask_server_logs
from serve.middleware import BodyGuard, RequestLog
from serve.routes import audit, classify, page, similar, status
from serve.routes.page import STATIC_DIR
from serve.settings import Settings

DESCRIPTION = """12345 政务服务便民热线工单：分类（类别、诉求类型、建议承办单位、是否需人工复核）；
答复核查（五要素及原文证据、退回重办风险、是否答非所问、办理时效、补充建议）；
重复投诉（同一地点、同一问题的历史工单，需配置 `HOTLINE_SIMILAR_INDEX`）。

配置了 `HOTLINE_API_KEYS` 时，除 `/health` 外的接口须带请求头 `X-API-Key`。
错误统一为 `{"error": {"code", "message", "field", "details"}}`。"""


def create_app(settings: Settings | None = None, classifier: TicketClassifier | None = None,
               auditor: ReplyAuditor | None = None) -> FastAPI:
    """An app serving `classifier` and `auditor` (loaded at start-up from `settings.model_dir` and
    `settings.auditor_dir` when not given)."""
    # /docs and /redoc with their scripts served from the package: the service works without the internet.
    app = FastAPIOffline(title="hotline 12345 工单服务", version=version("hotline"), description=DESCRIPTION,
                         redirect_slashes=False)  # /classify/ is a 404 in the error shape, not a redirect built from Host
    app.state.settings = settings or Settings()
    app.state.classifier, app.state.auditor = classifier, auditor
    app.state.models = {}
    for router in (status.router, classify.router, audit.router, similar.router, page.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)
    app.add_middleware(BodyGuard, max_bytes=app.state.settings.max_body_bytes)
    app.add_middleware(RequestLog)
    mask_server_logs()
    return app
