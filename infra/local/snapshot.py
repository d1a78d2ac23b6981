"""The local stack's AWS state on disk, so that `make up` after a Ctrl-C (or a crash) shows the
same binaries, job history and data files.

What is kept is what template.yaml keeps on AWS: the resources with `DeletionPolicy: Retain` (the
data bucket, the jobs, contexts and binaries tables). Queues are not kept: every message in them
belongs to the run that stopped (a job queued for a host that is gone, a reply to an API call
that is over, a lifecycle event for the callbacks), and the restart ends the work they describe
(functions/domain/resume.py).

Why not moto's own facilities. Its recorder (MOTO_ENABLE_RECORDING, /moto-api/recorder/) appends
every request to a file and replays them all: the replay's cost grows with the whole history
(every job's claim, heartbeats, long polls), it needs /moto-api, which this stack closes, and every
recorded request is signed with the keys of a run whose IAM user no longer exists, so moto's IAM
check refuses them all. Pickling moto's backends ties the file to moto's internals (not stable
across moto versions) and would bring back the old run's IAM keys, queues and in-flight messages.
A snapshot through the ordinary APIs (scan and list/get to save; batch write and put to restore)
holds exactly the data of the retained resources, in formats AWS defines.

`<state>/aws/` (mode 0700: it holds every job's config and result):
- `snapshot.json`: each table's items in DynamoDB's JSON, each bucket's keys with their content
  type, metadata, ETag and the blob holding their bytes, and the contexts to start again;
- `blobs/<sha256>`: object bytes, by content, so a save copies only objects whose ETag changed.

Crash-safe: blobs are written first (temp file, fsync, rename), then snapshot.json the same way,
then blobs nothing refers to any more are removed. A kill at any point leaves the previous or the
new snapshot whole, never a mix."""

import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ValidationError

from infra.aws import client, error_code
from infra.clock import now_iso

VERSION = 1
BATCH_WRITE_ITEMS = 25  # DynamoDB's limit per BatchWriteItem
WRITE_ATTEMPTS = 10  # a batch's unprocessed items are written again, this many times at most
TABLE = "AWS::DynamoDB::Table"
BUCKET = "AWS::S3::Bucket"


class SavedObject(BaseModel):
    key: str
    etag: str
    blob: str  # sha256 of the bytes: the file's name under blobs/
    contentType: str | None = None
    metadata: dict[str, str] = {}


class Snapshot(BaseModel):
    version: int = VERSION
    savedAt: str
    tables: dict[str, list[dict[str, Any]]]  # logical id → items, as DynamoDB's low-level API has them
    buckets: dict[str, list[SavedObject]]  # logical id → objects
    resume: list[str] = []  # contexts that ran when it was saved: started again (resume.py)


@dataclass(frozen=True)
class Retained:
    """The retained resources of a created stack: physical names by logical id."""

    tables: dict[str, str]
    buckets: dict[str, str]


@dataclass(frozen=True)
class Cost:
    """What one save or restore did, for the log and the README's figures."""

    items: int
    objects: int
    copied_bytes: int  # object bytes read (save: only changed objects) or written (restore)
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.items} items, {self.objects} objects ({self.copied_bytes / 1e6:.1f} MB copied) "
            f"in {self.seconds:.2f} s"
        )


class UnreadableState(Exception):
    """The saved state cannot be read back (a newer format, or a file edited by hand)."""


def retained(logical_ids: tuple[str, ...], stack_name: str) -> Retained:
    """The physical names of the template's retained tables and buckets in the stack."""
    pages = client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=stack_name)
    resources = [r for page in pages for r in page["StackResourceSummaries"]]
    named = {
        r["LogicalResourceId"]: (r["ResourceType"], r["PhysicalResourceId"])
        for r in resources
        if r["LogicalResourceId"] in logical_ids
    }
    return Retained(
        tables={logical: name for logical, (kind, name) in named.items() if kind == TABLE},
        buckets={logical: name for logical, (kind, name) in named.items() if kind == BUCKET},
    )


class StateSnapshot:
    """Saves the retained resources into a folder and restores them from it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.file = folder / "snapshot.json"
        self.blobs = folder / "blobs"
        self._saving = threading.Lock()  # the periodic save and the last one at stop

    def load(self) -> Snapshot | None:
        """The saved snapshot, or None when nothing was saved yet."""
        if not self.file.is_file():
            return None
        try:
            snapshot = Snapshot.model_validate_json(self.file.read_bytes())
        except ValidationError as e:
            raise UnreadableState(f"{self.file} is not a snapshot this version reads: {e}") from e
        if snapshot.version != VERSION:
            raise UnreadableState(f"{self.file} has format {snapshot.version}; this version reads {VERSION}")
        objects = [o for saved in snapshot.buckets.values() for o in saved]
        missing = [o.key for o in objects if not self._blob(o).is_file()]
        if missing:
            raise UnreadableState(
                f"{self.blobs} lacks the bytes of {len(missing)} object(s), e.g. {missing[0]}"
            )
        return snapshot

    def restore(self, resources: Retained) -> tuple[Snapshot | None, Cost]:
        """Fill the (new, empty) retained resources from the saved snapshot; the snapshot, or
        None when there was none. Resources the snapshot has and the stack no longer has are skipped."""
        started = time.monotonic()
        snapshot = self.load()
        if snapshot is None:
            return None, Cost(0, 0, 0, 0.0)
        items = objects = written = 0
        for logical, table in resources.tables.items():
            items += _write_items(table, snapshot.tables.get(logical, []))
        s3 = client("s3")
        for logical, bucket in resources.buckets.items():
            for saved in snapshot.buckets.get(logical, []):
                extra = {"ContentType": saved.contentType} if saved.contentType else {}
                with open(self._blob(saved), "rb") as body:
                    s3.put_object(Bucket=bucket, Key=saved.key, Body=body, Metadata=saved.metadata, **extra)
                objects += 1
                written += self._blob(saved).stat().st_size
        return snapshot, Cost(items, objects, written, time.monotonic() - started)

    def save(self, resources: Retained, resume: list[str]) -> Cost:
        """Save the retained resources' current content (tables first, so a binary's object is
        at least as new as its record), replacing the previous snapshot in one rename."""
        with self._saving:
            started = time.monotonic()
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.folder.chmod(0o700)
            self.blobs.mkdir(mode=0o700, exist_ok=True)
            previous = self._previous_objects()
            tables = {logical: list(_scan(table)) for logical, table in resources.tables.items()}
            buckets, copied = {}, 0
            for logical, bucket in resources.buckets.items():
                buckets[logical], bucket_copied = self._save_bucket(bucket, previous.get(logical, {}))
                copied += bucket_copied
            fsync_folder(self.blobs)  # the blobs' renames are on disk before the file naming them
            snapshot = Snapshot(savedAt=now_iso(), tables=tables, buckets=buckets, resume=resume)
            write_atomically(self.file, snapshot.model_dump_json().encode())
            self._remove_unreferenced(snapshot)
            return Cost(
                sum(map(len, tables.values())),
                sum(map(len, buckets.values())),
                copied,
                time.monotonic() - started,
            )

    def _previous_objects(self) -> dict[str, dict[str, SavedObject]]:
        try:
            snapshot = self.load()
        except UnreadableState:
            return {}
        if snapshot is None:
            return {}
        return {logical: {o.key: o for o in objects} for logical, objects in snapshot.buckets.items()}

    def _save_bucket(self, bucket: str, previous: dict[str, SavedObject]) -> tuple[list[SavedObject], int]:
        """The bucket's objects, with the bytes of those new or changed since the last save
        copied into blobs/; and how many bytes were copied."""
        s3 = client("s3")
        saved, copied = [], 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for listed in page.get("Contents", []):
                known = previous.get(listed["Key"])
                if known and known.etag == listed["ETag"] and self._blob(known).is_file():
                    saved.append(known)
                    continue
                try:
                    got = s3.get_object(Bucket=bucket, Key=listed["Key"])
                except ClientError as e:
                    if error_code(e) == "NoSuchKey":
                        continue  # deleted since it was listed
                    raise
                blob, size = self._store_blob(got["Body"].iter_chunks(1024 * 1024))
                copied += size
                saved.append(
                    SavedObject(
                        key=listed["Key"],
                        etag=got["ETag"],
                        blob=blob,
                        contentType=got.get("ContentType"),
                        metadata=got.get("Metadata", {}),
                    )
                )
        return saved, copied

    def _store_blob(self, chunks: Iterator[bytes]) -> tuple[str, int]:
        """Stream bytes into blobs/ under their sha256; the name and the size."""
        digest, size = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=self.blobs, prefix=".tmp-", delete=False) as out:
            try:
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            except BaseException:
                os.unlink(out.name)
                raise
        os.replace(out.name, self.blobs / digest.hexdigest())
        return digest.hexdigest(), size

    def _remove_unreferenced(self, snapshot: Snapshot) -> None:
        """Blobs of objects gone since, and temp files a killed save left behind."""
        referenced = {o.blob for objects in snapshot.buckets.values() for o in objects}
        for path in self.blobs.iterdir():
            if path.name not in referenced:
                path.unlink(missing_ok=True)

    def _blob(self, saved: SavedObject) -> Path:
        return self.blobs / saved.blob


def _scan(table: str) -> Iterator[dict[str, Any]]:
    for page in client("dynamodb").get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        yield from page["Items"]


def _write_items(table: str, items: list[dict[str, Any]]) -> int:
    dynamodb = client("dynamodb")
    for start in range(0, len(items), BATCH_WRITE_ITEMS):
        batch = items[start : start + BATCH_WRITE_ITEMS]
        requests = {table: [{"PutRequest": {"Item": item}} for item in batch]}
        for _ in range(WRITE_ATTEMPTS):
            requests = dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
            if not requests:
                break
        else:
            raise RuntimeError(f"{table}: items still unprocessed after {WRITE_ATTEMPTS} batch writes")
    return len(items)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a reader (or a crash) sees the old or the new file whole."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)  # the rename itself survives a power cut


def fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
