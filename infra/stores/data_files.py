"""Data files (SJS's /data) in the stack's bucket under data/, one object per file.

A file is named as SJS names it, `<prefix>-<upload time>.dat` (SJS's time pattern, its colons
made underscores), and never overwritten: a file's bytes never change, so a host may keep a copy
as long as the file exists."""

import re
from datetime import datetime
from pathlib import Path

from botocore.exceptions import ClientError

from infra.aws import client, error_code
from infra.errors import Conflict

PREFIX = "data/"
NAME_PREFIX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}-\d{4}-\d\d-\d\dT\d\d_\d\d_\d\d\.\d{3}Z\.dat$")


def data_file_name(prefix: str, uploaded: datetime) -> str:
    """SJS's name: the prefix, then the upload time as yyyy-MM-dd'T'HH_mm_ss.SSSZ (UTC)."""
    return f"{prefix}-{uploaded.strftime('%Y-%m-%dT%H_%M_%S')}.{uploaded.microsecond // 1000:03d}Z.dat"


class DataFileStore:
    def __init__(self, bucket: str):
        self._bucket = bucket
        self._s3 = client("s3")

    def add(self, name: str, data: bytes) -> None:
        """Store a new file; Conflict when one of that name exists (it is never overwritten)."""
        try:
            self._s3.put_object(Bucket=self._bucket, Key=PREFIX + name, Body=data, IfNoneMatch="*")
        except ClientError as e:
            if error_code(e) in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise Conflict(f"data file {name} exists") from e
            raise

    def names(self) -> list[str]:
        pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=PREFIX)
        return sorted(item["Key"].removeprefix(PREFIX) for page in pages for item in page.get("Contents", []))

    def exists(self, name: str) -> bool:
        try:
            self._s3.head_object(Bucket=self._bucket, Key=PREFIX + name)
        except ClientError as e:
            if error_code(e) in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, name: str) -> bool:
        """False when there was no such file."""
        if not self.exists(name):
            return False
        self._s3.delete_object(Bucket=self._bucket, Key=PREFIX + name)
        return True

    def delete_all(self) -> int:
        """Remove every data file; how many there were."""
        names = self.names()
        for start in range(0, len(names), 1000):  # DeleteObjects takes up to 1000 keys
            keys = [{"Key": PREFIX + name} for name in names[start : start + 1000]]
            self._s3.delete_objects(Bucket=self._bucket, Delete={"Objects": keys, "Quiet": True})
        return len(names)

    def download(self, name: str, path: Path) -> None:
        self._s3.download_file(self._bucket, PREFIX + name, str(path))
