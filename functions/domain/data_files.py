"""SJS's data files (/data): bytes uploaded for jobs, which a job reads by the file name the
upload returned.

SJS returns the path the file has on its server, and jobs open it there. Here the bytes live in
S3 and the returned name is the path the file has on every context host: `<data folder>/<name>`
(Settings.data_path, the same setting on the API and the hosts). Job code has no AWS credentials,
so the trusted host fetches each data file a job's config names by that path into that folder
before the job runs (context_host/data_files.py); the job then opens it as a plain file, as it did
on SJS's server."""

import time
from datetime import UTC, datetime
from pathlib import PurePosixPath

from infra.errors import Conflict, InvalidName, NoSuchDataFile
from infra.stores.data_files import NAME_PREFIX, DataFileStore, data_file_name

NAME_ATTEMPTS = 5  # two uploads of one prefix in the same millisecond: the second takes the next one


class DataFileService:
    def __init__(self, store: DataFileStore, folder: PurePosixPath):
        self._store = store
        self._folder = folder

    def upload(self, prefix: str, data: bytes) -> str:
        """Store a new file named after `prefix` and the time; its path for jobs."""
        if not NAME_PREFIX.match(prefix):
            raise InvalidName(
                f"Invalid data file prefix {prefix!r}: use letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        for _ in range(NAME_ATTEMPTS):
            name = data_file_name(prefix, datetime.now(UTC))
            try:
                self._store.add(name, data)
            except Conflict:
                time.sleep(0.001)
                continue
            return self.path(name)
        raise Conflict(f"no free name for data file prefix {prefix} after {NAME_ATTEMPTS} attempts")

    def paths(self) -> list[str]:
        return [self.path(name) for name in self._store.names()]

    def delete(self, file: str) -> None:
        """`file` as the upload returned it, or its bare name; NoSuchDataFile (400, as SJS) for
        one that is not stored."""
        path = PurePosixPath(file)
        inside = path.parent == self._folder or str(path.parent) == "."
        if not inside or not NAME_PREFIX.match(path.name) or not self._store.delete(path.name):
            raise NoSuchDataFile(file)

    def delete_all(self) -> int:
        return self._store.delete_all()

    def path(self, name: str) -> str:
        return str(self._folder / name)
