"""pyhocon as Typesafe Config reads text: sizes and durations stay the text written, and request
text is read as data.

pyhocon (0.3.x) does three things that Typesafe Config does not, and has no switch for any of
them: `10s` / `512m` become timedelta objects (Typesafe Config keeps them as the text written, to
be read as a duration or a size by whoever asks, so SJS's `memory-per-node = 512m` is a size), a
substitution that is not a key of the text falls back to `os.environ`, and `include` reads files,
globs and URLs while parsing. Its grammar is built inside `ConfigParser.parse` from module-level
names, so a subclass cannot reach the include reader or the duration rule. This module therefore
runs pyhocon's own parser module again, privately (importlib), with some of its names bound to
stand-ins; the shared pyhocon module, which the hosts use, is left as it is. Nothing is swapped
at run time, so concurrent requests see nothing move. Two private copies:

- request text (`parse_request_hocon`): no durations, no environment, no includes;
- the operator's own server config (`parse_operator_hocon`): trusted text, so `${?ENV}` and
  `include` work as in SJS's jobserver.conf; only durations stay text.

Also: pyhocon switches pyparsing's process-wide default whitespace while it builds its grammar,
so two parses at once on two threads can build a wrong grammar; parses are serialised (they are
CPU-bound under the GIL anyway)."""

import importlib.util
import os
import threading
import types
from functools import cache
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


def _private_parser_module(stand_ins: dict[str, Any]) -> types.ModuleType:
    spec = importlib.util.find_spec("pyhocon.config_parser")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    missing = [name for name in stand_ins if not hasattr(module, name)]
    if missing:  # a pyhocon release that moved them: fail loudly rather than parse unsafely
        raise RuntimeError(f"pyhocon.config_parser no longer has {missing}; review infra/hocon.py")
    for name, stand_in in stand_ins.items():
        setattr(module, name, stand_in)
    return module


@cache
def _request_parser() -> type:
    module = _private_parser_module(
        {
            "os": _OsWithoutEnvironment("os"),
            "ConfigFactory": _NoIncludes,
            "glob": _no_glob,
            "get_period_expr": _no_durations,
        }
    )

    class RequestParser(module.ConfigParser):
        @classmethod
        def resolve_package_path(cls, package_path: str) -> str:
            raise IncludeRefused("include package(...)")  # it would import the package to find it

    return RequestParser


@cache
def _operator_factory() -> type:
    """The private module's ConfigFactory: its includes are parsed by the same private copy."""
    return _private_parser_module({"get_period_expr": _no_durations}).ConfigFactory


def parse_request_hocon(text: str) -> Any:
    """Request text as a pyhocon ConfigTree (or list), substitutions resolved within the text
    only; pyhocon's exceptions (and IncludeRefused) as they come."""
    parser = _request_parser()
    with _PARSE_LOCK:
        return parser.parse(text)


def parse_operator_hocon(text: str, basedir: str | None = None) -> Any:
    """The operator's file as a pyhocon ConfigTree, as Typesafe Config reads it: environment
    substitutions and includes (relative to `basedir`) as pyhocon does them, sizes and durations
    as the text written."""
    factory = _operator_factory()
    with _PARSE_LOCK:
        return factory.parse_string(text, basedir)
