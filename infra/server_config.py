"""The operator's server config: one HOCON file, as SJS's jobserver.conf was, named by the
SERVER_CONFIG setting (no file: every default below).

Settings (infra/config.py) wire the deployment (resource names, endpoints) and come from the
environment; this file holds the operator's policy (who may call, limits on what users send, ...).
It is the operator's own trusted text, unlike request bodies, so it is read with pyhocon as is.
Keys are written as SJS writes them (kebab-case); each section is a model of its own."""

from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in to_camel(name))


class Section(BaseModel):
    """A section of the file: kebab-case keys in the file, snake_case attributes in code."""

    model_config = ConfigDict(alias_generator=_kebab, populate_by_name=True, frozen=True, extra="forbid")


class Limits(Section):
    """Bounds on what callers send, each refused with an SJS-shaped 4xx.

    max-body-bytes: a request body over it is answered 413 before it is read. 6 MiB is Lambda's
    request payload limit, which a deployed API function meets before API Gateway's 10 MB (and
    API Gateway hands a binary body over base64-encoded, a third larger, so there a package
    over about 4.5 MiB already fails): packages larger than that go up through the presigned
    upload (POST /binaries/{app}/uploads), locally as on AWS."""

    max_body_bytes: int = Field(default=6 * 1024 * 1024, gt=0)


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
