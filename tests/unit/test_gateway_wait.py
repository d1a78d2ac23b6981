"""Within API Gateway's 30 s: a context not usable within gateway.max-wait-seconds is answered
202 STARTING, and GET /contexts/{name} follows it (its host is an ECS task, which moto never runs)."""

import uuid

from infra.aws import client


def test_a_context_not_ready_within_the_bound_is_answered_202_starting(api, configure):
    subnet = client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]
    configure("gateway { max-wait-seconds = 0.3 }", CONTEXT_LAUNCHER="ecs", HOST_SUBNETS=subnet)
    name = f"slow-{uuid.uuid4().hex[:6]}"
    answer = api("POST", f"/contexts/{name}?restart=on-failure")
    assert answer.status == 202, answer.body
    assert answer.body["status"] == "STARTING" and f"GET /contexts/{name}" in answer.body["result"]
    assert answer.body["context"]["state"] == "STARTED"
    shown = api("GET", f"/contexts/{name}").body
    assert shown["state"] == "STARTED" and shown["restart"] == {"attempts": 3}
    assert api("POST", f"/contexts/{name}").status == 400  # it exists, starting
