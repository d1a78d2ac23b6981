"""One SQS queue per context incarnation: the API sends, that context's host receives.

Queues are made on demand (contexts come and go), named after the stack and the context and
ending in `-<8 hex of the incarnation>` (template.yaml's ContextScopedRole lets a host reach exactly
that name), encrypted at rest (SSE-SQS), and redrive to the stack's dead-letter queue."""

import json
import logging
from dataclasses import dataclass
from functools import cached_property

from pydantic import ValidationError

from events.messages import HostMessage, host_message
from infra.aws import client, error_code

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 20
MAX_RECEIVE_COUNT = 3
VISIBILITY_TIMEOUT_SECONDS = 12 * 3600  # SQS's maximum


@dataclass(frozen=True)
class Delivery:
    receipt: str
    message: HostMessage


class HostQueues:
    def __init__(self, queue_prefix: str, dead_letter_queue_url: str):
        self._prefix = queue_prefix
        self._dlq_url = dead_letter_queue_url
        self._sqs = client("sqs")

    @cached_property
    def _dlq_arn(self) -> str:
        attributes = self._sqs.get_queue_attributes(QueueUrl=self._dlq_url, AttributeNames=["QueueArn"])
        return attributes["Attributes"]["QueueArn"]

    def create(self, context: str, context_id: str) -> str:
        suffix = f"-{context_id[:8]}"  # a re-created context never reuses a deleted queue's name
        name = f"{self._prefix}{context}"[: 80 - len(suffix)] + suffix
        redrive = {"deadLetterTargetArn": self._dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
        response = self._sqs.create_queue(
            QueueName=name,
            Attributes={
                "RedrivePolicy": json.dumps(redrive),
                "ReceiveMessageWaitTimeSeconds": "20",
                # A job's message is acknowledged when the job ends and must not come back before;
                # if the host dies, its context and this queue end with it.
                "VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS),
                "SqsManagedSseEnabled": "true",
            },
        )
        return response["QueueUrl"]

    def delete(self, url: str) -> None:
        try:
            self._sqs.delete_queue(QueueUrl=url)
        except Exception as e:
            if "NonExistentQueue" not in error_code(e):
                raise

    def send(self, url: str, message: HostMessage) -> None:
        self._sqs.send_message(QueueUrl=url, MessageBody=message.model_dump_json())

    def receive(self, url: str) -> list[Delivery]:
        """Up to ten messages; one that is not a host message is dropped, not the batch with it."""
        raw_messages = self._sqs.receive_message(
            QueueUrl=url, WaitTimeSeconds=LONG_POLL_SECONDS, MaxNumberOfMessages=10
        ).get("Messages", [])
        deliveries = []
        for raw in raw_messages:
            try:
                deliveries.append(Delivery(raw["ReceiptHandle"], host_message.validate_json(raw["Body"])))
            except ValidationError:
                log.warning("dropping a message that is not a host message: %.200s", raw["Body"])
                self.ack(url, raw["ReceiptHandle"])
        return deliveries

    def ack(self, url: str, receipt: str) -> None:
        self._sqs.delete_message(QueueUrl=url, ReceiptHandle=receipt)
