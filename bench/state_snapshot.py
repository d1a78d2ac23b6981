"""What keeping the local stack's state costs (infra/local/snapshot.py): a save at stop, a save
with nothing changed (the periodic one, most of the time), and a restore at start, on a real
moto server with its IAM checks on, as `make up` runs it.

    python -m bench.state_snapshot [binaries] [jobs] [binary KiB]     (defaults: 50 1000 1024)

Figures only: printed, never asserted."""

import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from infra.aws import client
from infra.local.child import free_port
from infra.local.moto_server import MotoServer, read_credentials
from infra.local.provision import provision
from infra.local.snapshot import StateSnapshot, retained
from infra.local.template import load
from infra.stores.jobs import JobRecord, JobStore

STACK = "sjs-bench"
WORDS = {"input": {"strings": ["a", "b", "a", "c"] * 20}}  # a job config of a few hundred bytes


def started_moto(folder: Path) -> MotoServer:
    """A fresh embedded AWS, this process signing with its stack keys."""
    port = free_port()
    moto = MotoServer("127.0.0.1", port, folder / "moto.log", folder / "aws.env")
    moto.start()
    os.environ.update(read_credentials(folder / "aws.env"))
    client.cache_clear()
    return moto


def fill(binaries: int, jobs: int, binary_bytes: int) -> None:
    resources = retained(load().retained, STACK)
    s3, bucket = client("s3"), resources.buckets["DataBucket"]
    dynamodb = client("dynamodb")
    for i in range(binaries):
        key = f"binaries-stored/app{i}/{uuid.uuid4().hex}.egg"
        s3.put_object(Bucket=bucket, Key=key, Body=os.urandom(binary_bytes))
        item = {"appName": {"S": f"app{i}"}, "uploadTime": {"S": "2026-12-01T08:00:00Z"}, "key": {"S": key}}
        dynamodb.put_item(TableName=resources.tables["BinariesTable"], Item=item)
    store = JobStore(resources.tables["JobsTable"])
    for i in range(jobs):
        job = JobRecord(
            jobId=str(uuid.uuid4()),
            context=f"ctx{i % 5}",
            appName=f"app{i % binaries}",
            classPath="example_jobs.word_count.WordCountSparkJob",
            status="STARTED",
            startTime="2026-12-01T08:00:00.000+00:00",
            config=WORDS,
        )
        store.create(job)
        store.finish(job.jobId, "FINISHED", result='{"a": 40, "b": 20, "c": 20}')


def main(binaries: int = 50, jobs: int = 1000, binary_kib: int = 1024) -> None:
    folder = Path(tempfile.mkdtemp(prefix="sjs-bench-state-"))
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    snapshot = StateSnapshot(folder / "aws")
    try:
        moto = started_moto(folder)
        os.environ["AWS_ENDPOINT_URL"] = moto.url
        provision(load(), STACK)
        fill(binaries, jobs, binary_kib * 1024)
        resources = retained(load().retained, STACK)
        first = snapshot.save(resources, resume=[])
        unchanged = snapshot.save(resources, resume=[])
        moto.stop()

        moto = started_moto(folder)
        os.environ["AWS_ENDPOINT_URL"] = moto.url
        started = time.monotonic()
        provision(load(), STACK)
        provisioned = time.monotonic() - started
        _, restored = snapshot.restore(retained(load().retained, STACK))
        moto.stop()
        size = sum(p.stat().st_size for p in snapshot.folder.rglob("*") if p.is_file())
        print(f"{binaries} binaries of {binary_kib} KiB, {jobs} finished jobs; on disk {size / 1e6:.1f} MB")
        print(f"save, all new         {first}")
        print(f"save, nothing changed {unchanged}")
        print(f"restore               {restored}  (provisioning itself: {provisioned:.2f} s)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:4]))
