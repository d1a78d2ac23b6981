"""The operator's server config: one HOCON file, as SJS's jobserver.conf was, named by the
SERVER_CONFIG setting (no file: every default below).

Settings (infra/config.py) wire the deployment (resource names, endpoints) and come from the
environment; this file holds the operator's policy (who may call, limits on what users send,
contexts preloaded at start, defaults of contexts and jobs, ...). It is the operator's own
trusted text, unlike request bodies, so `${?ENV}` and `include` work as in SJS's jobserver.conf;
sizes and durations stay the text written, as Typesafe Config keeps them (infra/hocon.py).
Keys are written as SJS writes them (kebab-case); each section is a model of its own.
examples/jobserver.conf is a documented example."""

from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, IPvAnyNetwork, model_validator
from pydantic.alias_generators import to_camel

from infra.credentials import check_api_key_hash, check_password_hash
from infra.permissions import check_grant

KIB, MIB = 1024, 1024 * 1024


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in to_camel(name))


class Section(BaseModel):
    """A section of the file: kebab-case keys in the file, snake_case attributes in code."""

    model_config = ConfigDict(alias_generator=_kebab, populate_by_name=True, frozen=True, extra="forbid")


Grant = Annotated[str, AfterValidator(check_grant)]
CONTEXT_NAME = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"  # also a valid part of an SQS queue name
CONTEXT_PREFIX = r"^[A-Za-z][A-Za-z0-9_-]*$"  # what can start a valid context name
ContextPrefix = Annotated[str, Field(pattern=CONTEXT_PREFIX)]


class AuthUser(Section):
    """One user: a password (Basic), API keys (Bearer) or both, stored as hashes."""

    password_hash: Annotated[str, AfterValidator(check_password_hash)] | None = None
    api_keys: tuple[Annotated[str, AfterValidator(check_api_key_hash)], ...] = ()
    permissions: tuple[Grant, ...] = ()
    contexts: tuple[ContextPrefix, ...] | None = None  # name prefixes this user may use; None: all

    @model_validator(mode="after")
    def _can_log_in(self) -> "AuthUser":
        if self.password_hash is None and not self.api_keys:
            raise ValueError("a user needs a password-hash, api-keys or both")
        return self


class JwtMapping(Section):
    """How a JWT's claims (verified by API Gateway's authorizer on AWS) map to the same model."""

    permission_claims: tuple[str, ...] = ("scope", "scp")  # space-separated or list claims
    scope_prefix: str = ""  # e.g. "sjs/" for Cognito's resource-server scopes: "sjs/jobs:read"
    contexts_claim: str = "sjs:contexts"  # absent: every context, as a local user without `contexts`
    name_claim: str = "sub"


class AuthSection(Section):
    """Who may call the API. Off by default, as in SJS; on AWS the HttpApi's JWT authorizer
    authenticates every call whatever this says, and `jwt` maps its claims."""

    enabled: bool = False
    realm: Annotated[str, Field(pattern=r'^[^"\\]+$')] = "spark-jobserver"
    users: dict[Annotated[str, Field(pattern=r"^[^:\s]+$")], AuthUser] = Field(default_factory=dict)
    jwt: JwtMapping = JwtMapping()

    @model_validator(mode="after")
    def _someone_can_log_in(self) -> "AuthSection":
        if self.enabled and not self.users:
            raise ValueError("auth is enabled but no users are configured")
        return self


class Limits(Section):
    """`limits { ... }`: what users may send, each refused with an SJS-shaped 4xx before it costs anything.

    A request body over max-body-bytes is answered 413 before it is read. 6 MiB is Lambda's
    request payload limit, which a deployed API function meets before API Gateway's 10 MB (and
    API Gateway hands a binary body over base64-encoded, a third larger, so there a package over
    about 4.5 MiB already fails): larger packages go up through the presigned upload
    (POST /binaries/{app}/uploads), locally as on AWS.

    Config bodies are checked before they are parsed: size, nesting, and for HOCON (pyhocon's parse
    costs about 10-70 ms of CPU per KB, quadratic in repeated keys and doubling with each
    self-referencing merge: 20 such lines took 30 s) a smaller size and a cap on substitutions;
    at the defaults the worst body measured costs about 1 s. JSON up to max-config-bytes is cheap.
    A job's config is stored in its DynamoDB item (400 KB) beside an inline result of up to 200 KB,
    hence the ceiling on max-config-bytes. Packages are checked from the zip's central directory
    before they are stored or unpacked (infra/archives.py)."""

    max_body_bytes: int = Field(6 * MIB, gt=0)
    max_config_bytes: int = Field(64 * KIB, ge=1, le=150 * KIB)
    max_config_depth: int = Field(16, ge=1, le=24)  # pyhocon's recursion runs out near 25 levels
    max_hocon_bytes: int = Field(8 * KIB, ge=1)
    max_hocon_substitutions: int = Field(12, ge=0)  # ${...} and +=; each self-reference can double the cost
    max_package_bytes: int = Field(128 * MIB, ge=1)  # as uploaded; the deploy function reads a drop whole
    max_package_unpacked_bytes: int = Field(256 * MIB, ge=1)
    max_package_entries: int = Field(65_535, ge=1)
    max_indexed_module_bytes: int = Field(256 * KIB, ge=0)  # larger modules are not read at upload
    callback_allowed_networks: tuple[IPvAnyNetwork, ...] = ()  # e.g. ["127.0.0.0/8"] for local receivers


ConfigObject = dict[str, Any]  # a HOCON object, e.g. a context's config as a POST /contexts body holds it


class SjsSection(Section):
    """A section of SJS's own jobserver.conf: it holds many keys this server has no use for
    (ports, DAOs, Akka), so an SJS operator's file is read without them."""

    model_config = ConfigDict(alias_generator=_kebab, populate_by_name=True, frozen=True, extra="ignore")


class JobserverSection(SjsSection):
    """`spark.jobserver { ... }`."""

    max_jobs_per_context: int = Field(8, ge=1)  # a context's job slots, unless its own config says
    # After a restart of the local stack, the contexts that ran when it stopped start again with
    # their settings (false: they stay ended, FINISHED). functions/domain/resume.py
    restart_contexts_on_start: bool = True


class SparkSection(SjsSection):
    """`spark { ... }`, as SJS's jobserver.conf writes it.

    - `contexts { name { num-cpu-cores = 2, ... } }`: contexts started when the server starts and
      after `PUT /contexts?reset=reboot` (functions/domain/preload.py);
    - `context-settings { ... }`: what every context's config falls back to (preloaded, created
      by POST /contexts, or ad hoc), e.g. `stop-context-on-job-error`, `passthrough`, `hadoop`;
    - `job-defaults { ... }`: what every job's config falls back to, below its context's config.
      SJS let jobs fall back to its whole file; here that would show jobs the auth section, so
      the keys jobs may see are the ones written in this section."""

    jobserver: JobserverSection = JobserverSection()
    contexts: dict[Annotated[str, Field(pattern=CONTEXT_NAME)], ConfigObject] = Field(default_factory=dict)
    context_settings: ConfigObject = Field(default_factory=dict)
    job_defaults: ConfigObject = Field(default_factory=dict)


class Dependencies(Section):
    """`dependencies { ... }`: where packages named by URI in a job's path may come from (SJS's
    `dependent-jar-uris` and `cp` entries). The context host fetches them, never job code; the
    server's own files (`file://`, `local://`, plain paths) are never reachable.

    `s3://` URIs may name the stack's bucket under binaries/ (where packages are dropped) or a
    bucket listed here (on AWS, grant ContextScopedRole s3:GetObject on it). `http(s)://` URIs
    are refused unless they start with one of `http-prefixes`: the operator vouches for those
    servers, private addresses included, so list whole origins and paths, never a bare scheme."""

    s3_buckets: tuple[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")], ...] = ()
    http_prefixes: tuple[Annotated[str, Field(pattern=r"^https?://[^/?#]+/")], ...] = ()


class GatewaySection(Section):
    """`gateway { ... }`: how long a request may keep its caller waiting. API Gateway's HTTP API
    ends a request after 30 s, so past `max-wait-seconds` a context still starting is answered
    202 STARTING and a sync job still running 202 with its id (GET shows them on); set locally
    alike, so what works here works behind the gateway."""

    max_wait_seconds: float = Field(25.0, gt=0, le=3600)


class ProgressSection(Section):
    """`progress { ... }`: how a context host follows its running jobs (context_host/progress.py).

    Every `sample-seconds` it reads each running job's Spark progress (one call into its JVM) and
    writes it to the job's record when it changed, and saves the job's output when it grew; a job
    that ends sooner pays neither (its last progress goes with its end, its log right after).
    `event-seconds` > 0 also sends `Job Progress` events, at most one per job in that many
    seconds; 0 (the default) sends none. A job's log keeps its first `max-log-bytes`."""

    sample_seconds: float = Field(1.0, ge=0.2, le=60)
    event_seconds: float = Field(0.0, ge=0)
    max_log_bytes: int = Field(1 * MIB, ge=1 * KIB, le=16 * MIB)


class ServerConfig(Section):
    model_config = ConfigDict(alias_generator=_kebab, populate_by_name=True, frozen=True, extra="ignore")

    auth: AuthSection = AuthSection()
    limits: Limits = Limits()
    spark: SparkSection = SparkSection()
    dependencies: Dependencies = Dependencies()
    gateway: GatewaySection = GatewaySection()
    progress: ProgressSection = ProgressSection()


def parse_server_config(text: str, basedir: str | None = None) -> ServerConfig:
    """`basedir`: where the file's includes are found (the file's own folder)."""
    from infra.hocon import parse_operator_hocon

    # as_plain_ordered_dict, not items(): pyhocon keeps the quotes of quoted keys ("alice@example.com")
    return ServerConfig.model_validate(parse_operator_hocon(text, basedir).as_plain_ordered_dict())


@cache
def load_server_config(path: str) -> ServerConfig:
    """The config in `path`, read once per process; an empty path gives the defaults."""
    if not path:
        return ServerConfig()
    return parse_server_config(Path(path).read_text(), str(Path(path).resolve().parent))
