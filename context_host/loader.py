"""Load a job class from an uploaded binary, once per binary version.

Each version is fetched by digest into the host's cache and imported with its own top-level
modules: the modules are taken out of sys.modules again after the import, so a newer version of
the same package is imported afresh on the next job and two versions never share a module. The
class keeps its module's globals alive, so the loaded job runs as imported. Because the modules
are not importable by name afterwards, cloudpickle ships the job's own functions to Spark's
Python workers by value: workers never need the binary, and versions cannot collide there either.

Limit: a job that imports its own modules lazily (inside run_job) while another version of the
same package is being imported on this host could, in that instant, get the other's module."""

import hashlib
import importlib
import sys
import tempfile
import threading
import zipfile
from pathlib import Path
from typing import Any

from events.messages import BinaryRef
from infra.stores.binaries import BinaryStore

_IMPORT_LOCK = threading.Lock()  # sys.path and sys.modules are process-wide


class JobLoadError(Exception):
    """The binary could not be fetched, or the class not imported from it."""


class BinaryLoader:
    def __init__(self, binaries: BinaryStore, cache_dir: Path):
        self._binaries = binaries
        self._cache_dir = cache_dir
        self._classes: dict[tuple[str, str], type] = {}
        self._fetch_locks: dict[str, threading.Lock] = {}

    def load_class(self, binary: BinaryRef, class_path: str) -> type:
        cached = self._classes.get((binary.digest, class_path))
        if cached is not None:
            return cached
        root = self._fetch(binary)
        with _IMPORT_LOCK:
            job_class = _import_isolated(root, class_path, self._cache_dir)
        self._classes[(binary.digest, class_path)] = job_class
        return job_class

    def _fetch(self, binary: BinaryRef) -> Path:
        root = self._cache_dir / binary.digest
        lock = self._fetch_locks.setdefault(binary.digest, threading.Lock())
        with lock:
            if root.is_dir():
                return root
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=self._cache_dir) as tmp:
                archive = Path(tmp) / "binary.zip"
                self._binaries.download(binary.key, archive)
                digest = hashlib.sha256(archive.read_bytes()).hexdigest()
                if digest != binary.digest:
                    raise JobLoadError(f"binary {binary.key} changed since upload (digest {digest[:12]})")
                with zipfile.ZipFile(archive) as zf:
                    zf.extractall(Path(tmp) / "root")
                try:
                    (Path(tmp) / "root").rename(root)
                except OSError:
                    if not root.is_dir():  # another host on this machine unpacked it first: use theirs
                        raise
        return root


def top_level_names(root: Path) -> set[str]:
    """The importable top-level modules and packages a binary brings."""
    names = set()
    for entry in root.iterdir():
        if entry.suffix == ".py":
            names.add(entry.stem)
        elif entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)
    return names


def _import_isolated(root: Path, class_path: str, cache_dir: Path) -> type:
    module_name, _, class_name = class_path.rpartition(".")
    if not module_name:
        raise JobLoadError(f"classPath {class_path} must be module.ClassName")
    owned = top_level_names(root)
    _forget_modules(owned, cache_dir)
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(module_name)
        job_class: Any = getattr(module, class_name)
    except (ImportError, AttributeError) as e:
        raise JobLoadError(f"classPath {class_path} not found in the binary: {e}") from e
    finally:
        sys.path.remove(str(root))
        _forget_modules(owned, cache_dir)
    if not isinstance(job_class, type):
        raise JobLoadError(f"classPath {class_path} is not a class")
    return job_class


def _forget_modules(top_names: set[str], cache_dir: Path) -> None:
    """Drop the binaries' own modules from sys.modules, never an installed module of the same name."""
    for name, module in list(sys.modules.items()):
        if name.split(".", 1)[0] in top_names and _comes_from(module, str(cache_dir)):
            del sys.modules[name]


def _comes_from(module: Any, directory: str) -> bool:
    origin = getattr(getattr(module, "__spec__", None), "origin", None) or ""
    paths = list(getattr(module, "__path__", []) or [])
    return any(str(place).startswith(directory) for place in [origin, *paths])
