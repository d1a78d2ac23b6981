"""A stack started with auth on (SERVER_CONFIG names the operator's file): python-sjsclient works
with Basic credentials as with SJS's Shiro, every route is 401 without them and 403 without its
permission, and a user scoped to a context prefix keeps to it, ad-hoc jobs included."""

import collections
import collections.abc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.credentials import hash_password
from infra.permissions import Permission
from tests.integration.conftest import WORDCOUNT, Stack, running_stack, unique
from tests.support.sjs_command import sjs as sjs_command

collections.MutableMapping = collections.abc.MutableMapping  # the client predates Python 3.10

from sjsclient import client as sjs  # noqa: E402
from sjsclient import exceptions  # noqa: E402
from sjsclient.app import AppType  # noqa: E402

ADMIN = ("admin", "admin-secret")
TEAM_A = ("team-a", "team-a-secret")
OUTSIDER = ("outsider", "outsider-secret")  # holds data:read only
READER = ("reader", "reader-secret")  # holds jobs:read only: the outsider of GET /data
ROUTES = [  # (method, path, permission): every route of the API but /healthz
    ("GET", "/binaries", Permission.BINARIES_READ),
    ("POST", "/binaries/x", Permission.BINARIES_UPLOAD),
    ("POST", "/binaries/x/uploads", Permission.BINARIES_UPLOAD),
    ("GET", "/binaries/x", Permission.BINARIES_READ),
    ("DELETE", "/binaries/x", Permission.BINARIES_DELETE),
    ("GET", "/contexts", Permission.CONTEXTS_READ),
    ("POST", "/contexts/x", Permission.CONTEXTS_START),
    ("GET", "/contexts/x", Permission.CONTEXTS_READ),
    ("DELETE", "/contexts/x", Permission.CONTEXTS_DELETE),
    ("PUT", "/contexts?reset=reboot", Permission.CONTEXTS_RESET),
    ("GET", "/jobs", Permission.JOBS_READ),
    ("POST", "/jobs?appName=x&classPath=a.B", Permission.JOBS_START),
    ("GET", "/jobs/x", Permission.JOBS_READ),
    ("GET", "/jobs/x/config", Permission.JOBS_READ),
    ("DELETE", "/jobs/x", Permission.JOBS_DELETE),
    ("GET", "/jars", Permission.BINARIES_READ),
    ("POST", "/jars/x", Permission.BINARIES_UPLOAD),
    ("DELETE", "/jars/x", Permission.BINARIES_DELETE),
    ("GET", "/data", Permission.DATA_READ),
    ("POST", "/data/x", Permission.DATA_UPLOAD),
    ("DELETE", "/data/x.dat", Permission.DATA_DELETE),
    ("PUT", "/data?reset=reboot", Permission.DATA_RESET),
]


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config = tmp_path_factory.mktemp("secured") / "server.conf"
    config.write_text(
        f"""
        auth {{
          enabled = true
          users {{
            {ADMIN[0]} {{ password-hash = "{hash_password(ADMIN[1])}", permissions = ["*"] }}
            {TEAM_A[0]} {{
              password-hash = "{hash_password(TEAM_A[1])}"
              permissions = [jobs, contexts, "binaries:read"]
              contexts = ["team-a-"]
            }}
            {OUTSIDER[0]} {{ password-hash = "{hash_password(OUTSIDER[1])}", permissions = ["data:read"] }}
            {READER[0]} {{ password-hash = "{hash_password(READER[1])}", permissions = ["jobs:read"] }}
          }}
        }}
        """
    )
    with running_stack(STACK_NAME="sjs-auth", API_WORKERS="2", SERVER_CONFIG=str(config)) as stack:
        stack.auth = ADMIN  # the default of stack.call; tests pass others
        yield stack


def test_every_route_is_401_without_credentials_and_403_without_its_permission(secured):
    assert secured.call("GET", "/healthz", auth=None).status_code == 200
    for method, path, permission in ROUTES:
        anonymous = secured.call(method, path, auth=None)
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.headers["WWW-Authenticate"] == 'Basic realm="spark-jobserver"'
        assert anonymous.json()["status"] == "ERROR"
        outsider = READER if permission is Permission.DATA_READ else OUTSIDER
        refused = secured.call(method, path, auth=outsider)
        assert refused.status_code == 403, (method, path)
        assert refused.json() == {
            "status": "ERROR",
            "result": f"User {outsider[0]} lacks the permission {permission}",
        }
        assert secured.call(method, path, auth=(ADMIN[0], "wrong")).status_code == 401


def test_python_sjsclient_with_basic_and_a_team_scoped_to_its_prefix(secured, example_egg):
    admin = sjs.Client(secured.url, auth=ADMIN)
    app = admin.apps.create(unique("secured"), example_egg, AppType.PYTHON)
    context = admin.contexts.create(unique("team-a"), {"num-cpu-cores": 1})
    secured.host_group(context.name)

    team = sjs.Client(secured.url, auth=TEAM_A)
    job = team.jobs.create(app, WORDCOUNT, conf='input.strings = ["x", "y", "x"]', ctx=context, sync=True)
    assert job.result == {"x": 2, "y": 1}
    assert team.jobs.get(job.jobId).get_config() == {"input": {"strings": ["x", "y", "x"]}}
    assert context.name in [c.name for c in team.contexts.list()]

    # An ad-hoc job of a scoped user runs in a transient context inside its prefix (the client
    # cannot pass a timeout, and a transient context takes a Spark start).
    query = f"appName={app.name}&classPath={WORDCOUNT}&sync=true&timeout=120"
    adhoc = secured.call("POST", f"/jobs?{query}", data='input.strings = ["z"]', auth=TEAM_A)
    assert adhoc.status_code == 200, adhoc.text
    assert adhoc.json()["result"] == {"z": 1}
    assert adhoc.json()["context"].startswith("team-a-adhoc-")

    with pytest.raises(exceptions.HttpException) as outside:
        team.contexts.create(unique("other"), {"num-cpu-cores": 1})
    assert outside.value.status_code == 403
    with pytest.raises(exceptions.HttpException) as anonymous:
        list(sjs.Client(secured.url).contexts.list())  # a generator: the call happens here
    assert anonymous.value.status_code == 401

    team.contexts.delete(context.name)
    assert context.name not in [c.name for c in admin.contexts.list()]


def test_sjs_takes_credentials_from_the_environment_or_a_profile(secured, tmp_path: Path):
    anonymous = sjs_command(secured, "contexts", "list")
    assert anonymous.returncode == 3 and "Error 401 ERROR: Authentication required" in anonymous.stderr
    admin = sjs_command(secured, "binaries", "list", "-o", "json", SJS_USER=ADMIN[0], SJS_PASSWORD=ADMIN[1])
    assert admin.returncode == 0 and isinstance(json.loads(admin.stdout), dict)
    profiles = tmp_path / "config.toml"
    profiles.write_text(f'[team]\nurl = "{secured.url}"\nuser = "{TEAM_A[0]}"\npassword = "{TEAM_A[1]}"\n')
    profiles.chmod(0o600)
    team = {"SJS_CONFIG": str(profiles), "SJS_PROFILE": "team"}
    assert sjs_command(secured, "jobs", "list", **team).returncode == 0
    outside = sjs_command(secured, "contexts", "create", unique("other"), **team)
    assert outside.returncode == 3
    assert f"Error 403 ERROR: User {TEAM_A[0]} may not use context" in outside.stderr
