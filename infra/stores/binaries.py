"""Uploaded binaries: the bytes of each version in S3 under versions/<app>/, one DynamoDB item per
version. Every write keeps the two in step: the object is written first and removed again if its
record cannot be written, so no record ever points at a missing object.

binaries/<app>/<file> is where users drop packages to deploy them (functions/deploy); a version
is a copy, so a later drop under the same name never changes a stored version, and writing a
version never triggers a deploy. Dropped objects that are not packages move to rejected/."""

from typing import Any

from pydantic import BaseModel

from infra.aws import client
from infra.errors import NoSuchBinary, PackageTooLarge
from infra.stores.dynamo import Table

PREFIX = "versions/"
DROP_PREFIX = "binaries/"
REJECTED_PREFIX = "rejected/"
UPLOAD_URL_SECONDS = 3600


class BinaryRecord(BaseModel):
    appName: str
    uploadTime: str
    binaryType: str
    key: str
    digest: str
    size: int
    classes: list[str] = []  # `module.Class` names found in a Python package; empty for jars


class BinaryStore:
    def __init__(self, table_name: str, bucket: str):
        self._table = Table(table_name)
        self._bucket = bucket
        self._s3 = client("s3")

    def add(self, record: BinaryRecord, data: bytes) -> None:
        self._s3.put_object(Bucket=self._bucket, Key=record.key, Body=data)
        try:
            self._table.put(record.model_dump(), condition="attribute_not_exists(uploadTime)")
        except Exception:
            self._s3.delete_object(Bucket=self._bucket, Key=record.key)
            raise

    def latest(self, app: str) -> BinaryRecord:
        items = self.versions(app, limit=1)
        if not items:
            raise NoSuchBinary(app)
        return items[0]

    def versions(self, app: str, limit: int | None = None) -> list[BinaryRecord]:
        """Newest first."""
        items = self._table.query("appName = :a", limit=limit, newest_first=True, values={":a": app})
        return [BinaryRecord.model_validate(item) for item in items]

    def latest_of_each(self) -> dict[str, BinaryRecord]:
        newest: dict[str, BinaryRecord] = {}
        for item in self._table.scan():
            record = BinaryRecord.model_validate(item)
            if record.appName not in newest or record.uploadTime > newest[record.appName].uploadTime:
                newest[record.appName] = record
        return newest

    def delete(self, app: str) -> None:
        """Records first, then objects: a crash in between leaves an orphan object, not a dangling record."""
        versions = self.versions(app)
        if not versions:
            raise NoSuchBinary(app)
        for version in versions:
            self._table.delete({"appName": app, "uploadTime": version.uploadTime})
        for version in versions:
            self._s3.delete_object(Bucket=self._bucket, Key=version.key)

    def dropped(self, key: str, max_bytes: int) -> bytes | None:
        """The bytes of a dropped object; None when it is gone already; PackageTooLarge, without
        reading it, when it is larger than max_bytes."""
        try:
            dropped = self._s3.get_object(Bucket=self._bucket, Key=key)
        except self._s3.exceptions.NoSuchKey:
            return None
        if dropped["ContentLength"] > max_bytes:
            dropped["Body"].close()
            raise PackageTooLarge(dropped["ContentLength"], max_bytes)
        return dropped["Body"].read()

    def set_aside(self, key: str) -> str:
        """Move a dropped object that is no package out of the drop area; returns its new key."""
        aside = REJECTED_PREFIX + key.removeprefix(DROP_PREFIX)
        self._s3.copy_object(Bucket=self._bucket, Key=aside, CopySource={"Bucket": self._bucket, "Key": key})
        self._s3.delete_object(Bucket=self._bucket, Key=key)
        return aside

    def upload_url(self, key: str) -> str:
        """A presigned PUT for a package too large for an API request body."""
        return self._s3.generate_presigned_url(
            "put_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=UPLOAD_URL_SECONDS
        )

    @property
    def bucket(self) -> str:
        return self._bucket

    def download(self, key: str, path: Any) -> None:
        self._s3.download_file(self._bucket, key, str(path))
