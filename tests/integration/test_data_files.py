"""SJS's /data on the real stack: a file uploaded as curl uploads it is read by a job through the
path the upload answered (the job runs in the sandbox, without AWS credentials), then deleted by
that path (the job can no longer load it), and a reset empties /data."""

from urllib.parse import quote

WORDS_IN_FILE = "example_jobs.word_count.WordCountFileJob"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}  # what curl --data-binary sends


def test_a_job_reads_a_data_file_by_the_name_its_upload_returned(stack, app, context):
    uploaded = stack.call("POST", "/data/words", data=b"a b a\nc a\n", headers=FORM)
    assert uploaded.status_code == 200, uploaded.text
    filename = uploaded.json()["result"]["filename"]
    assert filename.startswith(str(stack.state_dir / "data" / "words-")) and filename.endswith(".dat")
    assert filename in stack.call("GET", "/data").json()

    config = f'input.file = "{filename}"'
    counted = stack.submit(app, WORDS_IN_FILE, config, context=context, sync="true")
    assert counted.status_code == 200, counted.text
    assert counted.json()["result"] == {"a": 3, "b": 1, "c": 1}

    assert stack.call("DELETE", f"/data/{quote(filename, safe='')}").json() == {"status": "SUCCESS"}
    assert filename not in stack.call("GET", "/data").json()
    gone = stack.submit(app, WORDS_IN_FILE, config, context=context, sync="true")
    assert gone.status_code == 400 and gone.json()["status"] == "JOB LOADING FAILED"
    assert (
        gone.json()["result"]["message"] == f"data file {filename} is not stored (deleted, or never uploaded)"
    )


def test_reset_reboot_empties_data(stack):
    for prefix in ("one", "two"):
        assert stack.call("POST", f"/data/{prefix}", data=prefix.encode(), headers=FORM).status_code == 200
    assert stack.call("PUT", "/data?reset=reboot").json() == {"status": "SUCCESS", "result": "Data reset"}
    assert stack.call("GET", "/data").json() == []
