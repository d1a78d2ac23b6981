"""POST/GET/DELETE /binaries, and SJS's legacy /jars, through the API function, as API Gateway
invokes it."""

import io
import uuid
import zipfile

from events.states import JobStatus
from infra.aws import client
from infra.clock import now_ms
from infra.stores.jobs import JobRecord, JobStore
from tests.unit.test_api_contexts import live_context

FORM = {"Content-Type": "application/x-www-form-urlencoded"}  # what curl --data-binary sends


def objects_under(bucket: str, prefix: str) -> list[str]:
    listing = client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for o in listing.get("Contents", [])]


def test_upload_like_curl_then_list_show_and_delete(api, aws, example_egg):
    uploaded = api("POST", "/binaries/wc", example_egg, FORM)
    assert uploaded.status == 201
    assert uploaded.body["binary-type"] == "Egg"
    second = api("POST", "/binaries/wc", example_egg, {"Content-Type": "application/python-egg"})
    assert second.status == 201

    listed = api("GET", "/binaries").body
    assert listed["wc"] == {"binary-type": "Egg", "upload-time": second.body["upload-time"]}
    shown = api("GET", "/binaries/wc").body
    assert [v["upload-time"] for v in shown["versions"]] == [
        second.body["upload-time"],
        uploaded.body["upload-time"],
    ]

    assert api("DELETE", "/binaries/wc").status == 200
    assert api("GET", "/binaries/wc").status == 404
    assert "wc" not in api("GET", "/binaries").body
    assert objects_under(aws.binaries_bucket, "versions/wc/") == []


def test_a_non_zip_upload_is_a_400_and_stores_nothing(api, aws):
    answer = api("POST", "/binaries/junk", b"#!/bin/sh\necho not a jar\n", FORM)
    assert answer.status == 400
    assert answer.body == {
        "status": "ERROR",
        "result": "Binary is not a valid jar, egg or wheel (expected a zip archive)",
    }
    assert objects_under(aws.binaries_bucket, "versions/junk/") == []
    assert api("GET", "/binaries/junk").status == 404


def test_unsafe_names_and_unknown_types_are_refused(api, example_egg):
    assert api("POST", "/binaries/..hidden", example_egg).status == 400
    assert api("POST", "/binaries/semi;colon", example_egg).status == 400


def test_an_unsupported_content_type_is_415_as_in_sjs(api, example_egg):
    refused = api("POST", "/binaries/fine", example_egg, {"Content-Type": "text/plain"})
    assert refused.status == 415
    assert refused.body["status"] == "ERROR"
    assert refused.body["result"].startswith("Unsupported binary type text/plain")
    assert api("GET", "/binaries/fine").status == 404


def test_deleting_an_unknown_binary_is_a_404(api):
    assert api("DELETE", "/binaries/nothing-here").body == {
        "status": "ERROR",
        "result": "appName nothing-here not found",
    }


def active_job(aws, context: str, app: str, dependencies: tuple[str, ...] = ()) -> JobRecord:
    job = JobRecord(
        jobId=str(uuid.uuid4()),
        context=context,
        appName=app,
        dependencies=list(dependencies),
        classPath="m.C",
        status=JobStatus.STARTED,
        startTime="2026-11-21T04:00:00.000+00:00",
    )
    JobStore(aws.jobs_table).create(job)
    return job


def test_a_binary_on_the_path_of_an_active_job_is_not_deleted_as_in_sjs(api, aws, example_egg):
    holder, dependency = f"held-{uuid.uuid4().hex[:6]}", f"dep-{uuid.uuid4().hex[:6]}"
    for app in (holder, dependency):
        assert api("POST", f"/binaries/{app}", example_egg, FORM).status == 201
    context = live_context(aws, f"busy-{uuid.uuid4().hex[:6]}")
    running = active_job(aws, context.name, holder, dependencies=(dependency,))

    for app in (holder, dependency):
        refused = api("DELETE", f"/binaries/{app}")
        assert refused.status == 403
        assert refused.body == {"status": "ERROR", "result": f"Binary is in use by job(s): {running.jobId}"}
        assert api("GET", f"/binaries/{app}").status == 200

    JobStore(aws.jobs_table).finish(running.jobId, JobStatus.FINISHED, result="1")
    assert api("DELETE", f"/binaries/{holder}").status == 200
    assert api("DELETE", f"/jars/{dependency}").status == 200  # the legacy route is the same delete


def test_a_job_whose_host_died_holds_no_binary(api, aws, example_egg):
    app = f"orphaned-{uuid.uuid4().hex[:6]}"
    assert api("POST", f"/binaries/{app}", example_egg, FORM).status == 201
    dead = live_context(aws, f"dead-{uuid.uuid4().hex[:6]}", heartbeat_ms=now_ms() - 60_000)
    stranded = active_job(aws, dead.name, app)
    assert api("DELETE", f"/binaries/{app}").status == 200
    assert api("GET", f"/jobs/{stranded.jobId}").body["status"] == "ERROR"  # ended with its context


def jar_bytes() -> bytes:
    jar = io.BytesIO()
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
        archive.writestr("demo/WordCount.class", b"\xca\xfe\xba\xbe")
    return jar.getvalue()


def test_the_legacy_jars_routes_alias_binaries_in_sjs_old_shapes(api, example_egg):
    uploaded = api("POST", "/jars/demo", jar_bytes(), FORM)  # what curl --data-binary sends
    assert (uploaded.status, uploaded.body) == (200, {"status": "SUCCESS", "result": "Jar uploaded"})
    shown = api("GET", "/binaries/demo").body
    assert shown["binary-type"] == "Jar"
    assert api("POST", "/binaries/an-egg", example_egg, FORM).status == 201

    jars = api("GET", "/jars").body
    assert jars["demo"] == shown["upload-time"]  # {appName: upload time}, jars only
    assert "an-egg" not in jars

    assert api("POST", "/jars/junk", b"not a zip", FORM).status == 400
    assert api("DELETE", "/jars/demo").body == {"status": "SUCCESS", "result": "Binary demo deleted"}
    assert "demo" not in api("GET", "/jars").body
    assert api("DELETE", "/jars/demo").status == 404
