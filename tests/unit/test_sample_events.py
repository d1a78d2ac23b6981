"""Every sample event in events/samples replays through the handler of its function, as
`python -m infra.local.replay` replays it, and gets the answer that function gives."""

import json

import pytest

from events.sample_events import load_event, names
from infra.aws import client
from infra.local.replay import invoke

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
    answer = invoke("ReconcilerFunction", load_event("ReconcilerFunction/schedule"))
    assert set(answer) == {"reaped", "sweptReplyQueues", "startedPreloaded"}  # values: other tests'


def test_the_start_sample_starts_the_preloaded_contexts(aws):
    """None are configured here (tests/unit/test_api_server_config.py starts some)."""
    assert invoke("ReconcilerFunction", load_event("ReconcilerFunction/start_preloaded")) == {
        "startedPreloaded": []
    }
