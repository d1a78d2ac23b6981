"""The local stack's saved state (infra/local/snapshot.py): what one stack saves, another, empty,
gets back whole; a save copies only what changed; a half-done save never spoils the saved state."""

import json

import pytest

from infra.aws import client
from infra.local.provision import provision
from infra.local.snapshot import StateSnapshot, UnreadableState, retained
from infra.local.template import load

TEMPLATE = load()


def stack(name: str):
    """A stack of its own (the package's other tests keep theirs) and its retained resources."""
    provision(TEMPLATE, name)
    return retained(TEMPLATE.retained, name)


@pytest.fixture(scope="module")
def saved_from(aws):
    """A stack with a few items and objects, as the local stack has them at a stop."""
    resources = stack("sjs-snap-from")
    dynamodb, s3 = client("dynamodb"), client("s3")
    for i in range(30):  # more than one batch write
        item = {"jobId": {"S": f"job-{i}"}, "status": {"S": "FINISHED"}, "result": {"S": "x" * i}}
        dynamodb.put_item(TableName=resources.tables["JobsTable"], Item=item)
    bucket = resources.buckets["DataBucket"]
    s3.put_object(
        Bucket=bucket, Key="binaries/app/a b.egg", Body=b"PK-egg", ContentType="application/python-egg"
    )
    s3.put_object(Bucket=bucket, Key="results/job-1.json", Body=b"{}", Metadata={"job": "job-1"})
    return resources


def test_the_retained_resources_are_the_template_s(aws):
    assert set(TEMPLATE.retained) == {"DataBucket", "JobsTable", "ContextsTable", "BinariesTable"}


def test_what_is_saved_comes_back_whole_in_an_empty_stack(saved_from, tmp_path):
    snapshot = StateSnapshot(tmp_path / "aws")
    cost = snapshot.save(saved_from, resume=["analytics"])
    assert (cost.items, cost.objects) == (30, 2)
    assert (tmp_path / "aws").stat().st_mode & 0o777 == 0o700  # job configs and results: the stack's only

    into = stack("sjs-snap-into")
    restored, cost = snapshot.restore(into)
    assert restored is not None and restored.resume == ["analytics"]
    assert (cost.items, cost.objects) == (30, 2)
    items = client("dynamodb").scan(TableName=into.tables["JobsTable"])["Items"]
    assert sorted(i["jobId"]["S"] for i in items) == sorted(f"job-{i}" for i in range(30))
    s3, bucket = client("s3"), into.buckets["DataBucket"]
    egg = s3.get_object(Bucket=bucket, Key="binaries/app/a b.egg")
    assert egg["Body"].read() == b"PK-egg" and egg["ContentType"] == "application/python-egg"
    assert s3.get_object(Bucket=bucket, Key="results/job-1.json")["Metadata"] == {"job": "job-1"}


def test_a_save_copies_only_objects_that_changed_and_forgets_deleted_ones(saved_from, tmp_path):
    snapshot = StateSnapshot(tmp_path / "aws")
    first = snapshot.save(saved_from, resume=[])
    assert first.copied_bytes == len(b"PK-egg") + len(b"{}")
    assert snapshot.save(saved_from, resume=[]).copied_bytes == 0

    s3, bucket = client("s3"), saved_from.buckets["DataBucket"]
    s3.put_object(Bucket=bucket, Key="results/job-2.json", Body=b"[1]")
    s3.delete_object(Bucket=bucket, Key="results/job-1.json")
    try:
        assert snapshot.save(saved_from, resume=[]).copied_bytes == len(b"[1]")
        blobs = {p.name for p in snapshot.blobs.iterdir()}
        assert len(blobs) == 2  # the deleted object's bytes went with it
    finally:
        s3.put_object(Bucket=bucket, Key="results/job-1.json", Body=b"{}", Metadata={"job": "job-1"})
        s3.delete_object(Bucket=bucket, Key="results/job-2.json")


def test_a_save_killed_half_way_leaves_the_previous_state_readable(saved_from, tmp_path):
    snapshot = StateSnapshot(tmp_path / "aws")
    snapshot.save(saved_from, resume=["kept"])
    # what a kill -9 during the next save leaves: a temp file of the snapshot and of a blob
    (snapshot.folder / ".snapshot.json.x1y2").write_text('{"version": 1, "sav')
    (snapshot.blobs / ".tmp-abc").write_bytes(b"PK-half")
    loaded = snapshot.load()
    assert loaded is not None and loaded.resume == ["kept"]
    snapshot.save(saved_from, resume=[])
    assert not (snapshot.blobs / ".tmp-abc").exists()


def test_a_state_it_cannot_read_is_refused_not_overwritten_on_restore(saved_from, tmp_path):
    snapshot = StateSnapshot(tmp_path / "aws")
    snapshot.save(saved_from, resume=[])
    for blob in snapshot.blobs.iterdir():
        blob.unlink()
    with pytest.raises(UnreadableState, match="lacks the bytes"):
        snapshot.load()
    snapshot.file.write_text(json.dumps({"version": 99, "savedAt": "", "tables": {}, "buckets": {}}))
    with pytest.raises(UnreadableState, match="format 99"):
        snapshot.restore(saved_from)


def test_nothing_saved_restores_nothing(saved_from, tmp_path):
    restored, cost = StateSnapshot(tmp_path / "aws").restore(saved_from)
    assert restored is None and cost.items == 0
