"""Stands in for Lambda's SQS event source mappings, which moto cannot run: polls each queue a
function's `Events` name in template.yaml and invokes the real handler with the event Lambda
would send. Messages the function does not report as failed (ReportBatchItemFailures) are
deleted; the rest, or the whole batch when the invocation fails, come again after the queue's
visibility timeout and, after its maxReceiveCount, SQS's redrive moves them to the dead-letter
queue, as in AWS."""

import logging
import threading
from typing import Any

from infra.aws import client
from infra.local.lambda_runtime import FunctionPool

log = logging.getLogger("sjs.dispatch")

POLL_SECONDS = 2  # long poll; also how long stopping waits for a poller


class QueuePoller:
    def __init__(
        self,
        pool: FunctionPool,
        queue_arn: str,
        batch_size: int,
        reports_failures: bool,
        stopping: threading.Event,
    ):
        self._pool = pool
        self._arn = queue_arn
        self._batch_size = max(1, min(batch_size, 10))
        self._reports_failures = reports_failures
        self._stopping = stopping
        self._sqs = client("sqs")

    def start(self) -> threading.Thread:
        name = f"poll-{self._arn.rsplit(':', 1)[-1]}"
        thread = threading.Thread(target=self._run, name=name, daemon=True)
        thread.start()
        return thread

    def _run(self) -> None:
        url = self._sqs.get_queue_url(QueueName=self._arn.rsplit(":", 1)[-1])["QueueUrl"]
        while not self._stopping.is_set():
            try:
                self._poll_once(url)
            except Exception:
                if self._stopping.is_set():
                    return
                log.exception("%s: delivering to %s failed", self._arn, self._pool.function_name)
                self._stopping.wait(1.0)

    def _poll_once(self, url: str) -> None:
        messages = self._sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=POLL_SECONDS,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        response = self._pool.invoke(sqs_event(messages, self._arn)) or {}
        failed = (
            {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            if self._reports_failures
            else set()
        )
        done = [m for m in messages if m["MessageId"] not in failed]
        if failed:
            log.warning(
                "%s reported %d of %d message(s) failed", self._pool.function_name, len(failed), len(messages)
            )
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda sends a function for a batch of SQS messages."""
    region = queue_arn.split(":")[3]
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {
                    name: {
                        "stringValue": value.get("StringValue"),
                        "binaryValue": value.get("BinaryValue"),
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": value["DataType"],
                    }
                    for name, value in m.get("MessageAttributes", {}).items()
                },
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }
