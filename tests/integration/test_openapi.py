"""The API description at /swagger: a valid OpenAPI 3.1 document that says what the server does.
Every operation has a summary and a tag, no phantom 422; each documented response example is
answered by the real stack with the documented status, in a body the documented schema accepts;
and Swagger UI's "Try it out" uploads a package and runs a job in headless Chromium."""

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from playwright.sync_api import Browser, Page, expect

from tests.integration.conftest import SLOW, WORDCOUNT, Stack, unique
from tests.support.browser import chromium, screenshot

WORDS = 'input.strings = ["a", "b", "a"]'
MIB = 1024 * 1024
# Documented, and proved elsewhere: here they would stop the shared stack's contexts or delete its data.
PROVED_ELSEWHERE = {
    ("PUT /contexts", "200", "rebooted"): "tests/integration/test_server_config.py (reset=reboot)",
    ("PUT /data", "200", "reset"): "tests/integration/test_data_files.py::test_reset_reboot_empties_data",
}
# The auth answers (401, 403) every guarded route documents; a stack with auth on gives them:
# tests/integration/test_auth.py and tests/unit/test_api_auth.py.
AUTH_EXAMPLES = {"no_credentials", "lacks_permission"}


@pytest.fixture(scope="module")
def document(stack: Stack) -> dict:
    answer = stack.call("GET", "/swagger?format=json", auth=None)
    assert answer.status_code == 200
    return answer.json()


def operations(document: dict) -> Iterator[tuple[str, dict]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_operation_is_described_with_the_statuses_the_server_sends(document):
    tags = {tag["name"] for tag in document["tags"]}
    for name, operation in operations(document):
        assert not operation["summary"].startswith(name.split()[0]), f"{name} has no summary"
        assert set(operation["tags"]) <= tags, name
        assert "422" not in operation["responses"], f"{name} documents a 422 the server never sends"
        for status, response in operation["responses"].items():
            content = response["content"].get("application/json") or response["content"]["text/plain"]
            assert content.get("examples"), f"{name} {status} has no example"
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ErrorAnswer" in schemas
    described = dict(operations(document))
    for upload in ("POST /binaries/{app_name}", "POST /jars/{app_name}", "POST /data/{prefix}"):
        assert "application/octet-stream" in described[upload]["requestBody"]["content"], upload
    for config in ("POST /jobs", "POST /contexts/{name}"):
        assert {"text/plain", "application/json"} <= set(described[config]["requestBody"]["content"])


@dataclass
class Calls:
    """What the example requests need: the stack, the uploaded app, and ids made on the way."""

    stack: Stack
    app: str
    context: str
    egg: bytes
    made: dict[str, str] = field(default_factory=dict)

    def __call__(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.stack.call(method, path, **kwargs)

    def job(self, class_path: str, config: str = WORDS, **params) -> requests.Response:
        return self.stack.submit(self.app, class_path, config, **params)

    def slow(self, context: str) -> str:
        return self.stack.start_slow_job(self.app, context)


Request = Callable[[Calls], requests.Response]


def _limited_context(c: Calls) -> requests.Response:
    name = unique("oa-limited")
    c.made["limited"] = name
    answer = c("POST", f"/contexts/{name}", data="spark.jobserver.max-jobs-per-context = 1")
    c.stack.host_group(name)
    return answer


def _no_slots(c: Calls) -> requests.Response:
    slow = c.slow(c.made["limited"])
    try:
        return c.job(WORDCOUNT, context=c.made["limited"])
    finally:
        c("DELETE", f"/jobs/{slow}")


def _sync_timeout(c: Calls) -> requests.Response:
    answer = c.job(SLOW, "seconds = 30", context=c.context, sync="true", timeout=1)
    c("DELETE", f"/jobs/{answer.json()['result'].split()[1]}")
    return answer


def _binary_in_use(c: Calls) -> requests.Response:
    app = unique("oa-used")
    c("POST", f"/binaries/{app}", data=c.egg)
    slow = c.stack.submit(app, SLOW, "seconds = 60", context=c.context).json()["jobId"]
    c.stack.wait_job(slow, lambda j: j["status"] == "RUNNING")
    try:
        return c("DELETE", f"/binaries/{app}")
    finally:
        c("DELETE", f"/jobs/{slow}")


def _uploaded_data_file(c: Calls) -> requests.Response:
    answer = c("POST", "/data/oa-words", data=b"a b a\n")
    c.made["data"] = answer.json()["result"]["filename"]
    return answer


def _uploaded_binary(c: Calls, name: str) -> requests.Response:
    return c("POST", f"/binaries/{name}", data=c.egg)


TOO_LARGE = b"0" * (6 * MIB + 1)

# (operation, status, example) → the request that gets that answer; run in this order.
EXAMPLES: dict[tuple[str, str, str], Request] = {
    ("GET /healthz", "200", "ok"): lambda c: c("GET", "/healthz"),
    ("GET /metricz", "200", "some"): lambda c: c("GET", "/metricz"),
    ("GET /binaries", "200", "some"): lambda c: c("GET", "/binaries"),
    ("POST /binaries/{app_name}", "201", "uploaded"): lambda c: _uploaded_binary(c, unique("oa-app")),
    ("POST /binaries/{app_name}", "400", "not_a_zip"): lambda c: c(
        "POST", "/binaries/oa-bad", data=b"not a zip", headers={"Content-Type": "application/octet-stream"}
    ),
    ("POST /binaries/{app_name}", "415", "unsupported"): lambda c: c(
        "POST", "/binaries/oa-bad", data=c.egg, headers={"Content-Type": "text/csv"}
    ),
    ("POST /binaries/{app_name}", "413", "too_large"): lambda c: c(
        "POST", "/binaries/oa-big", data=TOO_LARGE
    ),
    ("POST /binaries/{app_name}/uploads", "201", "presigned"): lambda c: c(
        "POST", "/binaries/oa-drop/uploads?fileName=jobs.egg"
    ),
    ("POST /binaries/{app_name}/uploads", "400", "bad_name"): lambda c: c(
        "POST", "/binaries/oa-drop/uploads?fileName=../x"
    ),
    ("GET /binaries/{app_name}", "200", "versions"): lambda c: c("GET", f"/binaries/{c.app}"),
    ("GET /binaries/{app_name}", "404", "unknown"): lambda c: c("GET", "/binaries/oa-nope"),
    ("DELETE /binaries/{app_name}", "200", "deleted"): lambda c: (
        _uploaded_binary(c, "oa-gone"),
        c("DELETE", "/binaries/oa-gone"),
    )[1],
    ("DELETE /binaries/{app_name}", "404", "unknown"): lambda c: c("DELETE", "/binaries/oa-nope"),
    ("DELETE /binaries/{app_name}", "403", "in_use"): _binary_in_use,
    ("GET /contexts", "200", "some"): lambda c: c("GET", "/contexts"),
    ("POST /contexts/{name}", "200", "created"): _limited_context,
    ("POST /contexts/{name}", "400", "exists"): lambda c: c("POST", f"/contexts/{c.context}"),
    ("POST /contexts/{name}", "400", "bad_setting"): lambda c: c("POST", "/contexts/oa-x?num-cpu-cores=0"),
    ("POST /contexts/{name}", "400", "unknown_warm_up"): lambda c: c(
        "POST", f"/contexts/oa-x?warm-up.app={c.app}&warm-up.classPath=example_jobs.Nope"
    ),
    ("PUT /contexts", "400", "other"): lambda c: c("PUT", "/contexts?reset=restart"),
    ("GET /contexts/{name}", "200", "running"): lambda c: c("GET", f"/contexts/{c.context}"),
    ("GET /contexts/{name}", "404", "unknown"): lambda c: c("GET", "/contexts/oa-nope"),
    ("POST /jobs", "202", "started"): lambda c: c.job(WORDCOUNT, context=c.context),
    ("POST /jobs", "200", "finished"): lambda c: c.job(WORDCOUNT, context=c.context, sync="true"),
    ("POST /jobs", "400", "validation_failed"): lambda c: c.job(
        WORDCOUNT, "", context=c.context, sync="true"
    ),
    ("POST /jobs", "400", "no_class_path"): lambda c: c("POST", f"/jobs?appName={c.app}", data=WORDS),
    ("POST /jobs", "404", "unknown_app"): lambda c: c.stack.submit("oa-nope", WORDCOUNT, WORDS),
    ("POST /jobs", "503", "no_slots"): _no_slots,
    ("POST /jobs", "504", "timed_out"): _sync_timeout,
    ("GET /jobs", "200", "some"): lambda c: c("GET", "/jobs?limit=3"),
    ("GET /jobs", "400", "bad_status"): lambda c: c("GET", "/jobs?status=bogus"),
    ("GET /jobs/{job_id}", "200", "finished"): lambda c: c("GET", f"/jobs/{c.made['finished']}"),
    ("GET /jobs/{job_id}", "404", "unknown"): lambda c: c("GET", "/jobs/oa-nope"),
    ("GET /jobs/{job_id}/config", "200", "words"): lambda c: c("GET", f"/jobs/{c.made['finished']}/config"),
    ("GET /jobs/{job_id}/config", "404", "unknown"): lambda c: c("GET", "/jobs/oa-nope/config"),
    ("GET /jobs/{job_id}/logs", "400", "bad_tail"): lambda c: c(
        "GET", f"/jobs/{c.made['finished']}/logs?tail=0"
    ),
    ("GET /jobs/{job_id}/logs", "404", "unknown"): lambda c: c("GET", "/jobs/oa-nope/logs"),
    ("DELETE /jobs/{job_id}", "200", "killed"): lambda c: c("DELETE", f"/jobs/{c.slow(c.context)}"),
    ("DELETE /jobs/{job_id}", "404", "not_running"): lambda c: c("DELETE", f"/jobs/{c.made['finished']}"),
    ("DELETE /contexts/{name}", "200", "stopped"): lambda c: c("DELETE", f"/contexts/{c.made['limited']}"),
    ("DELETE /contexts/{name}", "404", "unknown"): lambda c: c("DELETE", "/contexts/oa-nope"),
    ("GET /jars", "200", "some"): lambda c: c("GET", "/jars"),
    ("POST /jars/{app_name}", "200", "uploaded"): lambda c: c("POST", "/jars/oa-jar", data=c.egg),
    ("POST /jars/{app_name}", "400", "not_a_zip"): lambda c: c("POST", "/jars/oa-jar", data=b"no zip"),
    ("POST /jars/{app_name}", "413", "too_large"): lambda c: c("POST", "/jars/oa-jar", data=TOO_LARGE),
    ("DELETE /jars/{app_name}", "200", "deleted"): lambda c: c("DELETE", "/jars/oa-jar"),
    ("DELETE /jars/{app_name}", "404", "unknown"): lambda c: c("DELETE", "/jars/oa-nope"),
    ("GET /data", "200", "some"): lambda c: c("GET", "/data"),
    ("POST /data/{prefix}", "200", "uploaded"): _uploaded_data_file,
    ("POST /data/{prefix}", "400", "bad_name"): lambda c: c("POST", "/data/.x", data=b"x"),
    ("POST /data/{prefix}", "413", "too_large"): lambda c: c("POST", "/data/oa-big", data=TOO_LARGE),
    ("DELETE /data/{file_name}", "200", "deleted"): lambda c: c(
        "DELETE", f"/data/{requests.utils.quote(c.made['data'], safe='')}"
    ),
    ("DELETE /data/{file_name}", "400", "unknown"): lambda c: c("DELETE", "/data/oa-nope.dat"),
    ("PUT /data", "400", "other"): lambda c: c("PUT", "/data?reset=other"),
}


def test_each_documented_example_is_answered_with_its_status(document, stack, app, context, example_egg):
    documented = {
        (name, status, example)
        for name, operation in operations(document)
        for status, response in operation["responses"].items()
        for example in response["content"].get("application/json", {}).get("examples", {})
        if example not in AUTH_EXAMPLES
    }
    assert documented == set(EXAMPLES) | set(PROVED_ELSEWHERE), "examples without a request, or the reverse"
    described = dict(operations(document))
    calls = Calls(stack, app, context, example_egg)
    calls.made["finished"] = calls.job(WORDCOUNT, context=context, sync="true").json()["jobId"]
    wrong = []
    for (name, status, example), request in EXAMPLES.items():
        answer = request(calls)
        schema = described[name]["responses"][status]["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**copy.deepcopy(schema), "components": document["components"]})
        problems = [] if answer.status_code != int(status) else list(validator.iter_errors(answer.json()))
        if answer.status_code != int(status) or problems:
            wrong.append(f"{name} [{example}]: {answer.status_code} {answer.text[:300]} {problems[:1]}")
    assert not wrong, "\n".join(wrong)


@pytest.fixture
def page() -> Iterator[Page]:
    with chromium() as browser:
        yield _page(browser)


def _page(browser: Browser) -> Page:
    return browser.new_page(viewport={"width": 1280, "height": 1000})


def test_try_it_out_uploads_a_package_and_runs_a_job(stack, context, page, example_egg, tmp_path):
    egg = tmp_path / "example_jobs.egg"
    egg.write_bytes(example_egg)
    app = unique("swagger")
    page.goto(f"{stack.url}/swagger")

    upload = _try(page, "binaries", "upload_binary_binaries__app_name__post")
    upload.get_by_placeholder("app_name").fill(app)
    upload.locator("select.content-type").first.select_option("application/python-egg")
    upload.locator("input[type=file]").set_input_files(egg)
    upload.locator("button.execute").click()
    expect(upload.locator(".live-responses-table tbody .response-col_status").first).to_have_text("201")
    assert stack.call("GET", f"/binaries/{app}").status_code == 200

    run = _try(page, "jobs", "submit_job_jobs_post")
    run.get_by_placeholder("appName").fill(app)
    run.get_by_placeholder("classPath", exact=True).fill(WORDCOUNT)
    run.get_by_placeholder("context", exact=True).fill(context)
    run.locator("tr[data-param-name=sync] select").select_option("true")
    run.locator("select.content-type").first.select_option("text/plain")
    run.locator("textarea.body-param__text").fill(WORDS)
    run.locator("button.execute").click()
    answer = run.locator(".live-responses-table tbody .response-col_status").first
    expect(answer).to_have_text("200", timeout=60_000)
    body = run.locator(".live-responses-table tbody .response-col_description").first
    expect(body).to_contain_text('"a": 2')
    screenshot(page, "swagger-try-it-out")


def _try(page: Page, tag: str, operation_id: str):
    operation = page.locator(f"#operations-{tag}-{operation_id}")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    return operation
