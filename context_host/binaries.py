"""The host's copy of the binaries its jobs use, fetched once per version (by digest) from S3,
and of the packages they name by URI (fetched for each job, unpacked once per digest).

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

from events.messages import BinaryRef, PackageUri, PathEntry
from events.worker_protocol import BinaryFiles
from infra.archives import open_package
from infra.errors import InvalidBinary
from infra.package_uris import PackageUriRefused, checked_uri
from infra.server_config import Dependencies, Limits
from infra.stores.binaries import BinaryStore
from infra.stores.packages import PackageSource, PackageUnavailable


class BinaryUnavailable(Exception):
    """The binary could not be fetched, or is not the version the job names."""


class BinaryCache:
    def __init__(
        self,
        binaries: BinaryStore,
        cache_dir: Path,
        limits: Limits,
        packages: PackageSource | None = None,
        package_sources: Dependencies | None = None,
    ):
        self._binaries = binaries
        self._cache_dir = cache_dir
        self._limits = limits
        self._packages = packages or PackageSource()
        self._package_sources = package_sources or Dependencies()  # checked again: fetched only if allowed
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def path_files(self, entry: PathEntry) -> BinaryFiles:
        """Where an entry of a job's path is on this machine, fetching it first if needed."""
        if isinstance(entry, PackageUri):
            return self.package_files(entry)
        return self.files(entry, entry.jar)

    def files(self, binary: BinaryRef, jar: bool) -> BinaryFiles:
        """Where the version's files are on this machine, fetching them first if needed."""
        target = self._target(binary.digest, jar)
        with self._lock_of(binary.digest):
            if not target.exists():
                self._fetch(binary, target, jar)
        return BinaryFiles(path=str(target), jar=jar)

    def package_files(self, package: PackageUri) -> BinaryFiles:
        """A package named by URI, fetched now (it may have changed since the last job), and
        unpacked unless this machine has its bytes already."""
        try:
            checked_uri(package.uri, self._package_sources, self._binaries.bucket)
        except PackageUriRefused as e:
            raise BinaryUnavailable(str(e)) from None
        self._make_cache_dir()
        with tempfile.TemporaryDirectory(dir=self._cache_dir) as tmp:
            archive = Path(tmp) / "package.zip"
            try:
                self._packages.download(package.uri, archive, self._limits.max_package_bytes)
            except (PackageUnavailable, InvalidBinary) as e:
                raise BinaryUnavailable(str(e)) from None
            digest = hashlib.sha256(archive.read_bytes()).hexdigest()
            target = self._target(digest, package.jar)
            with self._lock_of(digest):
                if not target.exists():
                    self._unpack(archive, Path(tmp), target, package.jar, package.uri)
        return BinaryFiles(path=str(target), jar=package.jar)

    def _target(self, digest: str, jar: bool) -> Path:
        return self._cache_dir / (f"{digest}.jar" if jar else digest)

    def _lock_of(self, digest: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(digest, threading.Lock())

    def _make_cache_dir(self) -> None:
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        self._cache_dir.chmod(0o755)

    def _fetch(self, binary: BinaryRef, target: Path, jar: bool) -> None:
        self._make_cache_dir()
        with tempfile.TemporaryDirectory(dir=self._cache_dir) as tmp:
            archive = Path(tmp) / "binary.zip"
            try:
                self._binaries.download(binary.key, archive)
            except Exception as e:
                raise BinaryUnavailable(f"binary {binary.key} could not be fetched: {e}") from e
            digest = hashlib.sha256(archive.read_bytes()).hexdigest()
            if digest != binary.digest:
                raise BinaryUnavailable(f"binary {binary.key} changed since upload (digest {digest[:12]})")
            self._unpack(archive, Path(tmp), target, jar, f"binary {binary.key}")

    def _unpack(self, archive: Path, tmp: Path, target: Path, jar: bool, what: str) -> None:
        """Check the package against the limits, unpack it (jars stay whole), and move it into
        place for the workers to read."""
        try:
            with archive.open("rb") as file, open_package(file, self._limits) as package:
                if not jar:
                    package.extractall(tmp / "root")
        except InvalidBinary as e:
            raise BinaryUnavailable(f"{what} is refused: {e}") from None
        unpacked = archive if jar else tmp / "root"
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
