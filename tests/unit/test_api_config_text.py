"""Config text is data: job and context bodies through the API function, on moto in-process.
Substitutions resolve within the body only, include is refused without reading anything, sizes
and durations stay the text written, and the limits answer 400 before a parser runs."""

import json
import re
import socket
import uuid

import pytest

from infra.aws import client
from tests.unit.test_api_contexts import live_context
from tests.unit.test_api_jobs import WORDCOUNT

SECRET = "hunter2-from-the-environment"


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SJS_TEST_SECRET", SECRET)
    return SECRET


def submit(api, app: str, body: str | bytes, **params: str):
    query = "&".join(f"{k}={v}" for k, v in {"appName": app, "classPath": WORDCOUNT, **params}.items())
    return api("POST", f"/jobs?{query}", body)


def stored_config(api, aws, app: str, body: str) -> dict:
    """Submit `body` as a job's config and read it back with GET /jobs/{id}/config. No host runs
    here, so the job is recorded and a one-second sync call gives up waiting for it."""
    context = live_context(aws, f"cfg-{uuid.uuid4().hex[:6]}")
    answer = submit(api, app, body, context=context.name, sync="true", timeout="1")
    assert answer.status == 504, answer.body
    job_id = re.match(r"Job (\S+) did not finish", answer.body["result"]).group(1)
    config = api("GET", f"/jobs/{job_id}/config")
    assert config.status == 200
    return config.body


def stored_anywhere(aws, text: str) -> bool:
    tables = (aws.jobs_table, aws.contexts_table)
    return any(text in json.dumps(client("dynamodb").scan(TableName=t)["Items"]) for t in tables)


@pytest.mark.parametrize(
    "body",
    [
        "k = ${SJS_TEST_SECRET}",
        "k = ${AWS_SECRET_ACCESS_KEY}",
        "k = ${PATH}",
        'k = "prefix-"${SJS_TEST_SECRET}',
        "SJS_TEST_SECRET = ${SJS_TEST_SECRET}",  # a key naming itself: pyhocon's other way to the env
        "nested { SJS_TEST_SECRET = ${SJS_TEST_SECRET} }",
    ],
)
def test_the_environment_is_never_substituted(api, aws, app_name, secret_env, body):
    answer = submit(api, app_name, body)
    assert answer.status == 400
    assert answer.body["status"] == "ERROR" and "Cannot resolve" in answer.body["result"]
    assert secret_env not in json.dumps(answer.body)
    assert not stored_anywhere(aws, secret_env)


def test_a_context_body_cannot_reach_the_environment_either(api, aws, secret_env):
    answer = api("POST", "/contexts/envprobe", "spark.executorEnv.STOLEN = ${SJS_TEST_SECRET}")
    assert answer.status == 400 and "Cannot resolve" in answer.body["result"]
    assert api("GET", "/contexts/envprobe").status == 404
    assert not stored_anywhere(aws, secret_env)


def test_the_stored_config_is_the_text_as_data(api, aws, app_name, secret_env):
    body = """
        quoted = "${SJS_TEST_SECRET}"
        home = ${?HOME}
        maybe = ${?SJS_TEST_SECRET}
        a = 1
        b = ${a}
        greeting = hello ${a}
        timeout = 10s
        memory-per-node = 512m
        spelled = 10 seconds
        mixed = [1s, 2g, 3]
        "dotted.key" = kept
        nothing = null
    """
    assert stored_config(api, aws, app_name, body) == {
        "quoted": "${SJS_TEST_SECRET}",
        "a": 1,
        "b": 1,
        "greeting": "hello 1",
        "timeout": "10s",
        "memory-per-node": "512m",
        "spelled": "10 seconds",
        "mixed": ["1s", "2g", 3],
        "dotted.key": "kept",
        "nothing": None,
    }


@pytest.fixture
def listener():
    """A port that would show any connection made to it."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        yield server


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.conf"
    path.write_text('stolen = "hunter2-from-a-file"\n')
    return path


@pytest.mark.parametrize(
    "include",
    [
        'include file("/etc/passwd")',
        'include file("{secret}")',
        'include required(file("{secret}"))',
        'include "{secret}"',
        'include "x.conf"',
        'include "{folder}/*.conf"',
        'include url("http://127.0.0.1:{port}/")',
        'include required(url("http://127.0.0.1:{port}/a.conf"))',
        'include "http://127.0.0.1:{port}/b.conf"',
        'include package("example_jobs:x.conf")',
        'INCLUDE file("{secret}")',
        'nested {{ include file("{secret}") }}',
        'a = 1\ninclude file("{secret}")\nb = ${{a}}',
    ],
)
def test_includes_are_refused_and_nothing_is_read(api, aws, app_name, listener, secret_file, include):
    body = include.format(secret=secret_file, folder=secret_file.parent, port=listener.getsockname()[1])
    for answer in (submit(api, app_name, body), api("POST", "/contexts/includer", body)):
        assert answer.status == 400
        assert "is not allowed in a request's config" in answer.body["result"]
        assert "hunter2" not in json.dumps(answer.body)
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected
    assert not stored_anywhere(aws, "hunter2")


@pytest.mark.parametrize(
    "body",
    ["a = 1e400", "a = [-1e999]", '{"a": NaN}', '{"a": Infinity}', '{"a": -1e400}', '{"a": "\\ud800"}'],
)
def test_values_json_or_unicode_cannot_carry_are_400s(api, app_name, body):
    answer = submit(api, app_name, body)
    assert answer.status == 400 and answer.body["result"].startswith("Cannot parse config")


def test_a_body_within_the_limits_reaches_the_route(api):
    big_json = json.dumps({"input": {"strings": ["word"] * 6000}})  # 48 KB, under 64 KiB
    answer = submit(api, "no-such-app", big_json)
    assert answer.status == 404  # parsed; then the app is looked up


@pytest.mark.parametrize(
    ("body", "limit"),
    [
        (json.dumps({"data": "x" * 500_000}), "limits.max-config-bytes"),
        (b"k = " + b"x" * 12_000_000, "limits.max-config-bytes"),
        ('{"a": "' + "é" * 30_000 + '"}', "limits.max-config-bytes"),  # 60 KB sent, 180 KB stored
        ('{"a":' * 3000 + "1" + "}" * 3000, "limits.max-config-depth"),
        ("[" * 3000 + "]" * 3000, "limits.max-config-depth"),
        ("a = " + "{b = " * 17 + "1" + "}" * 17, "limits.max-config-depth"),
        (".".join(["a"] * 20) + " = 1", "limits.max-config-depth"),
        ("\n".join(f"key{i} = value{i}" for i in range(1000)), "limits.max-hocon-bytes"),
        (
            "k = {}\n" + "\n".join(f"k = ${{k}} {{a{i} = 1}}" for i in range(20)),
            "limits.max-hocon-substitutions",
        ),
    ],
)
def test_bodies_over_a_limit_are_400s_naming_it(api, app_name, body, limit):
    answer = submit(api, app_name, body)
    assert answer.status == 400
    assert answer.body["status"] == "ERROR" and limit in answer.body["result"]


def test_hocon_over_its_limit_is_told_to_come_as_json(api, app_name):
    hocon = "\n".join(f"key{i} = value{i}" for i in range(1000))
    assert "Send a larger config as JSON" in submit(api, app_name, hocon).body["result"]
    as_json = json.dumps({f"key{i}": f"value{i}" for i in range(1000)})
    assert submit(api, "no-such-app", as_json).status == 404  # the same config as JSON passes


def test_dotted_keys_nesting_thousands_deep_are_a_400(api, app_name):
    answer = submit(api, app_name, ".".join(["a"] * 3000) + " = 1")
    assert answer.status == 400 and "nests too deeply" in answer.body["result"]


def test_the_operator_sets_the_limits(api, configure):
    configure("limits { max-config-bytes = 100, max-hocon-bytes = 40, max-config-depth = 2 }")
    assert "(limits.max-config-bytes)" in submit(api, "x", json.dumps({"k": "v" * 100})).body["result"]
    assert "(limits.max-hocon-bytes)" in submit(api, "x", "k = " + "v" * 40).body["result"]
    assert "(limits.max-config-depth)" in submit(api, "x", '{"a": {"b": {"c": 1}}}').body["result"]
    assert submit(api, "x", '{"a": {"b": 1}}').status == 404
