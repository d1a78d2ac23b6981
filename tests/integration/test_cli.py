"""`sjs`, the console script, end to end on the real stack: upload, a context's create and
delete, `run --sync --watch` with its progress bar and result, `--output json` for scripts, a
failed and a killed job's exit codes."""

import json
from pathlib import Path

from tests.integration.conftest import FAILING, SLOW, WORDCOUNT, unique
from tests.support.sjs_command import sjs

COUNTS = {"a": 3, "b": 1, "c": 1}


def test_run_sync_watch_shows_the_progress_bar_then_the_result(stack, app, context):
    ran = sjs(stack, "run", app, WORDCOUNT, "--context", context, "--sync", "--watch",
              "-c", 'input.strings=["a","b","a","c","a"]')  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == COUNTS  # the result alone on stdout
    bar, summary = ran.stderr.strip().splitlines()[-2:]  # not a terminal: the bar's last state
    job_id = summary.split()[2]
    assert bar.startswith(f"• job {job_id[:8]} FINISHED ━") and " 100% · jobs 1/1 · stages " in bar, bar
    assert summary.startswith(f"FINISHED job {job_id} on {context} in ") and summary.endswith(" secs")
    assert stack.client.job(job_id).result == COUNTS


def test_the_bar_redraws_while_the_job_runs_on_a_terminal(stack, app, context):
    terminal = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "100"}
    ran = sjs(stack, "run", app, SLOW, "--context", context, "--watch", "-c", "seconds=2", **terminal)
    assert ran.returncode == 0, ran.stderr
    assert "RUNNING" in ran.stderr and "FINISHED" in ran.stderr  # frames before and at the end
    assert json.loads(ran.stdout) == sum(range(100))


def test_output_json_for_scripts(stack, app, context):
    ran = sjs(stack, "run", app, WORDCOUNT, "--context", context, "--sync", "-o", "json",
              "-c", 'input.strings=["a","b","a","c","a"]')  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    job = json.loads(ran.stdout)
    assert (job["status"], job["context"], job["result"]) == ("FINISHED", context, COUNTS)
    shown = json.loads(sjs(stack, "jobs", "status", job["jobId"], "-o", "json").stdout)
    assert shown["jobId"] == job["jobId"] and shown["result"] == COUNTS
    listed = json.loads(sjs(stack, "jobs", "list", "--limit", "50", "-o", "json").stdout)
    assert job["jobId"] in [j["jobId"] for j in listed]
    config = json.loads(sjs(stack, "jobs", "config", job["jobId"], "-o", "json").stdout)
    assert config == {"input": {"strings": ["a", "b", "a", "c", "a"]}}


def test_a_failed_job_exits_1_with_its_error(stack, app, context):
    ran = sjs(stack, "run", app, FAILING, "--context", context, "--sync", "--watch", "-c", "message=bad data")
    assert ran.returncode == 1 and ran.stdout == ""
    assert "ValueError: bad data" in ran.stderr and "raise ValueError" in ran.stderr
    refused = sjs(stack, "run", app, WORDCOUNT, "--context", context, "--sync")  # no input.strings
    assert refused.returncode == 3
    assert "Error 400 VALIDATION FAILED: config input.strings not found" in refused.stderr


def test_an_async_run_prints_its_id_and_a_kill_ends_the_wait(stack, app, context):
    started = sjs(stack, "run", app, SLOW, "--context", context, "-c", "seconds=60")
    assert started.returncode == 0, started.stderr
    job_id = started.stdout.strip()
    stack.wait_job(job_id, lambda j: j["status"] == "RUNNING")
    killed = sjs(stack, "jobs", "kill", job_id)
    assert killed.returncode == 0 and killed.stdout.strip() == f"KILLED {job_id}"
    waited = sjs(stack, "jobs", "wait", job_id, "--timeout", "30")
    assert waited.returncode == 1 and f"KILLED job {job_id}" in waited.stderr


def test_binaries_and_a_context_from_create_to_delete(stack, tmp_path: Path, example_egg):
    package, name, context = tmp_path / "jobs.egg", unique("cli"), unique("cli")
    package.write_bytes(example_egg)
    assert sjs(stack, "binaries", "upload", name, str(package)).returncode == 0
    assert name in json.loads(sjs(stack, "binaries", "list", "-o", "json").stdout)
    created = sjs(
        stack, "contexts", "create", context, "--cpus", "1", "-c", "spark.jobserver.max-jobs-per-context=2"
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == f"Context {context} RUNNING"
    stack.host_group(context)
    assert context in sjs(stack, "contexts", "list").stdout.split()
    ran = sjs(stack, "run", name, WORDCOUNT, "--context", context, "--sync", "-c", 'input.strings=["x"]')
    assert json.loads(ran.stdout) == {"x": 1}
    assert sjs(stack, "contexts", "delete", context).returncode == 0
    assert context not in sjs(stack, "contexts", "list").stdout.split()
    assert sjs(stack, "binaries", "delete", name).returncode == 0
    missing = sjs(stack, "binaries", "show", name)
    assert missing.returncode == 3 and f"appName {name} not found" in missing.stderr
