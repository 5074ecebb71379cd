"""The progress callback the training functions take: the command line passes a rich bar, library callers nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# progress(items, description, total) yields the items, showing how far along they are.
Progress = Callable[[Iterable[Any], str, int], Iterable[Any]]


def no_progress(items: Iterable[Any], description: str, total: int) -> Iterable[Any]:
    return items
