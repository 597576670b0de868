"""Progress on stderr for long runs: a rich progress bar on a terminal, plain
lines under NO_COLOR or TERM=dumb, nothing when stderr is not a terminal or
with --quiet. rich is imported only when the bar is drawn."""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from refcheck.models import LinkResult


class RunProgress:
    def __init__(self, quiet: bool, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        terminal = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.enabled = terminal and not quiet
        self.plain = self.enabled and (bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb")
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._count = 0
        self._total = 0
        self._last_plain = 0.0

    def __enter__(self) -> RunProgress:
        if self.enabled and not self.plain:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(file=self.stream), transient=True,
            )  # fmt: skip
            self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

    def stage(self, description: str, total: int | None) -> None:
        self._count, self._total = 0, total or 0
        if self._progress is not None:
            self._task = self._progress.add_task(description, total=total)
        elif self.plain:
            print(f"refcheck: {description}…", file=self.stream, flush=True)

    def file(self, name: str) -> None:
        self._advance()

    def link(self, link: LinkResult) -> None:
        self._advance()

    def _advance(self) -> None:
        self._count += 1
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)
        elif self.plain and time.monotonic() - self._last_plain > 2:
            self._last_plain = time.monotonic()
            total = f"/{self._total}" if self._total else ""
            print(f"refcheck: {self._count}{total}", file=self.stream, flush=True)
