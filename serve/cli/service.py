"""`hotline serve`: check the settings, models and index once, then run uvicorn with the app factory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from model.artifacts import ModelFileError, read_card
from serve.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_MODEL,
    AuditorOption,
    ModelOption,
    PolicyOption,
    TaxonomyOption,
    TypeEncoderOption,
    app,
    fail,
    loading,
)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes, each holding its own copy of the models "
                                                     "(about 300 MB each with the default models).")] = 1,
    model: ModelOption = None,
    taxonomy: TaxonomyOption = None,
    type_encoder: TypeEncoderOption = None,
    auditor: AuditorOption = None,
    policy: PolicyOption = None,
    similar_index: Annotated[Path | None, typer.Option(help="Repeat-complaint index for /similar (built with `hotline index build`).")] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Run the HTTP service (API, docs at /docs, web page at /) with uvicorn; other settings come from HOTLINE_* variables."""
    import os

    import uvicorn
    from pydantic import ValidationError

    from model.audit_policy import AuditPolicy
    from model.routing import Taxonomy
    from serve.logs import log_config
    from serve.settings import Settings

    try:  # HOTLINE_* variables are read again in every worker: a bad one is one message here, not a traceback each
        Settings()
    except ValidationError as error:
        problems = "; ".join(f"HOTLINE_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        fail(f"bad setting: {problems}", EXIT_BAD_INPUT)
    # Cheap checks here, so a wrong path is one clear message rather than a traceback per worker.
    with loading("model", taxonomy):
        for directory in (model, type_encoder):
            if directory is not None:
                read_card(directory)
        Taxonomy.load(taxonomy)
    with loading("auditor", policy):
        if auditor is not None:
            read_card(auditor)
        AuditPolicy.load(policy)
    index = similar_index or (Path(os.environ["HOTLINE_SIMILAR_INDEX"]) if os.environ.get("HOTLINE_SIMILAR_INDEX")
                              else None)
    if index is not None:
        from model.similar import read_manifest

        try:
            read_manifest(index)
        except ModelFileError as error:
            fail(f"cannot open the repeat-complaint index: {error}", EXIT_MODEL)
    # Settings are read from the environment in every worker process, so the options travel that way.
    for name, path in (("HOTLINE_MODEL_DIR", model), ("HOTLINE_TAXONOMY", taxonomy), ("HOTLINE_TYPE_ENCODER", type_encoder),
                       ("HOTLINE_AUDITOR_DIR", auditor), ("HOTLINE_AUDIT_POLICY", policy),
                       ("HOTLINE_SIMILAR_INDEX", similar_index)):
        if path is not None:
            os.environ[name] = str(path.resolve())
    uvicorn.run("serve.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_config=log_config(log_level), log_level=log_level, access_log=False)
