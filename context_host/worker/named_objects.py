"""Named objects kept in a context between jobs, shared by the jobs running on it (SJS had these
for Scala only). A DataFrame or RDD is persisted when stored and unpersisted when destroyed."""

import threading
from collections.abc import Callable
from typing import Any

from sparkjobserver.api import NamedObjects


class ContextNamedObjects(NamedObjects):
    def __init__(self) -> None:
        self._objects: dict[str, Any] = {}
        self._lock = threading.RLock()

    def get(self, name: str) -> Any | None:
        return self._objects.get(name)

    def get_or_else_create(self, name: str, obj_gen: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._objects:
                self._objects[name] = _persisted(obj_gen())
            return self._objects[name]

    def update(self, name: str, obj_gen: Callable[[], Any]) -> Any:
        with self._lock:
            self.destroy(name)
            self._objects[name] = _persisted(obj_gen())
            return self._objects[name]

    def forget(self, name: str) -> None:
        self._objects.pop(name, None)

    def destroy(self, name: str) -> None:
        obj = self._objects.pop(name, None)
        if hasattr(obj, "unpersist"):
            obj.unpersist()

    def get_names(self) -> list[str]:
        return sorted(self._objects)


def _persisted(obj: Any) -> Any:
    if hasattr(obj, "persist") and hasattr(obj, "unpersist"):
        obj.persist()
    return obj
