"""GET (and HEAD) /health (open, for probes) and GET /version (model versions, training data and metrics from the model cards)."""

from __future__ import annotations

from importlib.metadata import version
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from serve.deps import SettingsDep, get_models, require_api_key
from serve.schemas import ERROR_RESPONSES, Health, Limits, ModelInfo, VersionInfo

router = APIRouter(tags=["状态 status"])
ModelsDep = Annotated[dict[str, Any], Depends(get_models)]


@router.get("/health", response_model=Health, summary="服务是否可用（无需密钥）")
async def health(models: ModelsDep) -> Health:
    return Health(models=sorted(models))


@router.head("/health", include_in_schema=False)
async def health_probe() -> Response:
    """Uptime probes that send HEAD get 200 with no body."""
    return Response()


@router.get("/version", response_model=VersionInfo, summary="模型版本、训练数据与评测指标",
            dependencies=[Depends(require_api_key)], responses={401: ERROR_RESPONSES[401]})
async def version_info(models: ModelsDep, settings: SettingsDep) -> VersionInfo:
    classifier = models["classifier"]
    return VersionInfo(
        service=version("hotline"),
        models={name: ModelInfo.from_card(model.card) for name, model in models.items()},
        review_threshold=classifier.taxonomy.review_threshold,
        redo_threshold=models["auditor"].redo_threshold,
        element_thresholds=models["auditor"].element_thresholds,
        limits=Limits(max_body_bytes=settings.max_body_bytes, max_text_chars=settings.max_text_chars,
                      max_batch_size=settings.max_batch_size),
    )
