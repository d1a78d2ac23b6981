"""The sync lane on the real stack: a sync job on a warm context goes straight to its host and
the answer is its stored end; many callers at once get their own results and leave no slot
taken; sync and async jobs share one slot limit; a host that cannot be reached sends the job by
the queue; a host killed during the call gives the caller ERROR, not a hang."""

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

from functions.domain.waiting import wait_until
from tests.integration.conftest import SLOW, WORDCOUNT, unique


def active_slots(stack, context: str) -> int:
    item = stack.aws("dynamodb").get_item(TableName="sjs-it-contexts", Key={"name": {"S": context}})["Item"]
    return int(item.get("activeJobs", {"N": "0"})["N"])


def test_a_sync_answer_is_the_stored_end_and_many_callers_leave_no_slot_taken(stack, app):
    name = unique("lane")
    stack.create_context(name, "spark.jobserver.max-jobs-per-context=8")
    answer = stack.submit(app, WORDCOUNT, 'input.strings = ["a", "b", "a"]', context=name, sync="true")
    shown = stack.call("GET", f"/jobs/{answer.json()['jobId']}").json()
    assert answer.json()["result"] == shown["result"] == {"a": 2, "b": 1}
    assert answer.json()["status"] == shown["status"] == "FINISHED"

    def one(index: int) -> tuple[int, dict]:
        words = f'input.strings = ["w{index}", "w{index}", "x"]'
        return index, stack.submit(app, WORDCOUNT, words, context=name, sync="true").json()

    with ThreadPoolExecutor(8) as callers:
        answers = list(callers.map(one, range(24)))
    assert all(job["result"] == {f"w{i}": 2, "x": 1} for i, job in answers), answers
    assert active_slots(stack, name) == 0


def test_sync_and_async_jobs_share_one_slot_limit(stack, app):
    name = unique("oneslot")
    stack.create_context(name, "spark.jobserver.max-jobs-per-context=1")
    slow = stack.start_slow_job(app, name, seconds=120)
    refused = stack.submit(app, WORDCOUNT, 'input.strings = ["a"]', context=name, sync="true")
    assert refused.status_code == 503 and refused.json()["status"] == "NO SLOTS AVAILABLE"
    stack.call("DELETE", f"/jobs/{slow}")
    ran = stack.submit(app, WORDCOUNT, 'input.strings = ["a"]', context=name, sync="true")
    assert ran.status_code == 200 and ran.json()["result"] == {"a": 1}


def test_a_host_that_cannot_be_reached_gets_its_sync_job_by_the_queue(stack, app):
    name = unique("noreach")
    stack.create_context(name)
    stack.aws("dynamodb").update_item(  # before any job: no API container knows the context yet
        TableName="sjs-it-contexts",
        Key={"name": {"S": name}},
        UpdateExpression="SET endpoint = :closed",
        ExpressionAttributeValues={":closed": {"S": "http://127.0.0.1:9"}},
    )
    ran = stack.submit(app, WORDCOUNT, 'input.strings = ["queued"]', context=name, sync="true")
    assert ran.status_code == 200 and ran.json()["result"] == {"queued": 1}, ran.text


def test_a_host_killed_during_a_sync_call_gives_the_caller_error(stack, app):
    name = unique("lost")
    host = stack.create_context(name)["host"]
    answers: list = []
    caller = threading.Thread(
        target=lambda: answers.append(
            stack.submit(app, SLOW, "seconds = 120", context=name, sync="true", timeout=300)
        )
    )
    caller.start()
    _, running = wait_until(
        lambda: [
            j for j in stack.call("GET", "/jobs?status=RUNNING&limit=50").json() if j["context"] == name
        ],
        bool,
        60,
    )
    assert running
    os.kill(int(host.removeprefix("local:")), signal.SIGKILL)
    caller.join(30)  # bounded: a lost host breaks the call at once
    assert not caller.is_alive() and answers
    job = answers[0].json()
    assert job["status"] == "ERROR", job
    assert stack.call("GET", f"/jobs/{job['jobId']}").json()["status"] == "ERROR"
