"""The operator's server config: one HOCON file, as SJS's jobserver.conf was, named by the
SERVER_CONFIG setting (no file: every default below).

Settings (infra/config.py) wire the deployment (resource names, endpoints) and come from the
environment; this file holds the operator's policy (who may call, limits on what users send, ...).
It is the operator's own trusted text, unlike request bodies, so it is read with pyhocon as is.
Keys are written as SJS writes them (kebab-case); each section is a model of its own."""

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in to_camel(name))


class Section(BaseModel):
    """A section of the file: kebab-case keys in the file, snake_case attributes in code."""

    model_config = ConfigDict(alias_generator=_kebab, populate_by_name=True, frozen=True, extra="forbid")


class ServerConfig(Section):
    model_config = ConfigDict(alias_generator=_kebab, populate_by_name=True, frozen=True, extra="ignore")


def parse_server_config(text: str) -> ServerConfig:
    from pyhocon import ConfigFactory

    # as_plain_ordered_dict, not items(): pyhocon keeps the quotes of quoted keys ("alice@example.com")
    return ServerConfig.model_validate(ConfigFactory.parse_string(text).as_plain_ordered_dict())


@cache
def load_server_config(path: str) -> ServerConfig:
    """The config in `path`, read once per process; an empty path gives the defaults."""
    if not path:
        return ServerConfig()
    return parse_server_config(Path(path).read_text())

