"""Job ends on the bus (the JobEndedRule, through the callback queue, a Lambda SQS event source)
→ POST to the job's callbackUrl, when it gave one (functions/domain/callbacks.py).

A record whose callback fails is reported back (partial batch response): SQS offers it again
after the queue's visibility timeout, and after a few rounds moves it to the dead-letter queue."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext

from events.lifecycle import BusQueueRecord, JobEndEvent, detail_of
from functions.wiring import services
from infra.metrics import metrics

logger = Logger(service="sjs-callbacks")
tracer = Tracer()
# A batch that failed whole is answered like a partial failure: the same retry, without an error.
processor = BatchProcessor(
    event_type=EventType.SQS, model=BusQueueRecord, raise_on_entire_batch_failure=False
)


def record_handler(record: BusQueueRecord) -> None:
    event = detail_of(record.body)
    if isinstance(event, JobEndEvent) and services().callbacks.deliver(event):
        logger.info("callback delivered", extra={"jobId": event.jobId, "status": event.status})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)  # results and configs stay out of X-Ray
@metrics.flushed_after
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
