"""The web UI at / in headless Chromium against the real stack: a user uploads a package, creates
a context, runs a job and watches it finish (its progress bar, when the server reports progress),
reads its result, config and logs, kills a second job and stops the context, with no curl; with
auth on, the page asks for credentials and works once given them. Screenshots go to
tests/artifacts/. The page is checked with axe-core and must be served with its CSP."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from infra.credentials import hash_password
from tests.integration.conftest import SLOW, WORDCOUNT, Stack, running_stack, unique
from tests.support.browser import chromium, screenshot

STARTUP_MS = 180_000  # a context's start, on a busy machine
JOB_MS = 60_000
USER = ("ui-user", "ui-user-secret")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def egg_file(tmp_path_factory: pytest.TempPathFactory, example_egg: bytes) -> Path:
    path = tmp_path_factory.mktemp("upload") / "example_jobs.egg"
    path.write_bytes(example_egg)
    return path


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())  # the UI confirms deletes
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    assert not errors, f"the page's script failed: {errors}"


def test_the_page_is_served_with_a_content_security_policy(stack):
    answer = stack.call("GET", "/", auth=None)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert stack.call("GET", "/ui/app.js").headers["Content-Type"].startswith("text/javascript")
    assert stack.call("GET", "/ui/secrets.py").status_code == 404


def test_upload_create_run_watch_read_kill_and_stop_in_the_browser(stack: Stack, page: Page, egg_file: Path):
    app, context = unique("ui-jobs"), unique("ui")
    page.goto(f"{stack.url}/")
    expect(page.locator("#main")).to_be_visible()

    # Upload the package
    page.fill("#binary-name", app)
    page.set_input_files("#binary-file", egg_file)
    page.click("#binary-form button[type=submit]")
    expect(page.locator(f'#binaries-table tr[data-app="{app}"]')).to_contain_text("Egg")

    # Create a context; it is listed RUNNING with its settings and Spark UI link
    page.click("text=Create a context")
    page.fill("#context-name", context)
    page.fill("#context-memory", "512m")
    page.click("#context-form button[type=submit]")
    row = page.locator(f'#contexts-table tr[data-context="{context}"]')
    expect(row).to_contain_text("RUNNING", timeout=STARTUP_MS)
    stack.host_group(context)
    spark_ui = stack.call("GET", f"/contexts/{context}").json()["url"]
    expect(row.get_by_role("link", name="Spark UI")).to_have_attribute("href", f"{spark_ui}/")

    # Run a job and watch it finish
    page.select_option("#job-app", app)
    page.fill("#job-class", WORDCOUNT)
    page.select_option("#job-context", context)
    page.fill("#job-config", 'input.strings = ["a", "b", "a", "<img src=x onerror=alert(1)>"]')
    page.click("#job-form button[type=submit]")
    expect(page.locator("#detail-status")).to_have_text("FINISHED", timeout=JOB_MS)
    job_id = page.inner_text("#detail-id")
    job = stack.call("GET", f"/jobs/{job_id}").json()
    result = page.inner_text("#detail-result")
    assert '"a": 2' in result and '"<img src=x onerror=alert(1)>": 1' in result  # shown as text
    assert page.locator("#job-details img").count() == 0
    if "progress" in job:  # the progress field is another branch's; without it the bar is not asserted
        expect(page.locator("#detail-progress")).to_have_attribute("value", "100")
    assert "input" in page.inner_text("#detail-config")
    expect(page.locator("#detail-logs")).not_to_be_empty()
    logs = stack.call("GET", f"/jobs/{job_id}/logs")  # the logs route is another branch's
    if logs.status_code == 200 and logs.text.strip():
        expect(page.locator("#detail-logs")).to_contain_text(logs.text.strip().splitlines()[0])
    screenshot(page, "web-ui-job-finished")

    # A second job, killed from its row
    page.select_option("#job-app", app)
    page.fill("#job-class", SLOW)
    page.select_option("#job-context", context)
    page.fill("#job-config", "seconds = 120")
    page.click("#job-form button[type=submit]")
    expect(page.locator("#detail-id")).not_to_have_text(job_id, timeout=JOB_MS)  # the new job is shown
    slow_id = page.inner_text("#detail-id")
    slow_row = page.locator(f'#jobs-table tr[data-job="{slow_id}"]')
    expect(slow_row).to_contain_text("RUNNING", timeout=JOB_MS)
    expect(page.locator(f'#contexts-table tr[data-context="{context}"]')).to_contain_text(slow_id)
    slow_row.get_by_role("button", name=f"Kill job {slow_id}").click()
    expect(slow_row).to_contain_text("KILLED", timeout=JOB_MS)
    assert stack.call("GET", f"/jobs/{slow_id}").json()["status"] == "KILLED"

    # Filters: by status, then by context
    page.select_option("#filter-status", "KILLED")
    expect(page.locator(f'#jobs-table tr[data-job="{job_id}"]')).to_have_count(0)
    expect(slow_row).to_be_visible()
    page.select_option("#filter-status", "")
    page.select_option("#filter-context", context)
    expect(page.locator("#jobs-table tbody tr")).to_have_count(2)
    screenshot(page, "web-ui")

    violations = Axe().run(page)
    assert violations.violations_count == 0, violations.generate_report()

    # Stop the context from its row
    row.get_by_role("button", name=f"Delete context {context}").click()
    expect(row).to_have_count(0, timeout=JOB_MS)
    assert context not in stack.call("GET", "/contexts").json()


def test_data_files_upload_and_delete_in_the_browser(stack: Stack, page: Page, tmp_path: Path):
    words = tmp_path / "words.txt"
    words.write_text("a b a\n")
    prefix = unique("uiwords")
    page.goto(f"{stack.url}/")
    page.fill("#data-prefix", prefix)
    page.set_input_files("#data-file", words)
    page.click("#data-form button[type=submit]")
    expect(page.locator("#status")).to_contain_text("Stored as")
    stored = next(path for path in stack.call("GET", "/data").json() if prefix in path)
    row = page.locator("#data-table tr", has_text=stored)
    expect(row).to_be_visible()
    row.get_by_role("button").click()
    expect(row).to_have_count(0)
    assert stored not in stack.call("GET", "/data").json()


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config = tmp_path_factory.mktemp("ui-secured") / "server.conf"
    config.write_text(
        f'auth {{ enabled = true, users {{ {USER[0]} {{ password-hash = "{hash_password(USER[1])}", '
        'permissions = ["*"] } } }'
    )
    with running_stack(STACK_NAME="sjs-ui-auth", API_WORKERS="2", SERVER_CONFIG=str(config)) as stack:
        stack.auth = USER
        yield stack


def test_with_auth_on_the_page_asks_for_credentials_then_works(secured: Stack, page: Page, egg_file: Path):
    assert secured.call("GET", "/", auth=None).status_code == 200  # the page holds no data
    # the page's script gets no Basic challenge (no browser dialog); other clients do
    scripted = secured.call("GET", "/jobs", auth=None, headers={"X-Requested-With": "XMLHttpRequest"})
    assert scripted.status_code == 401 and "WWW-Authenticate" not in scripted.headers
    assert "WWW-Authenticate" in secured.call("GET", "/jobs", auth=None).headers

    page.goto(f"{secured.url}/")
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#main")).to_be_hidden()
    page.fill("#sign-in-user", USER[0])
    page.fill("#sign-in-password", "wrong")
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#alert")).to_contain_text("authentication is invalid")
    expect(page.locator("#sign-in-password")).to_have_value("")  # not kept in the form
    page.fill("#sign-in-user", USER[0])
    page.fill("#sign-in-password", USER[1])
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#main")).to_be_visible()
    expect(page.locator("#who-name")).to_have_text(f"Signed in: {USER[0]}")
    assert page.evaluate("() => JSON.stringify({...localStorage, ...sessionStorage})") == "{}"

    page.fill("#binary-name", "secured-jobs")
    page.set_input_files("#binary-file", egg_file)
    page.click("#binary-form button[type=submit]")
    expect(page.locator('#binaries-table tr[data-app="secured-jobs"]')).to_contain_text("Egg")
    assert "secured-jobs" in secured.call("GET", "/binaries").json()
    screenshot(page, "web-ui-signed-in")

    page.click("#sign-out")
    expect(page.locator("#sign-in")).to_be_visible()
    expect(page.locator("#main")).to_be_hidden()
