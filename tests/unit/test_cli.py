"""`sjs` against the API function (on moto): what it prints for people and for scripts, its exit
codes, `-c` settings as HOCON, and where the connection comes from (flags, environment, profile)."""

import json
import os
import socket
from pathlib import Path

import pytest
from pyhocon import ConfigFactory
from typer.testing import CliRunner

from events.jobs import JobError
from events.states import JobStatus
from infra.stores.jobs import JobStore
from jobserver_client import JobServer
from jobserver_client.cli.app import app
from jobserver_client.cli.conf import config_text
from jobserver_client.cli.profiles import Profile, resolve
from jobserver_client.cli.session import ExitCode
from tests.support.api_transport import api_function_transport
from tests.unit.test_api_contexts import live_context
from tests.unit.test_api_jobs import WORDCOUNT, job_on


@pytest.fixture
def sjs(aws):
    """Run `sjs ARGS…` on the API function: (exit code, stdout, stderr)."""
    runner = CliRunner()
    server = JobServer("http://sjs.test", transport=api_function_transport())

    def invoke(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, list(args), obj=server)
        return result.exit_code, result.stdout, result.stderr

    yield invoke
    server.close()


def test_binaries_for_people_and_for_scripts(sjs, tmp_path: Path, example_egg):
    package = tmp_path / "example_jobs.egg"
    package.write_bytes(example_egg)
    code, out, _ = sjs("binaries", "upload", "cli-app", str(package))
    assert code == 0 and out.startswith("Uploaded cli-app: Egg, ")
    code, out, _ = sjs("binaries", "list", "-o", "json")
    assert code == 0 and json.loads(out)["cli-app"]["binary-type"] == "Egg"
    code, out, _ = sjs("binaries", "list")
    assert "cli-app" in out and "Egg" in out
    code, out, _ = sjs("binaries", "delete", "cli-app", "--output", "json")
    assert code == 0 and json.loads(out) == {"deleted": "cli-app"}


def test_a_refusal_is_exit_3_with_the_servers_message(sjs, example_egg, tmp_path: Path):
    code, out, err = sjs("binaries", "show", "nope")
    assert code == ExitCode.REFUSED and out == ""
    assert "Error 404 ERROR: appName nope not found" in err
    code, _, err = sjs("run", "nope", WORDCOUNT, "--sync", "-c", "input.strings=[1]")
    assert code == ExitCode.REFUSED and "appName nope not found" in err


def test_jobs_list_status_and_kill(sjs, aws):
    live_context(aws, "cli-ctx")
    done = job_on(aws, "cli-ctx", JobStatus.FINISHED)
    running = job_on(aws, "cli-ctx")
    code, out, _ = sjs("jobs", "list", "--status", "finished", "--limit", "1000", "-o", "json")
    assert code == 0
    listed = {job["jobId"]: job["status"] for job in json.loads(out)}
    assert listed[done.jobId] == "FINISHED" and running.jobId not in listed
    code, out, _ = sjs("jobs", "status", running.jobId)
    assert code == 0 and "STARTED" in out and WORDCOUNT in out
    code, out, _ = sjs("jobs", "kill", running.jobId)
    assert code == 0 and out.strip() == f"KILLED {running.jobId}"
    code, out, _ = sjs("jobs", "status", running.jobId, "-o", "json")
    assert json.loads(out)["status"] == "KILLED"


def test_waiting_for_a_failed_job_exits_1_with_its_error(sjs, aws):
    live_context(aws, "cli-fail")
    job = job_on(aws, "cli-fail")
    error = JobError(message="bad data", errorClass="ValueError", stack=['File "job.py", line 3'])
    JobStore(aws.jobs_table).finish(job.jobId, JobStatus.ERROR, error=error)
    code, out, err = sjs("jobs", "wait", job.jobId)
    assert code == ExitCode.JOB_FAILED and out == ""
    assert f"ERROR job {job.jobId} on cli-fail" in err
    assert "ValueError: bad data" in err and 'File "job.py", line 3' in err
    code, out, _ = sjs("jobs", "wait", job.jobId, "--no-watch", "-o", "json")
    assert code == ExitCode.JOB_FAILED and json.loads(out)["result"]["errorClass"] == "ValueError"


def test_a_wait_that_runs_out_exits_5(sjs, aws):
    live_context(aws, "cli-slow")
    job = job_on(aws, "cli-slow")  # no host runs it
    code, _, err = sjs("jobs", "wait", job.jobId, "--timeout", "1", "--no-watch")
    assert code == ExitCode.TIMED_OUT and f"sjs jobs wait {job.jobId}" in err


def test_settings_become_hocon_over_the_file(tmp_path: Path):
    conf = tmp_path / "job.conf"
    conf.write_text('input.strings = ["from", "file"]\nlimit = 1\nnested { keep = true }')
    with conf.open() as conf_file:
        text = config_text(
            conf_file,
            [
                "limit=5",
                'input.strings=["a","b"]',
                "url=http://x/y#z",
                "nested.name=it's ${HOME}",
                "flag=true",
            ],
        )
    parsed = ConfigFactory.parse_string(text)
    assert parsed["limit"] == 5 and parsed["input"]["strings"] == ["a", "b"]
    assert parsed["url"] == "http://x/y#z" and parsed["flag"] is True
    assert parsed["nested"] == {"keep": True, "name": "it's ${HOME}"}
    assert config_text(None, []) is None


def test_a_setting_without_a_key_is_a_usage_error(sjs):
    code, _, err = sjs("run", "app", WORDCOUNT, "-c", "=5")
    assert code == ExitCode.USAGE and "is not key=value" in err


def test_flags_and_environment_come_before_the_profile(tmp_path: Path):
    profiles = tmp_path / "config.toml"
    profiles.write_text(
        '[default]\nurl = "http://default:8090"\n\n'
        '[prod]\nurl = "https://prod"\nuser = "alice"\npassword = "from-file"\n'
    )
    profiles.chmod(0o600)
    assert resolve(Profile(), None, profiles).url == "http://default:8090"
    prod = resolve(Profile(), "prod", profiles)
    assert (prod.url, prod.auth, prod.api_key) == ("https://prod", ("alice", "from-file"), None)
    keyed = resolve(Profile(api_key="sjs_k"), "prod", profiles)  # given credentials replace the file's
    assert (keyed.url, keyed.auth, keyed.api_key) == ("https://prod", None, "sjs_k")
    assert resolve(Profile(), None, tmp_path / "absent.toml").url == "http://127.0.0.1:8090"


def test_profile_problems_are_usage_errors(tmp_path: Path):
    profiles = tmp_path / "config.toml"
    profiles.write_text('[team]\nurl = "http://x"\ntoken = "typo"\n')
    runner = CliRunner()
    for args, message in (
        (["--profile", "other"], "no profile 'other'"),
        (["--profile", "team"], "token"),
        (["--user", "alice"], "a user needs a password"),
    ):
        result = runner.invoke(app, [*args, "contexts", "list"], env={"SJS_CONFIG": str(profiles)})
        assert result.exit_code == ExitCode.USAGE, result.output
        assert message in result.stderr


def test_a_readable_profile_with_credentials_is_warned_of(tmp_path: Path, capsys):
    profiles = tmp_path / "config.toml"
    profiles.write_text('[default]\nurl = "http://x"\napi-key = "sjs_k"\n')
    profiles.chmod(0o644)
    resolve(Profile(), None, profiles)
    assert "chmod 600" in capsys.readouterr().err


def test_no_server_is_exit_4_naming_the_url_from_the_environment():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    env = {"SJS_URL": url, "SJS_CONFIG": os.devnull}
    result = CliRunner().invoke(app, ["contexts", "list"], env=env)
    assert result.exit_code == ExitCode.UNREACHABLE and f"no answer from {url}" in result.stderr
