"""Reply queues: how a host tells a waiting API container that a sync job has ended.

Each API container (one request at a time, as in Lambda) owns one queue, made on first use and
named `<queue prefix>_reply-<id>` (no context name can start with '_'). Waiting is an SQS long
poll, so a sync caller costs nothing while the job runs; polling DynamoDB instead took CPU from
Spark on small machines. A reply carries a copy of the job's final record when it fits in a
message; the record in the table stays the truth."""

import contextlib
import math
import time
import uuid
from datetime import UTC, datetime

from events.messages import JobEnded
from infra.aws import client, error_code

MAX_POLL_SECONDS = 20
MAX_REPLY_BYTES = 200_000  # SQS takes 256 KiB; larger results are read from the table instead


class Replies:
    def __init__(self, queue_prefix: str):
        self._prefix = f"{queue_prefix}_reply-"
        self._sqs = client("sqs")
        self._url: str | None = None
        self._received: list[str] = []  # receipts to delete at the next wait, off the caller's path

    def address(self) -> str:
        """This container's reply queue (created on first use)."""
        if self._url is None:
            name = f"{self._prefix}{uuid.uuid4().hex[:16]}"
            created = self._sqs.create_queue(
                QueueName=name, Attributes={"MessageRetentionPeriod": "300", "SqsManagedSseEnabled": "true"}
            )
            self._url = created["QueueUrl"]
        return self._url

    def wait(self, job_id: str, seconds: float) -> JobEnded | None:
        """The reply for `job_id`, or None after `seconds`; stale replies of other jobs are dropped."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            messages = self._receive(min(MAX_POLL_SECONDS, max(1, math.ceil(left))))
            for ended in (JobEnded.model_validate_json(m["Body"]) for m in messages):
                if ended.jobId == job_id:
                    return ended
        return None

    def _receive(self, wait_seconds: int) -> list[dict]:
        url = self.address()
        try:
            self._forget_received(url)
            messages = self._sqs.receive_message(
                QueueUrl=url, WaitTimeSeconds=wait_seconds, MaxNumberOfMessages=10
            ).get("Messages", [])
        except Exception as e:
            if "NonExistentQueue" not in error_code(e):
                raise
            self._url, self._received = None, []  # swept away under us: the next wait makes a new one
            return []
        self._received += [m["ReceiptHandle"] for m in messages]
        return messages

    def _forget_received(self, url: str) -> None:
        """Delete what earlier waits received; done here, while a job runs, not as an answer leaves."""
        while self._received:
            batch, self._received = self._received[:10], self._received[10:]
            entries = [{"Id": str(i), "ReceiptHandle": receipt} for i, receipt in enumerate(batch)]
            self._sqs.delete_message_batch(QueueUrl=url, Entries=entries)

    def send(self, url: str, ended: JobEnded) -> None:
        body = ended.model_dump_json()
        if len(body) > MAX_REPLY_BYTES:
            body = JobEnded(jobId=ended.jobId).model_dump_json()
        with contextlib.suppress(Exception):  # a wake-up call: the waiter falls back to reading the record
            self._sqs.send_message(QueueUrl=url, MessageBody=body)

    def sweep(self, older_than_seconds: float) -> list[str]:
        """Delete reply queues older than `older_than_seconds`; returns their URLs. Age is all SQS
        tells, so a container still alive then loses its queue: it makes a new one on its next
        wait, and the one job whose reply went to the old queue is found by the fallback read."""
        urls = self._sqs.list_queues(QueueNamePrefix=self._prefix).get("QueueUrls", [])
        now = datetime.now(UTC).timestamp()
        swept = []
        for url in urls:
            created = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["CreatedTimestamp"])
            if now - float(created["Attributes"]["CreatedTimestamp"]) > older_than_seconds:  # moto: float
                with contextlib.suppress(Exception):
                    self._sqs.delete_queue(QueueUrl=url)
                    swept.append(url)
        return swept
