"""Deploy by upload, on moto in-process: S3's notice (as the deploy queue hands it to the deploy
function) registers a version or moves the object aside, and the bus hears of it."""

import io
import zipfile

import pytest

from events.sample_events import load_event
from functions.wiring import services
from infra.aws import client
from infra.local.replay import invoke
from tests.support.receivers import subscribe


@pytest.fixture
def deploys(aws):
    return subscribe(
        client("events"),
        client("sqs"),
        aws.event_bus_name,
        {"source": ["sjs.jobserver"], "detail-type": ["Binary Deployed", "Binary Rejected"]},
    )


def notice_of(key: str) -> dict:
    """The deploy queue's delivery of S3's notice for `key` (keys arrive URL-encoded)."""
    event = load_event("DeployFunction/package_uploaded")
    s3 = event["Records"][0]["body"]
    etag = client("s3").head_object(Bucket=services().settings.binaries_bucket, Key=key)["ETag"].strip('"')
    event["Records"][0]["body"] = s3.replace(
        "binaries/examples/example_jobs.egg", key.replace(" ", "+")
    ).replace("d41d8cd98f00b204e9800998ecf8427e", etag)
    return event


def test_a_dropped_package_becomes_the_newest_version_once(aws, deploys, example_egg):
    key = "binaries/dropped/example jobs.egg"
    client("s3").put_object(Bucket=aws.binaries_bucket, Key=key, Body=example_egg)
    assert invoke("DeployFunction", notice_of(key)) == {"batchItemFailures": []}
    assert invoke("DeployFunction", notice_of(key)) == {"batchItemFailures": []}  # S3 said it twice

    [version] = services().binaries.versions("dropped")
    assert version.binaryType == "Egg" and version.key.startswith("versions/dropped/")
    assert "example_jobs.word_count.WordCountSparkJob" in version.classes
    told = deploys.wait_for(lambda e: e["detail"]["appName"] == "dropped")
    assert told["detail-type"] == "Binary Deployed"
    assert told["detail"]["sourceKey"] == key and told["detail"]["key"] == version.key


def test_the_same_bytes_over_the_api_and_the_bucket_make_one_version_each(api, aws, example_egg):
    assert (
        api("POST", "/binaries/twice", example_egg, {"Content-Type": "application/python-egg"}).status == 201
    )
    deploy_queue = client("sqs").get_queue_url(QueueName="sjs-unit-deploy")["QueueUrl"]
    waiting = client("sqs").receive_message(QueueUrl=deploy_queue, MaxNumberOfMessages=10).get("Messages", [])
    assert [m for m in waiting if "twice" in m["Body"]] == []  # a stored version is no drop: no loop

    client("s3").put_object(Bucket=aws.binaries_bucket, Key="binaries/twice/jobs.egg", Body=example_egg)
    invoke("DeployFunction", notice_of("binaries/twice/jobs.egg"))
    assert len(services().binaries.versions("twice")) == 2


def test_a_dropped_file_that_is_no_package_is_moved_aside_and_reported(aws, deploys):
    s3 = client("s3")
    s3.put_object(Bucket=aws.binaries_bucket, Key="binaries/notes/release notes.txt", Body=b"v1: faster")
    assert invoke("DeployFunction", notice_of("binaries/notes/release notes.txt")) == {
        "batchItemFailures": []
    }

    told = deploys.wait_for(lambda e: e["detail"]["appName"] == "notes")
    assert told["detail-type"] == "Binary Rejected"
    assert told["detail"]["reason"] == "Binary is not a valid jar, egg or wheel (expected a zip archive)"
    assert told["detail"]["rejectedKey"] == "rejected/notes/release notes.txt"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=aws.binaries_bucket).get("Contents", [])]
    assert "rejected/notes/release notes.txt" in keys and "binaries/notes/release notes.txt" not in keys
    with pytest.raises(Exception, match="notes not found"):
        services().binaries.versions("notes")


def test_a_drop_outside_an_app_folder_is_rejected(aws, deploys, example_egg):
    client("s3").put_object(Bucket=aws.binaries_bucket, Key="binaries/loose.egg", Body=example_egg)
    invoke("DeployFunction", notice_of("binaries/loose.egg"))
    told = deploys.wait_for(lambda e: e["detail"].get("sourceKey") == "binaries/loose.egg")
    assert (
        told["detail-type"] == "Binary Rejected" and "binaries/<appName>/<file>" in told["detail"]["reason"]
    )


def test_the_presigned_upload_route_hands_out_a_put_into_the_drop_area(api):
    answer = api("POST", "/binaries/big/uploads?fileName=jobs.egg")
    assert answer.status == 201
    assert answer.body["method"] == "PUT" and answer.body["key"] == "binaries/big/jobs.egg"
    assert "binaries/big/jobs.egg" in answer.body["url"] and "Signature" in answer.body["url"]
    assert api("POST", "/binaries/big/uploads?fileName=../x").status == 400


def test_a_dropped_package_over_a_limit_is_rejected_with_the_reason(aws, deploys, configure):
    configure("limits { max-package-entries = 3 }")
    crowded = io.BytesIO()
    with zipfile.ZipFile(crowded, "w") as archive:
        for i in range(4):
            archive.writestr(f"jobs/m{i}.py", "")
    client("s3").put_object(
        Bucket=aws.binaries_bucket, Key="binaries/crowded/jobs.egg", Body=crowded.getvalue()
    )
    assert invoke("DeployFunction", notice_of("binaries/crowded/jobs.egg")) == {"batchItemFailures": []}

    told = deploys.wait_for(lambda e: e["detail"]["appName"] == "crowded")
    assert told["detail-type"] == "Binary Rejected"
    assert told["detail"]["reason"] == "Package has 4 entries; the limit is 3 (limits.max-package-entries)"
    assert told["detail"]["rejectedKey"] == "rejected/crowded/jobs.egg"


def test_a_drop_over_the_size_limit_is_rejected_without_being_read(aws, deploys, configure, example_egg):
    configure("limits { max-package-bytes = 1000 }")
    client("s3").put_object(Bucket=aws.binaries_bucket, Key="binaries/heavy/jobs.egg", Body=example_egg)
    invoke("DeployFunction", notice_of("binaries/heavy/jobs.egg"))
    told = deploys.wait_for(lambda e: e["detail"]["appName"] == "heavy")
    assert told["detail-type"] == "Binary Rejected"
    assert told["detail"]["reason"] == (
        f"Package is {len(example_egg)} bytes; the limit is 1000 (limits.max-package-bytes)"
    )
