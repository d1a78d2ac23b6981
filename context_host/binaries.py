"""The host's copy of the binaries its jobs use, fetched once per version (by digest) from S3.

Job workers read them but never fetch: the host holds the credentials, checks that the bytes
are the version the job names and within the operator's package limits (infra/archives.py, the
API's own check: a package stored before a limit was lowered, or put in the bucket by other
means, is refused here too), and unpacks Python packages into a folder the sandbox users may
read (jars stay whole: the JVM loads them as they are). Two hosts on one machine share the cache;
whichever unpacks a version first wins, the other uses its copy."""

import hashlib
import tempfile
import threading
from pathlib import Path

from events.messages import BinaryRef
from events.worker_protocol import BinaryFiles
from infra.archives import open_package
from infra.errors import InvalidBinary
from infra.server_config import Limits
from infra.stores.binaries import BinaryStore


class BinaryUnavailable(Exception):
    """The binary could not be fetched, or is not the version the job names."""


class BinaryCache:
    def __init__(self, binaries: BinaryStore, cache_dir: Path, limits: Limits):
        self._binaries = binaries
        self._cache_dir = cache_dir
        self._limits = limits
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def files(self, binary: BinaryRef, jar: bool) -> BinaryFiles:
        """Where the version's files are on this machine, fetching them first if needed."""
        target = self._cache_dir / (f"{binary.digest}.jar" if jar else binary.digest)
        with self._guard:
            lock = self._locks.setdefault(binary.digest, threading.Lock())
        with lock:
            if not target.exists():
                self._fetch(binary, target, jar)
        return BinaryFiles(path=str(target), jar=jar)

    def _fetch(self, binary: BinaryRef, target: Path, jar: bool) -> None:
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        self._cache_dir.chmod(0o755)
        with tempfile.TemporaryDirectory(dir=self._cache_dir) as tmp:
            archive = Path(tmp) / "binary.zip"
            try:
                self._binaries.download(binary.key, archive)
            except Exception as e:
                raise BinaryUnavailable(f"binary {binary.key} could not be fetched: {e}") from e
            digest = hashlib.sha256(archive.read_bytes()).hexdigest()
            if digest != binary.digest:
                raise BinaryUnavailable(f"binary {binary.key} changed since upload (digest {digest[:12]})")
            try:
                with archive.open("rb") as file, open_package(file, self._limits) as package:
                    if not jar:
                        package.extractall(Path(tmp) / "root")
            except InvalidBinary as e:
                raise BinaryUnavailable(f"binary {binary.key} is refused: {e}") from None
            unpacked = archive if jar else Path(tmp) / "root"
            _readable(unpacked)
            try:
                unpacked.rename(target)
            except OSError:
                if not target.exists():  # another host on this machine put it there first: use theirs
                    raise


def _readable(root: Path) -> None:
    """Folders 755, files 644: the sandbox users read, nobody but the host writes."""
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
