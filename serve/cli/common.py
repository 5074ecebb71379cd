"""What the `hotline` commands share: the Typer apps, the stderr console and exit codes, the common options, messages
that print file text as written, the progress bar and model loading with one clear message per failure."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from model.artifacts import ModelFileError, read_card

app = typer.Typer(help="hotline: classify 12345 hotline tickets and audit replies.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
train_app = typer.Typer(help="Train models.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Measure models on labelled data.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")

err = Console(stderr=True, soft_wrap=True)  # messages stay whole lines: other tools grep them
EXIT_BAD_INPUT = 2
EXIT_MODEL = 3

ModelOption = Annotated[Path | None, typer.Option("--model", "-m", help="Model directory (default: the shipped model).")]
AuditModelOption = Annotated[Path | None, typer.Option("--model", "-m", "--auditor", help="Reply auditor directory (default: the shipped auditor).")]
TaxonomyOption = Annotated[Path | None, typer.Option("--taxonomy", help="A locality's taxonomy TOML laid over the shipped one.")]
TypeEncoderOption = Annotated[Path | None, typer.Option("--type-encoder", help="A fine-tuned request-type encoder (`hotline train encoder`) to mix into the request type: more accurate, about 50 ms a ticket on a CPU (README, Encoder).")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="The .xlsx sheet to read, by name or number (1 is the first; default: the sheet whose header names the most known columns).")]
PolicyOption = Annotated[Path | None, typer.Option("--policy", help="An office's audit policy TOML (score weights, time limits, calendar days) laid over the shipped one.")]
AuditorOption = Annotated[Path | None, typer.Option("--auditor", help="Reply auditor directory (default: the shipped auditor).")]


def fail(message: str, code: int) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)  # paths and headers may hold [brackets]
    raise typer.Exit(code)


def say(message: str) -> None:
    """A line for the user on stderr, as written: file names, paths and headers may hold [brackets]."""
    err.print(message, markup=False, highlight=False)


def sheet_needs_data(sheet: str | None, data: Path | None) -> None:
    """`--sheet` names a sheet of the `--data` file; without one it would be silently ignored."""
    if sheet is not None and data is None:
        fail("--sheet picks a sheet of the --data file: give --data too", EXIT_BAD_INPUT)


def not_the_input(source: Path, destination: Path) -> None:
    """Writing the results over the file being read would destroy it halfway through: refuse before opening it."""
    try:
        same = source.resolve() == destination.resolve() or (destination.exists() and destination.samefile(source))
    except OSError:
        same = False
    if same:
        fail(f"the output {destination} is the input file: write the results to another file", EXIT_BAD_INPUT)


def file_problem(error: OSError) -> str:
    """An input or output path the system refuses (a folder where a file is expected, no permission, disk full …)."""
    where = f"{error.filename}: " if error.filename else ""
    return f"{where}{error.strerror or error}"


@contextmanager
def loading(what: str, toml_file: Path | None = None) -> Iterator[None]:
    """Exit code 3 and one message for a model, index, policy or taxonomy that cannot be loaded. A TOML file the parser
    rejects (`toml_file`: the --taxonomy or --policy given; the shipped files parse) is named, since the parser's
    message says where in the file, not which file."""
    try:
        yield
    except tomllib.TOMLDecodeError as error:
        fail(f"cannot load the {what}: {toml_file} is not valid TOML: {error}", EXIT_MODEL)
    except (ModelFileError, OSError, ValueError) as error:
        fail(f"cannot load the {what}: {error}", EXIT_MODEL)


def progress_bar() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=not sys.stderr.isatty(),
                    disable=not sys.stderr.isatty())


def load_classifier(model: Path | None, taxonomy: Path | None, type_encoder: Path | None = None,
                     workers: int = 1):
    from model.classifier import TicketClassifier

    if type_encoder is not None and workers > 1:
        fail("--type-encoder runs torch on every core already: use --workers 1 with it", EXIT_BAD_INPUT)
    with loading("model", taxonomy):
        classifier = TicketClassifier.load(model, taxonomy)
    if type_encoder is not None:
        from model.encoder_classifier import EncoderMix

        with loading("type encoder"):
            read_card(type_encoder)
            classifier.type_encoder = EncoderMix.load(type_encoder)
    return classifier


def load_auditor(model: Path | None, policy: Path | None):
    from model.auditor import ReplyAuditor

    with loading("auditor", policy):
        return ReplyAuditor.load(model, policy)


def track(progress: Progress):
    def track(items: Iterable[Any], description: str, total: int) -> Iterable[Any]:
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)
    return track
