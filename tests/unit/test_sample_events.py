"""Every sample event in events/samples replays through the API function and gets an SJS answer."""

import json

import pytest

from events.sample_events import load_event, names
from functions.api.app import lambda_handler
from infra.local.http_adapter import LocalLambdaContext

NEEDS_A_HOST = {"api_create_context"}  # starts a context host; tests/integration replays it on the real stack


@pytest.mark.parametrize("name", sorted(set(names()) - NEEDS_A_HOST))
def test_sample_event_replays(aws, name):
    response = lambda_handler(load_event(name), LocalLambdaContext("ApiFunction", "replay"))
    body = json.loads(response["body"])
    assert response["statusCode"] < 500, body
    if response["statusCode"] >= 400:
        assert set(body) == {"status", "result"}
