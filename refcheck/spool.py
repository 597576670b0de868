"""Extracted documents, kept on disk while a run lasts and read back in order."""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import IO

from refcheck.models import Document


class DocumentSpool:
    """Extracted documents, kept on disk and read back in order.

    The file is an anonymous temporary file of this process (unlinked at once,
    never named, never shared), so pickle is safe here and five times cheaper
    than JSON; nothing from outside is ever unpickled."""

    def __init__(self) -> None:
        # Lives as long as the run; closed by close() (a context manager would end it at once).
        self._file: IO[bytes] = tempfile.TemporaryFile("w+b")  # noqa: SIM115
        self.count = 0

    def append(self, document: Document) -> None:
        pickle.dump(document, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def append_pickled(self, data: bytes) -> None:
        """A document pickled elsewhere (by a worker of this run, never read from outside)."""
        self._file.write(data)
        self.count += 1

    def __iter__(self) -> Iterator[Document]:
        self._file.flush()
        self._file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._file)  # our own unnamed temporary file
        self._file.seek(0, 2)

    def close(self) -> None:
        self._file.close()
