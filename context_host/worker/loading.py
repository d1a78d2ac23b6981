"""Load a job class from the Python packages the host has unpacked, once per path (the job's
binaries and packages in order, each a version).

The path's top-level modules are imported with its folders first on sys.path, in the path's
order (the first folder that has a module wins, as on PYTHONPATH), then taken out of
sys.modules again, so a newer version of the same package is imported afresh by the next job and
two versions never share a module. The class keeps its module's globals alive, so the job runs
as imported. Because the modules are not importable by name afterwards, cloudpickle ships the
job's own functions to Spark's Python workers by value: those never need the binary, and
versions cannot collide there either.

Classes are found as SJS found them: `module.Class`, also through an alias (`Alias = Cls`) and in
packages that ship only compiled `.pyc` files."""

import importlib
import sys
from pathlib import Path
from typing import Any


class JobLoadError(Exception):
    """The class could not be imported from the binary."""


class PythonJobLoader:
    def __init__(self) -> None:
        self._classes: dict[tuple[tuple[str, ...], str], type] = {}

    def load_class(self, folders: list[str], class_path: str) -> type:
        key = (tuple(folders), class_path)
        if key not in self._classes:
            self._classes[key] = _import_isolated([Path(folder) for folder in folders], class_path)
        return self._classes[key]


def top_level_names(root: Path) -> set[str]:
    """The importable top-level modules and packages a binary brings."""
    names = set()
    for entry in root.iterdir():
        if entry.suffix in (".py", ".pyc") and entry.stem.isidentifier():
            names.add(entry.stem)
        elif entry.is_dir() and entry.name.isidentifier():
            names.add(entry.name)
    return names


def _import_isolated(folders: list[Path], class_path: str) -> type:
    module_name, _, class_name = class_path.rpartition(".")
    if not module_name:
        raise JobLoadError(f"classPath {class_path} must be module.ClassName")
    owned = set().union(*(top_level_names(folder) for folder in folders))
    _forget_modules(owned, folders)
    sys.path[:0] = [str(folder) for folder in folders]
    importlib.invalidate_caches()
    try:
        module = importlib.import_module(module_name)
        job_class: Any = getattr(module, class_name)
    except (ImportError, AttributeError) as e:
        raise JobLoadError(f"classPath {class_path} not found in the binary: {e}") from e
    finally:
        for folder in folders:
            sys.path.remove(str(folder))
        _forget_modules(owned, folders)
    if not isinstance(job_class, type):
        raise JobLoadError(f"classPath {class_path} is not a class")
    return job_class


def _forget_modules(top_names: set[str], folders: list[Path]) -> None:
    """Drop the binaries' own modules from sys.modules, never an installed module of the same name."""
    places = [str(folder) for folder in folders]
    for name, module in list(sys.modules.items()):
        if name.split(".", 1)[0] in top_names and _comes_from(module, places):
            del sys.modules[name]


def _comes_from(module: Any, places: list[str]) -> bool:
    origin = getattr(getattr(module, "__spec__", None), "origin", None) or ""
    paths = list(getattr(module, "__path__", []) or [])
    return any(str(where).startswith(place) for where in [origin, *paths] for place in places)
