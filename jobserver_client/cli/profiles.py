"""Where the server and the credentials come from: flags or environment (SJS_URL, SJS_USER,
SJS_PASSWORD, SJS_API_KEY) first, then a profile of the profile file, then the local stack.

The profile file is TOML, one table per profile (`default` unless --profile/SJS_PROFILE names
another), at SJS_CONFIG or `~/.config/sjs/config.toml`:

    [default]
    url = "http://127.0.0.1:8090"

    [prod]
    url = "https://jobs.example.com"
    api-key = "sjs_…"            # or user = "alice" and password = "…"
"""

import stat
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import typer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from jobserver_client.client import DEFAULT_URL, JobServer

DEFAULT_PROFILE = "default"


def default_profile_file() -> Path:
    return Path(typer.get_app_dir("sjs")) / "config.toml"


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    url: str | None = None
    user: str | None = None
    password: str | None = None
    api_key: str | None = Field(default=None, alias="api-key")

    @property
    def has_credentials(self) -> bool:
        return bool(self.user or self.password or self.api_key)


@dataclass(frozen=True)
class Connection:
    url: str
    auth: tuple[str, str] | None
    api_key: str | None

    def client(self) -> JobServer:
        return JobServer(self.url, auth=self.auth, api_key=self.api_key)


def resolve(given: Profile, profile_name: str | None, profile_file: Path | None) -> Connection:
    """The connection from what was given, completed from the profile. Credentials come whole
    from one place: given ones replace the profile's, so a key in the environment is never
    mixed with a user from the file."""
    stored = load_profile(profile_file or default_profile_file(), profile_name)
    credentials = given if given.has_credentials else stored
    if credentials.api_key and (credentials.user or credentials.password):
        raise typer.BadParameter("give an API key or a user and password, not both")
    if bool(credentials.user) != bool(credentials.password):
        raise typer.BadParameter(
            "a user needs a password (--password or SJS_PASSWORD), and a password a user"
        )
    auth = (credentials.user, credentials.password) if credentials.user and credentials.password else None
    return Connection(given.url or stored.url or DEFAULT_URL, auth, credentials.api_key)


def load_profile(path: Path, name: str | None) -> Profile:
    """The named profile (or `default`); an empty one when the file or the default is missing."""
    if not path.is_file():
        if name:
            raise typer.BadParameter(f"profile {name!r} asked for, but there is no profile file {path}")
        return Profile()
    try:
        profiles = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise typer.BadParameter(f"cannot read the profile file {path}: {e}") from e
    if name and name not in profiles:
        raise typer.BadParameter(f"no profile {name!r} in {path} (it has: {', '.join(profiles) or 'none'})")
    try:
        profile = Profile.model_validate(profiles.get(name or DEFAULT_PROFILE, {}))
    except ValidationError as e:
        raise typer.BadParameter(f"profile {name or DEFAULT_PROFILE!r} in {path}: {e}") from e
    if profile.has_credentials and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(f"warning: {path} holds credentials and others can read it (chmod 600 it)", file=sys.stderr)
    return profile
