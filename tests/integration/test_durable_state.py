"""The local stack keeps its state across restarts (infra/local/snapshot.py, functions/domain/resume.py):
the real stack stopped with Ctrl-C and started again over the same state folder, as a user runs
`make up` twice; and a stack killed outright takes every process it started with it."""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from functions.domain.waiting import wait_until
from infra.local.child import ROOT, StackProcess
from infra.local.processes import group_alive
from infra.local.snapshot import Snapshot, StateSnapshot
from tests.integration.conftest import (
    STACK_NAME,
    WORDCOUNT,
    Stack,
    cmdline,
    descendants,
    running,
    running_stack,
    state_folder,
)

WORDS = 'input.strings = ["a", "b", "a"]'


@pytest.fixture
def state() -> Iterator[Path]:
    folder = state_folder()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_words(stack: Stack, app: str, context: str) -> dict:
    answer = stack.submit(app, WORDCOUNT, WORDS, context=context, sync="true")
    assert answer.status_code == 200, answer.text
    return answer.json()


def clean_state(state: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-s", "clean-state", f"STATE_DIR={state}"], cwd=ROOT, capture_output=True, text=True
    )


def test_binaries_jobs_and_running_contexts_survive_a_restart(state: Path, example_egg: bytes):
    with running_stack(state, STACK_NAME=STACK_NAME) as stack:
        assert stack.client.upload_binary("words", example_egg).binary_type
        stack.create_context("analytics", "num-cpu-cores=1")
        finished = run_words(stack, "words", "analytics")
        cut_short = stack.start_slow_job("words", "analytics")  # still running when the stack stops
        first = stack.client.context("analytics").as_json()

    with running_stack(state, STACK_NAME=STACK_NAME) as stack:
        assert "words" in stack.client.binaries()
        record = stack.aws("dynamodb").scan(TableName=f"{STACK_NAME}-binaries")["Items"][0]
        stored = stack.aws("s3").get_object(Bucket=stack.bucket, Key=record["key"]["S"])["Body"].read()
        assert stored == example_egg
        job = stack.client.job(finished["jobId"]).as_json()
        assert job["status"] == "FINISHED" and job["result"] == {"a": 2, "b": 1}
        ended = stack.client.job(cut_short).as_json()
        assert ended["status"] == "ERROR"
        assert "Context (analytics) for this job was terminated" in ended["result"]["message"]

        # the context ran when the stack stopped: it starts again with its settings
        again, running = wait_until(
            lambda: stack.client.context("analytics").as_json(), lambda c: c["state"] == "RUNNING", 90
        )
        assert running, again
        assert again["id"] != first["id"] and again["numCpuCores"] == first["numCpuCores"] == 1
        stack.host_group("analytics")
        assert run_words(stack, "words", "analytics")["result"] == {"a": 2, "b": 1}  # the binary, from S3


def test_contexts_stay_ended_when_the_config_says_so_and_clean_state_starts_afresh(
    state: Path, example_egg: bytes, tmp_path: Path
):
    config = tmp_path / "server.conf"
    config.write_text("spark.jobserver.restart-contexts-on-start = false\n")
    with running_stack(state, STACK_NAME=STACK_NAME, SERVER_CONFIG=str(config)) as stack:
        stack.client.upload_binary("words", example_egg)
        stack.create_context("analytics", "num-cpu-cores=1")
        refused = clean_state(state)  # not while a stack runs on it
        assert refused.returncode != 0 and "running" in refused.stderr

    with running_stack(state, STACK_NAME=STACK_NAME, SERVER_CONFIG=str(config)) as stack:
        details = stack.client.context("analytics").as_json()
        assert details["state"] == "FINISHED"
        assert "analytics" not in stack.client.contexts()
        assert "words" in stack.client.binaries()

    assert clean_state(state).returncode == 0
    with running_stack(state_folder_again(state), STACK_NAME=STACK_NAME) as stack:
        assert stack.client.binaries() == {}
        assert stack.client.jobs() == []


def test_after_a_kill_9_of_the_stack_the_last_save_comes_back_and_nothing_phantom(
    state: Path, example_egg: bytes
):
    crashed = StackProcess(state, STACK_NAME=STACK_NAME, SNAPSHOT_SECONDS="1").start()
    stack = Stack(crashed.url, crashed.moto_url, state, crashed.process.pid)
    try:
        stack.client.upload_binary("words", example_egg)
        stack.create_context("analytics", "num-cpu-cores=1")
        job = stack.start_slow_job("words", "analytics")
        saved = StateSnapshot(state / "aws")
        _, caught = wait_until(
            saved.load, lambda snapshot: snapshot is not None and has_job(snapshot, job), 30
        )
        assert caught, "no save caught the running job"
    finally:
        crashed.kill()  # kill -9: no stop, no last save
        stack.client.close()
    for group in stack.host_groups:  # its hosts follow the stack they belonged to
        assert wait_until(lambda g=group: group_alive(g), lambda alive: not alive, 30)[1], group

    with running_stack(state, STACK_NAME=STACK_NAME) as stack:
        assert "words" in stack.client.binaries()
        ended = stack.client.job(job).as_json()  # it ran when the save was taken
        assert ended["status"] == "ERROR"
        assert "the job server stopped while it ran" in ended["result"]["message"]
        again, running = wait_until(
            lambda: stack.client.context("analytics").as_json(), lambda c: c["state"] == "RUNNING", 90
        )
        assert running, again
        stack.host_group("analytics")
        assert run_words(stack, "words", "analytics")["result"] == {"a": 2, "b": 1}


def test_every_process_of_a_stack_killed_outright_follows_it(state: Path, example_egg: bytes):
    """kill -9 of the stack's own process alone, left unreaped (a zombie, as when a test runner or
    a shell's background job started it): its hosts, their JVMs and job workers, the warm spare,
    moto and the API's processes all end with it."""
    crashed = StackProcess(state, STACK_NAME=STACK_NAME).start()
    assert crashed.process is not None
    stack = Stack(crashed.url, crashed.moto_url, state, crashed.process.pid)
    started: list[int] = []
    try:
        stack.client.upload_binary("words", example_egg)
        stack.create_context("analytics", "num-cpu-cores=1")
        stack.start_slow_job("words", "analytics")  # a job worker busy in job code
        started = descendants(crashed.process.pid)
        assert sum(b"java" in cmdline(pid) for pid in started) >= 1, [cmdline(p)[:80] for p in started]
        died = time.monotonic()
        os.kill(crashed.process.pid, signal.SIGKILL)  # not reaped until the end of this test
        still, gone = wait_until(lambda: [pid for pid in started if running(pid)], lambda pids: not pids, 30)
        took = time.monotonic() - died
        assert gone, f"processes outlived their stack: {[cmdline(pid)[:120] for pid in still]}"
        print(f"\n{len(started)} processes of a stack killed outright gone within {took:.1f} s")
    finally:
        for pid in started:  # whatever a failure left
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        crashed.kill()
        stack.client.close()


def has_job(snapshot: Snapshot, job_id: str) -> bool:
    return any(item["jobId"]["S"] == job_id for item in snapshot.tables["JobsTable"])


def state_folder_again(state: Path) -> Path:
    """The folder clean-state removed, made again as the tests make state folders."""
    state.mkdir(mode=0o755)
    state.chmod(0o755)
    return state
