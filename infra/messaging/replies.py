"""Reply queues: how a host tells a waiting API container that a sync job has ended.

Each API container (one request at a time, as in Lambda) owns one queue, made on first use and
named `<queue prefix>_reply-<id>` (no context name can start with '_'). Waiting is an SQS long
poll, so a sync caller costs nothing while the job runs; polling DynamoDB instead took CPU from
Spark on small machines. Replies are only a wake-up call: the job record stays the truth."""

import contextlib
import math
import time
import uuid
from datetime import UTC, datetime

from events.messages import JobEnded
from infra.aws import client, error_code

MAX_POLL_SECONDS = 20


class Replies:
    def __init__(self, queue_prefix: str):
        self._prefix = f"{queue_prefix}_reply-"
        self._sqs = client("sqs")
        self._url: str | None = None

    def address(self) -> str:
        """This container's reply queue (created on first use)."""
        if self._url is None:
            name = f"{self._prefix}{uuid.uuid4().hex[:16]}"
            self._url = self._sqs.create_queue(QueueName=name, Attributes={"MessageRetentionPeriod": "300"})[
                "QueueUrl"
            ]
        return self._url

    def wait(self, job_id: str, seconds: float) -> bool:
        """True once the reply for `job_id` arrives, False after `seconds`; other replies are dropped."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                response = self._sqs.receive_message(
                    QueueUrl=self.address(),
                    WaitTimeSeconds=min(MAX_POLL_SECONDS, max(1, math.ceil(left))),
                    MaxNumberOfMessages=10,
                )
            except Exception as e:
                if "NonExistentQueue" not in error_code(e):
                    raise
                self._url = (
                    None  # swept away under us: make a new one; the caller's fallback read covers this job
                )
                return False
            messages = response.get("Messages", [])
            if messages:
                self._sqs.delete_message_batch(
                    QueueUrl=self.address(),
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
                    ],
                )
            if any(JobEnded.model_validate_json(m["Body"]).jobId == job_id for m in messages):
                return True
        return False

    def send(self, url: str, ended: JobEnded) -> None:
        with contextlib.suppress(Exception):  # a wake-up call: the waiter re-reads the record anyway
            self._sqs.send_message(QueueUrl=url, MessageBody=ended.model_dump_json())

    def sweep(self, older_than_seconds: float) -> list[str]:
        """Delete reply queues of containers long gone; returns their URLs."""
        urls = self._sqs.list_queues(QueueNamePrefix=self._prefix).get("QueueUrls", [])
        now = datetime.now(UTC).timestamp()
        swept = []
        for url in urls:
            created = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["CreatedTimestamp"])
            if now - int(created["Attributes"]["CreatedTimestamp"]) > older_than_seconds:
                with contextlib.suppress(Exception):
                    self._sqs.delete_queue(QueueUrl=url)
                    swept.append(url)
        return swept
