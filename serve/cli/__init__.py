"""The `hotline` command line: classify tickets, audit replies and find repeat complaints in files, report on a whole
export per unit, train and evaluate the models, serve the HTTP service. Each module registers its commands on the
one Typer app: files (classify, audit, report, similar, index), service (serve), training (train, evaluate)."""

from serve.cli import files, service, training  # noqa: F401  (registers the commands)
from serve.cli.common import app

__all__ = ["app"]
