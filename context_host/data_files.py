"""The host's copy of the data files (SJS's /data) its jobs name, so job code, which has no AWS
credentials, opens them as plain files by the path the upload returned (functions/domain/data_files.py).

Before a job runs, every string of its config that is a path in the data folder is fetched there
from S3, once per file (a file's bytes never change), readable by the sandbox users. A file that
is no longer stored (deleted, or reset) fails the job's load and its copy goes: a deleted file
is never read again. Two hosts on one machine share the folder; a copy appears whole (written
aside, then renamed) or not at all."""

import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from infra.stores.data_files import FILE_NAME, DataFileStore


class DataFileUnavailable(Exception):
    """A data file a job names is not stored (deleted, reset, or never uploaded)."""


class DataFileCache:
    def __init__(self, store: DataFileStore, folder: Path):
        self._store = store
        self._folder = folder
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def fetch_named(self, config: dict[str, Any]) -> None:
        """Make every data file `config` names present in the folder; DataFileUnavailable if one
        is not stored."""
        for name in sorted(set(self.named(config))):
            self._fetch(name)

    def named(self, value: Any) -> Iterator[str]:
        """The names of the data files a config value names by their path."""
        if isinstance(value, dict):
            for item in value.values():
                yield from self.named(item)
        elif isinstance(value, list):
            for item in value:
                yield from self.named(item)
        elif isinstance(value, str):
            path = Path(value)
            if path.parent == self._folder and FILE_NAME.match(path.name):
                yield path.name

    def _fetch(self, name: str) -> None:
        target = self._folder / name
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if not self._store.exists(name):
                target.unlink(missing_ok=True)
                raise DataFileUnavailable(f"data file {target} is not stored (deleted, or never uploaded)")
            if target.exists():
                return
            self._folder.mkdir(parents=True, exist_ok=True)
            self._folder.chmod(0o755)
            with tempfile.TemporaryDirectory(dir=self._folder) as aside:
                copy = Path(aside) / name
                try:
                    self._store.download(name, copy)
                except Exception as e:
                    raise DataFileUnavailable(f"data file {target} could not be fetched: {e}") from e
                copy.chmod(0o644)  # the sandbox users read, nobody but the host writes
                copy.rename(target)
