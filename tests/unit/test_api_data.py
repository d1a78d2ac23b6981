"""SJS's /data routes through the API function: upload answers the path a job opens on the hosts,
list, delete by that path (URL-encoded, as SJS's clients send it) or by name, reset."""

from pathlib import PurePosixPath
from urllib.parse import quote

from infra.aws import client
from infra.stores.data_files import FILE_NAME


def stored(aws) -> dict[str, bytes]:
    s3 = client("s3")
    listing = s3.list_objects_v2(Bucket=aws.binaries_bucket, Prefix="data/").get("Contents", [])
    return {
        item["Key"]: s3.get_object(Bucket=aws.binaries_bucket, Key=item["Key"])["Body"].read()
        for item in listing
    }


def test_an_upload_answers_the_path_jobs_open_and_is_listed(api, aws):
    first = api("POST", "/data/input", b"a,b\n1,2\n", {"Content-Type": "application/x-www-form-urlencoded"})
    assert first.status == 200
    path = PurePosixPath(first.body["result"]["filename"])  # SJS's answer: {"result": {"filename"}}
    assert path.parent == PurePosixPath(aws.data_path)
    assert FILE_NAME.match(path.name) and path.name.startswith("input-") and path.suffix == ".dat"
    assert stored(aws)[f"data/{path.name}"] == b"a,b\n1,2\n"

    second = api("POST", "/data/input", b"other bytes").body["result"]["filename"]
    assert second != str(path)  # never the same name twice, even within a millisecond
    listed = api("GET", "/data").body
    assert str(path) in listed and second in listed


def test_delete_takes_the_returned_path_or_the_bare_name_and_refuses_others(api, aws):
    by_path = api("POST", "/data/gone", b"x").body["result"]["filename"]
    by_name = api("POST", "/data/gone", b"y").body["result"]["filename"]
    assert api("DELETE", f"/data/{quote(by_path, safe='')}").body == {"status": "SUCCESS"}
    assert api("DELETE", f"/data/{PurePosixPath(by_name).name}").body == {"status": "SUCCESS"}
    assert by_path not in api("GET", "/data").body and by_name not in api("GET", "/data").body

    again = api("DELETE", f"/data/{quote(by_path, safe='')}")
    assert (again.status, again.body) == (
        400,
        {"status": "ERROR", "result": f"Unable to delete data file '{by_path}'."},
    )
    kept = api("POST", "/data/kept", b"z").body["result"]["filename"]
    elsewhere = quote(f"/etc/{PurePosixPath(kept).name}", safe="")  # the name, outside the data folder
    assert api("DELETE", f"/data/{elsewhere}").status == 400
    assert kept in api("GET", "/data").body


def test_prefixes_are_plain_names(api, aws):
    before = stored(aws)
    for bad in ("..hidden", "semi;colon", quote("/tmp/x", safe=""), "-dash"):
        answer = api("POST", f"/data/{bad}", b"x")
        assert answer.status == 400, bad
        assert answer.body["result"].startswith("Invalid data file prefix")
    assert stored(aws) == before


def test_reset_reboot_deletes_every_data_file(api, aws):
    for prefix in ("one", "two"):
        api("POST", f"/data/{prefix}", b"x")
    assert api("PUT", "/data").status == 400  # reset is required
    assert api("PUT", "/data?reset=later").status == 400
    assert api("PUT", "/data?reset=reboot").body == {"status": "SUCCESS", "result": "Data reset"}
    assert api("GET", "/data").body == []
    assert stored(aws) == {}
