"""The event-driven edges on the real local stack: packages deployed by S3 upload (moto's S3
notification → deploy queue → the local dispatcher → the deploy function), lifecycle events
reaching a user's own EventBridge rule, and callbackUrl POSTs to a real HTTP receiver."""

import base64
import json
import os

import requests

from functions.domain.waiting import wait_until
from tests.integration.conftest import FAILING, WORDCOUNT, unique
from tests.support.receivers import callback_receiver, subscribe

WORDS = 'input.strings = ["a", "b", "a", "c"]'
COUNTS = {"a": 2, "b": 1, "c": 1}
BIG = "example_jobs.dataframes.BigResultJob"


def user_rule(stack, pattern: dict):
    return subscribe(
        stack.aws("events"), stack.aws("sqs"), stack.bus, {"source": ["sjs.jobserver"], **pattern}
    )


def listed_within(stack, app: str, seconds: float = 15) -> dict:
    binaries, ok = wait_until(lambda: stack.call("GET", "/binaries").json(), lambda b: app in b, seconds)
    assert ok, f"{app} not listed after {seconds} s: {sorted(binaries)}"
    return binaries[app]


def test_a_package_copied_to_s3_is_deployed_runnable_and_announced(stack, context, example_egg):
    app = unique("s3app")
    deploys = user_rule(stack, {"detail-type": ["Binary Deployed"], "detail": {"appName": [app]}})
    key = f"binaries/{app}/example jobs.egg"  # the space arrives URL-encoded
    stack.aws("s3").put_object(Bucket=stack.bucket, Key=key, Body=example_egg)

    assert listed_within(stack, app)["binary-type"] == "Egg"
    told = deploys.wait_for(lambda e: True)["detail"]
    assert told["sourceKey"] == key and told["key"].startswith(f"versions/{app}/")
    ran = stack.submit(app, WORDCOUNT, WORDS, context=context, sync="true")
    assert ran.status_code == 200 and ran.json()["result"] == COUNTS

    stack.aws("s3").put_object(Bucket=stack.bucket, Key=key, Body=example_egg)  # copied again: redeployed
    _, redeployed = wait_until(
        lambda: stack.call("GET", f"/binaries/{app}").json()["versions"], lambda v: len(v) == 2, 15
    )
    assert redeployed


def test_the_same_bytes_over_the_api_and_s3_make_one_version_each(stack, example_egg):
    app = unique("both")
    deploys = user_rule(stack, {"detail-type": ["Binary Deployed"], "detail": {"appName": [app]}})
    assert stack.call("POST", f"/binaries/{app}", data=example_egg).status_code == 201
    stack.aws("s3").put_object(Bucket=stack.bucket, Key=f"binaries/{app}/jobs.egg", Body=example_egg)
    deploys.wait_for(lambda e: e["detail"]["sourceKey"] is not None)

    deploy_queue = stack.aws("sqs").get_queue_url(QueueName="sjs-it-deploy")["QueueUrl"]
    attributes = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    _, drained = wait_until(
        lambda: stack.aws("sqs").get_queue_attributes(QueueUrl=deploy_queue, AttributeNames=attributes)[
            "Attributes"
        ],
        lambda counts: all(counts[a] == "0" for a in attributes),
        15,
    )
    assert drained
    assert len(stack.call("GET", f"/binaries/{app}").json()["versions"]) == 2


def test_a_file_that_is_no_package_is_moved_aside_and_reported(stack):
    app = unique("bad")
    rejections = user_rule(stack, {"detail-type": ["Binary Rejected"], "detail": {"appName": [app]}})
    stack.aws("s3").put_object(Bucket=stack.bucket, Key=f"binaries/{app}/jobs.egg", Body=b"not a zip")

    told = rejections.wait_for(lambda e: True)["detail"]
    assert told["reason"] == "Binary is not a valid jar, egg or wheel (expected a zip archive)"
    assert told["rejectedKey"] == f"rejected/{app}/jobs.egg"
    keys = [
        o["Key"]
        for o in stack.aws("s3")
        .list_objects_v2(Bucket=stack.bucket, Prefix=f"binaries/{app}/")
        .get("Contents", [])
    ]
    assert keys == []
    assert stack.call("GET", f"/binaries/{app}").status_code == 404


def test_a_package_over_the_api_body_limit_goes_up_presigned(stack, context, package_with):
    app = unique("big")
    padding = base64.b64encode(os.urandom(11_000_000)).decode()  # incompressible: the egg is > 10 MB
    package = package_with({"example_jobs/padding.txt": padding})
    assert len(package) > 10 * 1024 * 1024
    upload = stack.call("POST", f"/binaries/{app}/uploads?fileName=jobs.egg").json()
    assert requests.put(upload["url"], data=package, timeout=60).status_code == 200

    listed_within(stack, app, seconds=30)
    ran = stack.submit(app, WORDCOUNT, WORDS, context=context, sync="true")
    assert ran.json()["result"] == COUNTS


def test_a_users_rule_receives_job_finished_with_its_result_and_job_failed_with_its_error(
    stack, app, context
):
    ends = user_rule(stack, {"detail-type": ["Job Finished", "Job Failed"], "detail": {"context": [context]}})
    finished = stack.submit(app, WORDCOUNT, WORDS, context=context, sync="true").json()["jobId"]
    failed = stack.submit(app, FAILING, 'message = "bad data"', context=context, sync="true").json()["jobId"]

    done = ends.wait_for(lambda e: e["detail"]["jobId"] == finished)
    assert done["detail-type"] == "Job Finished"
    assert done["detail"]["result"] == COUNTS and done["detail"]["status"] == "FINISHED"
    broke = ends.wait_for(lambda e: e["detail"]["jobId"] == failed)
    assert broke["detail-type"] == "Job Failed"
    assert (broke["detail"]["message"], broke["detail"]["errorClass"]) == ("bad data", "ValueError")


def test_a_result_too_large_for_an_event_is_pointed_to_in_s3(stack, app, context):
    ends = user_rule(stack, {"detail-type": ["Job Finished"], "detail": {"classPath": [BIG]}})
    job_id = stack.submit(app, BIG, "rows = 600", context=context, sync="true").json()["jobId"]

    detail = ends.wait_for(lambda e: e["detail"]["jobId"] == job_id)["detail"]
    assert detail["result"] is None
    location = detail["resultLocation"]
    stored = stack.aws("s3").get_object(Bucket=location["bucket"], Key=location["key"])["Body"].read()
    assert json.loads(stored) == stack.call("GET", f"/jobs/{job_id}").json()["result"]


def test_callback_url_receives_the_result_and_the_error(stack, app, context):
    with callback_receiver() as receiver:
        ok = stack.submit(app, WORDCOUNT, WORDS, context=context, callbackUrl=receiver.url).json()["jobId"]
        bad = stack.submit(app, FAILING, 'message = "bad data"', context=context, callbackUrl=receiver.url)
        bad_id = bad.json()["jobId"]
        got = receiver.wait_for(lambda posts: {p["jobId"] for p in posts} >= {ok, bad_id})

    by_job = {post["jobId"]: post for post in got}
    assert by_job[ok] == {"jobId": ok, "status": "FINISHED", "result": COUNTS}
    assert by_job[bad_id]["status"] == "ERROR" and by_job[bad_id]["result"]["message"] == "bad data"


def test_a_bad_callback_url_is_a_400(stack, app, context):
    answer = stack.submit(app, WORDCOUNT, WORDS, context=context, callbackUrl="not-a-url")
    assert answer.status_code == 400 and answer.json()["status"] == "ERROR"


def test_a_callback_into_the_servers_network_is_a_400_even_with_loopback_allowed(stack, app, context):
    metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    answer = stack.submit(app, WORDCOUNT, WORDS, context=context, callbackUrl=metadata)
    assert answer.status_code == 400
    assert "(limits.callback-allowed-networks)" in answer.json()["result"]
