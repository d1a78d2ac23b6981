"""Every sample event in events/samples replays through the handler of its function, as
`python -m infra.local.replay` replays it, and gets the answer that function gives."""

import json
import uuid

import pytest

from events.sample_events import load_event, names
from infra.aws import client
from infra.clock import now_ms
from infra.local.replay import invoke
from tests.unit.test_api_contexts import live_context

NEEDS_A_HOST = {"ApiFunction/create_context"}  # starts a context host; tests/integration replays it


@pytest.mark.parametrize("name", sorted(set(names("ApiFunction")) - NEEDS_A_HOST))
def test_api_samples_get_an_sjs_answer(aws, name):
    response = invoke("ApiFunction", load_event(name))
    body = json.loads(response["body"])
    assert response["statusCode"] < 500, body
    if response["statusCode"] >= 400:
        assert set(body) == {"status", "result"}


@pytest.mark.parametrize("name", names("DeployFunction") + names("CallbackFunction"))
def test_queue_samples_are_taken_whole(aws, example_egg, name):
    """The objects the deploy samples name are there, as S3 sent the notice for them."""
    s3 = client("s3")
    s3.put_object(Bucket=aws.binaries_bucket, Key="binaries/examples/example_jobs.egg", Body=example_egg)
    s3.put_object(Bucket=aws.binaries_bucket, Key="binaries/examples/release notes.txt", Body=b"v1: faster")
    response = invoke(name.split("/")[0], load_event(name))
    assert response == {"batchItemFailures": []}


def test_the_schedule_sample_runs_the_reconciler(aws):
    # Other tests' contexts may fall silent meanwhile and be reaped too: only this one is known.
    silent = live_context(aws, f"silent-{uuid.uuid4().hex[:6]}", heartbeat_ms=now_ms() - 60_000)
    report = invoke("ReconcilerFunction", load_event("ReconcilerFunction/schedule"))
    assert silent.name in report["reaped"]
    assert set(report) == {"reaped", "restarted", "sweptReplyQueues", "startedPreloaded", "spares"}


def test_the_start_sample_starts_the_preloaded_contexts(aws):
    """None are configured here (tests/unit/test_api_server_config.py starts some)."""
    assert invoke("ReconcilerFunction", load_event("ReconcilerFunction/start_preloaded")) == {
        "startedPreloaded": []
    }
