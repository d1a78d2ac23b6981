"""The operator's server config: one HOCON file, as SJS's jobserver.conf was, named by the
SERVER_CONFIG setting (no file: every default below).

Settings (infra/config.py) wire the deployment (resource names, endpoints) and come from the
environment; this file holds the operator's policy (who may call, limits on what users send, ...).
It is the operator's own trusted text, unlike request bodies, so it is read with pyhocon as is.
Keys are written as SJS writes them (kebab-case); each section is a model of its own."""

from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, IPvAnyNetwork
from pydantic.alias_generators import to_camel

KIB, MIB = 1024, 1024 * 1024


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in to_camel(name))


class Section(BaseModel):
    """A section of the file: kebab-case keys in the file, snake_case attributes in code."""

    model_config = ConfigDict(alias_generator=_kebab, populate_by_name=True, frozen=True, extra="forbid")


class Limits(Section):
    """`limits { ... }`: what users may send, each refused with a 400 before it costs anything.

    Config bodies are checked before they are parsed: size, nesting, and for HOCON (pyhocon's parse
    costs about 10-70 ms of CPU per KB, quadratic in repeated keys and doubling with each
    self-referencing merge: 20 such lines took 30 s) a smaller size and a cap on substitutions;
    at the defaults the worst body measured costs about 1 s. JSON up to max-config-bytes is cheap.
    A job's config is stored in its DynamoDB item (400 KB) beside an inline result of up to 200 KB,
    hence the ceiling on max-config-bytes. Packages are checked from the zip's central directory
    before they are stored or unpacked (functions/domain/archives.py)."""

    max_config_bytes: int = Field(64 * KIB, ge=1, le=150 * KIB)
    max_config_depth: int = Field(16, ge=1, le=24)  # pyhocon's recursion runs out near 25 levels
    max_hocon_bytes: int = Field(8 * KIB, ge=1)
    max_hocon_substitutions: int = Field(12, ge=0)  # ${...} and +=; each self-reference can double the cost
    max_package_bytes: int = Field(128 * MIB, ge=1)  # as uploaded; the deploy function reads a drop whole
    max_package_unpacked_bytes: int = Field(256 * MIB, ge=1)
    max_package_entries: int = Field(65_535, ge=1)
    max_indexed_module_bytes: int = Field(256 * KIB, ge=0)  # larger modules are not read at upload
    callback_allowed_networks: tuple[IPvAnyNetwork, ...] = ()  # e.g. ["127.0.0.0/8"] for local receivers


class ServerConfig(Section):
    model_config = ConfigDict(alias_generator=_kebab, populate_by_name=True, frozen=True, extra="ignore")

    limits: Limits = Limits()


def parse_server_config(text: str) -> ServerConfig:
    from pyhocon import ConfigFactory

    return ServerConfig.model_validate(_plain(ConfigFactory.parse_string(text)))


@cache
def load_server_config(path: str) -> ServerConfig:
    """The config in `path`, read once per process; an empty path gives the defaults."""
    if not path:
        return ServerConfig()
    return parse_server_config(Path(path).read_text())


def _plain(value: Any) -> Any:
    """pyhocon's ConfigTree as plain dicts and lists."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
