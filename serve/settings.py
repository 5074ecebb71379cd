"""Service settings, read from the environment (prefix HOTLINE_): model directories, policies, thresholds, keys and
limits."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from serve.schemas import BATCH_CAP


class Settings(BaseSettings):
    """Every knob of the HTTP service; `HOTLINE_MODEL_DIR=/srv/model hotline serve` sets `model_dir`, and so on."""

    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="ignore")

    model_dir: Path | None = Field(None, description="Classifier model directory (default: the shipped model).")
    taxonomy: Path | None = Field(None, description="A locality's taxonomy TOML laid over the shipped one.")
    review_threshold: float | None = Field(
        None, ge=0.0, le=1.0, description="Top-category probability below which a ticket needs review "
                                          "(default: the taxonomy's, 0.80).")
    type_encoder: Path | None = Field(None, description="A fine-tuned request-type encoder (`hotline train encoder`) "
                                                        "mixed into the request type: opt-in, tens of ms a ticket.")
    auditor_dir: Path | None = Field(None, description="Reply auditor model directory (default: the shipped auditor).")
    audit_policy: Path | None = Field(None, description="An office's audit policy TOML (score weights, time limits, calendar "
                                                        "days) laid over the shipped one.")
    similar_index: Path | None = Field(None, description="Repeat-complaint index directory (`hotline index build`); "
                                                         "without one, /similar answers 503.")
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Accepted X-API-Key values, comma-separated; empty: no key needed.")
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body accepted (bytes).")
    max_text_chars: int = Field(20_000, ge=1, description="Longest title, content or reply accepted (characters).")
    max_batch_size: int = Field(100, ge=1, le=BATCH_CAP, description="Most tickets (or replies) in one batch request.")
    inference_batch: int = Field(64, ge=1, description="Most tickets a model scores in one call; "
                                                       "concurrent requests are scored together up to this.")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        """Comma-separated keys. A value that is set but names no key (" , ") is refused rather than read as "no key
        needed", which would open the service; so is a key an HTTP header cannot carry (printable ASCII only)."""
        if isinstance(value, str):
            keys = [key.strip() for key in value.split(",") if key.strip()]
            if value.strip() and not keys:
                raise ValueError("HOTLINE_API_KEYS is set but names no key; leave it empty for no key")
            value = keys
        for key in value if isinstance(value, list) else ():
            if not (isinstance(key, str) and key.isascii() and key.isprintable()):
                raise ValueError("an API key may hold printable ASCII characters only (HTTP headers carry no others)")
        return value
