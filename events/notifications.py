"""S3 notifications of dropped packages, as the deploy queue delivers them to the deploy function.

Powertools' Parser models, loosened only where moto's notifications leave out identity fields
that S3 always sends (userIdentity, requestParameters, responseElements, the bucket's
ownerIdentity); nothing here reads them. When a bucket's notifications are set, S3 also sends
one s3:TestEvent message, which the deploy function skips."""

from typing import Literal

from aws_lambda_powertools.utilities.parser.models import S3Model, S3RecordModel, SqsRecordModel
from aws_lambda_powertools.utilities.parser.models.s3 import (
    S3Bucket,
    S3Identity,
    S3Message,
    S3OwnerIdentify,
    S3RequestParameters,
    S3ResponseElements,
)
from pydantic import BaseModel, Json


class DropBucket(S3Bucket):
    ownerIdentity: S3OwnerIdentify | None = None  # type: ignore[assignment]


class DropMessage(S3Message):
    bucket: DropBucket  # type: ignore[assignment]


class DropRecord(S3RecordModel):
    userIdentity: S3Identity | None = None  # type: ignore[assignment]
    requestParameters: S3RequestParameters | None = None  # type: ignore[assignment]
    responseElements: S3ResponseElements | None = None  # type: ignore[assignment]
    s3: DropMessage  # type: ignore[assignment]


class DropNotification(S3Model):
    Records: list[DropRecord]  # type: ignore[assignment]


class S3TestEvent(BaseModel):
    Service: str
    Event: Literal["s3:TestEvent"]
    Bucket: str


class DropQueueRecord(SqsRecordModel):
    body: Json[DropNotification | S3TestEvent]  # type: ignore[assignment]
