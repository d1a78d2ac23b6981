"""The warm pool on the real stack: a context with default settings, and an ad-hoc job, adopt a
warm spare host instead of starting a JVM, a new spare starts behind, and a context whose
settings no spare can take starts cold and works."""

import requests

from functions.domain.waiting import wait_until
from tests.integration.conftest import WORDCOUNT, Stack, unique


def ready_spares(stack: Stack) -> dict[str, str]:
    """Spare id → host id of the warm spares not claimed by anyone."""
    items = stack.aws("dynamodb").scan(TableName="sjs-it-contexts")["Items"]
    return {
        item["contextId"]["S"]: item["hostId"]["S"]
        for item in items
        if item["state"]["S"] == "SPARE" and "endpoint" in item and "takenBy" not in item
    }


def a_ready_spare(stack: Stack) -> dict[str, str]:
    spares, ready = wait_until(lambda: ready_spares(stack), bool, 120)
    assert ready, "no spare host became ready"
    return spares


def test_a_context_with_default_settings_adopts_a_spare_and_another_starts(stack, app):
    before = a_ready_spare(stack)
    name = unique("pooled")
    details = stack.create_context(name)
    assert details["state"] == "RUNNING" and details["host"] in before.values()
    after, replaced = wait_until(lambda: ready_spares(stack), lambda s: s and not set(s) & set(before), 120)
    assert replaced, f"no new spare after {before} was adopted: {after}"
    ran = stack.submit(app, WORDCOUNT, 'input.strings = ["warm"]', context=name, sync="true")
    assert ran.json()["result"] == {"warm": 1}, ran.text


def test_a_spare_ran_sparks_first_jobs_before_it_was_ready_and_they_count_for_no_job(stack, app):
    a_ready_spare(stack)
    name = unique("primed")
    details = stack.create_context(name)
    ran = stack.submit(app, WORDCOUNT, 'input.strings = ["primed"]', context=name, sync="true").json()
    assert ran["progress"]["jobs"] == {"done": 1, "total": 1}, ran  # its own Spark job, nothing else
    spark_api = f"{details['url']}/api/v1/applications/{details['applicationId']}"
    spark_jobs = requests.get(f"{spark_api}/jobs", timeout=30)
    by_group: dict[str | None, list[str]] = {}
    for job in spark_jobs.json():
        by_group.setdefault(job.get("jobGroup"), []).append(job["status"])
    warm_up = by_group.get("sjs-warm-up", [])
    assert warm_up and set(warm_up) == {"SUCCEEDED"}, by_group
    assert by_group.get(ran["jobId"]) == ["SUCCEEDED"], by_group


def test_an_ad_hoc_job_runs_on_a_spare(stack, app):
    spares = a_ready_spare(stack)
    ran = stack.submit(app, WORDCOUNT, 'input.strings = ["adhoc", "adhoc"]', sync="true", timeout=120)
    assert ran.status_code == 200 and ran.json()["result"] == {"adhoc": 2}, ran.text
    adhoc = stack.call("GET", f"/contexts/{ran.json()['context']}").json()
    assert adhoc["host"] in spares.values()


def test_a_context_no_spare_can_take_starts_cold(stack, app):
    spares = a_ready_spare(stack)
    name = unique("cold")
    details = stack.create_context(name, "num-cpu-cores=1")  # a spare's session has 2 cores
    assert details["state"] == "RUNNING" and details["host"] not in spares.values()
    ran = stack.submit(app, WORDCOUNT, 'input.strings = ["cold"]', context=name, sync="true")
    assert ran.json()["result"] == {"cold": 1}, ran.text
