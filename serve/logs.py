"""Logging for the service: every line (tracebacks too) goes through mask_pii, so no phone or ID number is written."""

from __future__ import annotations

import logging
from typing import Any

from model.text import mask_pii


class MaskPII(logging.Filter):
    """Replaces phone, ID-card, bank-card numbers and e-mail addresses in a record with placeholders."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_pii(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_pii(record.exc_text)
        return True


def log_config(level: str = "info") -> dict[str, Any]:
    """uvicorn's `log_config`: one stderr handler, masked, for uvicorn's loggers and hotline's."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask_pii": {"()": MaskPII}},
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_pii"],
                                "stream": "ext://sys.stderr"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": ["stderr"], "level": level, "propagate": False},
            "hotline": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }


# The service's own logger masks its records itself, so they are clean under any handler (pytest's, gunicorn's …).
log = logging.getLogger("hotline.serve")
log.addFilter(MaskPII())
# uvicorn's server log carries the tracebacks of failed requests, and its access log the paths: masked the same way
# (logger filters see records logged on that logger), so `uvicorn --factory serve.app:create_app` or gunicorn with
# their own logging configuration write no phone or ID number either.
SERVER_LOGGERS = ("uvicorn.error", "uvicorn.access")


def mask_server_logs() -> None:
    """Put the MaskPII filter on uvicorn's loggers (once)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskPII) for f in logger.filters):
            logger.addFilter(MaskPII())
