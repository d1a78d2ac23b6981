"""POST/GET/DELETE /binaries through the API function, as API Gateway invokes it."""

from infra.aws import client

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
    refused = api("POST", "/binaries/fine", example_egg, {"Content-Type": "text/plain"})
    assert refused.status == 400 and "Unsupported binary type" in refused.body["result"]


def test_deleting_an_unknown_binary_is_a_404(api):
    assert api("DELETE", "/binaries/nothing-here").body == {
        "status": "ERROR",
        "result": "appName nothing-here not found",
    }
