"""Auth through the API function, as API Gateway invokes it: 401 without or with wrong credentials,
403 for each route's permission (a user lacking exactly it) and for contexts outside a user's
prefixes, the route's own answer with the permission, /healthz and the OpenAPI page open, and the
JWT path a Lambda behind the HttpApi's authorizer sees."""

import base64
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pytest

from events.sample_events import load_event
from events.states import ContextState, JobStatus
from functions.api.app import app, lambda_handler
from functions.wiring import services
from infra.clock import now_ms
from infra.credentials import hash_api_key, hash_password, password_matches
from infra.local.lambda_runtime import LocalLambdaContext
from infra.permissions import Permission
from infra.server_config import parse_server_config
from infra.stores.contexts import ContextStore
from tests.unit.test_api_contexts import live_context
from tests.unit.test_api_jobs import job_on

ADMIN_PASSWORD = "correct horse battery staple"
ADMIN_HASH = hash_password(ADMIN_PASSWORD)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as OpenAPI names it; {ctx} and {job} are filled per test
    permission: Permission
    answer: int  # what the route itself says to a caller holding the permission
    body: str = ""


APP = "authz-app"
ROUTES = [
    Route("GET", "/binaries", Permission.BINARIES_READ, 200),
    Route("POST", "/binaries/{app_name}", Permission.BINARIES_UPLOAD, 201),
    Route("POST", "/binaries/{app_name}/uploads", Permission.BINARIES_UPLOAD, 201),
    Route("GET", "/binaries/{app_name}", Permission.BINARIES_READ, 200),
    Route("DELETE", "/binaries/{app_name}", Permission.BINARIES_DELETE, 404),  # of an app never uploaded
    Route("GET", "/contexts", Permission.CONTEXTS_READ, 200),
    Route("POST", "/contexts/{name}", Permission.CONTEXTS_START, 400),  # it exists already
    Route("GET", "/contexts/{name}", Permission.CONTEXTS_READ, 200),
    Route("DELETE", "/contexts/{name}", Permission.CONTEXTS_DELETE, 404),  # of a context never started
    Route("PUT", "/contexts", Permission.CONTEXTS_RESET, 400),  # a reset SJS has not (the world lives on)
    Route("GET", "/jobs", Permission.JOBS_READ, 200),
    Route("POST", "/jobs", Permission.JOBS_START, 404, "input.strings = [a]"),  # an app never uploaded
    Route("GET", "/jobs/{job_id}", Permission.JOBS_READ, 200),
    Route("GET", "/jobs/{job_id}/config", Permission.JOBS_READ, 200),
    Route("GET", "/jobs/{job_id}/logs", Permission.JOBS_READ, 200),
    Route("DELETE", "/jobs/{job_id}", Permission.JOBS_DELETE, 200),  # a failed job answers its error
    Route("GET", "/jars", Permission.BINARIES_READ, 200),
    Route("POST", "/jars/{app_name}", Permission.BINARIES_UPLOAD, 200),
    Route("DELETE", "/jars/{app_name}", Permission.BINARIES_DELETE, 404),  # of an app never uploaded
    Route("GET", "/data", Permission.DATA_READ, 200),
    Route("POST", "/data/{prefix}", Permission.DATA_UPLOAD, 200),
    Route("DELETE", "/data/{file_name}", Permission.DATA_DELETE, 400),  # of a file never stored (as SJS)
    Route("PUT", "/data", Permission.DATA_RESET, 200),
    Route("GET", "/metricz", Permission.METRICS_READ, 200),
]
OPEN = {("GET", "/healthz")}
ROUTE_PERMISSIONS = sorted({route.permission for route in ROUTES})


def only(permission: Permission) -> str:
    """The user (and API key) holding just this permission."""
    return f"only-{permission.replace(':', '-')}"


def all_but(permission: Permission) -> str:
    """The user (and API key) holding every permission but this one."""
    return f"all-but-{permission.replace(':', '-')}"


def user(name: str, permissions: list[str], contexts: list[str] | None = None) -> str:
    """A user whose API key is its name."""
    scope = f", contexts = {json.dumps(contexts)}" if contexts is not None else ""
    return f'{name} {{ api-keys = ["{hash_api_key(name)}"], permissions = {json.dumps(permissions)}{scope} }}'


def config_text() -> str:
    """admin (Basic, everything); only-… and all-but-… for each route's permission; team-a
    (scoped by prefix), reader (*:read), jobs-parent (SJS's `jobs`), nowhere (no contexts)."""
    users = [f'admin {{ password-hash = "{ADMIN_HASH}", permissions = ["*"] }}']
    for p in ROUTE_PERMISSIONS:
        users.append(user(only(p), [p]))
        users.append(user(all_but(p), [q for q in Permission if q != p]))
    users.append(user("team-a", ["jobs", "contexts"], ["team-a-"]))
    users.append(user("reader", ["*:read"]))
    users.append(user("jobs-parent", ["jobs"]))
    users.append(user("nowhere", ["*"], []))
    entries = "\n    ".join(users)
    return f'auth {{\n  enabled = true\n  realm = "test realm"\n  users {{\n    {entries}\n  }}\n}}'


@pytest.fixture
def use_config(aws, tmp_path, monkeypatch):
    """Point SERVER_CONFIG at a file with this text, as an operator would."""

    def use(text: str) -> None:
        path = tmp_path / f"server-{uuid.uuid4().hex[:6]}.conf"
        path.write_text(text)
        monkeypatch.setenv("SERVER_CONFIG", str(path))
        services.cache_clear()

    yield use
    services.cache_clear()


@pytest.fixture
def secured(use_config):
    use_config(config_text())


@dataclass(frozen=True)
class World:
    team_context: str  # live, inside team-a's prefix
    other_context: str  # live, outside it
    team_job: str  # ERROR, on team_context
    other_job: str  # ERROR, on other_context


@pytest.fixture(scope="module")
def world(aws, example_egg) -> Iterator[World]:
    """Shared by the module's tests: hosts that beat until the module ends, then end."""
    beating = now_ms() + 600_000
    contexts = [
        live_context(aws, f"{prefix}-{uuid.uuid4().hex[:6]}", heartbeat_ms=beating)
        for prefix in ("team-a", "other")
    ]
    team, other = (record.name for record in contexts)
    services().binaries.upload(APP, example_egg, "application/python-egg")
    yield World(
        team, other, job_on(aws, team, JobStatus.ERROR).jobId, job_on(aws, other, JobStatus.ERROR).jobId
    )
    for record in contexts:  # ended, so that no later test finds them silent
        ContextStore(aws.contexts_table).end(record.name, record.contextId, ContextState.FINISHED)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def concrete(route: Route, world: World) -> str:
    path = route.path.format(
        app_name=APP, name=world.team_context, job_id=world.team_job, prefix="authz", file_name="never.dat"
    )
    if route.path in ("/binaries/{app_name}", "/jars/{app_name}") and route.method == "DELETE":
        path = route.path.format(app_name="never-uploaded")
    if route.path == "/jars/{app_name}" and route.method == "POST":
        path = "/jars/authz-jar"  # a version of its own: APP stays the egg the other tests use
    if route.path == "/data" and route.method == "PUT":
        path += "?reset=reboot"
    if route.path == "/contexts/{name}" and route.method == "DELETE":
        path = "/contexts/team-a-never-started"
    if route.path == "/contexts" and route.method == "PUT":
        path += "?reset=everything"
    if route.path == "/binaries/{app_name}/uploads":
        path += "?fileName=jobs.egg"
    if route.path == "/jobs" and route.method == "POST":
        path += f"?appName=never-uploaded&classPath=a.B&context={world.team_context}"
    return path


def route_id(route: Route) -> str:
    return f"{route.method} {route.path}"


def test_the_table_names_every_route_of_the_api():
    """A new route must declare its permission (and join this table) or be listed as open."""
    described = {
        (method.upper(), path)
        for path, item in app.get_openapi_schema().paths.items()
        for method in ("get", "post", "put", "patch", "delete")
        if getattr(item, method, None)
    }
    assert described == {(r.method, r.path) for r in ROUTES} | OPEN


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_every_route_answers_401_without_credentials(api, secured, world, route):
    answer = api(route.method, concrete(route, world), route.body)
    assert answer.status == 401
    assert answer.body["status"] == "ERROR"
    assert answer.body["result"].startswith("Authentication required")
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="test realm"'


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_each_route_is_403_for_a_user_lacking_exactly_its_permission(api, secured, world, route):
    answer = api(route.method, concrete(route, world), route.body, bearer(all_but(route.permission)))
    assert answer.status == 403, answer.body
    assert answer.body == {
        "status": "ERROR",
        "result": f"User {all_but(route.permission)} lacks the permission {route.permission}",
    }


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_each_route_runs_for_a_user_with_only_its_permission(api, secured, world, example_egg, route):
    body = example_egg if route.permission is Permission.BINARIES_UPLOAD else route.body
    answer = api(route.method, concrete(route, world), body, bearer(only(route.permission)))
    assert answer.status == route.answer, answer.body


def test_basic_credentials_as_sjs_and_python_sjsclient_send_them(api, secured):
    assert api("GET", "/contexts", headers=basic("admin", ADMIN_PASSWORD)).status == 200
    assert api("GET", "/contexts", headers=basic("admin", ADMIN_PASSWORD)).status == 200  # cached check


@pytest.mark.parametrize(
    "headers",
    [
        basic("admin", "wrong"),
        basic("nobody", ADMIN_PASSWORD),
        basic(only(Permission.JOBS_READ), only(Permission.JOBS_READ)),  # a key is no password
        bearer("wrong-key"),
        bearer(ADMIN_PASSWORD),
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
    ],
    ids=[
        "bad-password",
        "unknown-user",
        "key-as-password",
        "bad-key",
        "password-as-key",
        "garbled",
        "no-colon",
    ],
)
def test_wrong_credentials_are_401(api, secured, headers):
    answer = api("GET", "/contexts", headers=headers)
    assert answer.status == 401
    assert answer.body["status"] == "ERROR"
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="test realm"'


def test_other_schemes_and_x_api_key_are_401_with_a_hint(api, secured):
    digest = api("GET", "/contexts", headers={"Authorization": 'Digest username="admin"'})
    assert digest.status == 401 and "use Basic or Bearer" in digest.body["result"]
    x_api_key = api("GET", "/contexts", headers={"X-Api-Key": only(Permission.CONTEXTS_READ)})
    assert x_api_key.status == 401 and "X-Api-Key is not read" in x_api_key.body["result"]


def test_sjs_parent_and_wildcard_grants(api, secured, world):
    parent = bearer("jobs-parent")  # SJS's `jobs`: every jobs:… permission, nothing else
    assert api("GET", "/jobs", headers=parent).status == 200
    assert api("DELETE", f"/jobs/{world.team_job}", headers=parent).status == 200
    assert api("GET", "/contexts", headers=parent).status == 403
    reader = bearer("reader")  # *:read
    for path in (
        "/binaries",
        "/contexts",
        "/jobs",
        f"/jobs/{world.team_job}",
        f"/contexts/{world.team_context}",
    ):
        assert api("GET", path, headers=reader).status == 200, path
    assert api("DELETE", f"/jobs/{world.team_job}", headers=reader).status == 403
    assert api("POST", f"/contexts/{world.team_context}", headers=reader).status == 403


def test_quoted_user_names_log_in(api, use_config):
    alice = f'"alice@example.com" {{ api-keys = ["{KEY}"], permissions = ["*"] }}'
    use_config(f"auth {{ enabled = true, users {{ {alice} }} }}")
    assert api("GET", "/contexts", headers=bearer("k")).status == 200


def test_a_scoped_user_uses_only_contexts_of_their_prefix(api, secured, world):
    team = bearer("team-a")
    names = api("GET", "/contexts", headers=team).body
    assert world.team_context in names and world.other_context not in names
    assert api("GET", f"/contexts/{world.team_context}", headers=team).status == 200
    # Naming a context outside the prefix is 403 whether or not it exists: nothing is told.
    for method, path in [
        ("GET", f"/contexts/{world.other_context}"),
        ("GET", "/contexts/other-never-started"),
        ("POST", "/contexts/other-new"),
        ("DELETE", f"/contexts/{world.other_context}"),
        ("POST", f"/jobs?appName={APP}&classPath=a.B&context={world.other_context}"),
    ]:
        answer = api(method, path, headers=team)
        assert answer.status == 403, (method, path)
        assert "may not use context" in answer.body["result"]
        assert "(allowed prefixes: team-a-)" in answer.body["result"]
    assert api("GET", f"/contexts/{world.other_context}").status == 401  # still live, untouched


def test_a_warm_up_job_needs_the_right_to_start_jobs_too(api, secured, world):
    """A warm-up runs job code on the context: creating a context is not enough to name one."""
    name = f"warm-{uuid.uuid4().hex[:6]}"
    body = f'warm-up {{ app = {APP}, classPath = "example_jobs.word_count.WordCountSparkJob" }}'
    answer = api("POST", f"/contexts/{name}", body, bearer(only(Permission.CONTEXTS_START)))
    assert answer.status == 403, answer.body
    assert answer.body["result"] == f"User {only(Permission.CONTEXTS_START)} lacks the permission jobs:start"
    assert name not in api("GET", "/contexts", headers=bearer(only(Permission.CONTEXTS_READ))).body


def test_jobs_of_other_contexts_are_invisible_to_a_scoped_user(api, secured, world):
    team = bearer("team-a")
    listed = api("GET", "/jobs?limit=1000", headers=team).body
    assert world.team_job in {job["jobId"] for job in listed}
    assert all(job["context"].startswith("team-a-") for job in listed)
    for method, path in [
        ("GET", f"/jobs/{world.other_job}"),
        ("GET", f"/jobs/{world.other_job}/config"),
        ("GET", f"/jobs/{world.other_job}/logs"),
        ("DELETE", f"/jobs/{world.other_job}"),
    ]:
        answer = api(method, path, headers=team)
        assert answer.status == 404, (method, path)
        assert answer.body == {"status": "ERROR", "result": f"No such job ID {world.other_job}"}
    assert api("GET", f"/jobs/{world.team_job}", headers=team).status == 200
    assert api("GET", f"/jobs/{world.other_job}", headers=basic("admin", ADMIN_PASSWORD)).status == 200


def test_a_user_scoped_to_no_context_cannot_run_ad_hoc_jobs(api, secured):
    answer = api("POST", f"/jobs?appName={APP}&classPath=a.B", headers=bearer("nowhere"))
    assert answer.status == 403 and "no ad-hoc job" in answer.body["result"]
    assert api("GET", "/jobs", headers=bearer("nowhere")).body == []


def test_healthz_and_the_openapi_page_stay_open(api, secured):
    assert api("GET", "/healthz").status == 200
    page = api("GET", "/swagger?format=json")
    assert page.status == 200
    assert set(page.body["components"]["securitySchemes"]) == {"basic", "bearer"}


def test_a_malformed_request_is_described_only_to_an_authenticated_caller(api, secured):
    assert api("POST", "/contexts/team-a-x?num-cpu-cores=0").status == 401
    assert api("POST", "/contexts/team-a-x?num-cpu-cores=0", headers=bearer("team-a")).status == 400


# --- AWS: the HttpApi's JWT authorizer has verified the token; claims arrive in the event -------


def invoke_with_claims(
    method: str, path: str, claims: dict[str, str], scopes: list[str] | None = None
) -> dict:
    """The sample event API Gateway sends behind a JWT authorizer, with these claims."""
    event = load_event("ApiFunction/list_jobs_with_jwt")
    path, _, query = path.partition("?")
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["rawQueryString"] = query
    event["queryStringParameters"] = dict(parse_qsl(query)) or None
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["authorizer"]["jwt"] = {"claims": claims, "scopes": scopes}
    response = lambda_handler(event, LocalLambdaContext("ApiFunction", "test"))
    return {"status": response["statusCode"], "body": json.loads(response["body"])}


def test_jwt_scopes_are_permissions_and_a_claim_scopes_contexts(use_config, world):
    use_config('auth { jwt { scope-prefix = "sjs/" } }')  # auth.enabled is off: AWS enforces the JWT
    claims = {
        "sub": "a1b2",
        "token_use": "access",
        "scope": "openid sjs/contexts:read sjs/jobs:read other-api/jobs:start",
        "sjs:contexts": "[team-a- team-b-]",  # API Gateway flattens a list claim so
    }
    contexts = invoke_with_claims("GET", "/contexts", claims)
    assert contexts["status"] == 200
    assert world.team_context in contexts["body"] and world.other_context not in contexts["body"]
    jobs = {job["jobId"] for job in invoke_with_claims("GET", "/jobs?limit=1000", claims)["body"]}
    assert world.team_job in jobs and world.other_job not in jobs
    assert invoke_with_claims("GET", f"/contexts/{world.other_context}", claims)["status"] == 403
    refused = invoke_with_claims("DELETE", f"/jobs/{world.team_job}", claims)  # other-api's scope counts not
    assert refused == {
        "status": 403,
        "body": {"status": "ERROR", "result": "User a1b2 lacks the permission jobs:delete"},
    }


def test_jwt_list_claims_and_a_token_without_permissions(use_config, world):
    use_config('auth { jwt { permission-claims = ["cognito:groups"], name-claim = "username" } }')
    admins = {"sub": "x", "username": "carol", "cognito:groups": "[jobs *:read]"}
    assert (
        invoke_with_claims("DELETE", f"/jobs/{world.other_job}", admins)["status"] == 200
    )  # no contexts claim: all
    assert invoke_with_claims("GET", "/binaries", admins)["status"] == 200
    nothing = invoke_with_claims(
        "GET", "/binaries", {"sub": "x", "username": "dave", "scope": "openid email"}
    )
    assert nothing == {
        "status": 403,
        "body": {"status": "ERROR", "result": "User dave lacks the permission binaries:read"},
    }


# --- the operator's side: the hash command and the config's checks ---------------------------------


def test_the_hash_command_prints_lines_for_the_config():
    command = [sys.executable, "-m", "functions.api.auth"]
    hashed = subprocess.run([*command, "hash"], input="s3cret\n", capture_output=True, text=True, check=True)
    keyed = subprocess.run([*command, "key"], capture_output=True, text=True, check=True)
    key = keyed.stdout.split("it is shown once): ")[1].split()[0]
    password_line, key_line = hashed.stdout.strip(), keyed.stdout.splitlines()[1]
    config = parse_server_config(
        f"auth {{ enabled = true, users {{ u {{\n{password_line}\n{key_line}\n}} }} }}"
    )
    entry = config.auth.users["u"]
    assert entry.password_hash and password_matches("s3cret", entry.password_hash)
    assert entry.api_keys == (hash_api_key(key),)
    assert "s3cret" not in hashed.stdout


KEY = hash_api_key("k")


@pytest.mark.parametrize(
    "text",
    [
        "auth { enabled = true }",  # nobody could log in
        'auth { users { u { permissions = ["*"] } } }',  # neither password nor key
        'auth { users { u { password-hash = "s3cret" } } }',  # a plain password is no hash
        f'auth {{ users {{ u {{ api-keys = ["{KEY}"], permissions = ["job:read"] }} }} }}',  # a typo
        f'auth {{ users {{ u {{ api-keys = ["{KEY}"], contexts = ["9x"] }} }} }}',  # no name starts so
        f'auth {{ users {{ "a:b" {{ api-keys = ["{KEY}"] }} }} }}',  # Basic splits at the colon
    ],
)
def test_the_config_refuses_what_would_fail_silently(text):
    with pytest.raises(ValueError):
        parse_server_config(text)
