"""pyhocon for request text: HOCON read as data, as Typesafe Config reads a string it was given.

pyhocon (0.3.x) does three things to a text that a request body must not get, and has no switch
for any of them: a substitution that is not a key of the text falls back to `os.environ`, `include`
reads files, globs and URLs while parsing, and `10s` / `512m` become timedelta objects (Typesafe
Config keeps them as the text written, to be read as a duration or a size by whoever asks).
Its grammar is built inside `ConfigParser.parse` from module-level names, so a subclass cannot
reach the include reader or the duration rule. This module therefore runs pyhocon's own parser
module a second time, privately (importlib), with four of its names bound to harmless
stand-ins; the shared pyhocon module, which the operator's server config and the hosts use, is
left as it is. Nothing is swapped at run time, so concurrent requests see nothing move.

Also: pyhocon switches pyparsing's process-wide default whitespace while it builds its grammar,
so two parses at once on two threads can build a wrong grammar; parses are serialised (they are
CPU-bound under the GIL anyway)."""

import importlib.util
import os
import threading
import types
from typing import Any

import pyparsing

from infra.errors import IncludeRefused

_PARSE_LOCK = threading.Lock()


class _OsWithoutEnvironment(types.ModuleType):
    """`os` as pyhocon's resolver sees it: no environment variables to fall back to."""

    environ = types.MappingProxyType({})

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


class _NoIncludes:
    """pyhocon's ConfigFactory as its include rule calls it: for files and URLs."""

    @classmethod
    def parse_file(cls, *args: Any, **kwargs: Any) -> Any:
        raise IncludeRefused("include file(...)")

    @classmethod
    def parse_URL(cls, *args: Any, **kwargs: Any) -> Any:
        raise IncludeRefused("include url(...)")


def _no_glob(*args: Any, **kwargs: Any) -> Any:
    raise IncludeRefused("include with a wildcard")


def _no_durations() -> pyparsing.ParserElement:
    return pyparsing.NoMatch()


def _private_parser_module() -> types.ModuleType:
    spec = importlib.util.find_spec("pyhocon.config_parser")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stand_ins = {
        "os": _OsWithoutEnvironment("os"),
        "ConfigFactory": _NoIncludes,
        "glob": _no_glob,
        "get_period_expr": _no_durations,
    }
    missing = [name for name in stand_ins if not hasattr(module, name)]
    if missing:  # a pyhocon release that moved them: fail loudly rather than parse unsafely
        raise RuntimeError(f"pyhocon.config_parser no longer has {missing}; review functions/domain/hocon.py")
    for name, stand_in in stand_ins.items():
        setattr(module, name, stand_in)
    return module


_pyhocon = _private_parser_module()


class _RequestParser(_pyhocon.ConfigParser):
    @classmethod
    def resolve_package_path(cls, package_path: str) -> str:
        raise IncludeRefused("include package(...)")  # it would import the package to find it


def parse_hocon(text: str) -> Any:
    """The text as a pyhocon ConfigTree (or list), substitutions resolved within the text only;
    pyhocon's exceptions (and IncludeRefused) as they come."""
    with _PARSE_LOCK:
        return _RequestParser.parse(text)
